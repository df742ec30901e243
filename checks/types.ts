/**
 * The shapes of the check runner: a check, the context it runs in, and its result.
 *
 * A check proves one claim of a lesson's notes over real HTTP. It gets a context with a
 * fresh-cookie-jar HTTP client, the seeded users and ways to restart or vary the server,
 * and throws (through the helpers of `expect.ts`) when the server breaks the claim.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import type { BrowserSession } from './browser.ts';
import type { HttpClient } from './http.ts';

/** `course`: the original project's strings and codes; `secure`: course + OWASP/ASVS/RFC. */
export type Profile = 'course' | 'secure';

/** Every profile, the default first. */
export const profileNames: readonly Profile[] = ['secure', 'course'];

/** What a broken claim counts as in a profile: a failure, or a warning (exit status unchanged). */
export type Severity = 'fail' | 'warn';

/**
 * A claim's outcome. `timeout`: the check ran out of time, which says nothing about the claim
 * (a busy machine, or a server that hangs): reported apart from the verdicts.
 */
export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'timeout';

/**
 * Who runs the server the checks talk to:
 * - `own`: the runner, one of this project's servers (or a `--server` file) on a fresh database;
 * - `start`: the runner, with the learner's command (`--start`), in the learner's folder;
 * - `url`: someone else, by hand (`--url`).
 */
export type Mode = 'own' | 'start' | 'url';

/**
 * What a check needs besides HTTP. Against a server the runner did not start (`--url`), a
 * check that needs any of these is skipped with the reason; against a server it starts with
 * `--start`, only `database` is out of reach (the runner cannot read a foreign server's store).
 */
export type Need =
  /** `ctx.restart()`: stop the server and start it again on the same database. */
  | 'restart'
  /** `ctx.openDatabase()`: read the server's SQLite file (this project's servers only). */
  | 'database'
  /** `ctx.startVariant(env)`: start another instance of the same lesson. */
  | 'variant'
  /** `ctx.stdout()`: read what the server printed. */
  | 'stdout'
  /**
   * `ctx.browser()`: a page in Chromium (checks/browser.ts). Runs with `--url` too; skipped,
   * with the command that installs it, when Chromium is not installed.
   */
  | 'browser';

/** Environment variables given to a lesson's server. */
export type Env = Readonly<Record<string, string>>;

/** A user the runner seeded (or, with `--url`, the one named by `--user`). */
export interface SeededUser {
  /** The user's id ('' when a foreign server's user could not be looked up). */
  id: string;
  email: string;
  password: string;
  firstName: string | null;
  lastName: string | null;
}

/** One running server a check talks to: the lesson's own, or a variant of it. */
export interface Target {
  /** Base URL, no trailing slash (it changes when the server restarts). */
  readonly url: string;
  /** The base URL the failure's replay uses for this server (a port free on this machine, or the `--url`). */
  readonly replayUrl: string;
  /** The environment the server was started with, besides port, host and database. */
  readonly env: Env;
  /** A client with an empty cookie jar and no credentials. */
  client(): HttpClient;
  /**
   * A client authenticated as `user` (the first seeded user by default) the way this server
   * expects: nothing (lesson 0), a Basic header (lesson 1), the session id printed at start
   * (lesson 2), a login that sets the session cookie (lessons 3 on).
   */
  userClient(user?: SeededUser): Promise<HttpClient>;
  /**
   * Stops the server and starts it again, same database and environment; with
   * `{ signal: 'SIGKILL' }` the server is killed at once, as in a crash.
   */
  restart(options?: RestartOptions): Promise<void>;
  /** The lines the server printed on stdout so far. */
  stdout(): readonly string[];
  /** Resolves with the first stdout line (past or future) that matches `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The server's SQLite file ('' when the runner did not create it). */
  readonly dbPath: string;
}

/** Options of {@link Target.restart}. */
export interface RestartOptions {
  /** How to stop the server: `SIGTERM` (default, a clean stop) or `SIGKILL` (a crash). */
  signal?: 'SIGTERM' | 'SIGKILL';
}

/** Options of {@link CheckContext.startVariant}. */
export interface VariantOptions {
  /**
   * Use the same database file as the main server (default: a fresh seeded one). A server
   * started with `--start` always shares its folder, whatever this says.
   */
  shareDatabase?: boolean;
  /**
   * A process of this check's own, stopped after it. By default the checks of a group that
   * ask for the same environment on the same database share one process.
   */
  ownProcess?: boolean;
}

/** Everything a check gets. The main server's {@link Target} methods are on it directly. */
export interface CheckContext extends Target {
  /** The lesson whose server runs (not necessarily the lesson of the check). */
  readonly lesson: number;
  readonly profile: Profile;
  /** Who runs the server: see {@link Mode}. */
  readonly mode: Mode;
  /**
   * The seeded users: at least two when the runner starts the server, fresh random emails
   * and passwords each run, the second one with `:` in its password; with `--url` the
   * `--user`, or none.
   */
  readonly users: readonly SeededUser[];
  /** The first seeded user, or a new one created through the API when there is none. */
  someUser(): Promise<SeededUser>;
  /** Creates a user through `POST /api/v1/users` (random email and password by default). */
  createUser(fields?: Partial<Omit<SeededUser, 'id'>>): Promise<SeededUser>;
  /** Starts another instance of the same lesson with more environment; stopped after the check. */
  startVariant(env: Env, options?: VariantOptions): Promise<Target>;
  /** The server's database, read-only; closed after the check. */
  openDatabase(): Database.Database;
  /** Adds a comment line to the failure's curl replay (a step done outside HTTP). */
  note(text: string): void;
  /** Ends the check as skipped, with the reason. */
  skip(reason: string): never;
  /**
   * A fresh Chromium context and page (no cookies), closed after the check (`needs: ['browser']`).
   * Skips the check when Chromium is not installed.
   */
  browser(): Promise<BrowserSession>;
}

/** Until which lesson a check applies, and why it stops applying. */
export interface Until {
  /** The first lesson whose server no longer keeps this claim. */
  lesson: number;
  /** Why, printed when the check is skipped for that lesson. */
  reason: string;
}

/** The earlier lesson whose server already keeps a claim, and why (see {@link Check.since}). */
export interface Since {
  /** The first lesson of this project whose server keeps the claim. */
  lesson: number;
  /** Why the notes make the claim later than that. */
  reason: string;
}

/** A check: one claim of a lesson's notes and the HTTP story that proves it. */
export interface Check {
  /** `L<lesson>-<name>`, stable; the same id stands in the lesson's notes. */
  readonly id: string;
  /** The lesson whose notes make the claim. */
  readonly lesson: number;
  /** The claim's sentence, exactly as in the notes (markdown). */
  readonly claim: string;
  /** Where the requirement comes from: `course`, `RFC 9110 §11.6.1`, an OWASP or ASVS item. */
  readonly reference: string;
  /** The heading (slug) of the lesson's notes that explains it. */
  readonly section: string;
  /** The profiles the claim belongs to, and whether breaking it fails or warns in each. */
  readonly profiles: Readonly<Partial<Record<Profile, Severity>>>;
  /** What the check needs besides HTTP. */
  readonly needs?: readonly Need[];
  /** Environment the server must run with, e.g. `{ AUTH_TYPE: 'basic_auth' }`. */
  readonly env?: Env;
  /** Runs alone on its server, after the others (implied by `restart`). */
  readonly exclusive?: boolean;
  /** The claim stops applying from this lesson on (skipped there, with the reason). */
  readonly until?: Until;
  /**
   * The claim is the course's from this lesson on, but this project's servers keep it from an
   * earlier one (`GET /users/me`: the course adds it with its Session project, lesson 1 here).
   * The curriculum test does not expect it to fail on that earlier lesson's server.
   */
  readonly since?: Since;
  /**
   * The id of a claim of the same lesson that this one presupposes (sessions that expire at
   * all, a second login that works). When that claim fails in the same run, this one is not
   * judged: it is reported as skipped, resting on it, so that one mistake breaks one claim.
   */
  readonly restsOn?: string;
  /**
   * Gives up after this long on an idle machine (default 30 s); the runner stretches it with
   * the load (see time.ts), and `--timeout` replaces it.
   */
  readonly timeoutMs?: number;
  /** The HTTP story; throws a `CheckFailure` (see `expect.ts`) when the claim is broken. */
  run(ctx: CheckContext): Promise<void | string>;
}

/** The outcome of one claim. */
export interface ClaimResult {
  id: string;
  lesson: number;
  claim: string;
  status: Status;
  /** One line: what went wrong, why it was skipped, or what passed. */
  message: string;
  /** Skipped because the claim it rests on ({@link Check.restsOn}) failed: that claim's id. */
  restsOn?: string;
  reference: string;
  /** The notes section to read: `lessons/01-basic-auth/README.md#the-guard`. */
  notes: string;
  durationMs: number;
  /** On failure: what the claim wanted. */
  expected?: string;
  /** On failure: what came back (status line, relevant headers, body). */
  actual?: string;
  /** On failure: shell lines that start the server the same way (own mode). */
  setup?: string[];
  /** On failure: the exchange as a replayable curl sequence with a cookie jar. */
  curl?: string[];
}

/** The outcome of one lesson's claims. */
export interface LessonReport {
  lesson: number;
  title: string;
  /** The server that was checked: a lesson's `server.ts`, a fixture, or a URL. */
  server: string;
  results: ClaimResult[];
  durationMs: number;
  counts: Counts;
}

/** How many claims ended in each status. */
export type Counts = Record<Status, number>;

/** The outcome of a run: what `npm run --silent check -- --json` prints. */
export interface RunReport {
  profile: Profile;
  mode: Mode;
  url?: string;
  /** With `--start`: the command and its folder. */
  start?: { command: string; cwd: string };
  /**
   * True when nothing failed and at least one claim got a verdict (warnings, skips and
   * timeouts do not count; a run that judged nothing is not a success).
   */
  ok: boolean;
  /** Why the run could not check anything at all (no server answers, no users could be made). */
  error?: string;
  durationMs: number;
  counts: Counts;
  lessons: LessonReport[];
}

/** A course claim: the original project's contract, a failure in both profiles. */
export const COURSE = { course: 'fail', secure: 'fail' } as const satisfies Partial<Record<Profile, Severity>>;

/** A requirement of an RFC, OWASP or ASVS that the course missed: a failure in `secure`. */
export const SECURE = { secure: 'fail' } as const satisfies Partial<Record<Profile, Severity>>;

/** A good practice worth a warning in `secure`, never a failure. */
export const SECURE_WARNING = { secure: 'warn' } as const satisfies Partial<Record<Profile, Severity>>;
