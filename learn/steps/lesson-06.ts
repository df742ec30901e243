/**
 * Lesson 6's steps: express-session configured, login and logout on `req.session`, the
 * absolute limit, the current user, the SQLite store and the signed preference cookie. The
 * route tests run the learner's function in a small app of their own, beside a real
 * express-session, so that each step is tested alone.
 *
 * @module
 */
import assert from 'node:assert/strict';
import express, { type RequestHandler } from 'express';
import session, { type SessionData } from 'express-session';
import { createHmac } from 'node:crypto';
import { database } from '../../shared/db.ts';
import { errorHandler } from '../../shared/http.ts';
import { User } from '../../shared/models/user.ts';
import { hashSessionId } from '../../shared/models/user-session.ts';
import { config, fakeRequest, setCookie, withServer as serveApp, type StepContext, type StepTest, type TestServer } from './helpers.ts';

type MiddlewareModule = typeof import('../../lessons/06-express-session/session-middleware.ts');
type CallsModule = typeof import('../../lessons/06-express-session/session-calls.ts');
type AuthModule = typeof import('../../lessons/06-express-session/express-session-auth.ts');
type StoreModule = typeof import('../../lessons/06-express-session/sqlite-store.ts');
type PreferencesModule = typeof import('../../lessons/06-express-session/preferences.ts');

const SECRETS = ['a-first-secret-of-at-least-32-characters', 'an-older-secret-that-still-verifies'];

/** A cookie value as express-session signs it: `s:<id>.<HMAC-SHA256 in base64, no padding>`. */
function signed(id: string, secret: string): string {
  return encodeURIComponent(`s:${id}.${createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '')}`);
}

/** The session id inside a signed cookie value. */
function idOf(value: string): string {
  return decodeURIComponent(value).slice(2).split('.')[0]!;
}

/** The app with the lessons' JSON error handler last (a stub's 501 included), on a free port. */
function withServer(app: express.Express, work: (server: TestServer) => Promise<void>): Promise<void> {
  app.use(errorHandler);
  return serveApp(app, work);
}

/** A MemoryStore that counts its writes. */
function countingStore() {
  const store = new session.MemoryStore();
  const writes = { set: 0 };
  const set = store.set.bind(store);
  store.set = (sid, sess, callback) => {
    writes.set += 1;
    set(sid, sess, callback);
  };
  const stored = (sid: string) => new Promise<SessionData | null | undefined>((resolve) => store.get(sid, (_error, sess) => resolve(sess)));
  return { store, writes, stored };
}

/** The test's own express-session, as lesson 6 configures it: for the steps that use it. */
function testSession(store: session.Store): RequestHandler {
  return session({ name: '_my_session_id', secret: SECRETS, store, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax', path: '/' } });
}

export const createSessionMiddleware: StepTest = async (ctx) => {
  const { createSessionMiddleware } = await ctx.load<MiddlewareModule>('06-express-session/session-middleware.ts');
  const { store, writes, stored } = countingStore();
  const app = express();
  app.use(createSessionMiddleware(config({ SESSION_NAME: 'sandbox_sid', SESSION_DURATION: '60' }), SECRETS, store));
  app.get('/me', (req, res) => void res.json({ userId: req.session.userId ?? null }));
  app.post('/login', (req, res) => {
    req.session.userId = 'bob';
    res.json({});
  });
  await withServer(app, async ({ call }) => {
    const anonymous = await call('/me');
    assert.equal(anonymous.headers.getSetCookie().length, 0, 'no cookie before anything is put in the session (saveUninitialized: false)');
    assert.equal(writes.set, 0, 'no session is stored before anything is put in it (saveUninitialized: false)');
    const login = await call('/login', { method: 'POST' });
    assert.equal(setCookie(login.headers, 'connect.sid'), null, "the cookie is not express-session's default connect.sid");
    const cookie = setCookie(login.headers, 'sandbox_sid');
    assert.ok(cookie, 'the cookie is named SESSION_NAME (config.sessionName): sandbox_sid here');
    assert.match(cookie.value, /^s%3A[A-Za-z0-9_-]{43}\./, "the cookie is signed (s:<id>.<signature>: secret) and the id is lesson 2's newSessionId() (genid)");
    for (const attribute of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(cookie.attributes.includes(attribute), `the cookie has ${attribute} (sessionCookieOptions)`);
    assert.ok(!cookie.attributes.includes('Secure'), 'no Secure without COOKIE_SECURE');
    assert.ok(cookie.attributes.some((a) => a.startsWith('Expires=')), 'with SESSION_DURATION=60 the cookie expires (cookie.maxAge, in ms)');
    assert.equal((await stored(idOf(cookie.value)))?.userId, 'bob', 'the session is in the store you were given');
    const setsBefore = writes.set;
    const me = await call('/me', { headers: { Cookie: `sandbox_sid=${cookie.value}` } });
    assert.equal(me.json?.userId, 'bob', 'the cookie brings the session back');
    assert.equal(me.headers.getSetCookie().length, 0, 'an unchanged session sends no new cookie (rolling: false)');
    assert.equal(writes.set, setsBefore, 'an unchanged session is not written back (resave: false)');
    const rotated = await call('/me', { headers: { Cookie: `sandbox_sid=${signed(idOf(cookie.value), SECRETS[1]!)}` } });
    assert.equal(rotated.json?.userId, 'bob', 'a cookie signed with the second secret still verifies (secret: all of them)');
  });
  const app2 = express();
  app2.use(createSessionMiddleware(config(), SECRETS, new session.MemoryStore()));
  app2.post('/login', (req, res) => {
    req.session.userId = 'bob';
    res.json({});
  });
  await withServer(app2, async ({ call }) => {
    const cookie = setCookie((await call('/login', { method: 'POST' })).headers, '_my_session_id');
    assert.ok(cookie && !cookie.attributes.some((a) => a.startsWith('Expires=') || a.startsWith('Max-Age=')), 'without SESSION_DURATION the cookie has no expiry (a browser-session cookie)');
  });
};

export const logIn: StepTest = async (ctx) => {
  const { logIn } = await ctx.load<CallsModule>('06-express-session/session-calls.ts');
  const bob = Object.assign(new User(), { email: 'bob@hbtn.io' });
  bob.save();
  const { store, stored } = countingStore();
  const app = express();
  app.use(testSession(store));
  app.post('/visit', (req, res) => {
    req.session.cookie.maxAge = 60_000;
    (req.session as unknown as { visited: boolean }).visited = true;
    res.json({});
  });
  app.post('/login', async (req, res) => {
    const before = req.sessionID;
    await logIn(req, bob, () => 1_234_567);
    // Before the answer: the session must already be in the store.
    res.json({ before, after: req.sessionID, storedNow: await stored(req.sessionID) });
  });
  await withServer(app, async ({ call }) => {
    const visit = setCookie((await call('/visit', { method: 'POST' })).headers, '_my_session_id')!;
    const login = await call('/login', { method: 'POST', headers: { Cookie: `_my_session_id=${visit.value}` } });
    assert.equal(login.status, 200, 'logIn resolves');
    assert.notEqual(login.json.after, login.json.before, 'logIn gives the session a new id (regenerateSession): session fixation');
    assert.equal(await stored(login.json.before), undefined, 'the session the request came with is destroyed in the store');
    assert.equal(login.json.storedNow?.userId, bob.id, "the new session holds the user's id, and is stored before logIn resolves (saveSession)");
    assert.equal(login.json.storedNow?.loginAt, 1_234_567, 'the new session holds the login time, from the clock given (now())');
    const cookie = setCookie(login.headers, '_my_session_id');
    assert.ok(cookie && idOf(cookie.value) === login.json.after, 'the answer sets the cookie of the new session');
  });
  const failing = new session.MemoryStore();
  failing.set = (_sid, _sess, callback) => setImmediate(() => callback?.(new Error('disk full')));
  const broken = express();
  broken.use(testSession(failing));
  broken.post('/login', async (req, res) => {
    try {
      await logIn(req, bob);
      res.json({ rejected: false });
    } catch {
      res.status(500).json({ rejected: true, sessionLeft: req.session !== undefined });
    }
  });
  await withServer(broken, async ({ call }) => {
    const answer = await call('/login', { method: 'POST' });
    assert.equal(answer.json?.rejected, true, 'when the store cannot save, logIn rejects (the error reaches the error handler)');
    assert.equal(answer.json?.sessionLeft, false, 'and it drops req.session, so that express-session sends no cookie for the half-made session');
    assert.equal(setCookie(answer.headers, '_my_session_id'), null, 'no cookie is sent after a failed login');
  });
};

export const logOut: StepTest = async (ctx) => {
  const { logOut } = await ctx.load<CallsModule>('06-express-session/session-calls.ts');
  const { store, stored } = countingStore();
  const options = { httpOnly: true, sameSite: 'lax', secure: false, path: '/' } as const;
  const app = express();
  app.use(testSession(store));
  app.post('/login', (req, res) => {
    req.session.userId = 'bob';
    res.json({});
  });
  app.post('/logout', async (req, res) => {
    const sid = req.sessionID;
    await logOut(req, res, '_my_session_id', options);
    res.json({ sid });
  });
  await withServer(app, async ({ call }) => {
    const cookie = setCookie((await call('/login', { method: 'POST' })).headers, '_my_session_id')!;
    const out = await call('/logout', { method: 'POST', headers: { Cookie: `_my_session_id=${cookie.value}` } });
    assert.equal(out.status, 200, 'logOut resolves');
    assert.equal(await stored(out.json.sid), undefined, 'logOut destroys the session in the store (destroySession)');
    const cleared = setCookie(out.headers, '_my_session_id');
    assert.ok(cleared && cleared.value === '' && cleared.attributes.some((a) => a.startsWith('Expires=Thu, 01 Jan 1970')), "logOut clears the browser's cookie (res.clearCookie): express-session leaves it alone");
    assert.ok(['Path=/', 'HttpOnly', 'SameSite=Lax'].every((a) => cleared.attributes.includes(a)), 'the cookie is cleared with the attributes it was set with (cookieOptions)');
  });
};

export const isPastAbsoluteLimit: StepTest = async (ctx) => {
  const { isPastAbsoluteLimit } = await ctx.load<MiddlewareModule>('06-express-session/session-middleware.ts');
  const cases: [Partial<SessionData> | undefined, number, number, boolean, string][] = [
    [undefined, 100_000, 60_000, false, 'no session at all'],
    [{}, 100_000, 60_000, false, 'a session nobody logged into'],
    [{ userId: 'u', loginAt: 0 }, 59_999, 60_000, false, 'logged in 59.999 s ago, 60 s lifetime'],
    [{ userId: 'u', loginAt: 0 }, 60_000, 60_000, true, 'logged in 60 s ago, 60 s lifetime (>=)'],
    [{ userId: 'u', loginAt: 0 }, 10 ** 12, 0, false, 'no lifetime (SESSION_DURATION unset)'],
    [{ userId: 'u' }, 1_000, 60_000, true, 'logged in, but no loginAt: its age cannot be proved'],
    [{ userId: 'u', loginAt: '0' as unknown as number }, 1_000, 60_000, true, 'a loginAt that is not a number'],
  ];
  for (const [sess, now, durationMs, expected, what] of cases) {
    assert.equal(isPastAbsoluteLimit(sess, now, durationMs), expected, `isPastAbsoluteLimit(${JSON.stringify(sess)}, ${now}, ${durationMs}): ${what}`);
  }
};

export const currentUser: StepTest = async (ctx) => {
  const { ExpressSessionAuth } = await ctx.load<AuthModule>('06-express-session/express-session-auth.ts');
  const auth = new ExpressSessionAuth('_my_session_id');
  const bob = Object.assign(new User(), { email: 'bob@hbtn.io' });
  bob.save();
  let destroyed = 0;
  const withSession = (sess?: Record<string, unknown>) =>
    fakeRequest({ session: sess && { ...sess, destroy: (callback: (error?: unknown) => void) => (destroyed++, callback()) } });
  assert.equal((await auth.currentUser(withSession({ userId: bob.id })))?.id, bob.id, "req.session.userId of Bob: currentUser is Bob (a User)");
  assert.equal(await auth.currentUser(withSession()), null, 'no req.session: no current user');
  assert.equal(await auth.currentUser(withSession({})), null, 'a session nobody logged into: no current user');
  assert.equal(await auth.currentUser(withSession({ userId: 42 })), null, 'a userId that is not a string: no current user');
  assert.equal(destroyed, 0, 'nothing is destroyed so far');
  assert.equal(await auth.currentUser(withSession({ userId: 'deleted-user' })), null, 'the session of a user who no longer exists: no current user');
  assert.equal(destroyed, 1, 'and that session is destroyed (destroySession)');
};

/** A store on the test database with a clock set by hand; the callbacks as promises. */
async function sqliteStore(ctx: StepContext, idleTimeoutMs = 0) {
  const { SqliteSessionStore } = await ctx.load<StoreModule>('06-express-session/sqlite-store.ts');
  const clock = { now: 1_000_000 };
  const store = new SqliteSessionStore({ db: database(), idleTimeoutMs, now: () => clock.now });
  const row = (sid: string) => database().prepare('SELECT data, expires_at FROM express_sessions WHERE hash = ?').get(hashSessionId(sid)) as { data: string; expires_at: number } | undefined;
  const insert = (sid: string, data: unknown, expiresAt: number) =>
    database().prepare('INSERT INTO express_sessions (hash, data, expires_at) VALUES (?, ?, ?)').run(hashSessionId(sid), JSON.stringify(data), expiresAt);
  /** Calls `method` with a callback; resolves with what it passed, and whether it came on a later turn. */
  const call = <T>(method: (callback: (error: unknown, result?: T) => void) => void) =>
    new Promise<{ error: unknown; result?: T; later: boolean }>((resolve) => {
      let returned = false;
      method((error, result) => resolve({ error, result, later: returned }));
      returned = true;
    });
  return { store, clock, row, insert, call };
}

const cookieOf = (expires: number) => ({ cookie: { originalMaxAge: null, expires: new Date(expires).toISOString() } }) as unknown as SessionData;

export const storeSet: StepTest = async (ctx) => {
  const { store, clock, row, call } = await sqliteStore(ctx);
  const sess = { ...cookieOf(clock.now + 60_000), userId: 'bob' } as SessionData;
  const done = await call((callback) => store.set('sid-1', sess, callback));
  assert.equal(done.error ?? null, null, 'set() calls back without an error');
  assert.equal(done.later, true, 'set() calls back on a later turn, never before it returns (reply)');
  const stored = row('sid-1');
  assert.ok(stored, 'set() stores a row under the SHA-256 of the id (hashSessionId), never the id itself');
  assert.deepEqual(JSON.parse(stored.data), JSON.parse(JSON.stringify(sess)), "the row's data is the session as JSON");
  assert.equal(stored.expires_at, clock.now + 60_000, "the row expires with the session's cookie (sessionExpiresAt)");
  await call((callback) => store.set('sid-1', { ...sess, userId: 'ann' } as SessionData, callback));
  assert.equal(JSON.parse(row('sid-1')!.data).userId, 'ann', 'set() of the same id replaces the session');
  const circular: Record<string, unknown> = { ...cookieOf(clock.now + 60_000) };
  circular.self = circular;
  const failed = await call((callback) => store.set('sid-2', circular as unknown as SessionData, callback));
  assert.ok(failed.error instanceof Error, 'a session that cannot be stored is an error passed to the callback, never thrown at express-session');
};

export const storeGet: StepTest = async (ctx) => {
  const { store, clock, row, insert, call } = await sqliteStore(ctx);
  insert('live', { userId: 'bob' }, clock.now + 1);
  insert('expired', { userId: 'ann' }, clock.now);
  const live = await call<SessionData | null>((callback) => store.get('live', callback));
  assert.deepEqual(live.result, { userId: 'bob' }, 'get() of a live row calls back with its session, parsed from the JSON');
  assert.equal(live.later, true, 'get() calls back on a later turn (reply)');
  const expired = await call<SessionData | null>((callback) => store.get('expired', callback));
  assert.equal(expired.result ?? null, null, 'get() of a row whose expires_at is now calls back with null');
  assert.equal(row('expired'), undefined, 'and that expired row is deleted on sight');
  const unknown = await call<SessionData | null>((callback) => store.get('unknown', callback));
  assert.equal(unknown.error ?? null, null, 'get() of an unknown id is no error');
  assert.equal(unknown.result ?? null, null, 'get() of an unknown id calls back with null');
};

export const storeTouch: StepTest = async (ctx) => {
  const { store, clock, row, insert, call } = await sqliteStore(ctx, 100_000);
  const now = clock.now;
  insert('busy', { userId: 'bob' }, now + 50_000);
  insert('fresh', { userId: 'ann' }, now + 95_000);
  insert('dead', { userId: 'eve' }, now - 1);
  const touch = (sid: string) => call((callback) => store.touch(sid, { cookie: { originalMaxAge: null } } as unknown as SessionData, callback));
  const done = await touch('busy');
  assert.equal(done.later, true, 'touch() calls back on a later turn (reply)');
  assert.equal(row('busy')!.expires_at, now + 100_000, 'touch() moves a live session to now + the idle timeout');
  await touch('fresh');
  assert.equal(row('fresh')!.expires_at, now + 95_000, 'a move of 5 s of 100 (less than touchWriteFraction) writes nothing');
  await touch('dead');
  assert.equal(row('dead')!.expires_at, now - 1, 'touch() never brings an expired row back');
};

export const readTheme: StepTest = async (ctx) => {
  const { readTheme } = await ctx.load<PreferencesModule>('06-express-session/preferences.ts');
  const cases: [Parameters<typeof fakeRequest>[0], string, string][] = [
    [{}, 'light', 'no cookies at all: the default'],
    [{ cookies: {}, signedCookies: {} }, 'light', 'no theme cookie: the default'],
    [{ cookies: {}, signedCookies: { theme: 'dark' } }, 'dark', 'a correctly signed "dark"'],
    [{ cookies: {}, signedCookies: { theme: false } }, 'tampered', 'a signature that matches no secret (cookie-parser gives false)'],
    [{ cookies: { theme: 'dark' }, signedCookies: {} }, 'tampered', 'a theme cookie that was never signed'],
    [{ cookies: {}, signedCookies: { theme: 'blue' } }, 'light', 'a signed value that is no theme: the default'],
  ];
  for (const [parts, expected, what] of cases) assert.equal(readTheme(fakeRequest(parts)), expected, `readTheme: ${what}`);
};
