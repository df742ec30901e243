import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { database, openDatabase, useDatabase } from '../db.ts';
import { User } from './user.ts';
import { createUserSessionTable, hashSessionId, UserSession } from './user-session.ts';
import { makeTempDir } from '../temp-dir.ts';

const dir = makeTempDir('user-session-test-');
let databases = 0;

/** An empty database of the test's own, in a real SQLite file, with one user (no password). */
function freshDatabaseWithUser(): User {
  useDatabase(openDatabase(join(dir, `test-${++databases}.db`)));
  createUserSessionTable(database());
  const user = Object.assign(new User(), { email: 'bob@hbtn.io' });
  user.save();
  return user;
}

const newId = () => randomBytes(32).toString('base64url');
const rows = () => database().prepare('SELECT * FROM user_sessions').all() as Record<string, unknown>[];
const at = (iso: string) => new Date(iso);

test('hashSessionId is SHA-256 in hex', () => {
  // The FIPS 180-2 test vector.
  assert.equal(hashSessionId('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.match(hashSessionId(newId()), /^[0-9a-f]{64}$/);
});

test('create stores the hash of the session id, never the id itself', () => {
  const user = freshDatabaseWithUser();
  const sessionId = newId();
  const session = UserSession.create(user.id, sessionId, at('2030-01-01T00:00:00.000Z'));
  assert.ok(session);

  const [row] = rows();
  assert.deepEqual(row, {
    id: session.id,
    user_id: user.id,
    session_hash: hashSessionId(sessionId),
    created_at: '2030-01-01T00:00:00.000Z',
    updated_at: '2030-01-01T00:00:00.000Z',
  });
  for (const value of Object.values(row!)) assert.ok(!String(value).includes(sessionId));
});

test('findBySessionId finds a session by its id, and nothing for another id', () => {
  const user = freshDatabaseWithUser();
  const sessionId = newId();
  const created = UserSession.create(user.id, sessionId)!;
  UserSession.create(user.id, newId());

  const found = UserSession.findBySessionId(sessionId);
  assert.ok(found instanceof UserSession);
  assert.equal(found.id, created.id);
  assert.equal(found.userId, user.id);
  assert.equal(found.createdAt.getTime(), created.createdAt.getTime());
  assert.equal(found.lastUsedAt.getTime(), created.createdAt.getTime());
  assert.equal(UserSession.findBySessionId(newId()), null);
  // The hash itself is not a session id: a stolen copy of the table logs nobody in.
  assert.equal(UserSession.findBySessionId(found.sessionHash), null);
});

test('create refuses a user who does not exist (null, no row)', () => {
  freshDatabaseWithUser();
  assert.equal(UserSession.create('no-such-user', newId()), null);
  assert.equal(UserSession.count(), 0);
});

test('deleting a user deletes their sessions, and only theirs', () => {
  const bob = freshDatabaseWithUser();
  const ann = Object.assign(new User(), { email: 'ann@hbtn.io' });
  ann.save();
  UserSession.create(bob.id, newId());
  UserSession.create(bob.id, newId());
  const annSession = UserSession.create(ann.id, newId())!;

  bob.remove();
  assert.deepEqual(
    UserSession.all().map((session) => session.id),
    [annSession.id],
  );
});

test('markUsed moves the last use forward, never back, and is false once the row is gone', () => {
  const user = freshDatabaseWithUser();
  const session = UserSession.create(user.id, newId(), at('2030-01-01T00:00:00.000Z'))!;

  assert.equal(session.markUsed(at('2030-01-01T00:10:00.000Z')), true);
  // A slower process writing an older time does not undo the newer one.
  assert.equal(session.markUsed(at('2030-01-01T00:05:00.000Z')), true);
  const stored = UserSession.get(session.id)!;
  assert.equal(stored.lastUsedAt.toISOString(), '2030-01-01T00:10:00.000Z');
  assert.equal(stored.createdAt.toISOString(), '2030-01-01T00:00:00.000Z');

  assert.equal(session.remove(), true);
  assert.equal(session.remove(), false);
  assert.equal(session.markUsed(at('2030-01-01T00:20:00.000Z')), false);
  assert.equal(UserSession.count(), 0);
});

test('removeExpired deletes by creation and by last use, up to its limit', () => {
  const user = freshDatabaseWithUser();
  const old = UserSession.create(user.id, newId(), at('2030-01-01T00:00:00.000Z'))!;
  const oldButUsed = UserSession.create(user.id, newId(), at('2030-01-01T00:00:00.000Z'))!;
  oldButUsed.markUsed(at('2030-01-01T02:00:00.000Z'));
  const recent = UserSession.create(user.id, newId(), at('2030-01-01T01:30:00.000Z'))!;

  assert.equal(UserSession.removeExpired({ limit: 100 }), 0, 'no bounds: nothing');
  assert.equal(UserSession.removeExpired({ usedBefore: at('2030-01-01T00:00:00.000Z'), limit: 100 }), 1);
  assert.equal(UserSession.get(old.id), null);

  assert.equal(UserSession.removeExpired({ createdBefore: at('2030-01-01T01:00:00.000Z'), limit: 100 }), 1);
  assert.equal(UserSession.get(oldButUsed.id), null);
  assert.ok(UserSession.get(recent.id));

  for (let i = 0; i < 5; i++) UserSession.create(user.id, newId(), at('2030-01-01T00:00:00.000Z'));
  assert.equal(UserSession.removeExpired({ createdBefore: at('2030-01-01T01:00:00.000Z'), limit: 3 }), 3);
  assert.equal(UserSession.count(), 3);
});

test('a lookup by session id and the purge are index searches, not table scans', () => {
  freshDatabaseWithUser();
  const plan = (sql: string) =>
    (database().prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ hash: 'h', created: 'c', used: 'u', limit: 1 }) as { detail: string }[])
      .map((step) => step.detail)
      .join('\n');

  // The query Base.search builds for findBySessionId: one row, by the unique index on the hash,
  // so /users/me costs the same with a thousand sessions stored or a million.
  const lookup = plan('SELECT * FROM user_sessions WHERE session_hash = @hash ORDER BY created_at, id');
  assert.match(lookup, /^SEARCH user_sessions USING INDEX sqlite_autoindex_user_sessions_\d \(session_hash=\?\)$/);

  const purge = plan(
    'SELECT rowid FROM user_sessions WHERE created_at <= @created OR updated_at <= @used LIMIT @limit',
  );
  assert.match(purge, /SEARCH user_sessions USING INDEX user_sessions_created_at \(created_at<\?\)/);
  assert.match(purge, /SEARCH user_sessions USING INDEX user_sessions_updated_at \(updated_at<\?\)/);
  assert.doesNotMatch(purge, /SCAN/);
});
