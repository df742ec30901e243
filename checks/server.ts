/**
 * Starting and stopping servers as child processes, the one way the runner, the fuzzer and
 * the benchmark do it:
 *
 * - {@link LessonServer}: one of this project's servers (a lesson's `server.ts` or a fixture),
 *   run with node and a small TypeScript loader on a free port (`API_PORT=0`) and a temporary database; its
 *   banner line says the URL;
 * - {@link CommandServer}: a learner's server in any language, a shell command (`--start`)
 *   run in the learner's folder with `API_HOST` and `API_PORT` set; `GET /api/v1/status`
 *   answering says it is up.
 *
 * Both are stopped with SIGTERM, then SIGKILL, and restarted the same way; and every child
 * is killed when the runner ends, whatever the reason, even when it is killed itself.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from '../shared/free-port.ts';
import { makeTempDir as makeSharedTempDir, removeTempDir as removeSharedTempDir } from '../shared/temp-dir.ts';
import { timeLimits } from './time.ts';
import type { Env } from './types.ts';

/** The project's root folder. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const orphanGuard = pathToFileURL(join(projectRoot, 'checks', 'orphan-guard.ts')).href;
/** What loads the servers' TypeScript: half the start-up cost of tsx (see ts-loader.mjs). */
const tsLoader = pathToFileURL(join(projectRoot, 'checks', 'ts-loader.mjs')).href;

/**
 * The first line of every lesson's banner (shared/server.ts): `Lesson N — title: listening on URL`;
 * bench/baseline.ts prints `Baseline — title: listening on URL`.
 */
const BANNER = /^(?:Lesson \d+|Baseline) — .*: listening on (https?:\/\/\S+)/;

/** Variables the servers read: never inherited from the runner's shell. */
const CONFIG_VARIABLES = [
  'API_HOST',
  'API_PORT',
  'DB_PATH',
  'AUTH_TYPE',
  'SESSION_NAME',
  'SESSION_DURATION',
  'SESSION_IDLE_TIMEOUT',
  'COOKIE_SECURE',
  'DEMO_USER',
  'PASSWORD_HASH_COST',
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

/** Limits on an idle machine; they stretch with the load (time.ts). */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 3_000;
const POLL_INTERVAL_MS = 10;
const OUTPUT_DRAIN_MS = 1_000;

/** How to kill each child still running: its process, or its whole process group. */
const children = new Map<ChildProcess, (signal: NodeJS.Signals) => void>();

// Last resort: whatever happens to the runner, its servers go with it (and its temporary
// folders: shared/temp-dir.ts removes them at exit and on SIGINT, SIGTERM and SIGHUP).
process.on('exit', () => {
  killAllServers();
});

/** Kills every server still running (the CLI calls this on Ctrl-C). */
export function killAllServers(): void {
  for (const kill of children.values()) kill('SIGKILL');
}

/** The process ids of the servers still running (tests use it to prove nothing is left). */
export function runningServerPids(): number[] {
  return [...children.keys()].map((child) => child.pid ?? -1);
}

/** A new temporary folder, removed by {@link removeTempDir} or when the process exits. */
export function makeTempDir(): string {
  return makeSharedTempDir('sandbox-check-');
}

/** Removes a folder made by {@link makeTempDir}. */
export function removeTempDir(dir: string): void {
  removeSharedTempDir(dir);
}

/** How to start one of this project's servers. */
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

/** How to start a learner's server. */
export interface CommandSpec {
  /** A shell command line (`python3 -m api.v1.app`), run with `sh -c`. */
  command: string;
  /** The folder it runs in (its data files live there). */
  cwd: string;
  /** The environment it gets besides `API_HOST` and `API_PORT`, e.g. `{ AUTH_TYPE: 'basic_auth' }`. */
  env: Env;
}

/** The server did not start: it exited, printed no banner, or never answered. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The runner's environment without the servers' own variables, plus `env`. */
function childEnv(env: Env): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete result[name];
  // Set by `node --test` for its own children; a server is not one.
  delete result.NODE_TEST_CONTEXT;
  // The checks seed their own users (checks/users.ts): no demo user unless a spec asks for one.
  return Object.assign(result, { DEMO_USER: 'false' }, env);
}

/**
 * Whether anything answers `GET {url}/api/v1/status` within `timeoutMs` (any status will do).
 *
 * @example
 * await answers('http://127.0.0.1:5000'); // false when nothing listens there
 */
export function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = http.get(`${url}/api/v1/status`, { agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(timeoutMs, () => req.destroy());
  });
}

/**
 * One server process: started, watched (its output, its exit), stopped and restarted. The
 * subclasses say how to launch it and how to tell that it is up.
 */
abstract class ServerProcess {
  /** The base URL of the running server. */
  url = '';
  protected child: ChildProcess | undefined;
  private exitInfo: string | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly lines: string[] = [];
  private readonly errorLines: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();

  /** Spawns the process. */
  protected abstract launch(): Promise<ChildProcess>;

  /** Resolves with the base URL once the server answers; `firstLine` is where this start's output begins. */
  protected abstract ready(firstLine: number, deadline: number): Promise<string>;

  /** Sends `signal` to the server (and whatever it started). */
  protected abstract signal(child: ChildProcess, signal: NodeJS.Signals): void;

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
    const limit = timeLimits().stretch(timeoutMs);
    return this.matchLine(pattern, 0, limit, `the server printed no line matching ${pattern} within ${limit} ms`);
  }

  protected matchLine(pattern: RegExp, from: number, timeoutMs: number, timeoutMessage: string): Promise<RegExpMatchArray> {
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

  /** Rejects as soon as the process exits (during a start). */
  protected whenExited(): Promise<never> {
    return this.exited.then(() => {
      throw new ServerStartError(this.describeExit());
    });
  }

  /** Starts the process (again) and waits until it answers. */
  async start(): Promise<void> {
    const child = await this.launch();
    this.child = child;
    this.exitInfo = null;
    children.set(child, (signal) => this.signal(child, signal));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // 'exit' can come before the last output is read: the process counts as exited once
        // its pipes are closed ('close'), so that its error lines are all there. A process it
        // left behind may hold the pipes open, hence the cap.
        const done = () => {
          clearTimeout(cap);
          child.off('close', done);
          children.delete(child);
          this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
          resolve();
        };
        const cap = setTimeout(done, OUTPUT_DRAIN_MS);
        child.once('close', done);
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
    try {
      this.url = await this.ready(firstLine, Date.now() + timeLimits().stretch(START_TIMEOUT_MS));
    } catch (error) {
      await this.stop();
      if (error instanceof ServerStartError) throw error;
      throw new ServerStartError(`${(error as Error).message}; ${this.describeExit()}`);
    }
  }

  /** Resolves once `GET {url}/api/v1/status` gets any answer at all. */
  protected async pollStatus(url: string, deadline: number): Promise<void> {
    for (;;) {
      if (await answers(url)) return;
      if (this.hasExited) throw new ServerStartError(this.describeExit());
      if (Date.now() > deadline) throw new ServerStartError(`no answer from ${url}/api/v1/status`);
      await delay(POLL_INTERVAL_MS);
    }
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL if it is still there after 3 s; with
   * `'SIGKILL'`, at once (a crash: no chance to finish anything).
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || this.hasExited) return;
    this.signal(child, signal);
    const timer = setTimeout(() => this.signal(child, 'SIGKILL'), timeLimits().stretch(STOP_TIMEOUT_MS));
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops the server (with `signal`, SIGTERM by default) and starts it again, same environment and data. */
  async restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    await this.stop(signal);
    await this.start();
  }
}

/**
 * One of this project's servers, run as `node --import ./checks/ts-loader.mjs <entry>` with `API_PORT=0`.
 *
 * @example
 * const server = await LessonServer.start({ entry: 'lessons/00-users-api/server.ts', env: {}, dbPath });
 * server.url; // 'http://127.0.0.1:41235'
 * await server.stop();
 */
export class LessonServer extends ServerProcess {
  constructor(readonly spec: ServerSpec) {
    super();
  }

  /** Starts a server and waits until it answers. */
  static async start(spec: ServerSpec): Promise<LessonServer> {
    const server = new LessonServer(spec);
    await server.start();
    return server;
  }

  protected async launch(): Promise<ChildProcess> {
    const env = childEnv({ ...this.spec.env, API_HOST: '127.0.0.1', API_PORT: '0', DB_PATH: this.spec.dbPath });
    const args = [...(this.spec.nodeArgs ?? []), '--enable-source-maps', '--import', tsLoader, '--import', orphanGuard, this.spec.entry];
    return spawn(process.execPath, args, {
      cwd: projectRoot,
      env,
      // The IPC channel lets the orphan guard notice when the runner dies.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
  }

  protected async ready(firstLine: number, deadline: number): Promise<string> {
    const waitMs = Math.max(0, deadline - Date.now());
    const banner = await Promise.race([
      this.matchLine(BANNER, firstLine, waitMs, `no banner line ("Lesson N — ...: listening on URL") within ${waitMs} ms`),
      this.whenExited(),
    ]);
    const url = banner[1] as string;
    await this.pollStatus(url, deadline);
    return url;
  }

  protected signal(child: ChildProcess, signal: NodeJS.Signals): void {
    child.kill(signal);
  }
}

/**
 * The shell around a learner's command: a watchdog that kills the whole process group when
 * the runner is gone (even after a SIGKILL, which leaves the runner no time to clean up),
 * then the command itself in the group's leader.
 */
const WATCHED = [
  '(while kill -0 "$SANDBOX_CHECK_RUNNER" 2>/dev/null; do sleep 1; done; kill -KILL 0) </dev/null >/dev/null 2>&1 &',
  'exec sh -c "$SANDBOX_CHECK_COMMAND"',
].join('\n');

/**
 * A learner's server: a shell command run in its own folder and process group, on a free port
 * (`API_HOST=127.0.0.1`, `API_PORT`), with the environment the checks ask for. Each start gets
 * a new port; the data it keeps in its folder survive restarts, as they would by hand.
 *
 * @example
 * const server = await CommandServer.start({ command: 'python3 -m api.v1.app', cwd: '/home/me/course', env: {} });
 * server.url; // 'http://127.0.0.1:43117'
 * await server.restart('SIGKILL');
 */
export class CommandServer extends ServerProcess {
  /** The port of the current start. */
  port = 0;

  constructor(readonly spec: CommandSpec) {
    super();
  }

  /** Starts the command and waits until its server answers. */
  static async start(spec: CommandSpec): Promise<CommandServer> {
    const server = new CommandServer(spec);
    await server.start();
    return server;
  }

  /** The environment of the current start, as the learner would type it before the command. */
  get env(): Env {
    return { ...this.spec.env, API_HOST: '127.0.0.1', API_PORT: String(this.port) };
  }

  protected async launch(): Promise<ChildProcess> {
    this.port = await freePort();
    const env = childEnv({ ...this.env, SANDBOX_CHECK_COMMAND: this.spec.command, SANDBOX_CHECK_RUNNER: String(process.pid) });
    // detached: the command leads a process group of its own, which stop() signals whole.
    return spawn('sh', ['-c', WATCHED], { cwd: this.spec.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  protected async ready(_firstLine: number, deadline: number): Promise<string> {
    const url = `http://127.0.0.1:${this.port}`;
    await Promise.race([this.pollStatus(url, deadline), this.whenExited()]);
    return url;
  }

  protected signal(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  override async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    await super.stop(signal);
    // Whatever the command left behind in its group (a worker, the watchdog) goes too.
    if (child) this.signal(child, 'SIGKILL');
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
