/**
 * The short stories every lesson's checks tell: log in, expect this user, expect a refusal,
 * send a session cookie by hand, wait. One module, so that lesson 6's checks use the same
 * login as lesson 3's without importing another lesson's checks.
 *
 * What they assume about a session cookie's value: nothing, except in {@link sessionIdOf},
 * which takes the id out of an express-session style signed value (`s:<id>.<signature>`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { sessionName } from './auth.ts';
import { expectError, expectStatus, expectThat, fail, showJson } from './expect.ts';
import type { HttpClient, HttpResponse, SetCookie } from './http.ts';
import type { SeededUser, Target } from './types.ts';

/** The routes the stories use. */
export const ME = '/api/v1/users/me';
export const LOGIN = '/api/v1/auth_session/login';
export const LOGOUT = '/api/v1/auth_session/logout';

/** Resolves after `ms` milliseconds (at once for 0 or less). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Sleeps until the clock reads `time` (epoch ms). */
export function sleepUntil(time: number): Promise<void> {
  return sleep(time - Date.now());
}

/**
 * The session id inside a cookie value: percent-decoded, and for an express-session value
 * (`s:<id>.<signature>`, lesson 6) the id without its signature; any other value whole.
 *
 * @example
 * sessionIdOf('q3Zt0y'); // 'q3Zt0y'
 * sessionIdOf('s%3Aq3Zt0y.AbC%2Bd'); // 'q3Zt0y'
 */
export function sessionIdOf(value: string): string {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // Not percent-encoded text: the value as it is.
  }
  const signed = /^s:([^.]+)\.[A-Za-z0-9+/=_-]+$/.exec(decoded);
  return signed ? (signed[1] as string) : decoded;
}

/**
 * A random id the server never issued, shaped like ours (43 base64url characters).
 *
 * @example
 * madeUpSessionId(); // 'Zk3…' (43 characters)
 */
export function madeUpSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** `GET path` with exactly this `Cookie` header (or none for null), whatever the client's jar holds. */
export function getWithCookie(
  client: HttpClient,
  path: string,
  cookie: string | null,
  headers: Record<string, string> = {},
): Promise<HttpResponse> {
  return client.get(path, { headers: cookie === null ? headers : { ...headers, Cookie: cookie } });
}

/** Fails unless the answer is 200 with `user`'s JSON (same id, or same email when the id is unknown). */
export function expectUser(res: HttpResponse, user: SeededUser, what: string): void {
  expectStatus(res, 200, what);
  const body = res.json() as { id?: unknown; email?: unknown } | undefined;
  const same = user.id
    ? body?.id === user.id
    : typeof body?.email === 'string' && body.email.toLowerCase() === user.email.toLowerCase();
  if (!res.isJson || !same) {
    fail(`${res.request} (${what}): expected the user ${user.email}, got ${res.body.slice(0, 200)}`, {
      expected: `200 ${showJson({ id: user.id || '...', email: user.email })}`,
      response: res,
    });
  }
}

/** Fails unless `GET /api/v1/users/me` (with this `Cookie` header, if given) answers 200 with `user`. */
export async function expectMe(
  client: HttpClient,
  user: SeededUser,
  what: string,
  cookie?: string,
): Promise<HttpResponse> {
  const res = await getWithCookie(client, ME, cookie ?? null);
  expectUser(res, user, what);
  return res;
}

/**
 * Fails unless `GET /api/v1/users/me` (with this `Cookie` header, if given) answers 403
 * `{"error": "Forbidden"}`: a cookie that names no live session.
 */
export async function expectRefused(client: HttpClient, what: string, cookie?: string): Promise<void> {
  expectError(await getWithCookie(client, ME, cookie ?? null), 403, 'Forbidden', what);
}

/** A login's answer and the session cookie it set. */
export interface Login {
  res: HttpResponse;
  /** The parsed `Set-Cookie` of the session cookie. */
  cookie: SetCookie;
  /** The session cookie's name. */
  name: string;
  /** Its value, as set. */
  value: string;
}

/**
 * `POST /api/v1/auth_session/login` with the form fields, as the course's form sends them;
 * fails unless the answer is 200 with a session cookie named by `SESSION_NAME`.
 *
 * @example
 * const { value } = await logIn(ctx, client, user); // the new session id
 * await logIn(ctx, client, user, { Cookie: '_my_session_id=planted' });
 */
export async function logIn(
  target: Pick<Target, 'env'>,
  client: HttpClient,
  user: SeededUser,
  headers: Record<string, string> = {},
): Promise<Login> {
  const name = sessionName(target.env);
  const res = await client.post(LOGIN, { form: { email: user.email, password: user.password }, headers });
  expectStatus(res, 200, `logging in as ${user.email}`);
  const cookie = res.cookie(name);
  if (!cookie || cookie.value === '') {
    fail(`${res.request} (logging in as ${user.email}): no ${name} cookie was set`, {
      expected: `200 and Set-Cookie: ${name}=<session id>; ...`,
      response: res,
      headers: ['set-cookie'],
    });
  }
  return { res, cookie, name, value: cookie.value };
}

/** The value of the session cookie in `client`'s jar; fails when there is none. */
export function cookieValue(client: HttpClient, target: Pick<Target, 'env'>, what: string): string {
  const name = sessionName(target.env);
  const value = client.jar.get(name);
  expectThat(value !== undefined && value !== '', `${what}: the client holds no ${name} cookie`, {
    expected: `a ${name} cookie`,
  });
  return value;
}

/** A new client of `target` that sends this session cookie (as a client that ignores expiry would). */
export function clientWithCookie(target: Target, value: string): HttpClient {
  const client = target.client();
  client.setCookie(sessionName(target.env), value);
  return client;
}

/**
 * The `Cookie` header that sends this session cookie by hand (it wins over the jar), as a
 * client that ignores `Max-Age`, `Expires` and clearing would.
 */
export function sessionCookieHeader(target: Pick<Target, 'env'>, value: string): string {
  return `${sessionName(target.env)}=${value}`;
}

/**
 * A client logged in as `user` on `target` the way the server expects, and its session
 * cookie's value, read at once (a jar drops a cookie at its Max-Age).
 */
export async function logInAs(target: Target, user: SeededUser): Promise<{ client: HttpClient; value: string }> {
  const client = await target.userClient(user);
  return { client, value: cookieValue(client, target, `logging in as ${user.email}`) };
}

/** A client that authenticates with a session cookie, and that cookie. */
export interface SessionCookie {
  /** The authenticated client (its jar holds the cookie). */
  client: HttpClient;
  /** The cookie's name (`SESSION_NAME`, `_my_session_id` by default). */
  name: string;
  /** The cookie's value, exactly as the server set it. */
  value: string;
}

/**
 * A client authenticated the way `target` expects, which must be a session cookie and
 * nothing else (no `Authorization` header): otherwise the server has no sessions.
 *
 * @example
 * const { name, value } = await sessionClient(ctx); // '_my_session_id', 'q3Zt0y…'
 */
export async function sessionClient(target: Target, user?: SeededUser): Promise<SessionCookie> {
  const client = await target.userClient(user);
  const name = sessionName(target.env);
  const value = client.jar.get(name);
  const header = Object.keys(client.headers).find((key) => key.toLowerCase() === 'authorization');
  if (value === undefined || header !== undefined) {
    fail(
      `this server authenticates its clients ${header ? 'with an Authorization header' : 'some other way'}, not ` +
        `with a session cookie named ${name}`,
      {
        expected: `a session cookie named ${name}`,
        actual: header
          ? `${header}: ${client.headers[header]}`
          : `cookies held: ${
              client.jar
                .list()
                .map((c) => c.name)
                .join(', ') || 'none'
            }`,
      },
    );
  }
  return { client, name, value };
}

/**
 * Short session limits, for the checks of lessons 5 and 6 that wait for expiry: idle shorter
 * than absolute, so that each can be seen alone; the absolute one in whole seconds, as the
 * course reads `SESSION_DURATION` with `int()`, and not one second only: express-session writes
 * the lifetime as an `Expires` date, to the second, which would leave a cookie of a 1 s session
 * alive for a few milliseconds in a client that honours it. Checks that share them share one server.
 */
export const shortLimits = { durationMs: 2000, idleMs: 1000 } as const;

/** {@link shortLimits} as the server's environment. */
export const shortLimitsEnv = {
  SESSION_DURATION: String(shortLimits.durationMs / 1000),
  SESSION_IDLE_TIMEOUT: String(shortLimits.idleMs / 1000),
};

/** For checks that start servers and hash several passwords: slow on a busy machine. */
export const slowCheckTimeoutMs = 60_000;
