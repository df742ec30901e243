import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { loadConfig } from '../../shared/config.ts';
import { isExpired, SessionExpAuth, sweepIntervalMs } from './session-exp-auth.ts';

/** A clock the test moves by hand: no test ever sleeps. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function authWith(env: NodeJS.ProcessEnv, clock = fakeClock()) {
  return { auth: new SessionExpAuth(loadConfig(env), clock.now), clock };
}

describe('isExpired', () => {
  const limits = { durationMs: 60_000, idleMs: 10_000 };
  test('an absolute lifetime ends the session however busy it is', () => {
    assert.equal(isExpired({ createdAt: 0, lastUsedAt: 59_999 }, 59_999, limits), false);
    assert.equal(isExpired({ createdAt: 0, lastUsedAt: 59_999 }, 60_000, limits), true);
  });
  test('the idle timeout counts from the last use', () => {
    assert.equal(isExpired({ createdAt: 0, lastUsedAt: 5_000 }, 14_999, limits), false);
    assert.equal(isExpired({ createdAt: 0, lastUsedAt: 5_000 }, 15_000, limits), true);
  });
  test('zero means no limit', () => {
    assert.equal(isExpired({ createdAt: 0, lastUsedAt: 0 }, 1e12, { durationMs: 0, idleMs: 0 }), false);
  });
});

describe('SessionExpAuth', () => {
  test('without SESSION_DURATION (missing, not a number, <= 0) sessions never expire', () => {
    for (const value of [undefined, 'abc', '0', '-5']) {
      const { auth, clock } = authWith({ SESSION_DURATION: value });
      const sessionId = auth.createSession('bob');
      clock.advance(10 * 365 * 86_400_000);
      assert.equal(auth.userIdForSessionId(sessionId), 'bob', `SESSION_DURATION=${value}`);
    }
  });

  test('SESSION_DURATION is absolute: use does not extend it, and the expired session is deleted', () => {
    const { auth, clock } = authWith({ SESSION_DURATION: '0.5' });
    const sessionId = auth.createSession('bob');
    for (let i = 0; i < 4; i++) {
      clock.advance(100);
      assert.equal(auth.userIdForSessionId(sessionId), 'bob');
    }
    clock.advance(100);
    assert.equal(auth.userIdForSessionId(sessionId), null);
    assert.equal(auth.size, 0);
  });

  test('SESSION_IDLE_TIMEOUT slides with use, then rejects', () => {
    const { auth, clock } = authWith({ SESSION_IDLE_TIMEOUT: '10' });
    const sessionId = auth.createSession('bob');
    for (let i = 0; i < 5; i++) {
      clock.advance(9_000);
      assert.equal(auth.userIdForSessionId(sessionId), 'bob');
    }
    clock.advance(10_000);
    assert.equal(auth.userIdForSessionId(sessionId), null);
  });

  test('the absolute limit holds even when the idle timeout keeps sliding', () => {
    const { auth, clock } = authWith({ SESSION_DURATION: '20', SESSION_IDLE_TIMEOUT: '10' });
    const sessionId = auth.createSession('bob');
    clock.advance(9_000);
    assert.equal(auth.userIdForSessionId(sessionId), 'bob');
    clock.advance(9_000);
    assert.equal(auth.userIdForSessionId(sessionId), 'bob');
    clock.advance(2_000);
    assert.equal(auth.userIdForSessionId(sessionId), null);
  });

  test('the cookie gets Max-Age only with a lifetime, rounded up to whole seconds', () => {
    assert.equal(authWith({ SESSION_DURATION: '60' }).auth.cookieOptions().maxAge, 60_000);
    assert.equal(authWith({ SESSION_DURATION: '0.5' }).auth.cookieOptions().maxAge, 1_000);
    assert.equal(authWith({}).auth.cookieOptions().maxAge, undefined);
  });

  test('createSession still refuses a user id that is not a string', () => {
    assert.equal(authWith({ SESSION_DURATION: '60' }).auth.createSession(89), null);
  });

  test('100,000 expired sessions are swept by the timer, with no request touching them', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { auth, clock } = authWith({ SESSION_DURATION: '30' });
    for (let i = 0; i < 100_000; i++) auth.createSession(`user-${i % 100}`);
    assert.equal(auth.size, 100_000);
    clock.advance(30_000);
    t.mock.timers.tick(Math.min(sweepIntervalMs, 30_000));
    assert.equal(auth.size, 0);
  });

  test('the sweeper does not keep the process alive', () => {
    const setInterval = mock.method(globalThis, 'setInterval');
    authWith({ SESSION_DURATION: '30' });
    const timer = setInterval.mock.calls[0].result as NodeJS.Timeout;
    setInterval.mock.restore();
    assert.equal(timer.hasRef(), false);
    clearInterval(timer);
  });
});
