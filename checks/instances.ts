/**
 * The servers checks talk to, whoever runs them:
 *
 * - {@link OwnInstance}: one of this project's servers, started by the runner on a fresh
 *   temporary database seeded with the run's users;
 * - {@link StartedInstance}: the learner's server, started by the runner with `--start` in the
 *   learner's folder, with the environment each check asks for;
 * - {@link RemoteInstance}: a server someone started by hand (`--url`).
 *
 * Each says what it can do (restart, a second process, its database), how to start it by hand
 * for the failure's replay, and how clients authenticate to it.
 *
 * @module
 */
import type http from 'node:http';
import type https from 'node:https';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { lowCostEnv } from '../shared/password.ts';
import { RedisServer } from '../shared/redis-server.ts';
import type { AuthStrategy } from './auth.ts';
import type { BrowserRun } from './browser.ts';
import type { Endpoint } from './http.ts';
import type { LessonEntry } from './lessons.ts';
import { shellQuote } from './replay.ts';
import { CommandServer, LessonServer, makeTempDir, removeTempDir } from './server.ts';
import type { TimeLimits } from './time.ts';
import { createDatabase, seedDatabase, type PreparedUser } from './users.ts';
import type { Env, Mode, Need, Profile, RestartOptions, SeededUser } from './types.ts';

/** What every check of a run shares. */
export interface RunState {
  profile: Profile;
  mode: Mode;
  /** The users to seed into the databases of this project's servers (`own` mode). */
  prepared: Promise<PreparedUser[]>;
  /** The users checks know: seeded, created through the API (`start`), or the `--user`. */
  users: SeededUser[];
  agents: { http: http.Agent; https: https.Agent };
  /** The run's Chromium, launched by the first check that asks for it. */
  browser: BrowserRun;
  limits: TimeLimits;
  /** The first of a few ports that were free when the run began: where the replay starts servers. */
  replayPort: number;
}

/** A server that checks talk to. */
export interface Instance {
  /** Where it answers now (the URL changes when it restarts). */
  readonly url: string;
  /** The environment checks see (`SESSION_NAME`, `SESSION_DURATION`...). */
  readonly env: Env;
  readonly strategy: AuthStrategy;
  /** Its SQLite file ('' when it is not one of this project's servers). */
  readonly dbPath: string;
  /** Why a check that needs `need` cannot run on it, or null. */
  unsupported(need: Exclude<Need, 'browser'>): string | null;
  /**
   * Shell lines that start the same server by hand, listening on `port`, for the replay (none
   * for a server started by hand).
   */
  setup(users: readonly SeededUser[], port: number): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(options?: RestartOptions): Promise<void>;
  stdout(): readonly string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Why a request got no answer, when the server died. */
  exitReason(): string | null;
  /** Another process of the same server, with more environment (not started yet). */
  variant(env: Env, shareDatabase: boolean): Instance;
}

/** `A=1 B='x y'`, as a shell prefix. */
export function describeEnv(env: Env): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${shellQuote(value)}`)
    .join(' ');
}

/** The same text for the same environment, whatever the order of its variables (to group checks by it). */
export function envKey(env: Env): string {
  return JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}

/** A prefix of environment assignments, with its separating space (or nothing). */
function envPrefix(env: Env): string {
  const text = describeEnv(env);
  return text ? `${text} ` : '';
}

const onlyStarted = (what: string) => `${what}, which only works on a server the runner starts (--start, or this project's own)`;

/** Why each need is out of reach of a server started by hand. */
const BY_HAND: Record<Exclude<Need, 'browser'>, string> = {
  restart: onlyStarted('it restarts the server'),
  database: "it reads the server's database, which only works on this project's own servers",
  variant: onlyStarted('it starts another instance of the server'),
  stdout: onlyStarted('it reads what the server prints'),
};

/** A replay database path nobody has used, the same in every terminal. */
function replayDbPath(): string {
  return `/tmp/sandbox-replay-${randomBytes(4).toString('hex')}/sandbox.db`;
}

/** One of this project's servers (a lesson's or a fixture) on a temporary database. */
export class OwnInstance implements Instance {
  readonly strategy: AuthStrategy;
  private server: LessonServer | undefined;
  /** The Redis of a fresh database, on a lesson that needs one (lesson 8), while it runs. */
  private redis: RedisServer | undefined;
  /** The replay's database: shared with the instance whose file this one shares. */
  private readonly replayDb: string;

  private constructor(
    private readonly state: RunState,
    private readonly lesson: LessonEntry,
    /** The server's entry file. */
    readonly entry: string,
    private readonly baseEnv: Env,
    readonly dbPath: string,
    /** The folder of its own database, removed at stop; none when it shares another's. */
    private readonly tempDir: string | null,
    replayDb: string | null,
    /** The `REDIS_URL` of the Redis the runner started for the instance whose database this one shares. */
    private readonly sharedRedisUrl: string | null = null,
  ) {
    this.strategy = lesson.auth(baseEnv);
    this.replayDb = replayDb ?? replayDbPath();
  }

  /** The environment, with the `REDIS_URL` of its Redis once it runs. */
  get env(): Env {
    return this.redis ? { REDIS_URL: this.redis.url, ...this.baseEnv } : this.baseEnv;
  }

  /** A server of lesson `lesson` (or `entry`, which behaves like it) on a fresh database. */
  static fresh(state: RunState, lesson: LessonEntry, entry: string, env: Env): OwnInstance {
    const tempDir = makeTempDir();
    return new OwnInstance(state, lesson, entry, env, join(tempDir, 'sandbox.db'), tempDir, null);
  }

  get url(): string {
    return this.server?.url ?? 'http://127.0.0.1:1';
  }

  unsupported(): null {
    return null;
  }

  async start(): Promise<void> {
    // Hashing is cheap on the runner's servers, as in a framework's test settings; a check may
    // still ask for the default (PASSWORD_HASH_COST: '').
    if (!this.tempDir) {
      const env = { ...lowCostEnv, ...this.env };
      this.server = await LessonServer.start({ entry: this.entry, env, dbPath: this.dbPath });
      return;
    }
    createDatabase(this.dbPath);
    // Lesson 8: every server on this database shares one Redis (a variant inherits REDIS_URL).
    if (this.lesson.redis && !this.baseEnv.REDIS_URL) this.redis = await RedisServer.start({ dir: join(this.tempDir, 'redis') });
    // On a lesson with roles, the seeded users are admins: the course's checks keep the rights
    // they assume (any of them lists the users); a check that needs a plain user creates one.
    const seed = (users: readonly PreparedUser[]) => seedDatabase(this.dbPath, users, { admins: this.lesson.adminRole ? users.length : 0 });
    if (this.lesson.seedBeforeStart) seed(await this.state.prepared);
    const env = { ...lowCostEnv, ...this.env };
    const starting = LessonServer.start({ entry: this.entry, env, dbPath: this.dbPath });
    // The server loads (a few hundred ms) while the users are inserted: the schema exists
    // already, and SQLite's busy timeout orders the two writers.
    const seeding = this.lesson.seedBeforeStart ? Promise.resolve() : this.state.prepared.then(seed);
    const [started, seeded] = await Promise.allSettled([starting, seeding]);
    if (started.status === 'fulfilled') this.server = started.value;
    // The caller stops the instance when starting fails.
    if (started.status === 'rejected') throw started.reason;
    if (seeded.status === 'rejected') throw seeded.reason;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.redis?.stop();
    this.redis = undefined;
    if (this.tempDir) removeTempDir(this.tempDir);
  }

  setup(users: readonly SeededUser[], port: number): string[] {
    const command = this.entry === this.lesson.server ? `npm run lesson:${this.lesson.number}` : `npx tsx ${shellQuote(this.entry)}`;
    const lines = this.tempDir ? [`export DB_PATH=${this.replayDb}`] : [`export DB_PATH=${this.replayDb}   # the same database`];
    if (this.tempDir) for (const user of users) lines.push(`npm run user:add -- ${shellQuote(user.email)} ${shellQuote(user.password)}`);
    const env: Record<string, string> = { ...this.env, API_PORT: String(port) };
    if (env.REDIS_URL && (env.REDIS_URL === this.redis?.url || env.REDIS_URL === this.sharedRedisUrl)) {
      // The runner's Redis is gone by now: the replay starts its own, one for every terminal.
      // (A check that starts a Redis of its own says how to start it in the replay.)
      const redisPort = this.state.replayPort + 1000;
      if (this.tempDir) lines.push(`redis-server --port ${redisPort} --save '' --daemonize yes   # lesson 8's Redis (redis-cli -p ${redisPort} shutdown)`);
      env.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
    }
    lines.push(`${envPrefix(env)}${command}`);
    return lines;
  }

  restart(options: RestartOptions = {}): Promise<void> {
    if (!this.server) throw new Error('the server is not running');
    return this.server.restart(options.signal);
  }

  stdout(): readonly string[] {
    return this.server?.stdout() ?? [];
  }

  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
    if (!this.server) throw new Error('the server is not running');
    return this.server.waitForLine(pattern, timeoutMs);
  }

  exitReason(): string | null {
    return this.server?.hasExited ? this.server.describeExit() : null;
  }

  variant(env: Env, shareDatabase: boolean): OwnInstance {
    // A fresh database gets a Redis of its own; a shared one, this one's Redis.
    const merged = { ...(shareDatabase ? this.env : this.baseEnv), ...env };
    if (!shareDatabase) return OwnInstance.fresh(this.state, this.lesson, this.entry, merged);
    return new OwnInstance(this.state, this.lesson, this.entry, merged, this.dbPath, null, this.replayDb, this.redis?.url ?? this.sharedRedisUrl);
  }
}

/** What `--start` says: the learner's command and its folder. */
export interface StartCommand {
  command: string;
  cwd: string;
}

/**
 * The learner's server, started with `--start` in its folder: every start on a free port with
 * the environment of the checks, restarts and second processes in the same folder (so on the
 * same data), and no database the runner could read.
 */
export class StartedInstance implements Instance {
  readonly strategy: AuthStrategy;
  readonly dbPath = '';
  private readonly server: CommandServer;
  /** The environment of every start: the checks', and the `REDIS_URL` of a Redis the runner started. */
  private readonly startEnv: Record<string, string>;
  /** The Redis the runner started for it (lesson 8), while it runs; its folder. */
  private redis: { server: RedisServer; dir: string } | undefined;

  constructor(
    private readonly lesson: LessonEntry,
    private readonly command: StartCommand,
    env: Env,
  ) {
    this.strategy = lesson.auth(env);
    this.startEnv = { ...env };
    this.server = new CommandServer({ command: command.command, cwd: command.cwd, env: this.startEnv });
  }

  get env(): Env {
    return this.startEnv;
  }

  get url(): string {
    return this.server.url || 'http://127.0.0.1:1';
  }

  unsupported(need: Exclude<Need, 'browser'>): string | null {
    return need === 'database' ? BY_HAND.database : null;
  }

  async start(): Promise<void> {
    // Lesson 8: a Redis for the learner's server, unless the checks name one (a variant
    // inherits the REDIS_URL of the server it was made from).
    if (this.lesson.redis && !this.startEnv.REDIS_URL) {
      const dir = makeTempDir();
      this.redis = { server: await RedisServer.start({ dir }), dir };
      this.startEnv.REDIS_URL = this.redis.server.url;
    }
    return this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    if (this.redis) {
      await this.redis.server.stop();
      removeTempDir(this.redis.dir);
      this.redis = undefined;
      delete this.startEnv.REDIS_URL;
    }
  }

  setup(_users: readonly SeededUser[], port: number): string[] {
    return [
      `cd ${shellQuote(this.command.cwd)}   # the users the runner created are in your server's data already`,
      `${envPrefix({ ...this.env, API_HOST: '127.0.0.1', API_PORT: String(port) })}${this.command.command}`,
    ];
  }

  restart(options: RestartOptions = {}): Promise<void> {
    return this.server.restart(options.signal);
  }

  stdout(): readonly string[] {
    return this.server.stdout();
  }

  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray> {
    return this.server.waitForLine(pattern, timeoutMs);
  }

  exitReason(): string | null {
    return this.server.hasExited ? this.server.describeExit() : null;
  }

  variant(env: Env): StartedInstance {
    return new StartedInstance(this.lesson, this.command, { ...this.env, ...env });
  }
}

/** Someone else's server (`--url`): no restart, no database, no stdout. */
export class RemoteInstance implements Instance {
  readonly dbPath = '';

  constructor(
    readonly url: string,
    readonly env: Env,
    readonly strategy: AuthStrategy,
  ) {}

  unsupported(need: Exclude<Need, 'browser'>): string {
    return BY_HAND[need];
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  setup(): string[] {
    return [];
  }

  restart(): Promise<void> {
    throw new Error(BY_HAND.restart);
  }

  stdout(): readonly string[] {
    throw new Error(BY_HAND.stdout);
  }

  waitForLine(): Promise<RegExpMatchArray> {
    throw new Error(BY_HAND.stdout);
  }

  exitReason(): null {
    return null;
  }

  variant(): never {
    throw new Error(BY_HAND.variant);
  }
}

/** The endpoint of an instance as one check's clients see it, with its address in the replay. */
export function endpointOf(instance: Instance, replayName: string, replayUrl: string): Endpoint {
  return {
    get url() {
      return instance.url;
    },
    replayName,
    replayUrl,
  };
}
