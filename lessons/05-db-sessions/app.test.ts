import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../shared/config.ts';
import { database, openDatabase, useDatabase } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { createUserSessionTable, hashSessionId, UserSession } from '../../shared/models/user-session.ts';
import { createSessionDBApp } from './app.ts';
import { SessionDBAuth } from './session-db-auth.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

const email = 'bob@hbtn.io';
const password = 'H0lbertonSchool98!';

/**
 * A password hash at a low scrypt cost. `verifyPassword` reads the cost from the stored
 * hash, so 500 logins take a second, not a minute; the login code path is the real one.
 */
function cheapPasswordHash(plain: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(plain, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

/** The session id a response's Set-Cookie header carries, or null. */
function sessionIdOf(response: Response): string | null {
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('_my_session_id='));
  return cookie ? cookie.slice('_my_session_id='.length).split(';')[0]! : null;
}

/** Lesson 5's app on a real socket, over a fresh database file with bob in it. */
function startApp(env: Record<string, string>) {
  const state = { base: '', file: '', auth: undefined as unknown as SessionDBAuth, server: undefined as Server | undefined };
  before(async () => {
    state.file = join(makeTempDir('lesson-5-app-test-'), 'test.db');
    useDatabase(openDatabase(state.file));
    createUserSessionTable(database());
    const bob = Object.assign(new User(), { email, passwordHash: cheapPasswordHash(password) });
    bob.save();
    const config = loadConfig(env);
    state.auth = new SessionDBAuth(config);
    const server = createSessionDBApp(state.auth).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    state.server = server;
  });
  // Registered here, not inside before(): Node 20 runs an after() called in a hook right away.
  after(() => {
    state.server?.closeAllConnections();
    state.server?.close();
  });
  const login = (body: Record<string, string> = { email, password }, cookie?: string) =>
    fetch(`${state.base}/auth_session/login`, {
      method: 'POST',
      body: new URLSearchParams(body),
      headers: cookie ? { cookie: `_my_session_id=${cookie}` } : {},
    });
  const me = (sessionId: string) => fetch(`${state.base}/users/me`, { headers: { cookie: `_my_session_id=${sessionId}` } });
  const logout = (sessionId: string) =>
    fetch(`${state.base}/auth_session/logout`, { method: 'DELETE', headers: { cookie: `_my_session_id=${sessionId}` } });
  return { state, login, me, logout };
}

describe('lesson 5 over HTTP: what lessons 2 to 4 promise still holds', () => {
  const { state, login, me, logout } = startApp({ SESSION_DURATION: '3600' });

  test('login sets an HttpOnly, SameSite=Lax cookie with Max-Age; /users/me; logout clears it', async () => {
    const response = await login();
    assert.equal(response.status, 200);
    assert.equal((await response.json()).email, email);
    const [cookie] = response.headers.getSetCookie();
    assert.match(cookie!, /^_my_session_id=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const sessionId = sessionIdOf(response)!;

    assert.equal((await me(sessionId)).status, 200);
    const out = await logout(sessionId);
    assert.equal(out.status, 200);
    assert.deepEqual(await out.json(), {});
    assert.match(out.headers.getSetCookie()[0]!, /^_my_session_id=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/);

    const after = await me(sessionId);
    assert.equal(after.status, 403);
    assert.deepEqual(await after.json(), { error: 'Forbidden' });
    // The guard refuses the dead cookie before the logout route runs, as in lesson 3.
    assert.equal((await logout(sessionId)).status, 403);
    assert.equal(UserSession.findBySessionId(sessionId), null);
  });

  test('the course’s login errors, unchanged', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 400, 'email missing'],
      [{ email }, 400, 'password missing'],
      [{ email: 'nobody@hbtn.io', password }, 404, 'no user found for this email'],
      [{ email, password: 'wrong' }, 401, 'wrong password'],
    ];
    for (const [body, status, error] of cases) {
      const response = await login(body);
      assert.equal(response.status, status, error);
      assert.deepEqual(await response.json(), { error });
      assert.equal(sessionIdOf(response), null);
    }
  });

  test('a login ends the session the request brought, and stores only the new one', async () => {
    const first = sessionIdOf(await login())!;
    const rowsBefore = state.auth.size;
    const second = sessionIdOf(await login(undefined, first))!;
    assert.notEqual(second, first);
    assert.equal((await me(first)).status, 403);
    assert.equal((await me(second)).status, 200);
    assert.equal(state.auth.size, rowsBefore);
  });
});

describe('lesson 5 over HTTP: many logins at once', () => {
  const { state, login, me } = startApp({});
  const logins = 500;
  let sessionIds: string[] = [];

  test(`${logins} concurrent logins all get distinct ids, each valid`, async () => {
    const responses = await Promise.all(Array.from({ length: logins }, () => login()));
    assert.deepEqual(
      responses.map((response) => response.status),
      Array(logins).fill(200),
    );
    sessionIds = responses.map((response) => sessionIdOf(response)!);
    assert.equal(new Set(sessionIds).size, logins);
    assert.equal(state.auth.size, logins);

    const checks = await Promise.all(sessionIds.map((sessionId) => me(sessionId)));
    assert.deepEqual(
      checks.map((response) => response.status),
      Array(logins).fill(200),
    );
  });

  test('the database file and its WAL hold no session id, only hashes', () => {
    assert.equal(sessionIds.length, logins);
    const files = [state.file, `${state.file}-wal`, `${state.file}-shm`].filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    for (const sessionId of sessionIds) {
      assert.equal(bytes.indexOf(sessionId), -1, `session id found in ${files.join(', ')}`);
    }
    // The search works: the hashes of those ids are there, in the same bytes.
    const found = sessionIds.filter((sessionId) => bytes.indexOf(hashSessionId(sessionId)) !== -1);
    assert.equal(found.length, logins);
  });
});
