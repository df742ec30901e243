/**
 * The curriculum manifest: what each lesson is, in one place. The check runner, the fuzzer,
 * the benchmark, the docs site and the servers' banners read it; the `package.json` scripts
 * and the README's lesson table are tested against it. Adding a lesson is one folder under
 * `lessons/` plus one entry here.
 *
 * It imports nothing, so that any tool can read it without loading a lesson.
 *
 * @module
 */

/**
 * How a client proves who it is to a server:
 * - `none`: it needn't, nothing is guarded (lesson 0);
 * - `nobody`: it can't, no credential is accepted (`AUTH_TYPE=auth`, the base class);
 * - `basic`: an `Authorization: Basic` header on every request;
 * - `printed`: the session id the server prints at start (lesson 2 has no login route);
 * - `form`: `POST /api/v1/auth_session/login` with `email` and `password`, then the cookie.
 */
export type LoginKind = 'none' | 'nobody' | 'basic' | 'printed' | 'form';

/** One lesson of the course. */
export interface Lesson {
  /** 0, 1, 2, ... in reading order. */
  readonly number: number;
  /** Its folder under `lessons/`: `03-session-login`. */
  readonly folder: string;
  /** As in its notes' first heading and its banner: `Session login and logout`. */
  readonly title: string;
  /** One line on what it adds to the lesson before (the README's lesson table). */
  readonly adds: string;
  /** The `AUTH_TYPE` its server uses when none is set (`null`: no authentication at all). */
  readonly authType: string | null;
  /**
   * The `AUTH_TYPE` values this lesson introduces (or redefines), and how a client logs in
   * under each. A server accepts every type taught up to its lesson ({@link authTypesOf}).
   */
  readonly teaches: Readonly<Record<string, LoginKind>>;
  /** The server reads the users when it starts (lesson 2 prints a session for the first one). */
  readonly readsUsersAtStart?: boolean;
  /**
   * The server has an admin role (`npm run user:add -- … --admin`): the check runner makes its
   * seeded users admins, so that the course's checks of the users API keep the rights they
   * assume, and a plain user is one an admin creates.
   */
  readonly adminRole?: boolean;
  /**
   * Environment the check runner, the fuzzer and the benchmark start its server with, besides
   * `AUTH_TYPE`: settings the server's defaults would make them trip over (the cookie's name,
   * limits on logins from one address), which its own checks set back where they test them.
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** Every lesson, in order. */
export const lessons: readonly Lesson[] = [
  {
    number: 0,
    folder: '00-users-api',
    title: 'The users API',
    adds: 'the plain users API: status, stats, users CRUD, JSON errors',
    authType: null,
    teaches: {},
  },
  {
    number: 1,
    folder: '01-basic-auth',
    title: 'Basic auth',
    adds: '`Auth` and `BasicAuth`: the `Authorization` header, 401 and 403, `/users/me`',
    authType: 'basic_auth',
    teaches: { auth: 'nobody', basic_auth: 'basic' },
  },
  {
    number: 2,
    folder: '02-session-auth',
    title: 'Session auth',
    adds: '`SessionAuth`: random session ids in a cookie, kept in memory',
    authType: 'session_auth',
    teaches: { session_auth: 'printed' },
    readsUsersAtStart: true,
  },
  {
    number: 3,
    folder: '03-session-login',
    title: 'Session login and logout',
    adds: '`SessionLoginAuth`: login and logout, cookie attributes, no session fixation',
    authType: 'session_auth',
    teaches: { session_auth: 'form' },
  },
  {
    number: 4,
    folder: '04-session-expiry',
    title: 'Session expiry',
    adds: '`SessionExpAuth`: absolute and idle expiry, a sweeper',
    authType: 'session_exp_auth',
    teaches: { session_exp_auth: 'form' },
  },
  {
    number: 5,
    folder: '05-db-sessions',
    title: 'Sessions in SQLite',
    adds: '`SessionDBAuth`: sessions in SQLite, hashed at rest, shared by processes, surviving restarts',
    authType: 'session_db_auth',
    teaches: { session_db_auth: 'form' },
  },
  {
    number: 6,
    folder: '06-express-session',
    title: 'express-session',
    adds: 'the library way: express-session with our own SQLite store, signed cookies, secret rotation',
    authType: 'express_session',
    teaches: { express_session: 'form' },
  },
  {
    number: 7,
    folder: '07-hardening',
    title: 'Hardening',
    adds: 'authorization, CSRF, throttling, no enumeration, `__Host-` cookies, session lifecycle, security headers',
    authType: 'express_session',
    teaches: { basic_auth: 'basic', express_session: 'form' },
    adminRole: true,
    env: {
      // The name the server gives its cookie by default (`__Host-` + SESSION_NAME), said out loud
      // for the earlier lessons' checks, which build cookies by hand.
      SESSION_NAME: '__Host-_my_session_id',
      // The runner logs the same seeded users in and out hundreds of times, four checks at once,
      // all from 127.0.0.1: room for that. The throttle's and the cap's own checks set small ones.
      LOGIN_ATTEMPTS_PER_ACCOUNT: '100000',
      LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
      SESSIONS_PER_USER: '100000',
    },
  },
];

/**
 * The lesson numbered `number`; throws for a number the curriculum does not have.
 *
 * @example
 * lesson(3).title; // 'Session login and logout'
 */
export function lesson(number: number): Lesson {
  const found = lessons.find((one) => one.number === number);
  if (!found) throw new RangeError(`there is no lesson ${number}: the lessons are 0 to ${lessons.length - 1}`);
  return found;
}

/**
 * Every `AUTH_TYPE` lesson `number`'s server accepts, with how a client logs in under each:
 * what the lessons up to it teach, a later lesson's meaning winning.
 *
 * @example
 * authTypesOf(3); // { auth: 'nobody', basic_auth: 'basic', session_auth: 'form' }
 */
export function authTypesOf(number: number): Record<string, LoginKind> {
  return Object.assign({}, ...lessons.filter((one) => one.number <= number).map((one) => one.teaches));
}

/**
 * How a client logs in to lesson `number`'s server run with `authType` (its default when
 * omitted): `none` on a lesson without authentication, whatever `AUTH_TYPE` says; `nobody`
 * for a type the lesson does not accept.
 *
 * @example
 * loginKind(2); // 'printed'
 * loginKind(5, 'basic_auth'); // 'basic'
 */
export function loginKind(number: number, authType: string | null = lesson(number).authType): LoginKind {
  if (lesson(number).authType === null) return 'none';
  if (authType === null) return 'nobody';
  return authTypesOf(number)[authType] ?? 'nobody';
}

/**
 * The paths of a lesson's files, from the project root.
 *
 * @example
 * lessonPaths(lesson(1)).server; // 'lessons/01-basic-auth/server.ts'
 */
export function lessonPaths(entry: Lesson): { folder: string; server: string; app: string; notes: string } {
  const folder = `lessons/${entry.folder}`;
  return { folder, server: `${folder}/server.ts`, app: `${folder}/app.ts`, notes: `${folder}/README.md` };
}
