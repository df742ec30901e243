/**
 * Lesson 7's claims: the users API hardened. Each check is the story of an attack that got
 * through on lesson 6, told to lesson 7's server: it must be refused there (and the
 * curriculum test proves it gets through on lesson 6). The browser attacks (login CSRF, cookie
 * tossing) are in browser-checks.ts.
 *
 * A plain user is one the admin creates: the runner's seeded users are admins on this lesson
 * (the manifest's `adminRole`), and with `--url` the `--user` must be one.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { sessionName } from './auth.ts';
import { expectError, expectHeader, expectJson, expectNoHeader, expectStatus, expectThat, fail, showJson } from './expect.ts';
import { parseSetCookie, type HttpClient, type HttpResponse, type SetCookie } from './http.ts';
import { randomSecret } from './lesson-06.ts';
import { inRedis, storedAt } from './lesson-05.ts';
import { expectMe, expectRefused, slowCheckTimeoutMs } from './stories.ts';
import { ServerStartError } from './server.ts';
import { randomEmail, randomPassword } from './users.ts';
import { SECURE, type Check, type CheckContext, type SeededUser, type Target } from './types.ts';

const LOGIN = '/api/v1/auth_session/login';
const LOGOUT_EVERYWHERE = '/api/v1/auth_session/logout_everywhere';
const ME = '/api/v1/users/me';
const PASSWORD = '/api/v1/users/me/password';

/** The cookie-name prefix a browser refuses to let anyone plant (RFC 6265bis §4.1.3.2). */
const HOST_PREFIX = '__Host-';

/** A login of `user` on `target`: the client that holds the session, and the cookie it got. */
export interface Login {
  client: HttpClient;
  cookie: SetCookie;
  /** `name=value`, to send the cookie by hand. */
  pair: string;
}

/** The first cookie with a value a login answer set, or a failure. */
function loginCookie(res: HttpResponse, what: string): SetCookie {
  const cookie = res.setCookies.map(parseSetCookie).find((one) => one !== null && one.value !== '');
  if (!cookie) fail(`${res.request} (${what}): no session cookie was set`, { expected: `${res.status} and a Set-Cookie`, response: res, headers: ['set-cookie'] });
  return cookie;
}

/** Logs `user` in with the course's form, with a new client unless one is given. */
export async function logIn(target: Target, user: SeededUser, what = `logging in as ${user.email}`, client = target.client()): Promise<Login> {
  const res = await client.post(LOGIN, { form: { email: user.email, password: user.password } });
  expectStatus(res, 200, what);
  const cookie = loginCookie(res, what);
  return { client, cookie, pair: `${cookie.name}=${cookie.value}` };
}

/** A login form post, answered as it is. */
export function postLogin(client: HttpClient, email: string, password: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return client.post(LOGIN, { form: { email, password }, headers });
}

/** `GET /api/v1/users/me` with exactly this `Cookie` header (what a thief replays). */
export function meWith(client: HttpClient, pair: string): Promise<HttpResponse> {
  return client.get(ME, { headers: { Cookie: pair } });
}

/** Fails unless a `Set-Cookie` of `res` clears the cookie `name` (an expiry in the past). */
function expectCleared(res: HttpResponse, name: string): void {
  const cleared = res.cookie(name);
  const expires = typeof cleared?.attributes.expires === 'string' ? Date.parse(cleared.attributes.expires) : NaN;
  const maxAge = typeof cleared?.attributes['max-age'] === 'string' ? Number(cleared.attributes['max-age']) : NaN;
  if (!cleared || !(expires <= Date.now() || maxAge <= 0)) {
    fail(`${res.request}: the session cookie ${name} is not cleared`, { expected: `Set-Cookie: ${name}=; Path=/; Expires=<in the past>`, response: res, headers: ['set-cookie'] });
  }
}

/** Fails unless the answer is 429 `{"error": "Too Many Requests"}` with `Retry-After` in whole seconds. */
export function expectTooMany(res: HttpResponse, what: string, windowSeconds: number): void {
  expectError(res, 429, 'Too Many Requests', what);
  expectHeader(res, 'Retry-After', (value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= windowSeconds, `whole seconds from 1 to ${windowSeconds}`, what);
}

/** The median of some numbers. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How long one request takes, in ms, and its answer. */
async function timed(send: () => Promise<HttpResponse>): Promise<{ ms: number; res: HttpResponse }> {
  const started = performance.now();
  const res = await send();
  return { ms: performance.now() - started, res };
}

/**
 * Times pairs of (unknown email, wrong password) attempts, interleaved so that both see the
 * same load; each answer must be `expect`. Returns the medians.
 */
async function timeGuesses(
  pairs: number,
  unknown: (i: number) => Promise<HttpResponse>,
  wrong: (i: number) => Promise<HttpResponse>,
  expect: (res: HttpResponse, what: string) => void,
): Promise<{ unknownMs: number; wrongMs: number }> {
  // A first guess of each kind, not timed: connections and caches warm up.
  expect(await unknown(-1), 'an unknown email');
  expect(await wrong(-1), 'a wrong password');
  const unknownMs: number[] = [];
  const wrongMs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const a = await timed(() => unknown(i));
    expect(a.res, 'an unknown email');
    const b = await timed(() => wrong(i));
    expect(b.res, 'a wrong password');
    unknownMs.push(a.ms);
    wrongMs.push(b.ms);
  }
  return { unknownMs: median(unknownMs), wrongMs: median(wrongMs) };
}

/** Fails unless the unknown email's median time is at least half the wrong password's. */
function expectSameWork(times: { unknownMs: number; wrongMs: number }, what: string): string {
  const ratio = times.unknownMs / times.wrongMs;
  const shown = `unknown email ${times.unknownMs.toFixed(1)} ms, wrong password ${times.wrongMs.toFixed(1)} ms (medians)`;
  expectThat(ratio >= 0.5, `${what}: an unknown email is answered ${(1 / ratio).toFixed(0)} times faster than a wrong password: the time tells which emails have an account`, {
    expected: 'about the same time: the unknown email checked against a dummy hash',
    actual: shown,
  });
  return shown;
}

/** Guesses per pair kind in the timing checks (interleaved, medians compared). */
const TIMED_PAIRS = 5;

/** The timing checks' servers hash at the default cost, not the runner's test cost (`PASSWORD_HASH_COST=low`). */
const realCostEnv = { PASSWORD_HASH_COST: '' };

/** A fresh plain user (the admin creates it), and a client logged in as them. */
async function plainUser(ctx: CheckContext): Promise<{ user: SeededUser; client: HttpClient }> {
  const user = await ctx.createUser();
  return { user, client: (await logIn(ctx, user, `logging in as the new plain user ${user.email}`)).client };
}

/** The throttle limits the throttle checks run with (their own servers). */
const throttleWindowSeconds = 900;

/** Lesson 7's checks, in the order of its notes' claims. */
export const checks: Check[] = [
  {
    id: 'L7-own-account-only',
    lesson: 7,
    claim:
      'A user who is not an admin may read, change and delete their own account, and gets 403 `{"error": "Forbidden"}` for `GET`, `PUT` and `DELETE` on any other id, existing or not, for the list of users and for creating one.',
    reference: 'OWASP API1:2023',
    section: 'authorization-your-own-account-only',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const admin = await ctx.userClient();
      const [victim, eve] = await Promise.all([ctx.createUser({ firstName: 'Bob' }), plainUser(ctx)]);
      const forbidden: [string, string, Parameters<HttpClient['request']>[2]][] = [
        ['GET', `/api/v1/users/${victim.id}`, {}],
        ['PUT', `/api/v1/users/${victim.id}`, { json: { first_name: 'Eve was here' } }],
        ['DELETE', `/api/v1/users/${victim.id}`, {}],
        ['GET', `/api/v1/users/${randomUUID()}`, {}],
        ['DELETE', `/api/v1/users/${randomUUID()}`, {}],
        ['GET', '/api/v1/users', {}],
        ['POST', '/api/v1/users', { json: { email: randomEmail('eve-made'), password: randomPassword() } }],
      ];
      for (const [method, path, options] of forbidden) {
        expectError(await eve.client.request(method, path, options), 403, 'Forbidden', `${eve.user.email}, not an admin`);
      }
      // Nothing happened to the other account.
      const still = await admin.get(`/api/v1/users/${victim.id}`);
      expectStatus(still, 200, 'the other user, asked by the admin');
      const body = still.json() as { first_name?: unknown };
      expectThat(body.first_name === 'Bob', `${still.request}: the other user was changed by a plain user (first_name ${showJson(body.first_name)})`, { expected: '"first_name": "Bob"', response: still });
      // Their own account: theirs to read, change and delete.
      expectStatus(await eve.client.get(`/api/v1/users/${eve.user.id}`), 200, 'their own account');
      expectStatus(await eve.client.put(`/api/v1/users/${eve.user.id}`, { json: { first_name: 'Eve' } }), 200, 'changing their own account');
      expectJson(await eve.client.delete(`/api/v1/users/${eve.user.id}`), 200, {}, 'deleting their own account');
      expectError(await admin.get(`/api/v1/users/${eve.user.id}`), 404, 'Not found', 'the account its owner deleted');
    },
  },
  {
    id: 'L7-admin-manages-everyone',
    lesson: 7,
    claim:
      'An admin (`npm run user:add -- … --admin`) may list, create, read, change and delete every user, and no request makes anyone an admin: a user created with `"admin": true` or `"role": "admin"` in its JSON is a plain user.',
    reference: 'OWASP API3:2023',
    section: 'authorization-your-own-account-only',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const admin = await ctx.userClient();
      const me = await ctx.someUser();
      const list = await admin.get('/api/v1/users');
      expectStatus(list, 200, 'the list, asked by the admin');
      expectThat(Array.isArray(list.json()) && (list.json() as { id?: unknown }[]).some((one) => one?.id === me.id), `${list.request}: the admin's list lacks the admin`, { response: list });
      const fields = { email: randomEmail('sneaky'), password: randomPassword(), admin: true, role: 'admin', is_admin: true, roles: ['admin'] };
      const created = await admin.post('/api/v1/users', { json: fields });
      expectStatus(created, 201, 'a new user, created by the admin with "admin": true in its JSON');
      const id = (created.json() as { id?: unknown }).id as string;
      expectStatus(await admin.put(`/api/v1/users/${id}`, { json: { last_name: 'Changed' } }), 200, "the admin changing another user's account");
      const user: SeededUser = { id, email: fields.email, password: fields.password, firstName: null, lastName: null };
      const { client } = await logIn(ctx, user, 'logging in as the new user');
      expectError(await client.get('/api/v1/users'), 403, 'Forbidden', 'the new user, made with "admin": true, asking for the list');
      expectJson(await admin.delete(`/api/v1/users/${id}`), 200, {}, "the admin deleting another user's account");
      expectError(await admin.get(`/api/v1/users/${id}`), 404, 'Not found', 'the deleted user');
    },
  },
  {
    id: 'L7-cross-origin-refused',
    lesson: 7,
    claim:
      'A `POST`, `PUT` or `DELETE` with `Sec-Fetch-Site: cross-site` or `same-site`, or without `Sec-Fetch-Site` but with an `Origin` other than the server\'s own (`null` too), is refused with 403 `{"error": "cross-origin request refused"}` before anything runs, login and logout included; `same-origin`, `none`, the server\'s own `Origin` and a request with neither header pass.',
    reference: 'OWASP CSRF Prevention Cheat Sheet',
    section: 'csrf-same-site-is-not-same-origin',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const own = new URL(ctx.url).origin;
      const refused = (res: HttpResponse, what: string) => {
        expectError(res, 403, 'cross-origin request refused', what);
        expectNoHeader(res, 'Set-Cookie', 'a refused request changes nothing', what);
      };
      const foreign: [Record<string, string>, string][] = [
        [{ 'Sec-Fetch-Site': 'cross-site' }, 'Sec-Fetch-Site: cross-site'],
        [{ 'Sec-Fetch-Site': 'same-site' }, 'Sec-Fetch-Site: same-site (another port or subdomain)'],
        [{ Origin: 'http://attacker.example' }, 'Origin: http://attacker.example'],
        [{ Origin: 'null' }, 'Origin: null (a sandboxed page)'],
        [{ 'Sec-Fetch-Site': 'cross-site', Origin: own }, 'Sec-Fetch-Site: cross-site with our own Origin'],
      ];
      for (const [headers, what] of foreign) refused(await postLogin(ctx.client(), user.email, user.password, headers), `a login with ${what}`);
      const session = await ctx.userClient();
      expectError(await session.delete('/api/v1/auth_session/logout', { headers: { 'Sec-Fetch-Site': 'cross-site' } }), 403, 'cross-origin request refused', 'a cross-site logout');
      expectError(await session.put(`/api/v1/users/${user.id}`, { json: { last_name: 'CSRF' }, headers: { Origin: 'http://attacker.example' } }), 403, 'cross-origin request refused', 'a PUT from another origin');
      // A safe method changes nothing: any page may link to the API.
      expectStatus(await session.get(ME, { headers: { 'Sec-Fetch-Site': 'cross-site' } }), 200, 'a cross-site GET');
      await expectMe(session, user, 'the session after the refused logout');
      const allowed: [Record<string, string>, string][] = [
        [{ 'Sec-Fetch-Site': 'same-origin' }, 'Sec-Fetch-Site: same-origin'],
        [{ 'Sec-Fetch-Site': 'none' }, 'Sec-Fetch-Site: none (typed by the user)'],
        [{ Origin: own }, `Origin: ${own}`],
        [{}, 'neither header (curl)'],
      ];
      for (const [headers, what] of allowed) expectStatus(await postLogin(ctx.client(), user.email, user.password, headers), 200, `a login with ${what}`);
    },
  },
  {
    id: 'L7-login-same-answer',
    lesson: 7,
    claim:
      'An unknown email and a wrong password get the same answer, 401 `{"error": "wrong email or password"}`, and cost the same: the unknown email is checked against a dummy hash, so its median time is at least half the wrong password\'s.',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'no-enumeration',
    profiles: SECURE,
    // At the real scrypt cost, against a user the server hashed at it: at the runner's test cost a
    // hash takes a millisecond, about what the HTTP round trip does, and would hide a skipped one.
    env: realCostEnv,
    // Timed: alone on its server, so that other checks' password hashes do not skew one side.
    exclusive: true,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.createUser();
      const client = ctx.client();
      const times = await timeGuesses(
        TIMED_PAIRS,
        (i) => postLogin(client, randomEmail(`nobody${i + 1}`), randomPassword()),
        () => postLogin(client, user.email, `${user.password}x`),
        (res, what) => {
          expectError(res, 401, 'wrong email or password', what);
          expectNoHeader(res, 'Set-Cookie', 'a failed login sets no cookie', what);
        },
      );
      return expectSameWork(times, 'login');
    },
  },
  {
    id: 'L7-basic-auth-hardened',
    lesson: 7,
    claim:
      'With `AUTH_TYPE=basic_auth`, an unknown email and a wrong password both get 403 and cost the same (median times within a factor of two), and they count against the same limits as logins: past them, 429 `{"error": "Too Many Requests"}` with `Retry-After`.',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'no-enumeration',
    profiles: SECURE,
    env: {
      ...realCostEnv,
      AUTH_TYPE: 'basic_auth',
      LOGIN_ATTEMPTS_PER_ACCOUNT: '12',
      LOGIN_ATTEMPTS_PER_ADDRESS: '12',
      LOGIN_ATTEMPTS_WINDOW: String(throttleWindowSeconds),
    },
    exclusive: true,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.createUser();
      const client = ctx.client();
      const basic = (email: string, password: string) => client.get(ME, { headers: { Authorization: `Basic ${Buffer.from(`${email}:${password}`).toString('base64')}` } });
      const times = await timeGuesses(
        TIMED_PAIRS,
        (i) => basic(randomEmail(`nobody${i + 1}`), randomPassword()),
        () => basic(user.email, `${user.password}x`),
        (res, what) => expectError(res, 403, 'Forbidden', what),
      );
      const shown = expectSameWork(times, 'Basic auth');
      // Twelve guesses: one allowance or the other is spent by now, or within a few more.
      for (let guess = 1; guess <= 20; guess++) {
        const res = await basic(user.email, `${user.password}x`);
        if (res.status === 429) {
          expectTooMany(res, 'a wrong password past the limits', throttleWindowSeconds);
          return `${shown}; 429 after ${2 * TIMED_PAIRS + 2 + guess - 1} guesses`;
        }
        expectError(res, 403, 'Forbidden', `wrong password ${guess}`);
      }
      fail(`${2 * TIMED_PAIRS + 22} wrong Basic passwords with LOGIN_ATTEMPTS_PER_ACCOUNT=12 and LOGIN_ATTEMPTS_PER_ADDRESS=12, and never a 429: Basic auth is not throttled`, {
        expected: '429 with Retry-After after 12 failed guesses',
        actual: 'every guess answered 403',
      });
    },
  },
  {
    id: 'L7-throttle-account',
    lesson: 7,
    claim:
      'After `LOGIN_ATTEMPTS_PER_ACCOUNT` failed logins of one account, its logins answer 429 `{"error": "Too Many Requests"}` with `Retry-After`, even with the right password, while other accounts log in; the attempts are counted before the password is checked, so that of ten wrong passwords sent at once, no more than the limit get 401.',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'throttling',
    profiles: SECURE,
    env: { LOGIN_ATTEMPTS_PER_ACCOUNT: '3', LOGIN_ATTEMPTS_WINDOW: String(throttleWindowSeconds) },
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const [victim, other] = await Promise.all([ctx.createUser(), ctx.createUser()]);
      const answers = await Promise.all(Array.from({ length: 10 }, () => postLogin(ctx.client(), victim.email, `${victim.password}x`)));
      const wrong = answers.filter((res) => res.status === 401);
      for (const res of answers) {
        if (res.status === 401) expectError(res, 401, 'wrong email or password', 'one of ten wrong passwords at once');
        else expectTooMany(res, 'one of ten wrong passwords at once', throttleWindowSeconds);
      }
      expectThat(wrong.length <= 3, `of ten wrong passwords sent at once with LOGIN_ATTEMPTS_PER_ACCOUNT=3, ${wrong.length} were checked (401): attempts are counted after the password check, so a flood gets through`, {
        expected: 'at most 3 answered 401, the others 429',
        actual: answers.map((res) => res.status).join(' '),
      });
      expectTooMany(await postLogin(ctx.client(), victim.email, victim.password), 'the right password, after the limit', throttleWindowSeconds);
      await logIn(ctx, other, 'another account, meanwhile');
      return `statuses: ${answers.map((res) => res.status).join(' ')}`;
    },
  },
  {
    id: 'L7-throttle-address',
    lesson: 7,
    claim:
      'After `LOGIN_ATTEMPTS_PER_ADDRESS` failed logins from one client address, whatever the accounts, every login from it answers 429 with `Retry-After`, even for an account with its right password.',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'throttling',
    profiles: SECURE,
    env: { LOGIN_ATTEMPTS_PER_ADDRESS: '4', LOGIN_ATTEMPTS_WINDOW: String(throttleWindowSeconds) },
    async run(ctx) {
      const user = await ctx.someUser();
      // A right password costs nothing: its attempt is given back.
      await logIn(ctx, user, 'a good login first');
      for (let i = 1; i <= 4; i++) {
        expectError(await postLogin(ctx.client(), randomEmail(`spray${i}`), randomPassword()), 401, 'wrong email or password', `failed login ${i} of 4, each for another email`);
      }
      expectTooMany(await postLogin(ctx.client(), user.email, user.password), 'a good login from the same address, after 4 failures', throttleWindowSeconds);
    },
  },
  {
    id: 'L7-host-cookie',
    lesson: 7,
    claim:
      'The session cookie is named `__Host-` and `SESSION_NAME`, and is `Secure`, `HttpOnly` and `SameSite=Lax`, with `Path=/` and no `Domain`; it is set over plain HTTP on 127.0.0.1, which browsers count as a secure context, and it authenticates.',
    reference: 'RFC 6265bis §4.1.3.2',
    section: 'cookie-integrity',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const expectHostCookie = async (target: Target, name: string, what: string) => {
        const login = await logIn(target, user, what);
        const { cookie } = login;
        const wanted = name.startsWith(HOST_PREFIX) ? name : `${HOST_PREFIX}${name}`;
        const { attributes } = cookie;
        const wrong = [
          cookie.name === wanted ? null : `named ${cookie.name}, not ${wanted}`,
          attributes.secure === true ? null : 'no Secure',
          attributes.httponly === true ? null : 'no HttpOnly',
          String(attributes.samesite ?? '').toLowerCase() === 'lax' ? null : `SameSite=${String(attributes.samesite ?? '(none)')}`,
          attributes.path === '/' ? null : `Path=${String(attributes.path ?? '(none)')}`,
          attributes.domain === undefined ? null : `Domain=${String(attributes.domain)}`,
        ].filter(Boolean);
        expectThat(wrong.length === 0, `${what}: the session cookie is ${wrong.join(', ')}`, {
          expected: `Set-Cookie: ${wanted}=…; Path=/; HttpOnly; Secure; SameSite=Lax`,
          actual: cookie.raw,
        });
        await expectMe(target.client(), user, `${what}: the cookie sent back`, login.pair);
      };
      await expectHostCookie(ctx, sessionName(ctx.env), 'a login');
      if (ctx.mode === 'url') return 'SESSION_NAME cannot be varied on a server the runner did not start';
      const renamed = await ctx.startVariant({ SESSION_NAME: 'sandbox_session' });
      await expectHostCookie(renamed, 'sandbox_session', 'a login with SESSION_NAME=sandbox_session');
    },
  },
  {
    id: 'L7-tls-or-trusted-proxy',
    lesson: 7,
    claim:
      'With `COOKIE_SECURE=true` and `TRUST_PROXY=loopback`, a login over plain HTTP is refused with 403 `{"error": "HTTPS required"}` and sets no cookie, even on 127.0.0.1, while the same login forwarded by a proxy on this machine with `X-Forwarded-Proto: https` succeeds with a `Secure` cookie.',
    reference: 'OWASP Transport Layer Security Cheat Sheet',
    section: 'behind-tls-and-a-proxy',
    profiles: SECURE,
    env: { COOKIE_SECURE: 'true', TRUST_PROXY: 'loopback' },
    async run(ctx) {
      const user = await ctx.someUser();
      const plain = await postLogin(ctx.client(), user.email, user.password);
      expectError(plain, 403, 'HTTPS required', 'a login over plain HTTP, with COOKIE_SECURE=true');
      expectNoHeader(plain, 'Set-Cookie', 'nothing may be set over plain HTTP', 'the refused login');
      const proxied = { 'X-Forwarded-Proto': 'https' };
      const client = ctx.client();
      const res = await postLogin(client, user.email, user.password, proxied);
      expectStatus(res, 200, 'the same login, forwarded with X-Forwarded-Proto: https');
      const cookie = loginCookie(res, 'the forwarded login');
      expectThat(cookie.attributes.secure === true, `${res.request}: the cookie of the forwarded login is not Secure`, { expected: 'Set-Cookie: …; Secure', actual: cookie.raw });
      await expectMe(client, user, 'the forwarded session, forwarded again');
    },
  },
  {
    id: 'L7-two-cookies-refused',
    lesson: 7,
    claim: 'A request that carries two cookies of the session cookie\'s name is refused with 400 `{"error": "two session cookies"}`, whichever of them is the live one.',
    reference: 'RFC 6265bis §8.6',
    section: 'cookie-integrity',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const { client, cookie, pair } = await logIn(ctx, user);
      const shadow = `${cookie.name}=s%3A${randomUUID()}.planted`;
      for (const [header, what] of [
        [`${shadow}; ${pair}`, 'a planted cookie first, the live one second'],
        [`${pair}; ${shadow}`, 'the live one first, a planted cookie second'],
        [`${pair}; ${pair}`, 'the live cookie twice'],
      ] as const) {
        expectError(await meWith(client, header), 400, 'two session cookies', what);
      }
      await expectMe(client, user, 'the live cookie alone');
    },
  },
  {
    id: 'L7-password-change',
    lesson: 7,
    claim:
      '`PUT /api/v1/users/me/password` with the right `current_password` and a `new_password` answers 200 with a new session cookie; the old cookie and every other session of the user stop working, and the new password logs in while the old one does not; a wrong `current_password` gets 403 `{"error": "wrong password"}` and changes nothing.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-session-lifecycle',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.createUser();
      const [here, elsewhere] = await Promise.all([logIn(ctx, user, 'a login here'), logIn(ctx, user, 'a login on another device')]);
      const fresh = randomPassword();
      const wrong = await here.client.put(PASSWORD, { form: { current_password: `${user.password}x`, new_password: fresh } });
      expectError(wrong, 403, 'wrong password', 'a wrong current_password');
      await expectMe(elsewhere.client, user, 'the other device, after a refused change');
      const res = await here.client.put(PASSWORD, { form: { current_password: user.password, new_password: fresh } });
      expectStatus(res, 200, 'the right current_password and a new one');
      const rotated = loginCookie(res, 'the password change');
      expectThat(rotated.value !== here.cookie.value, `${res.request}: the session cookie kept its value: the session was not rotated`, { expected: 'a new session id', response: res, headers: ['set-cookie'] });
      await expectMe(here.client, user, 'the new cookie of the password change');
      expectError(await meWith(ctx.client(), here.pair), 403, 'Forbidden', 'the cookie from before the change, sent again');
      expectError(await meWith(ctx.client(), elsewhere.pair), 403, 'Forbidden', 'the session on the other device');
      expectError(await postLogin(ctx.client(), user.email, user.password), 401, 'wrong email or password', 'the old password');
      await logIn(ctx, { ...user, password: fresh }, 'the new password');
    },
  },
  {
    id: 'L7-logout-everywhere',
    lesson: 7,
    claim: '`DELETE /api/v1/auth_session/logout_everywhere` answers 200 `{}`, clears the session cookie and ends every session of the user, on every device, while other users\' sessions live on.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-session-lifecycle',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.createUser();
      const [here, phone, laptop] = await Promise.all([1, 2, 3].map((device) => logIn(ctx, user, `login ${device} of 3`)));
      const other = await ctx.userClient();
      const res = await here.client.delete(LOGOUT_EVERYWHERE);
      expectJson(res, 200, {}, 'log out everywhere');
      expectCleared(res, here.cookie.name);
      for (const [login, what] of [[here, 'this device, its cookie sent again'], [phone, 'the second device'], [laptop, 'the third device']] as const) {
        expectError(await meWith(ctx.client(), login.pair), 403, 'Forbidden', what);
      }
      await expectMe(other, await ctx.someUser(), "another user's session");
    },
  },
  {
    id: 'L7-user-delete-ends-sessions',
    lesson: 7,
    claim: "Deleting a user, by an admin or by themselves, deletes every session of that user from the store at once, not when their cookies come back.",
    reference: 'ASVS 5 V7.4.2',
    section: 'the-session-lifecycle',
    profiles: SECURE,
    until: { lesson: 8, reason: inRedis('L8-user-delete-ends-sessions looks for them there') },
    needs: ['database'],
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const admin = await ctx.userClient();
      const [byAdmin, bySelf] = await Promise.all([ctx.createUser(), ctx.createUser()]);
      const logins = await Promise.all([byAdmin, byAdmin, bySelf, bySelf].map((user) => logIn(ctx, user)));
      const db = ctx.openDatabase();
      for (const login of logins) expectThat(storedAt(db, login.cookie.value).length > 0, 'a login left no row in the database', { expected: 'a stored session', actual: login.pair });
      expectJson(await admin.delete(`/api/v1/users/${byAdmin.id}`), 200, {}, 'the admin deleting a user');
      expectJson(await logins[2]!.client.delete(`/api/v1/users/${bySelf.id}`), 200, {}, 'a user deleting their own account');
      // Looked for before any cookie comes back: only the deletions can have removed the rows.
      const left = logins.filter((login) => storedAt(db, login.cookie.value).length > 0);
      expectThat(left.length === 0, `after the users were deleted, ${left.length} of their 4 sessions are still stored`, {
        expected: "no row for any of the deleted users' sessions",
        actual: left.map((login) => `${storedAt(db, login.cookie.value).join(', ')}`).join('\n'),
      });
      for (const login of logins) await expectRefused(ctx.client(), "a deleted user's session", login.pair);
    },
  },
  {
    id: 'L7-session-cap',
    lesson: 7,
    claim: 'A user holds at most `SESSIONS_PER_USER` live sessions: a login beyond them ends the oldest, and the newer ones live on.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-session-lifecycle',
    profiles: SECURE,
    env: { SESSIONS_PER_USER: '3' },
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.createUser();
      const logins: Login[] = [];
      // One after the other: "oldest" must mean something.
      for (let i = 1; i <= 4; i++) logins.push(await logIn(ctx, user, `login ${i} of 4 with SESSIONS_PER_USER=3`));
      expectError(await meWith(ctx.client(), logins[0]!.pair), 403, 'Forbidden', 'the oldest of 4 sessions, with SESSIONS_PER_USER=3');
      for (const [i, login] of logins.slice(1).entries()) await expectMe(ctx.client(), user, `session ${i + 2} of 4`, login.pair);
    },
  },
  {
    id: 'L7-security-headers',
    lesson: 7,
    claim:
      "Every answer, JSON or page, carries `Content-Security-Policy` with `frame-ancestors 'none'`, `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.",
    reference: 'OWASP HTTP Headers Cheat Sheet',
    section: 'headers',
    profiles: SECURE,
    async run(ctx) {
      const session = await ctx.userClient();
      const anonymous = ctx.client();
      const answers: [HttpResponse, string][] = [
        [await anonymous.get('/api/v1/status'), 'the status'],
        [await anonymous.get('/api/v1/users'), 'a 401'],
        [await anonymous.get(`/nothing-${randomUUID().slice(0, 8)}`), 'a 404'],
        [await session.get(ME), 'the user'],
        [await anonymous.get('/'), 'the playground page'],
      ];
      for (const [res, what] of answers) {
        expectHeader(res, 'Content-Security-Policy', /frame-ancestors 'none'/, "a policy with frame-ancestors 'none'", what);
        expectHeader(res, 'X-Frame-Options', /^DENY$/i, 'DENY', what);
        expectHeader(res, 'X-Content-Type-Options', /^nosniff$/i, 'nosniff', what);
        expectHeader(res, 'Referrer-Policy', /^no-referrer$/i, 'no-referrer', what);
      }
    },
  },
  {
    id: 'L7-no-store',
    lesson: 7,
    claim: 'Every answer to an authenticated request carries `Cache-Control: no-store`, so that no browser or proxy cache keeps a user\'s data.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'headers',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const session = await ctx.userClient();
      for (const [method, path, what] of [
        ['GET', ME, 'the user'],
        ['GET', '/api/v1/users', 'the users'],
        ['GET', `/api/v1/users/${user.id}`, 'one user'],
        ['PUT', `/api/v1/users/${user.id}`, 'a change'],
        ['GET', '/api/v1/stats', 'the stats'],
        ['GET', `/api/v1/users/${randomUUID()}`, 'a 404'],
      ] as const) {
        const res = await session.request(method, path, method === 'PUT' ? { json: { first_name: user.firstName ?? 'Ada' } } : {});
        expectHeader(res, 'Cache-Control', /(^|,)\s*no-store\b/i, 'no-store', what);
      }
    },
  },
  {
    id: 'L7-host-allow-list',
    lesson: 7,
    claim:
      'A request whose `Host` is not one the server answers for (by default the address it listens on, and `localhost` for a loopback one; `ALLOWED_HOSTS` names others) is refused with 421 `{"error": "Misdirected Request"}` before anything runs, with credentials or not.',
    reference: 'RFC 9110 §7.4',
    section: 'headers',
    profiles: SECURE,
    // Not with --url: `localhost` is one of the default names only where the server listens on loopback.
    needs: ['variant'],
    async run(ctx) {
      const { port } = new URL(ctx.url);
      const session = await ctx.userClient();
      const rebound = { Host: `attacker.example:${port}` };
      expectError(await ctx.client().get('/api/v1/status', { headers: rebound }), 421, 'Misdirected Request', 'Host: attacker.example (DNS rebinding)');
      expectError(await session.get(ME, { headers: rebound }), 421, 'Misdirected Request', 'a session cookie and Host: attacker.example');
      expectStatus(await ctx.client().get('/api/v1/status', { headers: { Host: `localhost:${port}` } }), 200, 'Host: localhost');
      const named = await ctx.startVariant({ ALLOWED_HOSTS: 'api.example' });
      const at = new URL(named.url).port;
      expectStatus(await named.client().get('/api/v1/status', { headers: { Host: `api.example:${at}` } }), 200, 'Host: api.example, with ALLOWED_HOSTS=api.example');
      expectError(await named.client().get('/api/v1/status', { headers: { Host: `attacker.example:${at}` } }), 421, 'Misdirected Request', 'Host: attacker.example, with ALLOWED_HOSTS=api.example');
    },
  },
  {
    id: 'L7-production-settings',
    lesson: 7,
    claim:
      'With `NODE_ENV=production`, the server refuses to start with a `SESSION_SECRET` shorter than 32 characters, `COOKIE_SECURE` off or no `SESSION_DURATION`, with one error line for each and exit code 1; with a long secret, `COOKIE_SECURE=true` and a `SESSION_DURATION`, it starts.',
    reference: 'OWASP Top 10 A05:2021',
    section: 'production-settings',
    profiles: SECURE,
    needs: ['variant'],
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const weak = { NODE_ENV: 'production', SESSION_SECRET: 'too-short', COOKIE_SECURE: 'false', SESSION_DURATION: '' };
      try {
        const started = await ctx.startVariant(weak, { shareDatabase: true });
        expectStatus(await started.client().get('/api/v1/status'), 200, 'the server started with weak production settings');
        fail(`with NODE_ENV=production, a 9-character SESSION_SECRET, COOKIE_SECURE=false and no SESSION_DURATION the server started (${started.url})`, {
          expected: 'no start: three error lines and exit code 1',
          actual: `a server listening on ${started.url}`,
        });
      } catch (error) {
        if (!(error instanceof ServerStartError)) throw error;
        const [, code] = /the server exited \((code \S+|signal \S+)\)/.exec(error.message) ?? [];
        const lines = (error.message.split('its last error lines:\n')[1] ?? '').split('\n').filter((line) => line.trim() !== '');
        expectThat(code === 'code 1', `the server did not start, but it ended with ${code ?? 'no exit code'} instead of code 1`, { expected: 'exit code 1', actual: error.message });
        const named = ['SESSION_SECRET', 'COOKIE_SECURE', 'SESSION_DURATION'];
        const each = named.map((setting) => lines.filter((line) => line.includes(setting)).length);
        expectThat(lines.length === 3 && each.every((n) => n === 1), `the server refused to start with ${lines.length} error lines; expected one for each of ${named.join(', ')}`, {
          expected: named.map((setting) => `error: ${setting} …`).join('\n'),
          actual: lines.join('\n') || '(nothing on stderr)',
        });
      }
      const strong = { NODE_ENV: 'production', SESSION_SECRET: randomSecret(), COOKIE_SECURE: 'true', SESSION_DURATION: '3600' };
      const started = await ctx.startVariant(strong, { shareDatabase: true });
      expectJson(await started.client().get('/api/v1/status'), 200, { status: 'OK' }, 'the server started with production settings');
    },
  },
];
