/**
 * Lesson 3's steps: the login's checks, the cookie's attributes, `destroySession`, and the
 * login and logout routes, the last two over HTTP on lesson 3's app (given code).
 *
 * @module
 */
import assert from 'node:assert/strict';
import { User } from '../../shared/models/user.ts';
import { config, fakeRequest, form, quickUser, setCookie, withServer, type StepContext, type StepTest, type TestServer } from './helpers.ts';

type LoginAuthModule = typeof import('../../lessons/03-session-login/session-login-auth.ts');
type ViewsModule = typeof import('../../lessons/03-session-login/session-views.ts');
type AppModule = typeof import('../../lessons/03-session-login/app.ts');

async function loginAuth(ctx: StepContext, env: Record<string, string> = {}) {
  const { SessionLoginAuth } = await ctx.load<LoginAuthModule>('03-session-login/session-login-auth.ts');
  const auth = new SessionLoginAuth(config(env));
  return { auth, sessions: (auth as unknown as { sessions: Map<string, { userId: string }> }).sessions };
}

const PASSWORD = 'H0lbertonSchool98!';

export const checkLogin: StepTest = async (ctx) => {
  const views = await ctx.load<ViewsModule>('03-session-login/session-views.ts');
  const bob = quickUser('bob@hbtn.io', PASSWORD);
  const check = (body: unknown) => views.checkLogin(fakeRequest({ body }));
  const cases: [unknown, { status: number; error: string }, string][] = [
    [undefined, { status: 400, error: 'email missing' }, 'a login without a body (Express 5: req.body is undefined)'],
    [{ password: PASSWORD }, { status: 400, error: 'email missing' }, 'a login without an email'],
    [{ email: '', password: PASSWORD }, { status: 400, error: 'email missing' }, 'a login with an empty email'],
    [{ email: 'bob@hbtn.io' }, { status: 400, error: 'password missing' }, 'a login without a password'],
    [{ email: 'nobody@hbtn.io', password: PASSWORD }, { status: 404, error: 'no user found for this email' }, 'a login with an unknown email'],
    [{ email: 'bob@hbtn.io', password: 'wrong' }, { status: 401, error: 'wrong password' }, 'a login with a wrong password'],
  ];
  for (const [body, expected, what] of cases) assert.deepEqual(await check(body), expected, `checkLogin: ${what}`);
  const user = await check({ email: 'bob@hbtn.io', password: PASSWORD });
  assert.ok(user instanceof User && user.id === bob.id, 'checkLogin with Bob\'s email and password returns Bob (a User)');
};

export const cookieOptions: StepTest = async (ctx) => {
  const { auth } = await loginAuth(ctx);
  const options = auth.cookieOptions();
  assert.equal(options.httpOnly, true, 'cookieOptions().httpOnly: page scripts cannot read the session id');
  assert.equal(String(options.sameSite).toLowerCase(), 'lax', "cookieOptions().sameSite is 'lax'");
  assert.equal(options.path, '/', "cookieOptions().path is '/': every route");
  assert.equal(options.domain, undefined, 'cookieOptions() sets no domain: this host only');
  assert.equal(Boolean(options.secure), false, 'cookieOptions().secure is false without COOKIE_SECURE');
  const { auth: secureAuth } = await loginAuth(ctx, { COOKIE_SECURE: 'true' });
  assert.equal(secureAuth.cookieOptions().secure, true, 'cookieOptions().secure is true with COOKIE_SECURE=true');
};

export const destroySession: StepTest = async (ctx) => {
  const { auth, sessions } = await loginAuth(ctx);
  sessions.set('bob-session', { userId: 'bob' });
  sessions.set('ann-session', { userId: 'ann' });
  const withCookie = (value?: string) => fakeRequest({ cookies: value === undefined ? {} : { _my_session_id: value } });
  assert.equal(auth.destroySession(null), false, 'destroySession(null)');
  assert.equal(auth.destroySession(withCookie()), false, 'destroySession of a request without a session cookie');
  assert.equal(auth.destroySession(withCookie('made-up')), false, 'destroySession of a cookie that names no session');
  assert.equal(auth.destroySession(withCookie('bob-session')), true, "destroySession of Bob's session cookie");
  assert.equal(sessions.has('bob-session'), false, 'the session is gone from this.sessions');
  assert.equal(sessions.has('ann-session'), true, "the other sessions stay (Ann's, in another browser)");
  assert.equal(auth.destroySession(withCookie('bob-session')), false, 'destroySession of the same cookie again: nothing left to end');
};

/** Lesson 3's app from the lessons under test, with Bob, on a free port. */
async function withLoginApp(ctx: StepContext, work: (server: TestServer, sessions: Map<string, { userId: string }>) => Promise<void>) {
  const { createSessionLoginApp } = await ctx.load<AppModule>('03-session-login/app.ts');
  const { auth, sessions } = await loginAuth(ctx);
  quickUser('bob@hbtn.io', PASSWORD);
  await withServer(createSessionLoginApp(auth), (server) => work(server, sessions));
}

const LOGIN = '/api/v1/auth_session/login';
const LOGOUT = '/api/v1/auth_session/logout';
const cookieHeader = (value: string) => ({ headers: { Cookie: `_my_session_id=${value}` } });

export const login: StepTest = (ctx) =>
  withLoginApp(ctx, async ({ call }, sessions) => {
    const missing = await call(LOGIN, form({ password: PASSWORD }));
    assert.deepEqual({ status: missing.status, body: missing.json }, { status: 400, body: { error: 'email missing' } }, 'POST login without an email answers checkLogin\'s 400 "email missing"');
    assert.equal(setCookie(missing.headers, '_my_session_id'), null, 'a failed login sets no cookie');
    const wrong = await call(LOGIN, form({ email: 'bob@hbtn.io', password: 'wrong' }));
    assert.deepEqual({ status: wrong.status, body: wrong.json }, { status: 401, body: { error: 'wrong password' } }, 'POST login with a wrong password answers 401 "wrong password"');
    const ok = await call(LOGIN, form({ email: 'bob@hbtn.io', password: PASSWORD }));
    assert.equal(ok.status, 200, 'POST login with the right email and password answers 200');
    assert.equal(ok.json?.email, 'bob@hbtn.io', "the login answers the user's JSON");
    const cookie = setCookie(ok.headers, '_my_session_id');
    assert.ok(cookie, 'the login answer sets the _my_session_id cookie (res.cookie with auth.sessionName)');
    assert.equal(sessions.get(cookie.value)?.userId, ok.json?.id, "the cookie's value is a session of that user (auth.createSession)");
    assert.ok(cookie.attributes.includes('HttpOnly') && cookie.attributes.includes('SameSite=Lax'), 'the cookie is set with auth.cookieOptions(): HttpOnly; SameSite=Lax');
    const planted = await call(LOGIN, { ...form({ email: 'bob@hbtn.io', password: PASSWORD }), headers: { ...form({}).headers, Cookie: `_my_session_id=${cookie.value}` } });
    const fresh = setCookie(planted.headers, '_my_session_id');
    assert.ok(fresh && fresh.value !== cookie.value, 'a login with a session cookie already set gets a fresh id (session fixation)');
    assert.equal(sessions.has(cookie.value), false, 'the session the login request came with is destroyed (auth.destroySession)');
    const me = await call('/api/v1/users/me', cookieHeader(fresh.value));
    assert.equal(me.status, 200, 'the new cookie authenticates GET /api/v1/users/me');
  });

export const logout: StepTest = (ctx) =>
  withLoginApp(ctx, async ({ call }, sessions) => {
    const ok = await call(LOGIN, form({ email: 'bob@hbtn.io', password: PASSWORD }));
    const value = setCookie(ok.headers, '_my_session_id')?.value ?? '';
    assert.ok(sessions.has(value), 'logging in works (step 3.4), and made a session');
    const out = await call(LOGOUT, { method: 'DELETE', ...cookieHeader(value) });
    assert.deepEqual({ status: out.status, body: out.json }, { status: 200, body: {} }, 'DELETE logout with a session cookie answers 200 {}');
    assert.equal(sessions.has(value), false, 'logout ends the session on the server (auth.destroySession)');
    const cleared = setCookie(out.headers, '_my_session_id');
    assert.ok(cleared && cleared.value === '' && cleared.attributes.some((a) => a.startsWith('Expires=Thu, 01 Jan 1970')), 'logout clears the cookie in the browser (res.clearCookie): an empty value that expired in 1970');
    assert.ok(cleared.attributes.includes('Path=/') && cleared.attributes.includes('HttpOnly'), 'the cookie is cleared with the attributes it was set with (auth.cookieOptions())');
    const again = await call('/api/v1/users/me', cookieHeader(value));
    assert.equal(again.status, 403, 'the old session id is refused afterwards: 403');
  });
