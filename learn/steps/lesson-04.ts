/**
 * Lesson 4's steps: the expiry rule, and `SessionExpAuth` on a clock the tests move by hand
 * (no test sleeps).
 *
 * @module
 */
import assert from 'node:assert/strict';
import { config, type StepContext, type StepTest } from './helpers.ts';

type ExpModule = typeof import('../../lessons/04-session-expiry/session-exp-auth.ts');

interface Dictionary {
  userId: string;
  createdAt: number;
  lastUsedAt: number;
}

/** A `SessionExpAuth` with these limits (seconds), on a clock set by hand, and its table. */
async function expAuth(ctx: StepContext, duration: string, idle = '') {
  const { SessionExpAuth } = await ctx.load<ExpModule>('04-session-expiry/session-exp-auth.ts');
  const clock = { now: 1_000_000 };
  const auth = new SessionExpAuth(config({ SESSION_DURATION: duration, SESSION_IDLE_TIMEOUT: idle }), () => clock.now);
  return { auth, clock, sessions: (auth as unknown as { sessions: Map<string, Dictionary> }).sessions };
}

export const isExpired: StepTest = async (ctx) => {
  const { isExpired } = await ctx.load<ExpModule>('04-session-expiry/session-exp-auth.ts');
  const session = { createdAt: 0, lastUsedAt: 50_000 };
  const cases: [number, { durationMs: number; idleMs: number }, boolean, string][] = [
    [59_999, { durationMs: 60_000, idleMs: 0 }, false, 'a millisecond before the end of a 60 s lifetime'],
    [60_000, { durationMs: 60_000, idleMs: 0 }, true, 'at the very end of a 60 s lifetime (>=, not >)'],
    [10 ** 12, { durationMs: 0, idleMs: 0 }, false, 'no limit at all, however late'],
    [59_999, { durationMs: 0, idleMs: 10_000 }, false, 'used 9.999 s ago, with a 10 s idle timeout'],
    [60_000, { durationMs: 0, idleMs: 10_000 }, true, 'used 10 s ago, with a 10 s idle timeout'],
    [55_000, { durationMs: 50_000, idleMs: 10_000 }, true, 'idle for 5 s only, but 55 s old with a 50 s lifetime: either limit expires it'],
    [40_000, { durationMs: 100_000, idleMs: 10_000 }, false, 'inside both limits'],
  ];
  for (const [now, limits, expected, what] of cases) {
    assert.equal(isExpired(session, now, limits), expected, `isExpired({ createdAt: 0, lastUsedAt: 50000 }, ${now}, ${JSON.stringify(limits)}): ${what}`);
  }
};

export const createSession: StepTest = async (ctx) => {
  const { auth, clock, sessions } = await expAuth(ctx, '60');
  assert.equal(auth.createSession(89), null, 'createSession(89)');
  const id = auth.createSession('abcde');
  assert.match(String(id), /^[A-Za-z0-9_-]{43}$/, 'createSession("abcde") returns a new session id');
  assert.deepEqual(sessions.get(id!), { userId: 'abcde', createdAt: clock.now, lastUsedAt: clock.now }, 'the session remembers its user and when it was created and last used: this.now(), not Date.now()');
};

export const userIdForSessionId: StepTest = async (ctx) => {
  const { auth, clock, sessions } = await expAuth(ctx, '60', '10');
  const start = clock.now;
  sessions.set('live', { userId: 'abcde', createdAt: start, lastUsedAt: start });
  sessions.set('old', { userId: 'abcde', createdAt: start - 60_000, lastUsedAt: start });
  assert.equal(auth.userIdForSessionId(89), null, 'userIdForSessionId(89)');
  assert.equal(auth.userIdForSessionId('unknown'), null, 'userIdForSessionId of an unknown id');
  clock.now = start + 5_000;
  assert.equal(auth.userIdForSessionId('live'), 'abcde', 'a session used 5 s ago (10 s idle timeout, 60 s lifetime) is live');
  assert.equal(sessions.get('live')?.lastUsedAt, start + 5_000, 'using a live session marks it as used now (lastUsedAt)');
  clock.now = start + 14_000;
  assert.equal(auth.userIdForSessionId('live'), 'abcde', 'used 9 s ago after that: still live (the last use renewed it)');
  assert.equal(auth.userIdForSessionId('old'), null, 'a session 74 s old, with a 60 s lifetime, is expired');
  assert.equal(sessions.has('old'), false, 'an expired session is deleted on sight');
  clock.now = start + 24_000;
  assert.equal(auth.userIdForSessionId('live'), null, 'a session idle for 10 s, with a 10 s idle timeout, is expired');
};

export const cookieOptions: StepTest = async (ctx) => {
  const { auth } = await expAuth(ctx, '60');
  const options = auth.cookieOptions();
  assert.equal(options.maxAge, 60_000, 'with SESSION_DURATION=60 the cookie has maxAge 60000 (ms: Express sends Max-Age=60)');
  assert.ok(options.httpOnly === true && options.path === '/', "lesson 3's attributes are still there (super.cookieOptions())");
  const { auth: half } = await expAuth(ctx, '1.5');
  assert.equal(half.cookieOptions().maxAge, 2_000, 'with SESSION_DURATION=1.5, maxAge is rounded up to whole seconds: 2000');
  const { auth: none } = await expAuth(ctx, '');
  assert.equal(none.cookieOptions().maxAge, undefined, 'without SESSION_DURATION the cookie has no maxAge (a browser-session cookie)');
};

export const sweepExpired: StepTest = async (ctx) => {
  const { auth, clock, sessions } = await expAuth(ctx, '60', '10');
  const now = clock.now;
  sessions.set('live', { userId: 'a', createdAt: now - 1_000, lastUsedAt: now - 1_000 });
  sessions.set('too-old', { userId: 'b', createdAt: now - 60_000, lastUsedAt: now });
  sessions.set('idle', { userId: 'c', createdAt: now - 20_000, lastUsedAt: now - 10_000 });
  assert.equal(auth.sweepExpired(), 2, 'sweepExpired() returns how many it deleted: 2 of 3');
  assert.deepEqual([...sessions.keys()], ['live'], 'only the live session is left');
  assert.equal(auth.sweepExpired(), 0, 'a second sweep finds nothing');
  // A request in between: the sweep must not have changed what a live session remembers.
  assert.equal(auth.userIdForSessionId('live'), 'a', 'the live session still works');
};
