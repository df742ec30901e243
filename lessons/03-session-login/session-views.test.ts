import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../shared/config.ts';
import type { User } from '../../shared/models/user.ts';
import { createUser, listen, useTemporaryDatabase } from '../../shared/testing.ts';
import { pickApp } from '../../shared/server.ts';
import { basicAuthTypes } from '../01-basic-auth/app.ts';
import { createSessionLoginApp, sessionLoginAuthTypes } from './app.ts';
import { SessionLoginAuth } from './session-login-auth.ts';

const password = 'H0lbertonSchool98!';

describe('lesson 3: login and logout over HTTP', () => {
  let api: string;
  let bob: User;
  let close: () => void;
  after(() => close());

  before(async () => {
    useTemporaryDatabase();
    bob = await createUser('bob@hbtn.io', password);
    const config = loadConfig({});
    const server = await listen(createSessionLoginApp(new SessionLoginAuth(config)));
    api = `${server.url}/api/v1`;
    close = server.close;
  });

  const login = (body: string | undefined, type = 'application/x-www-form-urlencoded', cookie?: string) =>
    fetch(`${api}/auth_session/login`, {
      method: 'POST',
      body,
      headers: { ...(body !== undefined && { 'content-type': type }), ...(cookie && { cookie }) },
    });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  /** The session id from a Set-Cookie header. */
  const sessionIdOf = (res: Response) => /_my_session_id=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const me = (sessionId: string) => fetch(`${api}/users/me`, { headers: { cookie: `_my_session_id=${sessionId}` } });
  const logout = (sessionId: string, method = 'DELETE') =>
    fetch(`${api}/auth_session/logout`, { method, headers: { cookie: `_my_session_id=${sessionId}` } });

  test('the errors come in the course order, with no cookie', async () => {
    const cases: [string | undefined, number, string][] = [
      [undefined, 400, 'email missing'],
      ['', 400, 'email missing'],
      [form({ email: '', password }), 400, 'email missing'],
      [form({ email: 'bob@hbtn.io' }), 400, 'password missing'],
      [form({ email: 'nobody@hbtn.io', password }), 404, 'no user found for this email'],
      [form({ email: 'bob@hbtn.io', password: 'wrong' }), 401, 'wrong password'],
    ];
    for (const [body, status, error] of cases) {
      const res = await login(body);
      assert.equal(res.status, status, `body ${body}`);
      assert.deepEqual(await res.json(), { error });
      assert.equal(res.headers.get('set-cookie'), null, 'a failed login sets no cookie');
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  test('a malformed JSON body is a 400, not a 500', async () => {
    const res = await login('{"email":', 'application/json');
    assert.equal(res.status, 400);
  });

  test('login sets an HttpOnly, SameSite=Lax cookie on Path=/ with no Domain', async () => {
    const res = await login(form({ email: 'BOB@hbtn.io', password }));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).id, bob.id);
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /^_my_session_id=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });

  test('JSON login works too', async () => {
    const res = await login(JSON.stringify({ email: 'bob@hbtn.io', password }), 'application/json');
    assert.equal(res.status, 200);
    assert.ok(sessionIdOf(res));
  });

  test('login issues a fresh id and ends the session the request came with', async () => {
    const first = sessionIdOf(await login(form({ email: 'bob@hbtn.io', password })))!;
    const again = await login(form({ email: 'bob@hbtn.io', password }), undefined, `_my_session_id=${first}`);
    const second = sessionIdOf(again)!;
    assert.notEqual(second, first);
    assert.equal((await me(first)).status, 403);
    assert.equal((await me(second)).status, 200);
  });

  test('an id chosen by an attacker is never adopted', async () => {
    const res = await login(form({ email: 'bob@hbtn.io', password }), undefined, '_my_session_id=attacker-chosen');
    assert.notEqual(sessionIdOf(res), 'attacker-chosen');
    assert.equal((await me('attacker-chosen')).status, 403);
  });

  test('logout ends the session server-side and clears the cookie', async () => {
    const sessionId = sessionIdOf(await login(form({ email: 'bob@hbtn.io', password })))!;
    const res = await logout(sessionId);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.match(res.headers.get('set-cookie')!, /^_my_session_id=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);
    assert.equal((await me(sessionId)).status, 403);
    assert.equal((await logout(sessionId)).status, 403);
  });

  test('logout without a cookie is 401; GET on logout is 405 and the session stays', async () => {
    assert.equal((await fetch(`${api}/auth_session/logout`, { method: 'DELETE' })).status, 401);
    const sessionId = sessionIdOf(await login(form({ email: 'bob@hbtn.io', password })))!;
    const res = await logout(sessionId, 'GET');
    assert.equal(res.status, 405);
    assert.deepEqual(await res.json(), { error: 'Method Not Allowed' });
    assert.equal((await me(sessionId)).status, 200);
  });

  test("logging out one session leaves the user's other sessions alive", async () => {
    const laptop = sessionIdOf(await login(form({ email: 'bob@hbtn.io', password })))!;
    const phone = sessionIdOf(await login(form({ email: 'bob@hbtn.io', password })))!;
    assert.equal((await logout(laptop)).status, 200);
    assert.equal((await me(phone)).status, 200);
  });
});

describe('lesson 3 under basic_auth', () => {
  test("there is no login route when the auth is not session based: lesson 1's app runs", async (t) => {
    useTemporaryDatabase();
    const lesson3 = { ...basicAuthTypes, ...sessionLoginAuthTypes };
    const { app } = await pickApp(lesson3, 'basic_auth', 'session_auth')(loadConfig({}));
    const { url, close } = await listen(app);
    t.after(close);
    // Lesson 1's guard excludes the course's paths only: no credentials, 401.
    const res = await fetch(`${url}/api/v1/auth_session/login`, { method: 'POST' });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
  });
});

describe('SessionLoginAuth.destroySession', () => {
  test('is false without a request', () => {
    assert.equal(new SessionLoginAuth(loadConfig({})).destroySession(null), false);
  });

  test('sets Secure on the cookie when COOKIE_SECURE=true', () => {
    assert.equal(new SessionLoginAuth(loadConfig({ COOKIE_SECURE: 'true' })).cookieOptions().secure, true);
  });
});
