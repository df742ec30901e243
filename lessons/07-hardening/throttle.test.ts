import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, AttemptThrottle, memoryLimiters, TooManyAttempts } from './throttle.ts';

const limits = { attemptsPerAccount: 3, attemptsPerAddress: 5, attemptsWindowSeconds: 60 };

test('addressKey: an IPv4 address as it is, an IPv6 one as its /64', () => {
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('2001:db8:1:2:a:b:c:d'), '2001:db8:1:2::/64');
  // Two addresses of one /64, one written short: one key.
  assert.equal(addressKey('2001:0db8:0001:0002::1'), addressKey('2001:db8:1:2:ffff::9'));
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey(undefined), 'unknown');
});

test('attempts are taken before any check: of ten at once, three pass, and the rest wait the window', async () => {
  const throttle = new AttemptThrottle(memoryLimiters(limits));
  const taken = await Promise.allSettled(Array.from({ length: 10 }, () => throttle.takeAttempt('bob@hbtn.io', '203.0.113.7')));
  assert.equal(taken.filter((one) => one.status === 'fulfilled').length, 3);
  for (const one of taken.filter((result) => result.status === 'rejected')) {
    const reason = (one as PromiseRejectedResult).reason;
    assert.ok(reason instanceof TooManyAttempts);
    assert.ok(reason.retryAfterSeconds >= 1 && reason.retryAfterSeconds <= 60, String(reason.retryAfterSeconds));
  }
  // Another account from another address is not touched.
  await throttle.takeAttempt('eve@hbtn.io', '198.51.100.1');
});

test('a right password gives its attempt back; the address counts across accounts', async () => {
  const throttle = new AttemptThrottle(memoryLimiters(limits));
  for (let i = 0; i < 10; i++) {
    await throttle.takeAttempt('bob@hbtn.io', '203.0.113.7');
    await throttle.giveBack('bob@hbtn.io', '203.0.113.7');
  }
  for (const account of ['a@x', 'b@x', 'c@x', 'd@x', 'e@x']) await throttle.takeAttempt(account, '203.0.113.8');
  await assert.rejects(throttle.takeAttempt('f@x', '203.0.113.8'), TooManyAttempts);
});

test('a failing store is an error, never a free pass', async () => {
  const broken = { consume: () => Promise.reject(new Error('redis is down')), reward: () => Promise.resolve() };
  const throttle = new AttemptThrottle({ ...memoryLimiters(limits), perAccount: broken as never });
  await assert.rejects(throttle.takeAttempt('bob@hbtn.io', '203.0.113.7'), /redis is down/);
});
