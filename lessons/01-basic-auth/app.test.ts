import assert from 'node:assert/strict';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import { ConfigError, loadConfig } from '../../shared/config.ts';
import { openDatabase, useDatabase } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { pickApp } from '../../shared/server.ts';
import { basicAuthTypes, createBasicAuthApp } from './app.ts';
import { Auth } from './auth.ts';
import { BasicAuth } from './basic-auth.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

/** `Authorization: Basic base64(email:password)`, as curl -u sends it. */
function basic(credentials: string): string {
  return 'Basic ' + Buffer.from(credentials).toString('base64');
}

const bobHeader = 'Basic Ym9iQGhidG4uaW86SDBsYmVydG9uU2Nob29sOTgh'; // bob@hbtn.io:H0lbertonSchool98!

/** Starts `app` on a free port for this test only; returns its `/api/v1` URL. */
async function listen(t: TestContext, app: Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  t.after(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
}

// Two users in a real SQLite file; each hash costs ~100 ms, so they are made once.
let bob: User;
let bob100: User;
before(async () => {
  useDatabase(openDatabase(join(makeTempDir('basic-auth-app-test-'), 'test.db')));
  [bob, bob100] = await Promise.all([
    createUser('bob@hbtn.io', 'H0lbertonSchool98!'),
    createUser('bob100@hbtn.io', 'H0lberton:School:98!'), // a password with colons
  ]);
});

async function createUser(email: string, password: string): Promise<User> {
  const user = Object.assign(new User(), { email });
  await user.setPassword(password);
  user.save();
  return user;
}

// --- Excluded paths ---

test('the excluded paths need no credentials, with or without a trailing slash', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  for (const path of ['/status', '/status/']) {
    const response = await fetch(api + path);
    assert.equal(response.status, 200, path);
    assert.deepEqual(await response.json(), { status: 'OK' });
  }
  for (const path of ['/unauthorized', '/unauthorized/']) assert.equal((await fetch(api + path)).status, 401, path);
  for (const path of ['/forbidden', '/forbidden/']) assert.equal((await fetch(api + path)).status, 403, path);
});

test('GET /unauthorized answers 401 "Unauthorized" and GET /forbidden 403 "Forbidden"', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  assert.deepEqual(await (await fetch(api + '/unauthorized')).json(), { error: 'Unauthorized' });
  assert.deepEqual(await (await fetch(api + '/forbidden')).json(), { error: 'Forbidden' });
});

// --- No credentials: 401 ---

test('a request without an Authorization header answers 401 with a Basic challenge', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  for (const path of ['/users', '/users/', '/stats', '/users/me', '/no-such-route']) {
    const response = await fetch(api + path);
    assert.equal(response.status, 401, path);
    assert.deepEqual(await response.json(), { error: 'Unauthorized' }, path);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+", charset="UTF-8"$/, path);
  }
});

// --- Credentials that identify nobody: 403 ---

test('credentials that identify nobody answer 403 {"error": "Forbidden"}', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  const headers = [
    'Basic test', // decodes to bytes that are not UTF-8: a 403, not a 500
    'Basic !!!!', // not base64
    basic('bob@hbtn.io:wrong password'),
    basic('nobody@hbtn.io:H0lbertonSchool98!'),
    basic('bob@hbtn.ioH0lbertonSchool98!'), // no colon
    'Bearer x',
    '',
  ];
  for (const authorization of headers) {
    const response = await fetch(api + '/users', { headers: { Authorization: authorization } });
    assert.equal(response.status, 403, JSON.stringify(authorization));
    assert.deepEqual(await response.json(), { error: 'Forbidden' });
  }
});

test('a user whose stored hash is malformed answers 403, not 500', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  const broken = Object.assign(new User(), { email: 'broken@hbtn.io', passwordHash: 'scrypt$abc$8$3$c2FsdA==$aGFzaA==' });
  broken.save();
  t.after(() => broken.remove());
  const response = await fetch(api + '/users', { headers: { Authorization: basic('broken@hbtn.io:anything') } });
  assert.equal(response.status, 403);
});

// --- The right credentials ---

test("bob's Basic header lists the users", async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  const response = await fetch(api + '/users', { headers: { Authorization: bobHeader } });
  assert.equal(response.status, 200);
  const emails = ((await response.json()) as { email: string }[]).map((user) => user.email).sort();
  assert.deepEqual(emails, ['bob100@hbtn.io', 'bob@hbtn.io']);
});

test('GET /users/me answers the authenticated user', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  const response = await fetch(api + '/users/me/', { headers: { Authorization: bobHeader } });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), bob.toJSON());
});

test('a password with colons authenticates: only the first colon separates the email', async (t) => {
  const api = await listen(t, createBasicAuthApp(new BasicAuth()));
  const authorization = basic('bob100@hbtn.io:H0lberton:School:98!');
  const response = await fetch(api + '/users/me', { headers: { Authorization: authorization } });
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { id: string }).id, bob100.id);
});

// --- The base Auth, and choosing the auth ---

test('with the base Auth, any header answers 403 and no header 401 (without a challenge)', async (t) => {
  const api = await listen(t, createBasicAuthApp(new Auth()));
  const withHeader = await fetch(api + '/users', { headers: { Authorization: bobHeader } });
  assert.equal(withHeader.status, 403);
  const withoutHeader = await fetch(api + '/users');
  assert.equal(withoutHeader.status, 401);
  assert.equal(withoutHeader.headers.get('www-authenticate'), null);
  assert.equal((await fetch(api + '/status')).status, 200);
});

test('AUTH_TYPE picks the app: basic_auth by default, the base class with auth', async (t) => {
  const { app } = await pickApp(basicAuthTypes, undefined, 'basic_auth')(loadConfig({}));
  const api = await listen(t, app);
  assert.equal((await fetch(api + '/users/me', { headers: { Authorization: bobHeader } })).status, 200);
  assert.match((await fetch(api + '/users/me')).headers.get('www-authenticate') ?? '', /^Basic /);
  const base = await pickApp(basicAuthTypes, 'auth', 'basic_auth')(loadConfig({}));
  const baseApi = await listen(t, base.app);
  // The base class names no scheme: its 401 has no challenge.
  assert.equal((await fetch(baseApi + '/users/me')).headers.get('www-authenticate'), null);
});

test('an AUTH_TYPE the lesson does not know is a ConfigError listing the known ones', () => {
  assert.throws(() => pickApp(basicAuthTypes, 'session_auth', 'basic_auth'), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /auth, basic_auth/);
    assert.match(error.message, /"session_auth"/);
    return true;
  });
  // Only the table's own keys: not what every object inherits.
  assert.throws(() => pickApp(basicAuthTypes, 'constructor', 'basic_auth'), ConfigError);
});
