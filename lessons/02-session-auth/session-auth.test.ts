import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../shared/config.ts';
import type { User } from '../../shared/models/user.ts';
import { createUser, listen, useTemporaryDatabase } from '../../shared/testing.ts';
import { createSessionApp } from './app.ts';
import { SessionAuth } from './session-auth.ts';

const config = loadConfig({});

describe('SessionAuth (the course examples)', () => {
  const auth = new SessionAuth(config);

  test('createSession refuses a user id that is not a string', () => {
    assert.equal(auth.createSession(null), null);
    assert.equal(auth.createSession(89), null);
  });

  test('one user may hold several sessions, each resolving to the user', () => {
    const first = auth.createSession('abcde');
    const second = auth.createSession('abcde');
    assert.ok(first && second);
    assert.notEqual(first, second);
    assert.equal(auth.userIdForSessionId(first), 'abcde');
    assert.equal(auth.userIdForSessionId(second), 'abcde');
  });

  test('an unknown or non-string session id has no user', () => {
    assert.equal(auth.userIdForSessionId('doesntexist'), null);
    assert.equal(auth.userIdForSessionId(null), null);
    assert.equal(auth.userIdForSessionId(89), null);
  });

  test('ids carry 256 random bits as 43 base64url characters and never repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => auth.createSession('u')));
    assert.equal(ids.size, 10_000);
    for (const id of [...ids].slice(0, 100)) assert.match(id!, /^[A-Za-z0-9_-]{43}$/);
  });
});

describe('lesson 2 over HTTP', () => {
  let base: string;
  let auth: SessionAuth;
  let user: User;
  let close: () => void;
  after(() => close());

  before(async () => {
    useTemporaryDatabase();
    user = await createUser('bob@hbtn.io', 'H0lbertonSchool98!');
    auth = new SessionAuth(config);
    const server = await listen(createSessionApp(auth));
    base = `${server.url}/api/v1`;
    close = server.close;
  });

  const me = (headers: Record<string, string> = {}, path = '/users/me') => fetch(base + path, { headers });

  test('the session cookie authenticates /users/me', async () => {
    const sessionId = auth.createSession(user.id)!;
    const res = await me({ cookie: `_my_session_id=${sessionId}` });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).email, 'bob@hbtn.io');
  });

  test('no cookie and no header is 401; an unknown id is 403', async () => {
    assert.equal((await me()).status, 401);
    const forged = await me({ cookie: '_my_session_id=forged' });
    assert.equal(forged.status, 403);
    assert.deepEqual(await forged.json(), { error: 'Forbidden' });
  });

  test('a cookie under another name counts as no cookie', async () => {
    const sessionId = auth.createSession(user.id)!;
    assert.equal((await me({ cookie: `other_name=${sessionId}` })).status, 401);
  });

  test('a Basic header alone is 403 under session_auth', async () => {
    const basic = Buffer.from('bob@hbtn.io:H0lbertonSchool98!').toString('base64');
    assert.equal((await me({ authorization: `Basic ${basic}` })).status, 403);
  });

  test('a session id in the URL is never accepted', async () => {
    const sessionId = auth.createSession(user.id)!;
    assert.equal((await me({}, `/users/me?_my_session_id=${sessionId}`)).status, 401);
  });

  test('the cookie value "C is fun" is read back intact', async () => {
    const sessionId = auth.createSession(user.id)!;
    // Put a known id in the map under a value with spaces, as the course's test does.
    (auth as unknown as { sessions: Map<string, { userId: string }> }).sessions.set('C is fun', { userId: user.id });
    assert.equal((await me({ cookie: '_my_session_id=C is fun' })).status, 200);
    assert.equal((await me({ cookie: '_my_session_id=C%20is%20fun' })).status, 200);
    assert.ok(sessionId);
  });

  test('a JSON-looking cookie ("j:{...}") is not a session id and never a 500', async () => {
    const res = await me({ cookie: '_my_session_id=j:{"a":1}' });
    assert.ok(res.status === 401 || res.status === 403, `got ${res.status}`);
  });

  test('only the course\'s paths are excluded: there is no login route yet, and nothing opens its path', async () => {
    const res = await fetch(base + '/auth_session/login', { method: 'POST' });
    assert.equal(res.status, 401);
  });
});
