/**
 * What the fuzzer knows about each lesson's server: how a client authenticates, where the
 * sessions are stored, and every route with its methods and body fields.
 *
 * @module
 */
import { lessonPaths, lessons, loginKind, type LoginKind } from '../lessons/curriculum.ts';

/** How a valid client authenticates to a lesson's server. */
export type AuthKind =
  /** Lesson 0: nobody needs to. */
  | 'none'
  /** Lesson 1: `Authorization: Basic`, a password check (scrypt) on every request. */
  | 'basic'
  /** Lesson 2: the session id the server prints at start. */
  | 'printed'
  /** Lessons 3 on: `POST /api/v1/auth_session/login`, then the session cookie. */
  | 'login';

/** What a body field holds when it is valid. */
export type FieldKind = 'email' | 'password' | 'name' | 'theme';

/** One path of a server's API. */
export interface Route {
  /** The path; `:id` stands for a user id. */
  path: string;
  /** The methods it answers (HEAD and OPTIONS come with every path). */
  methods: readonly string[];
  /** Whether the auth guard asks for credentials on it. */
  guarded: boolean;
  /** The body the route reads: how it is encoded and its fields. */
  body?: { encodings: readonly ('json' | 'form')[]; fields: Readonly<Record<string, FieldKind>> };
  /** The route changes server state in a way the run must control (login, logout, delete). */
  destructive?: boolean;
}

/** One lesson's server, as the fuzzer sees it. */
export interface FuzzTarget {
  lesson: number;
  /** The server's entry file, from the project root. */
  entry: string;
  auth: AuthKind;
  /** The session cookie's name (lessons 2 on). */
  sessionName: string;
  /** The table the server keeps sessions in, for the end-of-run checks (none: lesson 8's are in Redis). */
  sessionTable?: 'user_sessions' | 'express_sessions';
  routes: readonly Route[];
  /** The server's environment: the manifest's, which leaves room for a fuzzer's floods (lesson 7's limits). */
  env: Readonly<Record<string, string>>;
  /** The seeded users are admins (lesson 7 on): only admins create users. */
  adminRole: boolean;
}

const userFields = { email: 'email', password: 'password', first_name: 'name', last_name: 'name' } as const;
const nameFields = { first_name: 'name', last_name: 'name' } as const;
const loginFields = { email: 'email', password: 'password' } as const;

function usersApi(guarded: boolean): Route[] {
  return [
    { path: '/api/v1/status', methods: ['GET'], guarded: false },
    { path: '/api/v1/stats', methods: ['GET'], guarded },
    { path: '/api/v1/users', methods: ['GET', 'POST'], guarded, body: { encodings: ['json'], fields: userFields } },
    { path: '/api/v1/users/:id', methods: ['GET', 'PUT', 'DELETE'], guarded, body: { encodings: ['json'], fields: nameFields }, destructive: true },
  ];
}

const authRoutes: Route[] = [
  { path: '/api/v1/unauthorized', methods: ['GET'], guarded: false },
  { path: '/api/v1/forbidden', methods: ['GET'], guarded: false },
  { path: '/api/v1/users/me', methods: ['GET'], guarded: true },
];

const loginRoutes: Route[] = [
  { path: '/api/v1/auth_session/login', methods: ['POST'], guarded: false, body: { encodings: ['form', 'json'], fields: loginFields }, destructive: true },
  { path: '/api/v1/auth_session/logout', methods: ['DELETE'], guarded: true, destructive: true },
  { path: '/', methods: ['GET'], guarded: false },
  { path: '/playground.css', methods: ['GET'], guarded: false },
  { path: '/playground.js', methods: ['GET'], guarded: false },
];

const frameworkRoutes: Route[] = [
  { path: '/login', methods: ['POST'], guarded: false, body: { encodings: ['json', 'form'], fields: { username: 'email', password: 'password' } }, destructive: true },
  { path: '/logout', methods: ['POST'], guarded: false, destructive: true },
  { path: '/protected-resource', methods: ['GET'], guarded: false },
  { path: '/api/v1/preferences', methods: ['GET', 'PUT'], guarded: false, body: { encodings: ['json'], fields: { theme: 'theme' } } },
];

/** Lesson 7's routes besides lesson 6's API: the password change, the preferences, the playground. */
const hardenedRoutes: Route[] = [
  // Every guess at the current password costs a scrypt and fails: a spare session, like the other routes that may change it.
  {
    path: '/api/v1/users/me/password',
    methods: ['PUT'],
    guarded: true,
    body: { encodings: ['form', 'json'], fields: { current_password: 'password', new_password: 'password' } },
    destructive: true,
  },
  { path: '/api/v1/preferences', methods: ['GET', 'PUT'], guarded: false, body: { encodings: ['json'], fields: { theme: 'theme' } } },
  // Not /api/v1/auth_session/logout_everywhere: with a spare session it would end the kept
  // sessions of the same user, which the end-of-run checks expect alive (L7-logout-everywhere checks it).
];

/** The fuzzer's name for each way the curriculum manifest says a client logs in. */
const authKinds: Record<LoginKind, AuthKind> = { none: 'none', nobody: 'none', basic: 'basic', printed: 'printed', form: 'login' };

/** What the fuzzer knows beyond the manifest: each lesson's routes and session table. */
const servedBy: Readonly<Record<number, Pick<FuzzTarget, 'routes' | 'sessionTable'>>> = {
  0: { routes: usersApi(false) },
  1: { routes: [...usersApi(true), ...authRoutes] },
  2: { routes: [...usersApi(true), ...authRoutes] },
  3: { routes: [...usersApi(true), ...authRoutes, ...loginRoutes] },
  4: { routes: [...usersApi(true), ...authRoutes, ...loginRoutes] },
  5: { routes: [...usersApi(true), ...authRoutes, ...loginRoutes], sessionTable: 'user_sessions' },
  6: { routes: [...usersApi(true), ...authRoutes, ...loginRoutes, ...frameworkRoutes], sessionTable: 'express_sessions' },
  7: { routes: [...usersApi(true), ...authRoutes, ...loginRoutes, ...hardenedRoutes], sessionTable: 'express_sessions' },
  // Lesson 7's API, its sessions in the Redis the server starts for itself (no table to read).
  8: { routes: [...usersApi(true), ...authRoutes, ...loginRoutes, ...hardenedRoutes] },
};

/** Every lesson the fuzzer runs: the manifest's lessons it knows the routes of. */
export const targets: readonly FuzzTarget[] = lessons
  .filter((lesson) => servedBy[lesson.number])
  .map((lesson) => ({
    lesson: lesson.number,
    entry: lessonPaths(lesson).server,
    auth: authKinds[loginKind(lesson.number)],
    // SESSION_NAME's default, or the manifest's name for it (lesson 7: `__Host-_my_session_id`).
    sessionName: lesson.env?.SESSION_NAME ?? '_my_session_id',
    env: lesson.env ?? {},
    adminRole: lesson.adminRole === true,
    ...servedBy[lesson.number]!,
  }));

/** The target of lesson `n`; throws for a lesson the fuzzer does not know. */
export function target(n: number): FuzzTarget {
  const found = targets.find((t) => t.lesson === n);
  if (!found) throw new Error(`the fuzzer knows lessons ${targets.map((t) => t.lesson).join(', ')}; got ${n}`);
  return found;
}
