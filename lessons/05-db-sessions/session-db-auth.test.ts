import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { Request } from 'express';
import { loadConfig, maxSessionSeconds } from '../../shared/config.ts';
import { database, openDatabase, useDatabase } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { createUserSessionTable, hashSessionId, UserSession } from '../../shared/models/user-session.ts';
import { lastUseWriteFraction, purgeMaxRowsPerSweep, SessionDBAuth } from './session-db-auth.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

const dir = makeTempDir('session-db-auth-test-');
let databases = 0;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** A clock that only moves when the test says so: no test ever sleeps. */
function testClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** A fresh database file with one user; returns the file and the user's id. */
function freshDatabase(): { file: string; userId: string } {
  const file = join(dir, `test-${++databases}.db`);
  useDatabase(openDatabase(file));
  createUserSessionTable(database());
  const user = Object.assign(new User(), { email: 'bob@hbtn.io' });
  user.save();
  return { file, userId: user.id };
}

/** What a process restart does to the database: the connection closes, a new one opens. */
function restartDatabase(file: string): void {
  database().close();
  useDatabase(openDatabase(file));
}

/** A SessionDBAuth with these settings and clock (building one starts no timer). */
function newAuth(_t: TestContext, env: Record<string, string>, now: () => number): SessionDBAuth {
  return new SessionDBAuth(loadConfig(env), now);
}

/** A request carrying this session cookie (all destroySession reads of it). */
const requestWith = (sessionId: string | null) =>
  ({ cookies: sessionId === null ? {} : { _my_session_id: sessionId } }) as unknown as Request;

const storedRow = (sessionId: string) =>
  database().prepare('SELECT * FROM user_sessions WHERE session_hash = ?').get(hashSessionId(sessionId)) as
    | { created_at: string; updated_at: string }
    | undefined;

describe('SessionDBAuth: sessions as rows', () => {
  test('createSession stores a row and returns a 256-bit id; non-strings and unknown users get null', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, {}, clock.now);

    const sessionId = auth.createSession(userId);
    assert.match(sessionId ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(auth.size, 1);
    const row = storedRow(sessionId!)!;
    assert.equal(row.created_at, new Date(clock.now()).toISOString());
    assert.equal(row.updated_at, row.created_at);

    assert.equal(auth.createSession(null), null);
    assert.equal(auth.createSession(89), null);
    assert.equal(auth.createSession('no-such-user'), null);
    assert.equal(auth.size, 1);
  });

  test('userIdForSessionId finds the user by the row; unknown and non-string ids get null', (t) => {
    const { userId } = freshDatabase();
    const auth = newAuth(t, {}, Date.now);
    const first = auth.createSession(userId)!;
    const second = auth.createSession(userId)!;
    assert.notEqual(first, second);
    assert.equal(auth.userIdForSessionId(first), userId);
    assert.equal(auth.userIdForSessionId(second), userId);
    assert.equal(auth.userIdForSessionId('doesntexist'), null);
    assert.equal(auth.userIdForSessionId(hashSessionId(first)), null);
    assert.equal(auth.userIdForSessionId(null), null);
    assert.equal(auth.userIdForSessionId(89), null);
  });

  test('nothing is cached: a row deleted behind its back ends the session at once', (t) => {
    const { userId } = freshDatabase();
    const auth = newAuth(t, {}, Date.now);
    const sessionId = auth.createSession(userId)!;
    assert.equal(auth.userIdForSessionId(sessionId), userId);
    database().prepare('DELETE FROM user_sessions').run();
    assert.equal(auth.userIdForSessionId(sessionId), null);
  });

  test('destroySession: true once for a live session; false for no request, no cookie or an unknown id', (t) => {
    const { userId } = freshDatabase();
    const auth = newAuth(t, {}, Date.now);
    const sessionId = auth.createSession(userId)!;
    const other = auth.createSession(userId)!;

    assert.equal(auth.destroySession(null), false);
    assert.equal(auth.destroySession(undefined), false);
    assert.equal(auth.destroySession(requestWith(null)), false);
    assert.equal(auth.destroySession(requestWith('doesntexist')), false);
    assert.equal(auth.destroySession(requestWith(sessionId)), true);
    assert.equal(auth.destroySession(requestWith(sessionId)), false);
    assert.equal(auth.userIdForSessionId(sessionId), null);
    assert.equal(auth.userIdForSessionId(other), userId, 'the user’s other session lives on');
    assert.equal(auth.size, 1);
  });
});

describe('SessionDBAuth: two processes on one file', () => {
  test('a login on one connection is valid on the other at once, and so is a logout', (t) => {
    const { file, userId } = freshDatabase();
    // Two connections to one file, each with its own auth: what two server processes have.
    const dbA = database();
    const dbB = openDatabase(file);
    const authA = newAuth(t, { SESSION_IDLE_TIMEOUT: '600' }, Date.now);
    const authB = newAuth(t, { SESSION_IDLE_TIMEOUT: '600' }, Date.now);
    const onA = <T>(run: () => T) => (useDatabase(dbA), run());
    const onB = <T>(run: () => T) => (useDatabase(dbB), run());

    const sessionId = onA(() => authA.createSession(userId))!;
    assert.equal(
      onB(() => authB.userIdForSessionId(sessionId)),
      userId,
    );
    assert.equal(
      onB(() => authB.destroySession(requestWith(sessionId))),
      true,
    );
    assert.equal(
      onA(() => authA.userIdForSessionId(sessionId)),
      null,
    );
    assert.equal(
      onA(() => authA.destroySession(requestWith(sessionId))),
      false,
    );
    dbB.close();
  });
});

describe('SessionDBAuth: expiry from the stored times', () => {
  test('SESSION_DURATION: live until created + duration, then refused and its row deleted', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_DURATION: '3600' }, clock.now);
    const sessionId = auth.createSession(userId)!;

    clock.advance(HOUR_MS - 1);
    assert.equal(auth.userIdForSessionId(sessionId), userId);
    clock.advance(1);
    assert.equal(auth.userIdForSessionId(sessionId), null);
    assert.equal(storedRow(sessionId), undefined, 'deleted when found expired');
  });

  test('SESSION_IDLE_TIMEOUT: every use pushes the end back; unused that long, refused and deleted', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_IDLE_TIMEOUT: '600' }, clock.now);
    const sessionId = auth.createSession(userId)!;

    for (let i = 0; i < 5; i++) {
      clock.advance(9 * MINUTE_MS);
      assert.equal(auth.userIdForSessionId(sessionId), userId, `use ${i + 1}`);
    }
    clock.advance(10 * MINUTE_MS);
    assert.equal(auth.userIdForSessionId(sessionId), null);
    assert.equal(storedRow(sessionId), undefined);
  });

  test('an expired session cannot be logged out (false), and its row is deleted all the same', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_DURATION: '60' }, clock.now);
    const sessionId = auth.createSession(userId)!;
    clock.advance(MINUTE_MS);
    assert.equal(auth.destroySession(requestWith(sessionId)), false);
    assert.equal(auth.size, 0);
  });

  test('a restart neither resets nor extends expiry: a new instance applies the stored times', (t) => {
    const { file, userId } = freshDatabase();
    const clock = testClock();
    const before = newAuth(t, { SESSION_DURATION: '3600', SESSION_IDLE_TIMEOUT: '600' }, clock.now);
    const byDuration = before.createSession(userId)!;
    clock.advance(5 * MINUTE_MS);
    const byIdle = before.createSession(userId)!;
    // Keep the first one in use, so that only the absolute lifetime can end it.
    assert.equal(before.userIdForSessionId(byDuration), userId);
    for (let i = 0; i < 6; i++) {
      clock.advance(9 * MINUTE_MS);
      assert.equal(before.userIdForSessionId(byDuration), userId);
    }
    // Now 59 minutes after the first login; byIdle has been idle for 54.

    restartDatabase(file);
    const after = newAuth(t, { SESSION_DURATION: '3600', SESSION_IDLE_TIMEOUT: '600' }, clock.now);
    assert.equal(after.userIdForSessionId(byIdle), null, 'idle since before the restart');
    assert.equal(after.userIdForSessionId(byDuration), userId, 'still inside its hour');
    clock.advance(MINUTE_MS);
    assert.equal(after.userIdForSessionId(byDuration), null, 'its hour is up, restart or not');
    assert.equal(after.size, 0);
  });

  test('a session and a logout both survive a restart', (t) => {
    const { file, userId } = freshDatabase();
    const before = newAuth(t, {}, Date.now);
    const kept = before.createSession(userId)!;
    const loggedOut = before.createSession(userId)!;
    assert.equal(before.destroySession(requestWith(loggedOut)), true);

    restartDatabase(file);
    const after = newAuth(t, {}, Date.now);
    assert.equal(after.userIdForSessionId(kept), userId);
    assert.equal(after.userIdForSessionId(loggedOut), null);
  });
});

describe('SessionDBAuth: writes of the last use', () => {
  test('without an idle timeout, using a session writes nothing', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_DURATION: '3600' }, clock.now);
    const sessionId = auth.createSession(userId)!;
    const created = storedRow(sessionId)!;
    clock.advance(30 * MINUTE_MS);
    assert.equal(auth.userIdForSessionId(sessionId), userId);
    assert.deepEqual(storedRow(sessionId), created);
  });

  test('with an idle timeout, the last use is written at most once per tenth of it', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_IDLE_TIMEOUT: '600' }, clock.now);
    const sessionId = auth.createSession(userId)!;
    const loginTime = new Date(clock.now()).toISOString();
    const step = 600_000 * lastUseWriteFraction; // one minute

    clock.advance(step - 1);
    assert.equal(auth.userIdForSessionId(sessionId), userId);
    assert.equal(storedRow(sessionId)!.updated_at, loginTime, 'too recent to be worth a write');

    clock.advance(1);
    assert.equal(auth.userIdForSessionId(sessionId), userId);
    assert.equal(storedRow(sessionId)!.updated_at, new Date(clock.now()).toISOString());
  });
});

describe('SessionDBAuth: the purge', () => {
  test('sweepExpired deletes only expired rows, at most purgeMaxRowsPerSweep a call, and bounds the table', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_DURATION: '3600' }, clock.now);
    const expired = purgeMaxRowsPerSweep + 1_500;
    // Sessions nobody sends again: without a purge they would stay forever.
    database().transaction(() => {
      for (let i = 0; i < expired; i++) auth.createSession(userId);
    })();
    clock.advance(HOUR_MS);
    const live = Array.from({ length: 5 }, () => auth.createSession(userId)!);
    assert.equal(auth.size, expired + 5);

    assert.equal(auth.sweepExpired(), purgeMaxRowsPerSweep);
    assert.equal(auth.sweepExpired(), 1_500);
    assert.equal(auth.sweepExpired(), 0);
    assert.equal(auth.size, 5);
    for (const sessionId of live) assert.equal(auth.userIdForSessionId(sessionId), userId);
  });

  test('with only an idle timeout, the purge deletes unused sessions and keeps used ones', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, { SESSION_IDLE_TIMEOUT: '600' }, clock.now);
    const used = auth.createSession(userId)!;
    const unused = auth.createSession(userId)!;
    clock.advance(9 * MINUTE_MS);
    auth.userIdForSessionId(used);
    clock.advance(MINUTE_MS);

    assert.equal(auth.sweepExpired(), 1);
    assert.equal(storedRow(unused), undefined);
    assert.equal(auth.userIdForSessionId(used), userId);
  });

  test('without limits nothing expires, and the purge deletes nothing', (t) => {
    const { userId } = freshDatabase();
    const clock = testClock();
    const auth = newAuth(t, {}, clock.now);
    const sessionId = auth.createSession(userId)!;
    clock.advance(10_000 * HOUR_MS);
    assert.equal(auth.sweepExpired(), 0);
    assert.equal(auth.userIdForSessionId(sessionId), userId);
  });

  test('with the longest limits the configuration accepts, a login, a use and a sweep work (no Invalid Date)', (t) => {
    const { userId } = freshDatabase();
    const longest = String(maxSessionSeconds);
    const auth = newAuth(t, { SESSION_DURATION: longest, SESSION_IDLE_TIMEOUT: longest }, Date.now);
    const sessionId = auth.createSession(userId)!;
    assert.equal(auth.userIdForSessionId(sessionId), userId);
    assert.equal(auth.sweepExpired(), 0);
  });
});
