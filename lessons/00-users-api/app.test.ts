import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase, useDatabase } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { createUsersApp } from './app.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

// One server on a free port and one SQLite file for the whole file.
let server: Server;
let base: string;
before(async () => {
  useDatabase(openDatabase(join(makeTempDir('users-api-test-'), 'test.db')));
  server = createUsersApp().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
after(() => server.close());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is empty. */
  json: any;
}

/** Sends one request and reads the answer; no answer may ever carry a stack trace. */
async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(base + path, init);
  const text = await response.text();
  assert.doesNotMatch(text, /\n\s+at |node_modules|<html|<pre>/i, `${init.method ?? 'GET'} ${path} leaked: ${text}`);
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
}

/** Sends `body` as JSON with the given method. */
function send(method: string, path: string, body: unknown): Promise<Answer> {
  return call(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** A user saved directly through the model: no password, so no slow hashing. */
function saveUser(email: string): User {
  const user = Object.assign(new User(), { email, firstName: 'Ann', lastName: 'Lee' });
  user.save();
  return user;
}

// --- Index ---

test('GET /status answers {"status": "OK"}', async () => {
  const { status, headers, json } = await call('/status');
  assert.equal(status, 200);
  assert.match(headers.get('content-type')!, /^application\/json/);
  assert.deepEqual(json, { status: 'OK' });
});

test('HEAD /status answers 200 with no body', async () => {
  const { status, text } = await call('/status', { method: 'HEAD' });
  assert.equal(status, 200);
  assert.equal(text, '');
});

test('GET /stats counts the users', async () => {
  const before = (await call('/stats')).json.users;
  saveUser('stats@hbtn.io');
  const { status, json } = await call('/stats');
  assert.equal(status, 200);
  assert.deepEqual(json, { users: before + 1 });
});

// --- Reading users ---

test('GET /users lists every user as the course JSON', async () => {
  const ann = saveUser('list@hbtn.io');
  const { status, json } = await call('/users');
  assert.equal(status, 200);
  assert.ok(Array.isArray(json));
  assert.deepEqual(
    json.find((user: { id: string }) => user.id === ann.id),
    ann.toJSON(),
  );
});

test('GET /users/:id answers the user', async () => {
  const ann = saveUser('show@hbtn.io');
  const { status, json } = await call(`/users/${ann.id}`);
  assert.equal(status, 200);
  assert.deepEqual(json, ann.toJSON());
});

test('GET /users/:id answers 404 {"error": "Not found"} for an unknown id', async () => {
  const { status, json } = await call('/users/no-such-id');
  assert.equal(status, 404);
  assert.deepEqual(json, { error: 'Not found' });
});

// --- POST /users: the checks come in the course's order ---

test('POST /users without a JSON body answers 400 "Wrong format"', async () => {
  const cases: RequestInit[] = [
    {}, // no body at all
    { body: '{"email": "a@hbtn.io", "password": "pwd"}' }, // JSON text, but sent as text/plain
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=a%40hbtn.io&password=pwd' },
    { headers: { 'Content-Type': 'application/json' }, body: '' }, // announced as JSON, but empty
    { headers: { 'Content-Type': 'application/json' }, body: '["a@hbtn.io", "pwd"]' }, // JSON, not an object
  ];
  for (const init of cases) {
    const { status, json } = await call('/users', { ...init, method: 'POST' });
    assert.equal(status, 400, JSON.stringify(init));
    assert.deepEqual(json, { error: 'Wrong format' }, JSON.stringify(init));
  }
});

test('POST /users with malformed JSON answers 400 "Wrong format"', async () => {
  const { status, json } = await call('/users', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"email": "a@hbtn.io",',
  });
  assert.equal(status, 400);
  assert.deepEqual(json, { error: 'Wrong format' });
});

test('POST /users without an email answers 400 "email missing", before looking at the password', async () => {
  for (const body of [{}, { email: '' }, { password: 'pwd' }, { email: 89, password: 'pwd' }]) {
    const { status, json } = await send('POST', '/users', body);
    assert.equal(status, 400, JSON.stringify(body));
    assert.deepEqual(json, { error: 'email missing' }, JSON.stringify(body));
  }
});

test('POST /users without a password answers 400 "password missing"', async () => {
  for (const body of [{ email: 'a@hbtn.io' }, { email: 'a@hbtn.io', password: '' }]) {
    const { status, json } = await send('POST', '/users', body);
    assert.equal(status, 400, JSON.stringify(body));
    assert.deepEqual(json, { error: 'password missing' }, JSON.stringify(body));
  }
});

test('POST /users creates the user and answers 201 with its JSON, never the password', async () => {
  const body = { email: 'new@hbtn.io', password: 'H0lbertonSchool98!', first_name: 'New', last_name: 'User' };
  const { status, json, text } = await send('POST', '/users', body);
  assert.equal(status, 201);
  assert.deepEqual(Object.keys(json).sort(), ['created_at', 'email', 'first_name', 'id', 'last_name', 'updated_at']);
  assert.deepEqual([json.email, json.first_name, json.last_name], ['new@hbtn.io', 'New', 'User']);
  assert.ok(!text.includes('H0lbertonSchool98!'));
  assert.deepEqual((await call(`/users/${json.id}`)).json, json);
  assert.equal(await User.get(json.id)?.isValidPassword('H0lbertonSchool98!'), true);
});

test('POST /users with an email taken in another case answers 400 "Can\'t create User: ..."', async () => {
  saveUser('taken@hbtn.io');
  const { status, json } = await send('POST', '/users', { email: 'Taken@HBTN.io', password: 'pwd' });
  assert.equal(status, 400);
  assert.match(json.error, /^Can't create User: /);
  assert.equal(User.search({ email: 'taken@hbtn.io' }).length, 1);
});

test('POST /users refuses an email with a control character or surrounding spaces, and its Unicode twins', async () => {
  saveUser('twin@hbtn.io');
  for (const email of ['twin@hbtn.io\u0000evil', 'twin@hbtn.io ', 'ｔｗｉｎ@hbtn.io', 'TWIN@HBTN.İO']) {
    const { status, json } = await send('POST', '/users', { email, password: 'pwd' });
    assert.equal(status, 400, JSON.stringify(email));
    assert.match(json.error, /^Can't create User: /, JSON.stringify(email));
  }
  assert.equal(User.search({ email: 'twin@hbtn.io' }).length, 1);
});

// --- PUT /users/:id ---

test('PUT /users/:id changes first and last name only, and answers 200 with the user', async () => {
  const ann = saveUser('put@hbtn.io');
  const { status, json } = await send('PUT', `/users/${ann.id}`, {
    first_name: 'Bob',
    last_name: 'Dylan',
    email: 'changed@hbtn.io',
    id: 'another-id',
  });
  assert.equal(status, 200);
  assert.deepEqual([json.id, json.email, json.first_name, json.last_name], [ann.id, 'put@hbtn.io', 'Bob', 'Dylan']);
  const stored = User.get(ann.id)!;
  assert.deepEqual([stored.email, stored.firstName, stored.lastName], ['put@hbtn.io', 'Bob', 'Dylan']);
});

test('PUT /users/:id leaves a name alone when it is absent from the body', async () => {
  const ann = saveUser('put-partial@hbtn.io');
  const { json } = await send('PUT', `/users/${ann.id}`, { last_name: 'Smith' });
  assert.deepEqual([json.first_name, json.last_name], ['Ann', 'Smith']);
});

test('PUT /users/:id answers 404 for an unknown id', async () => {
  const { status, json } = await send('PUT', '/users/no-such-id', { first_name: 'Bob' });
  assert.equal(status, 404);
  assert.deepEqual(json, { error: 'Not found' });
});

test('PUT /users/:id without a JSON object answers 400 "Wrong format"', async () => {
  const ann = saveUser('put-wrong@hbtn.io');
  const cases: RequestInit[] = [
    {},
    { body: 'first_name=Bob' },
    { headers: { 'Content-Type': 'application/json' }, body: '' },
    { headers: { 'Content-Type': 'application/json' }, body: '{' },
  ];
  for (const init of cases) {
    const { status, json } = await call(`/users/${ann.id}`, { ...init, method: 'PUT' });
    assert.equal(status, 400, JSON.stringify(init));
    assert.deepEqual(json, { error: 'Wrong format' }, JSON.stringify(init));
  }
});

// --- DELETE /users/:id ---

test('DELETE /users/:id answers 200 {} and the user is gone', async () => {
  const ann = saveUser('delete@hbtn.io');
  const deleted = await call(`/users/${ann.id}`, { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  assert.deepEqual(deleted.json, {});
  assert.equal((await call(`/users/${ann.id}`)).status, 404);
  assert.equal((await call(`/users/${ann.id}`, { method: 'DELETE' })).status, 404);
});

test('DELETE /users/:id ignores an empty body announced as JSON', async () => {
  const ann = saveUser('delete-empty-body@hbtn.io');
  const deleted = await call(`/users/${ann.id}`, {
    method: 'DELETE',
    headers: { 'Content-Type': 'application/json' },
    body: '',
  });
  assert.equal(deleted.status, 200);
});

// --- What the course leaves unspecified: always a JSON answer ---

test('an unknown route answers 404 {"error": "Not found"}', async () => {
  for (const path of ['/nope', '/users/a/b', '/../nope']) {
    const { status, json } = await call(path);
    assert.equal(status, 404, path);
    assert.deepEqual(json, { error: 'Not found' }, path);
  }
});

test('a method a route does not have answers 405 JSON with an Allow header', async () => {
  const users = await call('/users', { method: 'PATCH' });
  assert.equal(users.status, 405);
  assert.deepEqual(users.json, { error: 'Method Not Allowed' });
  assert.equal(users.headers.get('allow'), 'GET, POST, HEAD, OPTIONS');

  const status = await call('/status', { method: 'DELETE' });
  assert.equal(status.status, 405);
  assert.equal(status.headers.get('allow'), 'GET, HEAD, OPTIONS');
});

test('OPTIONS answers 204 with the Allow header', async () => {
  const { status, headers, text } = await call('/users/some-id', { method: 'OPTIONS' });
  assert.equal(status, 204);
  assert.equal(text, '');
  assert.equal(headers.get('allow'), 'GET, PUT, DELETE, HEAD, OPTIONS');
});

test('a body over 10kb answers 413 JSON', async () => {
  const { status, json } = await send('POST', '/users', { email: 'big@hbtn.io', password: 'x'.repeat(11 * 1024) });
  assert.equal(status, 413);
  assert.deepEqual(json, { error: 'Payload Too Large' });
});

test('a JSON body in a charset the server does not read answers 415 JSON', async () => {
  const { status, json } = await call('/users', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json; charset=ebcdic' },
    body: '{}',
  });
  assert.equal(status, 415);
  assert.deepEqual(json, { error: 'Unsupported Media Type' });
});

test('an id that is not valid percent-encoding answers 400 JSON, not a crash', async () => {
  const { status, json } = await call('/users/%E0%A4%A');
  assert.equal(status, 400);
  assert.deepEqual(json, { error: 'Bad Request' });
});

test('every route accepts a trailing slash', async () => {
  const ann = saveUser('slash@hbtn.io');
  assert.equal((await call('/status/')).status, 200);
  assert.equal((await call('/stats/')).status, 200);
  assert.equal((await call('/users/')).status, 200);
  assert.equal((await call(`/users/${ann.id}/`)).status, 200);
  // The POST route is reached (it checks the body) rather than a 404.
  assert.deepEqual((await send('POST', '/users/', { email: 'slash2@hbtn.io' })).json, { error: 'password missing' });
  assert.equal((await send('PUT', `/users/${ann.id}/`, { first_name: 'Slash' })).json.first_name, 'Slash');
  assert.deepEqual((await call(`/users/${ann.id}/`, { method: 'DELETE' })).json, {});
});

test('the answers do not advertise the framework', async () => {
  const { headers } = await call('/status');
  assert.equal(headers.get('x-powered-by'), null);
});
