import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { loadConfig } from '../../shared/config.ts';
import { isExpired, SessionExpAuth, startSweeper } from './session-exp-auth.ts';

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
    const stopSweeper = startSweeper(auth);
    t.after(stopSweeper);
    assert.equal(auth.size, 100_000);
    clock.advance(30_000);
    t.mock.timers.tick(auth.sweepIntervalMs);
    assert.equal(auth.size, 0);
  });

  test('building an auth starts no timer; the sweeper does not keep the process alive, and stops', () => {
    const setInterval = mock.method(globalThis, 'setInterval');
    const clearInterval = mock.method(globalThis, 'clearInterval');
    const { auth } = authWith({ SESSION_DURATION: '30' });
    assert.equal(setInterval.mock.callCount(), 0);
    const stopSweeper = startSweeper(auth);
    const timer = setInterval.mock.calls[0]!.result as NodeJS.Timeout;
    assert.equal(timer.hasRef(), false);
    stopSweeper();
    assert.equal(clearInterval.mock.calls[0]?.arguments[0], timer);
    setInterval.mock.restore();
    clearInterval.mock.restore();
  });

  test('without any limit there is nothing to sweep, and no timer', () => {
    const { auth } = authWith({});
    assert.equal(auth.sweepIntervalMs, 0);
    const setInterval = mock.method(globalThis, 'setInterval');
    startSweeper(auth)();
    assert.equal(setInterval.mock.callCount(), 0);
    setInterval.mock.restore();
  });

  test('a sweep that throws is logged, and the timer goes on', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const errors = mock.method(console, 'error', () => {});
    t.after(() => errors.mock.restore());
    let calls = 0;
    const stopSweeper = startSweeper({ sweepIntervalMs: 1000, sweepExpired: () => (calls++, assert.fail('disk gone')) });
    t.after(stopSweeper);
    t.mock.timers.tick(2000);
    assert.equal(calls, 2);
    assert.match(String(errors.mock.calls[0]?.arguments.join(' ')), /sweep failed: disk gone/);
  });
});
