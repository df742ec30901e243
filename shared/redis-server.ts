/**
 * A real `redis-server` (Debian's `redis-server` package) run as a child process on a free
 * port of 127.0.0.1: lesson 8 starts one when `REDIS_URL` is not set, and its checks, the
 * fuzzer and the benchmark start their own. It persists to an append-only file, fsynced
 * every second, in its folder; it is stopped when the process that started it exits.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';
import { freePort } from './free-port.ts';

/** What to do when `redis-server` is missing, in one line. */
export const installRedisHint =
  'redis-server is not installed: sudo apt-get install redis-server (Debian, Ubuntu), brew install redis (macOS), or set REDIS_URL to a Redis you run';

/** Every server this process started and has not stopped: killed when it exits. */
const running = new Set<RedisServer>();
let killAtExit = false;

/** Is a process with this id alive? */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One `redis-server` child. Its settings are the lesson's persistence choice: an append-only
 * file (AOF) written on every command and fsynced once a second (`appendfsync everysec`),
 * no RDB snapshots.
 *
 * @example
 * const redis = await RedisServer.start({ dir: '/tmp/redis-data' });
 * redis.url; // 'redis://127.0.0.1:24117'
 * await redis.stop();
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    /** Its folder: the append-only file and the pid file. */
    readonly dir: string,
    /** Its port on 127.0.0.1. */
    readonly port: number,
  ) {}

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts a server keeping its data in `dir` (created if missing), on `port` or a free one;
   * resolves once it accepts connections. Throws a {@link ConfigError} when `redis-server` is
   * not installed, or when another one still runs on the same folder.
   */
  static async start(options: { dir: string; port?: number }): Promise<RedisServer> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const pidFile = join(options.dir, 'redis.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    // The Redis of a server that has just stopped may still be writing its file: a moment for it.
    for (let waited = 0; pid > 0 && alive(pid) && waited < 2000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    if (pid > 0 && alive(pid)) {
      throw new ConfigError(`a redis-server (pid ${pid}) already keeps its data in ${options.dir}: set REDIS_URL to use it, or stop it`);
    }
    const server = new RedisServer(options.dir, options.port ?? (await freePort()));
    await server.resume();
    return server;
  }

  /** Starts the server again, on the same port and folder, after {@link stop} (a Redis restart). */
  async resume(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--pidfile', join(this.dir, 'redis.pid')];
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--logfile', '');
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(error.code === 'ENOENT' ? installRedisHint : error.message)));
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${output.trim().split('\n').slice(-3).join(' | ')}`)));
    });
    // Once ready, nobody reads its log: drain it so a full pipe never stalls the server.
    child.stdout!.resume();
    child.stderr!.resume();
    running.add(this);
    if (!killAtExit) {
      killAtExit = true;
      // SIGTERM: Redis still writes its append-only file, after this process is gone.
      process.on('exit', () => running.forEach((one) => one.child?.kill('SIGTERM')));
    }
  }

  /** Stops it cleanly (SIGTERM: Redis writes and fsyncs its append-only file, then exits). */
  async stop(): Promise<void> {
    running.delete(this);
    this.child?.kill('SIGTERM');
    // A frozen server (pause) only sees the SIGTERM once it runs again.
    this.child?.kill('SIGCONT');
    await this.exited;
  }

  /** Kills it at once (SIGKILL), as a crash: what it had not fsynced yet is lost. */
  async kill(): Promise<void> {
    running.delete(this);
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Freezes it (SIGSTOP): connections stay open and nothing answers, as on a hung machine. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a frozen server go on (SIGCONT). */
  unpause(): void {
    this.child?.kill('SIGCONT');
  }
}
