/**
 * Starting and stopping lesson servers as child processes: a free port, a temporary
 * database, the banner line parsed for the URL, `/api/v1/status` polled until it answers,
 * and every child killed when the runner ends, whatever the reason.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Env } from './types.ts';

/** The project's root folder. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const orphanGuard = pathToFileURL(join(projectRoot, 'checks', 'orphan-guard.ts')).href;

/**
 * The first line of every lesson's banner (shared/server.ts): `Lesson N — title: listening on URL`;
 * bench/baseline.ts prints `Baseline — title: listening on URL`.
 */
const BANNER = /^(?:Lesson \d+|Baseline) — .*: listening on (https?:\/\/\S+)/;

/** Variables the lessons read (shared/config.ts): never inherited from the runner's shell. */
const CONFIG_VARIABLES = [
  'API_HOST',
  'API_PORT',
  'DB_PATH',
  'AUTH_TYPE',
  'SESSION_NAME',
  'SESSION_DURATION',
  'SESSION_IDLE_TIMEOUT',
  'COOKIE_SECURE',
  // Lesson 6 (lessons/06-express-session/config.ts): a shell's NODE_ENV=production would stop it.
  'SESSION_SECRET',
  'SESSION_STORE',
  'NODE_ENV',
  // Lesson 7 (lessons/07-hardening/config.ts).
  'LOGIN_ATTEMPTS_PER_ACCOUNT',
  'LOGIN_ATTEMPTS_PER_ADDRESS',
  'LOGIN_ATTEMPTS_WINDOW',
  'SESSIONS_PER_USER',
  'ALLOWED_HOSTS',
  'TRUST_PROXY',
];

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;
const POLL_INTERVAL_MS = 10;

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

// Last resort: whatever happens to the runner, its servers and temporary files go with it.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Kills every server still running (the CLI calls this on Ctrl-C). */
export function killAllServers(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** The process ids of the servers still running (tests use it to prove nothing is left). */
export function runningServerPids(): number[] {
  return [...children].map((child) => child.pid ?? -1);
}

/** A new temporary folder, removed by {@link removeTempDir} or when the process exits. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-check-'));
  tempDirs.add(dir);
  return dir;
}

/** Removes a folder made by {@link makeTempDir}. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** How to start one server. */
export interface ServerSpec {
  /** The server's entry file, relative to the project root (or absolute). */
  entry: string;
  /** Extra environment, e.g. `{ AUTH_TYPE: 'basic_auth' }`. */
  env: Env;
  /** The SQLite file (`DB_PATH`). */
  dbPath: string;
  /** Options for node itself, before the entry (the bench's `--cpu-prof`). */
  nodeArgs?: readonly string[];
}

/** The server did not start: it exited, printed no banner, or never answered. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `GET {url}/api/v1/status` gets any answer at all. */
async function pollStatus(url: string, deadline: number, exited: () => boolean): Promise<void> {
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const req = http.get(`${url}/api/v1/status`, { agent: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(1000, () => req.destroy());
    });
    if (answered) return;
    if (exited()) throw new ServerStartError('the server exited before it answered');
    if (Date.now() > deadline) throw new ServerStartError(`no answer from ${url}/api/v1/status`);
    await delay(POLL_INTERVAL_MS);
  }
}

/**
 * One lesson server, run as `node --import tsx <entry>` with `API_PORT=0`.
 *
 * @example
 * const server = await LessonServer.start({ entry: 'lessons/00-users-api/server.ts', env: {}, dbPath });
 * server.url; // 'http://127.0.0.1:41235'
 * await server.stop();
 */
export class LessonServer {
  /** The base URL of the running server. */
  url = '';
  private child: ChildProcess | undefined;
  private exitInfo: string | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly lines: string[] = [];
  private readonly errorLines: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(readonly spec: ServerSpec) {}

  /** Starts a server and waits until it answers. */
  static async start(spec: ServerSpec): Promise<LessonServer> {
    const server = new LessonServer(spec);
    await server.start();
    return server;
  }

  /** The process id of the running server, or undefined. */
  get pid(): number | undefined {
    return this.hasExited ? undefined : this.child?.pid;
  }

  /** Whether the process has exited. */
  get hasExited(): boolean {
    return this.exitInfo !== null;
  }

  /** The lines printed on stdout, since the first start. */
  stdout(): readonly string[] {
    return this.lines;
  }

  /** How the process ended and its last stderr lines, for error messages. */
  describeExit(): string {
    const tail = this.errorLines.slice(-8).join('\n');
    return `the server exited (${this.exitInfo ?? 'still running'})${tail ? `; its last error lines:\n${tail}` : ''}`;
  }

  /** Resolves with the latest stdout line already printed, or the next one to come, that matches. */
  waitForLine(pattern: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
    return this.matchLine(pattern, 0, timeoutMs, `the server printed no line matching ${pattern} within ${timeoutMs} ms`);
  }

  private matchLine(pattern: RegExp, from: number, timeoutMs: number, timeoutMessage: string): Promise<RegExpMatchArray> {
    for (const line of this.lines.slice(from).reverse()) {
      const match = line.match(pattern);
      if (match) return Promise.resolve(match);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.lineListeners.delete(listener);
        reject(new ServerStartError(timeoutMessage));
      }, timeoutMs);
      // Waiting must not keep the runner alive once everything else is done.
      timer.unref();
      const listener = (line: string) => {
        const match = line.match(pattern);
        if (!match) return;
        clearTimeout(timer);
        this.lineListeners.delete(listener);
        resolve(match);
      };
      this.lineListeners.add(listener);
    });
  }

  /** Starts the process (again) and waits for the banner, then for `/api/v1/status`. */
  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CONFIG_VARIABLES) delete env[name];
    // Set by `node --test` for its own children; a server is not one.
    delete env.NODE_TEST_CONTEXT;
    Object.assign(env, this.spec.env, { API_HOST: '127.0.0.1', API_PORT: '0', DB_PATH: this.spec.dbPath });

    const child = spawn(process.execPath, [...(this.spec.nodeArgs ?? []), '--import', 'tsx', '--import', orphanGuard, this.spec.entry], {
      cwd: projectRoot,
      env,
      // The IPC channel lets the orphan guard notice when the runner dies.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.exitInfo = null;
    children.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(child);
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        resolve();
      });
    });
    child.once('error', (error) => {
      this.errorLines.push(error.message);
    });
    const firstLine = this.lines.length;
    readLines(child.stdout, (line) => {
      this.lines.push(line);
      for (const listener of this.lineListeners) listener(line);
    });
    readLines(child.stderr, (line) => {
      this.errorLines.push(line);
      if (this.errorLines.length > 200) this.errorLines.shift();
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    try {
      const banner = await Promise.race([
        this.matchLine(BANNER, firstLine, START_TIMEOUT_MS, `no banner line ("Lesson N — ...: listening on URL") within ${START_TIMEOUT_MS} ms`),
        this.exited.then(() => {
          throw new ServerStartError(this.describeExit());
        }),
      ]);
      this.url = banner[1] as string;
      await pollStatus(this.url, deadline, () => this.hasExited);
    } catch (error) {
      await this.stop();
      if (error instanceof ServerStartError) throw error;
      throw new ServerStartError(`${(error as Error).message}; ${this.describeExit()}`);
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL if it is still there after 3 s; with
   * `'SIGKILL'`, at once (a crash: no chance to finish anything).
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || this.hasExited) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops the server (with `signal`, SIGTERM by default) and starts it again, same environment and database. */
  async restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }
}

function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ''));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}
