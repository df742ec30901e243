/**
 * The check runner's programmatic API: {@link runChecks} starts each lesson's server (or
 * talks to a running one with `url`), runs the claims' checks and returns the results.
 *
 * @module
 */
import Database from 'better-sqlite3';
import http from 'node:http';
import https from 'node:https';
import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { AuthStrategy } from './auth.ts';
import { BrowserRun } from './browser.ts';
import { CheckFailure, expectStatus, expectThat, SkipCheck, type FailureDetails } from './expect.ts';
import { ExchangeLog, HttpClient, HttpResponse, NoAnswerError, type Endpoint } from './http.ts';
import { lessonEntry, presentLessons, type LessonEntry } from './lessons.ts';
import { curlSequence, shellQuote } from './replay.ts';
import { LessonServer, makeTempDir, projectRoot, removeTempDir, ServerStartError } from './server.ts';
import { createDatabase, prepareUsers, publicUser, randomEmail, randomPassword, seedDatabase, type PreparedUser } from './users.ts';
import type {
  Check,
  CheckContext,
  ClaimResult,
  Counts,
  Env,
  LessonReport,
  Need,
  Profile,
  RestartOptions,
  RunReport,
  SeededUser,
  Status,
  Target,
  VariantOptions,
} from './types.ts';

/** A mistake in the options (unknown lesson, bad `--user`...): the CLI prints it with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What to run. */
export interface RunOptions {
  /** The lessons whose claims to check (default: every lesson in the checkout). */
  lessons?: readonly number[];
  /** `secure` (default) or `course`. */
  profile?: Profile;
  /** Also check, on each lesson's server, the earlier lessons' claims that still apply. */
  withEarlier?: boolean;
  /** Only these claim ids. */
  only?: readonly string[];
  /** Check a server that is already running at this URL instead of starting ours. */
  url?: string;
  /** With `url`: an existing account, `email:password` (split at the first colon). */
  user?: string;
  /**
   * Start this server instead of each lesson's own: another lesson's (`lesson`), or a file
   * (`entry`) that behaves like `lesson`. With `url`, `lesson` says which lesson the running
   * server implements (how to log in, which `AUTH_TYPE`); by default the highest one named.
   */
  server?: { lesson?: number; entry?: string };
  /** Run exactly these checks (tests use it) instead of the lessons' own. */
  checks?: readonly Check[];
  /** Users to seed (default: fresh random ones, prepared once for the run). */
  users?: PreparedUser[] | Promise<PreparedUser[]>;
  /** Called as each lesson finishes, for output as it comes. */
  onLesson?: (report: LessonReport) => void;
  /** `true`: only the checks that drive a browser (`needs: ['browser']`); `false`: none of them; unset: all. */
  browser?: boolean;
  /** A folder (from the project root, or absolute) where browser checks save their screenshots. */
  screenshots?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

// A browser check runs against any server: only Chromium itself may be missing (ctx.browser() says so).
const NEED_REASONS: Record<Exclude<Need, 'browser'>, string> = {
  restart: 'it restarts the server',
  database: "it reads the server's database",
  variant: 'it starts another instance of the server',
  stdout: 'it reads what the server prints',
};

function emptyCounts(): Counts {
  return { pass: 0, fail: 0, warn: 0, skip: 0 };
}

function count(results: readonly { status: Status }[]): Counts {
  const counts = emptyCounts();
  for (const result of results) counts[result.status] += 1;
  return counts;
}

function envKey(env: Env): string {
  return JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
}

function describeEnv(env: Env): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${shellQuote(value)}`)
    .join(' ');
}

/** The shared state of one run. */
interface RunState {
  profile: Profile;
  mode: 'own' | 'url';
  prepared: Promise<PreparedUser[]>;
  users: SeededUser[];
  agents: { http: http.Agent; https: https.Agent };
  /** The run's Chromium, launched by the first check that asks for it. */
  browser: BrowserRun;
}

/** A server that checks talk to: one the runner started, or someone else's. */
interface Instance {
  readonly endpoint: Endpoint;
  readonly env: Env;
  readonly strategy: AuthStrategy;
  readonly dbPath: string;
  /** Shell lines that start the same server by hand, for the replay (own mode). */
  readonly setup: (users: readonly SeededUser[]) => string[];
  restart(options?: RestartOptions): Promise<void>;
  stdout(): readonly string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Why a request got no answer, when the server died. */
  exitReason(): string | null;
}

/** A server the runner starts: a lesson's (or a fixture) on a fresh temporary database. */
class OwnInstance implements Instance {
  readonly endpoint: Endpoint;
  readonly strategy: AuthStrategy;
  server: LessonServer | undefined;
  private tempDir: string | undefined;

  constructor(
    private readonly state: RunState,
    private readonly lesson: LessonEntry,
    /** The server's entry file. */
    readonly entry: string,
    readonly env: Env,
    readonly dbPath: string,
    private readonly replayPort: number,
    /** Whether it uses another instance's database (a variant). */
    private readonly sharesDatabase = false,
  ) {
    this.strategy = lesson.auth(env);
    const self = this;
    this.endpoint = {
      get url() {
        return self.server?.url ?? 'http://127.0.0.1:1';
      },
      replayUrl: `http://127.0.0.1:${replayPort}`,
    };
  }

  /** A fresh database in a new temporary folder, seeded with the run's users. */
  static fresh(state: RunState, lesson: LessonEntry, entry: string, env: Env, replayPort: number): OwnInstance {
    const tempDir = makeTempDir();
    const instance = new OwnInstance(state, lesson, entry, env, join(tempDir, 'sandbox.db'), replayPort);
    instance.tempDir = tempDir;
    return instance;
  }

  async start(seed: boolean): Promise<void> {
    if (!seed) {
      this.server = await LessonServer.start({ entry: this.entry, env: this.env, dbPath: this.dbPath });
      return;
    }
    createDatabase(this.dbPath);
    if (this.lesson.seedBeforeStart) seedDatabase(this.dbPath, await this.state.prepared);
    const starting = LessonServer.start({ entry: this.entry, env: this.env, dbPath: this.dbPath });
    // The server loads (a few hundred ms) while the passwords hash: the schema exists already,
    // and SQLite's busy timeout orders the two writers.
    const seeding = this.lesson.seedBeforeStart ? Promise.resolve() : this.state.prepared.then((users) => seedDatabase(this.dbPath, users));
    const [started, seeded] = await Promise.allSettled([starting, seeding]);
    if (started.status === 'fulfilled') this.server = started.value;
    // The caller stops the instance when starting fails.
    if (started.status === 'rejected') throw started.reason;
    if (seeded.status === 'rejected') throw seeded.reason;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    if (this.tempDir) removeTempDir(this.tempDir);
  }

  setup(users: readonly SeededUser[]): string[] {
    const ownServer = this.entry === this.lesson.server;
    const command = ownServer ? `npm run lesson:${this.lesson.number}` : `npx tsx ${shellQuote(this.entry)}`;
    const env = { ...this.env, ...(this.replayPort === 5000 ? {} : { API_PORT: String(this.replayPort) }) };
    return [
      this.sharesDatabase ? '# same DB_PATH as the first server' : `export DB_PATH="$(mktemp -d)/replay.db"`,
      ...(this.sharesDatabase ? [] : users).map((user) => `npm run user:add -- ${shellQuote(user.email)} ${shellQuote(user.password)}`),
      `${describeEnv(env)}${Object.keys(env).length ? ' ' : ''}${command}`,
    ];
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
}

/** Someone else's server (`--url`): no restart, no database, no stdout. */
class RemoteInstance implements Instance {
  readonly endpoint: Endpoint;
  readonly dbPath = '';

  constructor(
    url: string,
    readonly env: Env,
    readonly strategy: AuthStrategy,
  ) {
    this.endpoint = { url, replayUrl: url };
  }

  setup(): string[] {
    return [];
  }

  restart(): Promise<void> {
    throw new SkipCheck(`${NEED_REASONS.restart}, which only works on a server the runner starts`);
  }

  stdout(): readonly string[] {
    throw new SkipCheck(`${NEED_REASONS.stdout}, which only works on a server the runner starts`);
  }

  waitForLine(): Promise<RegExpMatchArray> {
    throw new SkipCheck(`${NEED_REASONS.stdout}, which only works on a server the runner starts`);
  }

  exitReason(): null {
    return null;
  }
}

/** Everything one check run collects for its report. */
class CheckRun {
  readonly log = new ExchangeLog();
  readonly instances: Instance[] = [];
  readonly cleanups: (() => unknown)[] = [];

  constructor(
    readonly state: RunState,
    readonly main: Instance,
    readonly lesson: LessonEntry,
  ) {
    this.instances.push(main);
  }

  target(instance: Instance): Target {
    const run = this;
    return {
      get url() {
        return instance.endpoint.url;
      },
      env: instance.env,
      dbPath: instance.dbPath,
      client: () => new HttpClient(instance.endpoint, run.log, run.state.agents),
      async userClient(user?: SeededUser) {
        const client = new HttpClient(instance.endpoint, run.log, run.state.agents);
        if (!instance.strategy.needsUser) return client;
        const who = user ?? run.state.users[0];
        if (!who) throw new SkipCheck('it needs a user: give one with --user email:password');
        await instance.strategy.authenticate(client, who, { env: instance.env, mode: run.state.mode, waitForLine: (p, t) => instance.waitForLine(p, t) });
        return client;
      },
      async restart(options: RestartOptions = {}) {
        const stop = options.signal === 'SIGKILL' ? 'kill -9 its process' : 'Ctrl-C';
        run.log.add({ kind: 'note', text: `restart the server now (${stop}, then the same command again)` });
        await instance.restart(options);
      },
      stdout: () => instance.stdout(),
      waitForLine: (pattern, timeoutMs) => instance.waitForLine(pattern, timeoutMs),
    };
  }

  context(): CheckContext {
    const run = this;
    const main = this.target(this.main);
    const context: CheckContext = {
      get url() {
        return main.url;
      },
      env: main.env,
      dbPath: main.dbPath,
      client: main.client,
      userClient: main.userClient,
      restart: main.restart,
      stdout: main.stdout,
      waitForLine: main.waitForLine,
      lesson: this.lesson.number,
      profile: this.state.profile,
      mode: this.state.mode,
      users: this.state.users,
      async someUser() {
        return run.state.users[0] ?? (await context.createUser());
      },
      async createUser(fields = {}) {
        const user: SeededUser = {
          id: '',
          email: fields.email ?? randomEmail('new'),
          password: fields.password ?? randomPassword(),
          firstName: fields.firstName ?? null,
          lastName: fields.lastName ?? null,
        };
        const client = await main.userClient();
        const res = await client.post('/api/v1/users', {
          json: { email: user.email, password: user.password, first_name: user.firstName, last_name: user.lastName },
        });
        expectStatus(res, 201, 'creating a user for this check');
        const id = (res.json() as { id?: unknown } | undefined)?.id;
        expectThat(typeof id === 'string' && id !== '', `${res.request}: the new user has no "id"`, { response: res });
        return { ...user, id };
      },
      async startVariant(env: Env, options: VariantOptions = {}) {
        if (!(run.main instanceof OwnInstance)) throw new SkipCheck(`${NEED_REASONS.variant}, which only works on a server the runner starts`);
        const base = run.main;
        const port = 5000 + run.instances.length;
        const merged = { ...base.env, ...env };
        const variant = options.shareDatabase
          ? new OwnInstance(run.state, run.lesson, base.entry, merged, base.dbPath, port, true)
          : OwnInstance.fresh(run.state, run.lesson, base.entry, merged, port);
        run.instances.push(variant);
        run.cleanups.push(() => variant.stop());
        run.log.add({ kind: 'note', text: `start a second server: ${describeEnv({ ...merged, API_PORT: String(port) })} (${options.shareDatabase ? 'same' : 'a fresh'} database)` });
        await variant.start(!options.shareDatabase);
        return run.target(variant);
      },
      openDatabase() {
        if (!run.main.dbPath) throw new SkipCheck(`${NEED_REASONS.database}, which only works on a server the runner starts`);
        const db = new Database(run.main.dbPath, { readonly: true, fileMustExist: true });
        run.cleanups.push(() => db.close());
        return db;
      },
      note(text: string) {
        run.log.add({ kind: 'note', text });
      },
      skip(reason: string): never {
        throw new SkipCheck(reason);
      },
      browser() {
        return run.state.browser.newSession(run.main.endpoint.url, run.cleanups);
      },
    };
    return context;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.cleanups.map((cleanup) => cleanup()));
  }
}

/** Status line, the relevant headers and the body (trimmed), as the report shows an answer. */
export function describeResponse(res: HttpResponse, extraHeaders: readonly string[] = []): string {
  const names = new Set(['content-type', ...extraHeaders.map((name) => name.toLowerCase())]);
  for (const name of ['www-authenticate', 'allow', 'location', 'set-cookie']) if (res.headers[name] !== undefined) names.add(name);
  const lines = [`${res.status} ${res.statusText}`.trim()];
  for (const name of names) {
    const value = res.headers[name];
    if (value === undefined) lines.push(`${name}: (none)`);
    else for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
  }
  const body = res.body.length > 400 ? `${res.body.slice(0, 400)}… (${res.body.length} characters)` : res.body;
  lines.push(body === '' ? '(empty body)' : body);
  return lines.join('\n');
}

/** The seeded users a check's exchanges used, for the replay's `npm run user:add` lines. */
function usersIn(run: CheckRun): SeededUser[] {
  const text = run.log.steps
    .map((step) => {
      // A note names the user a browser check logged in as.
      if (step.kind === 'note') return step.text;
      if (step.kind !== 'exchange') return '';
      const decoded = step.headers.map(([, value]) => (/^Basic /i.test(value) ? Buffer.from(value.slice(6), 'base64').toString('utf8') : value));
      return [step.url, step.body ?? '', ...decoded].join('\n');
    })
    .join('\n');
  return run.state.users.filter((user) => text.includes(user.email) || text.includes(encodeURIComponent(user.email)));
}

/** `not written yet: SessionAuth.createSession (workspace/…:71)` when `res` is an exercise stub's 501. */
function notWrittenYet(res: HttpResponse | undefined): string | null {
  const error = res?.status === 501 ? (res.json() as { error?: unknown } | undefined)?.error : undefined;
  return typeof error === 'string' && error.startsWith('not written yet: ') ? error : null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(`the check took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one check and turns whatever happens into its result. */
async function runCheck(check: Check, state: RunState, main: Instance, lesson: LessonEntry): Promise<ClaimResult> {
  const run = new CheckRun(state, main, lesson);
  const notesEntry = lessonEntry(check.lesson);
  const base = {
    id: check.id,
    lesson: check.lesson,
    claim: check.claim,
    reference: check.reference,
    notes: `${notesEntry?.notes ?? `lesson ${check.lesson}`}#${check.section}`,
  };
  const started = performance.now();
  let status: Status = 'pass';
  let message = 'ok';
  let details: FailureDetails = {};
  try {
    const outcome = await withTimeout(check.run(run.context()), check.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (typeof outcome === 'string') message = outcome;
  } catch (error) {
    if (error instanceof SkipCheck) {
      status = 'skip';
      message = `skipped: ${error.message}`;
    } else {
      status = check.profiles[state.profile] ?? 'fail';
      if (error instanceof CheckFailure) {
        // An exercise stub (npm run learn) says which function to write, not "expected 200, got 501".
        message = notWrittenYet(error.details.response) ?? error.message;
        details = error.details;
      } else if (error instanceof ServerStartError) {
        message = `a server the check started (or restarted) did not come up: ${error.message}`;
      } else if (error instanceof NoAnswerError) {
        const exit = run.instances.map((instance) => instance.exitReason()).find(Boolean);
        message = exit ? `${error.message}: ${exit}` : error.message;
      } else {
        message = `the check itself crashed: ${(error as Error)?.stack ?? String(error)}`;
      }
    }
  } finally {
    await run.cleanup();
  }
  const result: ClaimResult = { ...base, status, message, durationMs: Math.round(performance.now() - started) };
  if (status === 'fail' || status === 'warn') {
    if (details.expected) result.expected = details.expected;
    if (details.response) result.actual = describeResponse(details.response, details.headers);
    else if (details.actual) result.actual = details.actual;
    const users = usersIn(run);
    const setup = run.instances.flatMap((instance, i) => [...(i > 0 ? ['# in another terminal:'] : []), ...instance.setup(users)]);
    if (setup.length) result.setup = setup;
    const curl = curlSequence(run.log.steps);
    if (curl.length) result.curl = curl;
  }
  return result;
}

/**
 * How many checks run at once on one server. Password checks cost the server ~100 ms of CPU
 * each (scrypt, on purpose): more at once would only queue, and a queued request can time out.
 */
const CHECKS_AT_ONCE = 4;

/** Runs checks on one instance: the others a few at a time, then the exclusive ones one by one. */
async function runOnInstance(checks: readonly Check[], state: RunState, instance: Instance, lesson: LessonEntry): Promise<Map<Check, ClaimResult>> {
  const results = new Map<Check, ClaimResult>();
  const exclusive = (check: Check) => check.exclusive || check.needs?.includes('restart');
  const queue = checks.filter((check) => !exclusive(check));
  const worker = async () => {
    for (let check = queue.shift(); check; check = queue.shift()) results.set(check, await runCheck(check, state, instance, lesson));
  };
  await Promise.all(Array.from({ length: CHECKS_AT_ONCE }, worker));
  for (const check of checks.filter(exclusive)) results.set(check, await runCheck(check, state, instance, lesson));
  return results;
}

function skipped(check: Check, reason: string): ClaimResult {
  return {
    id: check.id,
    lesson: check.lesson,
    claim: check.claim,
    status: 'skip',
    message: `skipped: ${reason}`,
    reference: check.reference,
    notes: `${lessonEntry(check.lesson)?.notes ?? ''}#${check.section}`,
    durationMs: 0,
  };
}

function failedToStart(check: Check, profile: Profile, error: unknown): ClaimResult {
  return {
    ...skipped(check, ''),
    status: check.profiles[profile] ?? 'fail',
    message: `the server did not start: ${(error as Error).message}`,
  };
}

/** The checks of `lesson` for this run: its own, maybe earlier ones, in the profile, filtered. */
function selectChecks(lesson: LessonEntry, options: RunOptions, profile: Profile): Check[] {
  let checks: readonly Check[];
  if (options.checks) checks = options.checks;
  else if (options.withEarlier) checks = presentLessons().filter((entry) => entry.number <= lesson.number).flatMap((entry) => entry.checks);
  else checks = lesson.checks;
  return checks.filter(
    (check) =>
      check.profiles[profile] !== undefined &&
      (!options.only || options.only.includes(check.id)) &&
      (options.browser === undefined || options.browser === Boolean(check.needs?.includes('browser'))),
  );
}

/** Why a check does not apply to a server of lesson `serverLesson`, or null. */
function retired(check: Check, serverLesson: number): string | null {
  if (!check.until || serverLesson < check.until.lesson) return null;
  return `no longer applies from lesson ${check.until.lesson}: ${check.until.reason}`;
}

async function runOwnLesson(lesson: LessonEntry, checks: Check[], options: RunOptions, state: RunState): Promise<LessonReport> {
  const started = performance.now();
  const serverLesson = options.server?.lesson === undefined ? lesson : requireLesson(options.server.lesson);
  const entry = options.server?.entry ?? serverLesson.server;
  const results = new Map<Check, ClaimResult>();
  const groups = new Map<string, { env: Env; checks: Check[] }>();
  for (const check of checks) {
    const reason = retired(check, serverLesson.number);
    if (reason) {
      results.set(check, skipped(check, reason));
      continue;
    }
    const env = { ...serverLesson.env, ...check.env };
    const key = envKey(env);
    const group = groups.get(key) ?? { env, checks: [] };
    group.checks.push(check);
    groups.set(key, group);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      const instance = OwnInstance.fresh(state, serverLesson, entry, group.env, 5000);
      try {
        await instance.start(true);
      } catch (error) {
        for (const check of group.checks) results.set(check, failedToStart(check, state.profile, error));
        await instance.stop();
        return;
      }
      try {
        for (const [check, result] of await runOnInstance(group.checks, state, instance, serverLesson)) results.set(check, result);
      } finally {
        await instance.stop();
      }
    }),
  );
  const ordered = checks.map((check) => results.get(check) as ClaimResult);
  return {
    lesson: lesson.number,
    title: lesson.title,
    server: isAbsolute(entry) ? relative(projectRoot, entry) : entry,
    results: ordered,
    durationMs: Math.round(performance.now() - started),
    counts: count(ordered),
  };
}

async function runUrlLesson(lesson: LessonEntry, checks: Check[], instance: RemoteInstance, serverLesson: LessonEntry, state: RunState): Promise<LessonReport> {
  const started = performance.now();
  const results = new Map<Check, ClaimResult>();
  const runnable: Check[] = [];
  for (const check of checks) {
    const need = check.needs?.find((one): one is keyof typeof NEED_REASONS => one in NEED_REASONS);
    const mismatch = Object.entries(check.env ?? {}).filter(([name, value]) => instance.env[name] !== value);
    const reason =
      retired(check, serverLesson.number) ??
      (need ? `${NEED_REASONS[need]}, which only works on a server the runner starts` : null) ??
      (mismatch.length ? `it needs a server started with ${describeEnv(Object.fromEntries(mismatch))} (run this lesson's checks on its own)` : null);
    if (reason) results.set(check, skipped(check, reason));
    else runnable.push(check);
  }
  for (const [check, result] of await runOnInstance(runnable, state, instance, serverLesson)) {
    // A 401 while the runner sends no credentials: the server is a later lesson than assumed.
    if (!instance.strategy.needsUser && result.actual?.startsWith('401')) {
      result.message += ' (the server wants credentials: add --user email:password and --server-lesson N)';
    }
    results.set(check, result);
  }
  const ordered = checks.map((check) => results.get(check) as ClaimResult);
  return { lesson: lesson.number, title: lesson.title, server: instance.endpoint.url, results: ordered, durationMs: Math.round(performance.now() - started), counts: count(ordered) };
}

function requireLesson(number: number): LessonEntry {
  const entry = presentLessons().find((one) => one.number === number);
  if (entry) return entry;
  const known = presentLessons().map((one) => one.number);
  const folder = unregisteredFolders().find((name) => Number(name.slice(0, 2)) === number);
  if (folder) throw new UsageError(`lesson ${number} has no checks yet: add checks/lesson-${folder.slice(0, 2)}.ts and its line in checks/lessons.ts`);
  throw new UsageError(`there is no lesson ${number} in this checkout (lessons: ${known.join(', ')})`);
}

/** Lesson folders of the checkout (`02-session-auth`...) that the registry does not list yet. */
export function unregisteredFolders(): string[] {
  const registered = new Set(presentLessons().map((entry) => entry.folder));
  try {
    return readdirSync(join(projectRoot, 'lessons'), { withFileTypes: true })
      .filter((dirent) => dirent.isDirectory() && /^\d\d-/.test(dirent.name) && !registered.has(`lessons/${dirent.name}`))
      .map((dirent) => dirent.name)
      .sort();
  } catch {
    return [];
  }
}

/** `email:password`, split at the first colon (passwords may contain colons). */
export function parseUser(value: string): { email: string; password: string } {
  const colon = value.indexOf(':');
  if (colon < 1 || colon === value.length - 1) throw new UsageError('--user must be email:password');
  return { email: value.slice(0, colon), password: value.slice(colon + 1) };
}

/** Looks up the id of the `--user` on a foreign server ('' when it cannot be found). */
async function resolveUser(instance: RemoteInstance, state: RunState, email: string, password: string): Promise<SeededUser> {
  const user: SeededUser = { id: '', email, password, firstName: null, lastName: null };
  try {
    const client = new HttpClient(instance.endpoint, new ExchangeLog(), state.agents);
    if (instance.strategy.needsUser) await instance.strategy.authenticate(client, user, { env: instance.env, mode: 'url', waitForLine: () => instance.waitForLine() });
    const res = await client.get('/api/v1/users');
    const list = res.json();
    const found = Array.isArray(list) ? list.find((entry) => String(entry?.email).toLowerCase() === email.toLowerCase()) : undefined;
    if (typeof found?.id === 'string') user.id = found.id;
  } catch {
    // The checks that need the id will say what is wrong.
  }
  return user;
}

/**
 * Runs the claims' checks and returns the results; never throws for a broken claim, only
 * for unusable options ({@link UsageError}).
 *
 * @example
 * const report = await runChecks({ lessons: [1] });
 * report.ok; // true when nothing failed
 * @example
 * await runChecks({ lessons: [1], url: 'http://127.0.0.1:5000', user: 'bob@hbtn.io:H0lbertonSchool98!' });
 */
export async function runChecks(options: RunOptions = {}): Promise<RunReport> {
  const started = performance.now();
  const profile = options.profile ?? 'secure';
  if (profile !== 'secure' && profile !== 'course') throw new UsageError(`--profile must be secure or course, got "${String(profile)}"`);
  const present = presentLessons();
  const lessons = (options.lessons?.length ? [...new Set(options.lessons)] : present.map((entry) => entry.number)).sort((a, b) => a - b).map(requireLesson);
  if (options.server?.lesson !== undefined) requireLesson(options.server.lesson);
  if (options.url) {
    try {
      const url = new URL(options.url);
      if (!/^https?:$/.test(url.protocol)) throw new Error();
    } catch {
      throw new UsageError(`--url must be an http:// or https:// URL, got "${options.url}"`);
    }
  }
  const known = new Set([...(options.checks ?? []), ...present.flatMap((entry) => entry.checks)].map((check) => check.id));
  const unknown = (options.only ?? []).filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`no claim ${unknown.join(', ')} (ids look like L1-basic-challenge)`);
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const browser = new BrowserRun({ screenshots: options.screenshots });
  const selected = lessons.map((lesson) => ({ lesson, checks: selectChecks(lesson, options, profile) })).filter(({ checks }) => checks.length > 0);
  if (selected.some(({ checks }) => checks.some((check) => check.needs?.includes('browser')))) browser.warmUp();
  const reports: LessonReport[] = [];
  try {
    if (options.url) {
      // How to log in and which environment to assume: the server's lesson, by default the
      // highest lesson named.
      const serverLesson = options.server?.lesson === undefined ? (lessons.at(-1) as LessonEntry) : requireLesson(options.server.lesson);
      const instance = new RemoteInstance(options.url.replace(/\/+$/, ''), serverLesson.env, serverLesson.auth(serverLesson.env));
      const state: RunState = { profile, mode: 'url', prepared: Promise.resolve([]), users: [], agents, browser };
      if (options.user) {
        const { email, password } = parseUser(options.user);
        state.users = [await resolveUser(instance, state, email, password)];
      }
      // One server: lessons one after the other, so that exclusive checks really are alone.
      for (const { lesson, checks } of selected) {
        const report = await runUrlLesson(lesson, checks, instance, serverLesson, state);
        reports.push(report);
        options.onLesson?.(report);
      }
    } else {
      const prepared = Promise.resolve(options.users ?? prepareUsers());
      const state: RunState = { profile, mode: 'own', prepared, users: [], agents, browser };
      // Registered first, so it runs before any seeding finishes and before any check starts.
      void prepared.then((users) => (state.users = users.map(publicUser)), () => {});
      const run = async ({ lesson, checks }: (typeof selected)[number]) => {
        const report = await runOwnLesson(lesson, checks, options, state);
        options.onLesson?.(report);
        return report;
      };
      // Every lesson has its own server and database: they run side by side, except those
      // that share something outside (lesson.serial), which run after, one at a time.
      const parallel = await Promise.all(selected.filter(({ lesson }) => !lesson.serial).map(run));
      const serial: LessonReport[] = [];
      for (const one of selected.filter(({ lesson }) => lesson.serial)) serial.push(await run(one));
      reports.push(...[...parallel, ...serial].sort((a, b) => a.lesson - b.lesson));
    }
  } finally {
    agents.http.destroy();
    agents.https.destroy();
    await browser.close();
  }
  const counts = emptyCounts();
  for (const report of reports) for (const status of Object.keys(counts) as Status[]) counts[status] += report.counts[status];
  return {
    profile,
    mode: options.url ? 'url' : 'own',
    ...(options.url ? { url: options.url } : {}),
    ok: counts.fail === 0,
    durationMs: Math.round(performance.now() - started),
    counts,
    lessons: reports,
  };
}

