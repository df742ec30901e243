import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Store } from 'express-session';
import { loadConfig } from '../../shared/config.ts';
import { openDatabase, type Db } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { createUser, listen, useTemporaryDatabase } from '../../shared/testing.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import { createExpressSessionApp } from './app.ts';
import { hashSessionId } from '../../shared/models/user-session.ts';
import { SqliteSessionStore } from './sqlite-store.ts';

const password = 'H0lbertonSchool98!';
const cookieName = '_my_session_id';
const secret = 'lesson-6-test-secret-0123456789abcdef';

let db: Db;
let dbFile: string;
let bob: User;
before(async () => {
  ({ db, file: dbFile } = useTemporaryDatabase());
  bob = await createUser('bob@hbtn.io', password);
});

interface StartOptions {
  env?: NodeJS.ProcessEnv;
  secrets?: string[];
  store?: Store;
  now?: Clock;
}

/** Lesson 6's app on a real port, sessions in the test's SQLite file unless told otherwise. */
async function start(options: StartOptions = {}): Promise<{ url: string; api: string; close: () => void }> {
  const config = loadConfig(options.env ?? {});
  const store = options.store ?? new SqliteSessionStore({ db });
  const server = await listen(createExpressSessionApp(config, { secrets: options.secrets ?? [secret], store, now: options.now }));
  return { ...server, api: `${server.url}/api/v1` };
}

// A server of its own for the lesson 5 tests that need no special settings.
let api6: string;
let close6: () => void;
before(async () => ({ api: api6, close: close6 } = await start()));
after(() => close6());

/** A clock the test moves by hand. */
function fakeClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** POST /api/v1/auth_session/login with bob's email and `pass`, optionally with a cookie. */
function login(api: string, pass = password, cookie?: string): Promise<Response> {
  const request = form({ email: 'bob@hbtn.io', password: pass });
  return fetch(`${api}/auth_session/login`, { ...request, headers: { ...request.headers, ...(cookie && { cookie }) } });
}

/** The `name=value` pair of the session cookie a response sets, or undefined. */
function sessionCookieOf(res: Response): string | undefined {
  const header = res.headers.getSetCookie().find((line) => line.startsWith(`${cookieName}=`));
  return header?.split(';')[0];
}

/** Logs bob in and returns the `name=value` cookie pair. */
async function loggedIn(api: string): Promise<string> {
  const res = await login(api);
  assert.equal(res.status, 200);
  return sessionCookieOf(res)!;
}

/** The session id inside a signed cookie pair `name=s%3A<id>.<signature>`. */
function sessionIdOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  assert.ok(value.startsWith('s:'), value);
  return value.slice(2, value.lastIndexOf('.'));
}

/** What cookie-signature does: `s:` + value + `.` + base64 HMAC-SHA256 without padding. */
function signed(value: string, key: string): string {
  return `s:${value}.${createHmac('sha256', key).update(value).digest('base64').replace(/=+$/, '')}`;
}

const withCookie = (cookie: string) => ({ headers: { cookie } });
const me = (api: string, cookie: string) => fetch(`${api}/users/me`, withCookie(cookie));
const logout = (api: string, cookie?: string) =>
  fetch(`${api}/auth_session/logout`, { method: 'DELETE', ...(cookie && withCookie(cookie)) });

/** The stored row of a session id, or undefined. */
function storedRow(sessionId: string): { data: string; expires_at: number } | undefined {
  return db.prepare('SELECT data, expires_at FROM express_sessions WHERE hash = ?').get(hashSessionId(sessionId)) as
    | { data: string; expires_at: number }
    | undefined;
}

describe('lesson 6: the /api/v1 contract on req.session', () => {
  let api: string;
  let url: string;
  let close: () => void;
  before(async () => ({ api, url, close } = await start()));
  after(() => close());

  test('login errors come in the course order, with no cookie and Cache-Control: no-store', async () => {
    const cases: [RequestInit, number, string][] = [
      [{ method: 'POST' }, 400, 'email missing'],
      [form({ email: '', password }), 400, 'email missing'],
      [form({ email: 'bob@hbtn.io' }), 400, 'password missing'],
      [form({ email: 'nobody@hbtn.io', password }), 404, 'no user found for this email'],
      [form({ email: 'bob@hbtn.io', password: 'wrong' }), 401, 'wrong password'],
      [json({ email: 'bob@hbtn.io' }), 400, 'password missing'],
    ];
    for (const [request, status, error] of cases) {
      const res = await fetch(`${api}/auth_session/login`, request);
      assert.equal(res.status, status, error);
      assert.deepEqual(await res.json(), { error });
      assert.deepEqual(res.headers.getSetCookie(), [], 'a failed login sets no cookie');
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  test('login answers 200 with the user and a signed, HttpOnly, SameSite=Lax cookie named by SESSION_NAME', async () => {
    const res = await login(api);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), bob.toJSON());
    const [header, ...others] = res.headers.getSetCookie();
    assert.deepEqual(others, []);
    assert.match(header!, /^_my_session_id=s%3A[A-Za-z0-9_-]{43}\.[A-Za-z0-9%+/]+; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.ok(!header!.includes('connect.sid'));
    assert.ok(!/domain=/i.test(header!), 'no Domain: this host only');
  });

  test('the session is stored, under the hash of its id, before the login answer arrives', async () => {
    const before = Date.now();
    const cookie = await loggedIn(api);
    const row = storedRow(sessionIdOf(cookie));
    assert.ok(row, 'the row is there as soon as the answer is');
    const data = JSON.parse(row.data);
    assert.equal(data.userId, bob.id);
    assert.ok(data.loginAt >= before && data.loginAt <= Date.now());
    assert.ok(!row.data.includes(sessionIdOf(cookie)));
  });

  test('JSON login works too', async () => {
    const res = await fetch(`${api}/auth_session/login`, json({ email: 'bob@hbtn.io', password }));
    assert.equal(res.status, 200);
    assert.ok(sessionCookieOf(res));
  });

  test('no request before login gets a cookie', async () => {
    const requests: [string, RequestInit?][] = [
      [`${api}/status`],
      [`${api}/stats`],
      [`${api}/users`],
      [`${api}/users/me`],
      [`${api}/preferences`],
      [`${url}/protected-resource`],
      [`${url}/logout`, { method: 'POST' }],
      [`${url}/nowhere`],
    ];
    for (const [target, init] of requests) {
      const res = await fetch(target, init);
      assert.deepEqual(res.headers.getSetCookie(), [], target);
    }
  });

  test('the cookie authenticates /users/me and the users API', async () => {
    const cookie = await loggedIn(api);
    const res = await me(api, cookie);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).id, bob.id);
    assert.deepEqual(res.headers.getSetCookie(), [], 'rolling: false, the cookie is not sent again');
    const users = await fetch(`${api}/users`, withCookie(cookie));
    assert.equal(users.status, 200);
    assert.ok((await users.json()).some((user: { id: string }) => user.id === bob.id));
  });

  test("the guard's 401 without credentials, 403 with a cookie that names nobody", async () => {
    assert.equal((await fetch(`${api}/users/me`)).status, 401);
    assert.deepEqual(await (await fetch(`${api}/users`)).json(), { error: 'Unauthorized' });
    const forged = await me(api, `${cookieName}=garbage`);
    assert.equal(forged.status, 403);
    assert.deepEqual(await forged.json(), { error: 'Forbidden' });
    assert.deepEqual(forged.headers.getSetCookie(), []);
    assert.equal((await me(api, `${cookieName}=`)).status, 403);
  });

  test('logout answers 200 {}, destroys the session and clears the cookie with the same attributes', async () => {
    const cookie = await loggedIn(api);
    const sessionId = sessionIdOf(cookie);
    const res = await logout(api, cookie);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(res.headers.getSetCookie(), [
      `${cookieName}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`,
    ]);
    assert.equal(storedRow(sessionId), undefined);
    assert.equal((await me(api, cookie)).status, 403, 'a copy of the cookie is worthless');
  });

  test('logout without a cookie is 401, with an unknown session 403, never a 5xx', async () => {
    const none = await logout(api);
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), { error: 'Unauthorized' });
    const unknown = await logout(api, `${cookieName}=${encodeURIComponent(signed('no-such-session', secret))}`);
    assert.equal(unknown.status, 403);
    assert.deepEqual(await unknown.json(), { error: 'Forbidden' });
  });

  test('GET on the logout path is 405 and leaves the session valid', async () => {
    const cookie = await loggedIn(api);
    const res = await fetch(`${api}/auth_session/logout`, withCookie(cookie));
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'DELETE, OPTIONS');
    assert.equal((await me(api, cookie)).status, 200);
  });

  test('two sessions of one user are independent', async () => {
    const first = await loggedIn(api);
    const second = await loggedIn(api);
    assert.notEqual(first, second);
    await logout(api, first);
    assert.equal((await me(api, first)).status, 403);
    assert.equal((await me(api, second)).status, 200);
  });

  test('fixation: login never keeps the session the request came with', async () => {
    const planted = await loggedIn(api);
    const res = await login(api, password, planted);
    const fresh = sessionCookieOf(res)!;
    assert.notEqual(sessionIdOf(fresh), sessionIdOf(planted));
    assert.equal(storedRow(sessionIdOf(planted)), undefined, 'the old session is destroyed');
    assert.equal((await me(api, planted)).status, 403);
    assert.equal((await me(api, fresh)).status, 200);
  });

  test('fixation: an id the client makes up (even correctly signed) is never adopted', async () => {
    const chosen = `${cookieName}=${encodeURIComponent(signed('attacker-chosen-id', secret))}`;
    const fresh = sessionCookieOf(await login(api, password, chosen))!;
    assert.notEqual(sessionIdOf(fresh), 'attacker-chosen-id');
    assert.equal((await me(api, chosen)).status, 403);
  });

  test('a flipped signature character, an unsigned id and an id signed with another secret are refused', async () => {
    const cookie = await loggedIn(api);
    const sessionId = sessionIdOf(cookie);
    const value = decodeURIComponent(cookie.slice(cookieName.length + 1));
    const last = value.at(-1) === 'A' ? 'B' : 'A';
    const forgeries = {
      flipped: `${cookieName}=${encodeURIComponent(value.slice(0, -1) + last)}`,
      unsigned: `${cookieName}=${sessionId}`,
      'unsigned with s:': `${cookieName}=${encodeURIComponent(`s:${sessionId}`)}`,
      'other secret': `${cookieName}=${encodeURIComponent(signed(sessionId, 'another-secret-0123456789abcdef'))}`,
    };
    for (const [what, forged] of Object.entries(forgeries)) {
      const res = await me(api, forged);
      assert.equal(res.status, 403, what);
      assert.deepEqual(res.headers.getSetCookie(), [], what);
    }
    assert.equal((await me(api, cookie)).status, 200, 'the genuine cookie still works');
  });

  test('405 for a wrong method on login, as JSON', async () => {
    const res = await fetch(`${api}/auth_session/login`);
    assert.equal(res.status, 405);
    assert.deepEqual(await res.json(), { error: 'Method Not Allowed' });
  });
});

describe("lesson 6: lesson 5's promises, with express-session", () => {
  test('two apps on one database file accept each other\'s sessions and logouts at once', async (t) => {
    const one = await start({ store: new SqliteSessionStore({ db: openDatabase(dbFile) }) });
    const two = await start({ store: new SqliteSessionStore({ db: openDatabase(dbFile) }) });
    t.after(() => (one.close(), two.close()));
    const cookie = await loggedIn(one.api);
    assert.equal((await me(two.api, cookie)).status, 200);
    assert.equal((await logout(two.api, cookie)).status, 200);
    assert.equal((await me(one.api, cookie)).status, 403);
  });

  test('after a restart, both limits count from the stored times: neither reset nor extended', async (t) => {
    const clock = fakeClock();
    const env = { SESSION_DURATION: '60', SESSION_IDLE_TIMEOUT: '20' };
    /** A "restart": a new store on a new connection, a new app; the same file and clock. */
    const restart = () =>
      start({
        env,
        now: clock.now,
        store: new SqliteSessionStore({ db: openDatabase(dbFile), idleTimeoutMs: 20_000, now: clock.now }),
      });
    const first = await restart();
    const busy = await loggedIn(first.api);
    const idle = await loggedIn(first.api);
    first.close();

    const second = await restart();
    t.after(second.close);
    for (let i = 0; i < 3; i++) {
      clock.advance(19_000);
      assert.equal((await me(second.api, busy)).status, 200, `${(i + 1) * 19} s after login`);
    }
    assert.equal((await me(second.api, idle)).status, 403, 'idle for 57 s: over the 20 s timeout');
    clock.advance(3_000);
    assert.equal((await me(second.api, busy)).status, 403, '60 s after login, however busy');
  });

  test('concurrent logins each get a distinct id, and every one authenticates', async () => {
    const cookies = await Promise.all(Array.from({ length: 8 }, () => loggedIn(api6)));
    assert.equal(new Set(cookies.map(sessionIdOf)).size, 8);
    for (const cookie of cookies) assert.equal((await me(api6, cookie)).status, 200);
  });

  test('after a login over HTTP, the database file and its WAL hold the hash, never the id', async () => {
    const cookie = await loggedIn(api6);
    const sessionId = sessionIdOf(cookie);
    const bytes = Buffer.concat([readFileSync(dbFile), readFileSync(`${dbFile}-wal`)]).toString('latin1');
    assert.ok(bytes.includes(hashSessionId(sessionId)));
    assert.ok(!bytes.includes(sessionId));
  });

  test("deleting a user ends their sessions: refused at once, destroyed when presented", async () => {
    const ann = await createUser('ann@hbtn.io', password);
    const res = await fetch(`${api6}/auth_session/login`, form({ email: 'ann@hbtn.io', password }));
    const cookie = sessionCookieOf(res)!;
    const deleted = await fetch(`${api6}/users/${ann.id}`, { method: 'DELETE', ...withCookie(cookie) });
    assert.equal(deleted.status, 200);
    assert.equal(User.get(ann.id), null);
    assert.equal((await me(api6, cookie)).status, 403);
    assert.equal(storedRow(sessionIdOf(cookie)), undefined);
  });

  test('a JSON cookie ("j:…", parsed by cookie-parser) under the session name gets 403, never a 5xx', async () => {
    // express-session used to find cookie-parser's array or object in req.cookies, and throw.
    for (const value of ['j:[1,2]', 'j:{"a":1}', 'j:123', 'j:"x"']) {
      const res = await me(api6, `${cookieName}=${encodeURIComponent(value)}`);
      assert.equal(res.status, 403, value);
      const raw = await me(api6, `${cookieName}=${value}`);
      assert.equal(raw.status, 403, value);
    }
  });

  test('hostile cookie values get 403, never a 5xx', async () => {
    const values = [
      "' OR 1=1 --",
      '../../etc/passwd',
      'x'.repeat(8000),
      's%3A',
      's%3A.',
      '%E0%A4%A',
      encodeURIComponent('s:ünïcödé.sig'),
      `${encodeURIComponent(signed('a', secret))}; ${cookieName}=b`,
    ];
    for (const value of values) {
      const res = await me(api6, `${cookieName}=${value}`);
      assert.equal(res.status, 403, value.slice(0, 40));
    }
  });
});

describe('lesson 6: secret rotation', () => {
  test('a cookie signed with the old secret still works after a new one is put first', async (t) => {
    const old = 'old-secret-0123456789abcdef0123456789';
    const fresh = 'new-secret-0123456789abcdef0123456789';
    const before = await start({ secrets: [old] });
    t.after(before.close);
    const cookie = await loggedIn(before.api);

    const rotated = await start({ secrets: [fresh, old] });
    t.after(rotated.close);
    assert.equal((await me(rotated.api, cookie)).status, 200, 'the old signature verifies');
    const newCookie = await loggedIn(rotated.api);
    const value = decodeURIComponent(newCookie.slice(cookieName.length + 1));
    assert.equal(value, signed(sessionIdOf(newCookie), fresh), 'new cookies are signed with the first secret');

    const retired = await start({ secrets: [fresh] });
    t.after(retired.close);
    assert.equal((await me(retired.api, cookie)).status, 403, 'once the old secret is dropped, its cookies are refused');
    assert.equal((await me(retired.api, newCookie)).status, 200);
  });
});

describe('lesson 6: SESSION_DURATION is absolute, SESSION_IDLE_TIMEOUT slides', () => {
  test('a busy client is refused SESSION_DURATION after login (real time, 1 s)', async (t) => {
    const { api, close } = await start({ env: { SESSION_DURATION: '1' } });
    t.after(close);
    const loginSent = Date.now();
    const res = await login(api);
    const loginAnswered = Date.now();
    const cookie = sessionCookieOf(res)!;
    assert.match(res.headers.getSetCookie()[0]!, /; Expires=/, 'express-session sends Expires, computed from maxAge');
    const sessionId = sessionIdOf(cookie);

    let refusedAt: number | undefined;
    let lastAcceptedAt = 0;
    while (refusedAt === undefined && Date.now() - loginSent < 5000) {
      const sentAt = Date.now();
      const status = (await me(api, cookie)).status;
      if (status === 200) {
        lastAcceptedAt = sentAt;
      } else {
        assert.equal(status, 403);
        refusedAt = Date.now();
      }
      await sleep(40);
    }
    assert.ok(refusedAt, 'refused in the end');
    assert.ok(lastAcceptedAt > loginAnswered, 'the client used the session before it expired');
    assert.ok(refusedAt - loginSent >= 1000, `not before the limit (${refusedAt - loginSent} ms)`);
    assert.equal(storedRow(sessionId), undefined, 'the expired session is destroyed');
    assert.equal((await me(api, cookie)).status, 403, 'and stays refused');
  });

  test('the absolute limit counts from login on the app clock, whatever the store thinks', async (t) => {
    const clock = fakeClock();
    const { api, url, close } = await start({ env: { SESSION_DURATION: '60' }, now: clock.now });
    t.after(close);
    const cookie = await loggedIn(api);
    clock.advance(59_999);
    assert.equal((await me(api, cookie)).status, 200);
    clock.advance(1);
    assert.ok(storedRow(sessionIdOf(cookie)), 'the store still has a live row (its expiry slides)');
    assert.equal((await me(api, cookie)).status, 403);
    assert.equal(storedRow(sessionIdOf(cookie)), undefined);
    assert.equal((await fetch(`${url}/protected-resource`, withCookie(cookie))).status, 401);
  });

  test('SESSION_IDLE_TIMEOUT: the SQLite store keeps a used session and drops an idle one', async (t) => {
    const clock = fakeClock();
    const store = new SqliteSessionStore({ db, idleTimeoutMs: 10_000, now: clock.now });
    const { api, close } = await start({ env: { SESSION_IDLE_TIMEOUT: '10' }, store, now: clock.now });
    t.after(close);
    const cookie = await loggedIn(api);
    for (let i = 0; i < 5; i++) {
      clock.advance(9_000);
      // express-session calls the store's touch before the answer goes out: the expiry slides.
      assert.equal((await me(api, cookie)).status, 200, `after ${(i + 1) * 9} s of use`);
    }
    clock.advance(10_000);
    assert.equal((await me(api, cookie)).status, 403);
  });
});

describe('lesson 6: the framework example at the root', () => {
  let url: string;
  let api: string;
  let close: () => void;
  before(async () => ({ url, api, close } = await start()));
  after(() => close());

  const frameworkLogin = (body: unknown) => fetch(`${url}/login`, json(body));

  test('POST /login with the right username and password: 200 and a session cookie', async () => {
    const res = await frameworkLogin({ username: 'bob@hbtn.io', password });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'Logged in successfully' });
    assert.ok(sessionCookieOf(res));
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('POST /login with anything else: 401 Invalid credentials, no cookie', async () => {
    const bodies = [
      { username: 'bob@hbtn.io', password: 'wrong' },
      { username: 'nobody@hbtn.io', password },
      { username: 'bob@hbtn.io' },
      { password },
      { username: 89, password },
      {},
    ];
    for (const body of bodies) {
      const res = await frameworkLogin(body);
      assert.equal(res.status, 401, JSON.stringify(body));
      assert.deepEqual(await res.json(), { message: 'Invalid credentials' });
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
  });

  test('GET /protected-resource: 401 Unauthorized without a session, 200 with the user email with one', async () => {
    const anonymous = await fetch(`${url}/protected-resource`);
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { message: 'Unauthorized' });
    const cookie = sessionCookieOf(await frameworkLogin({ username: 'bob@hbtn.io', password }))!;
    const res = await fetch(`${url}/protected-resource`, withCookie(cookie));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'This is a protected resource', user: 'bob@hbtn.io' });
  });

  test('POST /logout: 200 Logged out successfully, the session ends and the cookie is cleared', async () => {
    const cookie = sessionCookieOf(await frameworkLogin({ username: 'bob@hbtn.io', password }))!;
    const res = await fetch(`${url}/logout`, { method: 'POST', ...withCookie(cookie) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'Logged out successfully' });
    assert.deepEqual(res.headers.getSetCookie(), [
      `${cookieName}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`,
    ]);
    assert.equal((await fetch(`${url}/protected-resource`, withCookie(cookie))).status, 401);
  });

  test('the example and the API share one session', async () => {
    const cookie = sessionCookieOf(await frameworkLogin({ username: 'bob@hbtn.io', password }))!;
    assert.equal((await me(api, cookie)).status, 200);
    const apiCookie = await loggedIn(api);
    assert.equal((await fetch(`${url}/protected-resource`, withCookie(apiCookie))).status, 200);
  });
});

describe('lesson 6: a signed preference cookie', () => {
  let api: string;
  let close: () => void;
  before(async () => ({ api, close } = await start()));
  after(() => close());

  const putTheme = (theme: unknown) =>
    fetch(`${api}/preferences`, { ...json({ theme }), method: 'PUT' });
  const getTheme = (cookie?: string) => fetch(`${api}/preferences`, cookie ? withCookie(cookie) : {});

  test('without a cookie the theme is light; no login is needed', async () => {
    const res = await getTheme();
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { theme: 'light' });
  });

  test('PUT sets a signed cookie whose value anyone can read, and GET reads it back', async () => {
    const res = await putTheme('dark');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { theme: 'dark' });
    const header = res.headers.getSetCookie()[0]!;
    assert.match(header, /^theme=s%3Adark\.[^;]+; Max-Age=31536000; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const cookie = header.split(';')[0]!;
    assert.equal(decodeURIComponent(cookie.slice('theme='.length)), signed('dark', secret), 'readable, not secret');
    assert.deepEqual(await (await getTheme(cookie)).json(), { theme: 'dark' });
  });

  test('an altered, unsigned or foreign-signed preference is refused with 400 and cleared', async () => {
    const header = (await putTheme('dark')).headers.getSetCookie()[0]!;
    const good = decodeURIComponent(header.split(';')[0]!.slice('theme='.length));
    const tampered = [
      good.replace('dark', 'lite'),
      good.slice(0, -1) + (good.at(-1) === 'A' ? 'B' : 'A'),
      'dark',
      signed('light', 'another-secret-0123456789abcdef'),
    ];
    for (const value of tampered) {
      const res = await getTheme(`theme=${encodeURIComponent(value)}`);
      assert.equal(res.status, 400, value);
      assert.deepEqual(await res.json(), { error: 'Tampered cookie' });
      assert.match(res.headers.getSetCookie()[0]!, /^theme=; Path=\/; Expires=Thu, 01 Jan 1970/);
    }
  });

  test('a theme that is not light or dark is a 400', async () => {
    for (const theme of ['blue', 1, null]) {
      const res = await putTheme(theme);
      assert.equal(res.status, 400);
      assert.deepEqual(res.headers.getSetCookie(), []);
    }
  });
});

describe('lesson 6: express-session pitfalls, handled', () => {
  test('a store that fails answers JSON 500, sends no cookie, and the server keeps serving', async (t) => {
    t.mock.method(console, 'error', () => {}); // the error handler logs the 500s
    const storeDb = openDatabase(dbFile);
    const { api, close } = await start({ store: new SqliteSessionStore({ db: storeDb }) });
    t.after(close);
    const cookie = await loggedIn(api);
    storeDb.close();

    const failedLogin = await login(api);
    assert.equal(failedLogin.status, 500);
    assert.deepEqual(await failedLogin.json(), { error: 'Internal Server Error' });
    assert.deepEqual(failedLogin.headers.getSetCookie(), [], 'no cookie for a session that was never stored');

    const failedMe = await me(api, cookie);
    assert.equal(failedMe.status, 500);
    assert.deepEqual(await failedMe.json(), { error: 'Internal Server Error' });
    assert.equal((await logout(api, cookie)).status, 500);

    assert.equal((await fetch(`${api}/status`)).status, 200, 'still up');
  });

  test('COOKIE_SECURE=true over plain HTTP: login succeeds but express-session sends no cookie', async (t) => {
    const { api, close } = await start({ env: { COOKIE_SECURE: 'true' } });
    t.after(close);
    const res = await login(api);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getSetCookie(), []);
  });

  test('the cookie name follows SESSION_NAME, never connect.sid', async (t) => {
    const { api, close } = await start({ env: { SESSION_NAME: 'sid_v6' } });
    t.after(close);
    const res = await login(api);
    assert.match(res.headers.getSetCookie()[0]!, /^sid_v6=s%3A/);
  });
});
