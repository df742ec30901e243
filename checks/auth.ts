/**
 * How a check's client authenticates as a seeded user, which depends on the server, not on
 * the check: that is what lets lesson 0's checks run unchanged on every later lesson.
 *
 * @module
 */
import type { HttpClient, HttpResponse } from './http.ts';
import { expectStatus, fail, SkipCheck } from './expect.ts';
import type { Env, Mode, SeededUser } from './types.ts';

/** What a strategy may ask of the server it authenticates against. */
export interface AuthServer {
  readonly env: Env;
  /** Who runs the server (types.ts). */
  readonly mode: Mode;
  /** Resolves with the latest (or next) stdout line that matches (`own` mode only). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** One way to authenticate a client. */
export interface AuthStrategy {
  /** For messages: `none`, `Basic header`, `login form`... */
  readonly name: string;
  /** Whether it needs a user at all (false when the server has no authentication). */
  readonly needsUser: boolean;
  /** Makes `client` send `user`'s credentials from now on (a header, a cookie...). */
  authenticate(client: HttpClient, user: SeededUser, server: AuthServer): Promise<void>;
}

/**
 * The `Authorization` value for Basic credentials (RFC 7617): `Basic base64(email:password)`,
 * the text encoded as UTF-8.
 *
 * @example
 * basicHeader('bob@hbtn.io', 'H0lbertonSchool98!'); // 'Basic Ym9iQGhidG4uaW86SDBsYmVydG9uU2Nob29sOTgh'
 */
export function basicHeader(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`;
}

/** Lesson 0: no authentication, every client may do everything. */
export const noAuth: AuthStrategy = {
  name: 'none',
  needsUser: false,
  async authenticate() {},
};

/** Lesson 1: a Basic `Authorization` header on every request. */
export const basicAuth: AuthStrategy = {
  name: 'Basic header',
  needsUser: true,
  async authenticate(client, user) {
    client.headers.Authorization = basicHeader(user.email, user.password);
  },
};

/** The session cookie's name on this server (`SESSION_NAME`, `_my_session_id` by default). */
export function sessionName(env: Env): string {
  return env.SESSION_NAME || '_my_session_id';
}

/**
 * Lesson 2, which has no login route: its server prints, at start, for one seeded user,
 * `User with ID: <uid> has a Session ID: <sid>`; the client gets that session cookie. A
 * learner's server prints no such line: the client logs in as on lesson 3, which a course
 * server of the Session project can do; a server without the login route is skipped.
 */
export const sessionFromStartupLine: AuthStrategy = {
  name: 'session id printed at start',
  needsUser: true,
  async authenticate(client, user, server) {
    if (server.mode !== 'own') {
      const res = await client.post('/api/v1/auth_session/login', {
        form: { email: user.email, password: user.password },
      });
      if (res.status === 404 && res.json() !== undefined && /not found/i.test(res.body)) {
        throw new SkipCheck(
          'it needs a session: this server has no login route (POST /api/v1/auth_session/login answered 404), ' +
            'and the runner reads the session id only from the servers of this project',
        );
      }
      return expectLoggedIn(client, res, user, server);
    }
    // Or what the exercise mode's server prints when createSession is still a stub (npm run learn).
    const line = /^User with ID: (\S+) has a Session ID: (\S+)|^\s*(not written yet: .*)/;
    const [, userId, sessionId, stub] = await server.waitForLine(line, 5000);
    if (stub) fail(stub);
    if (userId !== user.id) {
      throw new SkipCheck(`the server printed a session for user ${userId} only, and this check needs ${user.email}`);
    }
    client.setCookie(sessionName(server.env), sessionId as string);
  },
};

/**
 * Lessons 3 on: `POST /api/v1/auth_session/login` with the form fields `email` and
 * `password`, which sets the session cookie in the client's jar.
 */
export const formLogin: AuthStrategy = {
  name: 'login form',
  needsUser: true,
  async authenticate(client, user, server) {
    const res = await client.post('/api/v1/auth_session/login', {
      form: { email: user.email, password: user.password },
    });
    expectLoggedIn(client, res, user, server);
  },
};

/** Fails unless the login answered 200 and put the session cookie in the client's jar. */
function expectLoggedIn(client: HttpClient, res: HttpResponse, user: SeededUser, server: AuthServer): void {
  expectStatus(res, 200, `logging in as ${user.email}`);
  const name = sessionName(server.env);
  if (client.jar.get(name) === undefined) {
    fail(`${res.request} (logging in as ${user.email}): no ${name} cookie was set`, {
      expected: `200 and Set-Cookie: ${name}=...`,
      response: res,
      headers: ['set-cookie'],
    });
  }
}

/** A server set up so that nobody can log in (`AUTH_TYPE=auth`, the base class). */
export function nobodyCanLogIn(reason: string): AuthStrategy {
  return {
    name: 'none possible',
    needsUser: true,
    async authenticate() {
      throw new SkipCheck(reason);
    },
  };
}

/**
 * Picks the strategy from the server's `AUTH_TYPE`, as the course's `app.py` picks the auth.
 *
 * @example
 * const auth = byAuthType({ basic_auth: basicAuth, session_auth: formLogin });
 * auth({ AUTH_TYPE: 'basic_auth' }); // basicAuth
 */
export function byAuthType(types: Record<string, AuthStrategy>): (env: Env) => AuthStrategy {
  return (env) =>
    types[env.AUTH_TYPE ?? ''] ??
    nobodyCanLogIn(`with AUTH_TYPE=${env.AUTH_TYPE ?? '(unset)'} this server accepts no credentials the runner knows`);
}
