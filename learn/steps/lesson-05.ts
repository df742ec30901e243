/**
 * Lesson 5's steps: `SessionDBAuth` on a temporary SQLite file, with a clock set by hand.
 * What the tests see is the database: the rows, their hashes and their times.
 *
 * @module
 */
import assert from 'node:assert/strict';
import { database } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { createUserSessionTable, hashSessionId, UserSession } from '../../shared/models/user-session.ts';
import { config, fakeRequest, type StepContext, type StepTest } from './helpers.ts';

type DbAuthModule = typeof import('../../lessons/05-db-sessions/session-db-auth.ts');

/** What the tests call of SessionDBAuth's protected helpers. */
interface Helpers {
  findLiveSession(sessionId: unknown, now: number): UserSession | null;
  recordUse(session: UserSession, now: number): boolean;
}

/** A `SessionDBAuth` with these limits (seconds) on a clock set by hand, the table, and a user. */
async function dbAuth(ctx: StepContext, duration = '60', idle = '', email = 'bob@hbtn.io') {
  const { SessionDBAuth } = await ctx.load<DbAuthModule>('05-db-sessions/session-db-auth.ts');
  createUserSessionTable(database());
  const clock = { now: Date.parse('2030-01-01T00:00:00Z') };
  const auth = new SessionDBAuth(config({ SESSION_DURATION: duration, SESSION_IDLE_TIMEOUT: idle }), () => clock.now);
  const bob = Object.assign(new User(), { email });
  bob.save();
  return { auth, helpers: auth as unknown as Helpers, clock, bob };
}

/** A stored session of `userId`, created and last used at these times (ms). */
function storedSession(userId: string, sessionId: string, createdAt: number, lastUsedAt = createdAt): UserSession {
  const session = UserSession.create(userId, sessionId, new Date(createdAt))!;
  if (lastUsedAt !== createdAt) session.markUsed(new Date(lastUsedAt));
  return session;
}

const rows = () => database().prepare('SELECT session_hash, created_at, updated_at FROM user_sessions').all() as { session_hash: string; created_at: string; updated_at: string }[];

export const createSession: StepTest = async (ctx) => {
  const { auth, clock, bob } = await dbAuth(ctx);
  assert.equal(auth.createSession(89), null, 'createSession(89)');
  assert.equal(auth.createSession('no-such-user'), null, 'createSession of a user id no user has (UserSession.create says null)');
  const id = auth.createSession(bob.id);
  assert.match(String(id), /^[A-Za-z0-9_-]{43}$/, "createSession(bob.id) returns a new session id (lesson 2's newSessionId)");
  const stored = rows();
  assert.equal(stored.length, 1, 'createSession stores one row in user_sessions (UserSession.create)');
  assert.equal(stored[0]!.session_hash, hashSessionId(id!), 'the row holds the SHA-256 of the id, never the id itself');
  assert.equal(stored[0]!.created_at, new Date(clock.now).toISOString(), "the row's created_at is the auth's clock, this.now()");
  assert.equal(UserSession.findBySessionId(id!)?.userId, bob.id, "the row is Bob's");
};

export const findLiveSession: StepTest = async (ctx) => {
  const { helpers, clock, bob } = await dbAuth(ctx, '60', '10');
  const now = clock.now;
  storedSession(bob.id, 'live', now - 5_000);
  storedSession(bob.id, 'too-old', now - 60_000, now);
  storedSession(bob.id, 'idle', now - 20_000, now - 10_000);
  assert.equal(helpers.findLiveSession(89, now), null, 'findLiveSession(89, now)');
  assert.equal(helpers.findLiveSession('unknown', now), null, 'findLiveSession of an id with no row');
  assert.equal(helpers.findLiveSession('live', now)?.userId, bob.id, 'findLiveSession of a live session is its UserSession');
  assert.equal(helpers.findLiveSession('too-old', now), null, 'a session created 60 s ago, with a 60 s lifetime, is expired (from the stored created_at)');
  assert.equal(helpers.findLiveSession('idle', now), null, 'a session last used 10 s ago, with a 10 s idle timeout, is expired (from the stored updated_at)');
  assert.equal(rows().length, 1, 'the expired rows are deleted when found; the live one stays');
};

export const recordUse: StepTest = async (ctx) => {
  const { helpers, clock, bob } = await dbAuth(ctx, '', '100');
  const now = clock.now;
  const session = storedSession(bob.id, 'sid', now - 50_000);
  assert.equal(helpers.recordUse(session, now - 45_000), true, 'recordUse of a live row answers true');
  assert.equal(rows()[0]!.updated_at, new Date(now - 50_000).toISOString(), 'a use 5 s after the stored one (< 10% of a 100 s idle timeout) writes nothing');
  assert.equal(helpers.recordUse(session, now), true, 'recordUse 50 s after the stored use answers true');
  assert.equal(rows()[0]!.updated_at, new Date(now).toISOString(), 'a use 50 s after the stored one (>= 10% of the idle timeout) is written (session.markUsed)');
  session.remove();
  assert.equal(helpers.recordUse(session, now + 60_000), false, 'recordUse of a row another process deleted answers false');

  const { helpers: noIdle, clock: clock2, bob: ann } = await dbAuth(ctx, '60', '', 'ann@hbtn.io');
  const other = storedSession(ann.id, 'no-idle', clock2.now - 50_000);
  assert.equal(noIdle.recordUse(other, clock2.now), true, 'without an idle timeout recordUse answers true');
  assert.equal(rows().find((row) => row.session_hash === hashSessionId('no-idle'))!.updated_at, new Date(clock2.now - 50_000).toISOString(), 'without an idle timeout nothing reads the last use: no write');
};

export const userIdForSessionId: StepTest = async (ctx) => {
  const { auth, clock, bob } = await dbAuth(ctx, '60', '100');
  const now = clock.now;
  storedSession(bob.id, 'live', now - 30_000);
  storedSession(bob.id, 'too-old', now - 61_000, now - 1_000);
  assert.equal(auth.userIdForSessionId(89), null, 'userIdForSessionId(89)');
  assert.equal(auth.userIdForSessionId('live'), bob.id, 'a live stored session: its user id');
  assert.equal(rows().find((row) => row.session_hash === hashSessionId('live'))!.updated_at, new Date(now).toISOString(), 'its use is recorded (recordUse)');
  assert.equal(auth.userIdForSessionId('too-old'), null, 'an expired stored session: null');
  assert.equal(UserSession.findBySessionId('too-old'), null, 'and its row is gone (findLiveSession)');
};

export const destroySession: StepTest = async (ctx) => {
  const { auth, clock, bob } = await dbAuth(ctx);
  storedSession(bob.id, 'bob-session', clock.now);
  storedSession(bob.id, 'other-session', clock.now);
  storedSession(bob.id, 'too-old', clock.now - 60_000);
  const withCookie = (value?: string) => fakeRequest({ cookies: value === undefined ? {} : { _my_session_id: value } });
  assert.equal(auth.destroySession(null), false, 'destroySession(null)');
  assert.equal(auth.destroySession(withCookie()), false, 'destroySession without a session cookie');
  assert.equal(auth.destroySession(withCookie('bob-session')), true, 'destroySession of a live stored session');
  assert.equal(UserSession.findBySessionId('bob-session'), null, 'its row is deleted');
  assert.ok(UserSession.findBySessionId('other-session'), "the user's other sessions stay");
  assert.equal(auth.destroySession(withCookie('bob-session')), false, 'destroySession of the same cookie again: false');
  assert.equal(auth.destroySession(withCookie('too-old')), false, 'destroySession of an expired session: false (there was no live session to end)');
  assert.equal(UserSession.findBySessionId('too-old'), null, 'and its expired row is deleted all the same');
};

export const sweepExpired: StepTest = async (ctx) => {
  const { auth, clock, bob } = await dbAuth(ctx, '60', '10');
  const now = clock.now;
  storedSession(bob.id, 'live', now - 5_000);
  storedSession(bob.id, 'too-old', now - 60_000, now);
  storedSession(bob.id, 'idle', now - 20_000, now - 10_000);
  // More than one batch (purgeBatchSize), in one transaction: a commit each would take a second.
  database().transaction(() => {
    for (let i = 0; i < 1_100; i++) storedSession(bob.id, `old-${i}`, now - 120_000);
  })();
  assert.equal(auth.sweepExpired(), 1_102, 'sweepExpired() deletes every expired row, over two batches of at most 1,000, and says how many');
  assert.deepEqual(rows().map((row) => row.session_hash), [hashSessionId('live')], 'only the live session is left');
  const { auth: noLimits } = await dbAuth(ctx, '', '', 'ann@hbtn.io');
  assert.equal(noLimits.sweepExpired(), 0, 'without any limit nothing expires');
};
