/**
 * The pure helpers of lessons 2 to 4's checks: reading the id out of a cookie value, and
 * estimating from the outside how many random bits session ids carry.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { sessionIdOf } from './stories.ts';
import { estimateBits } from './lesson-03.ts';

const samples = (make: (i: number) => string, n = 5) => Array.from({ length: n }, (_, i) => make(i));

test('sessionIdOf takes the id out of an express-session value and leaves others whole', () => {
  assert.equal(sessionIdOf('q3Zt0y-_x'), 'q3Zt0y-_x');
  assert.equal(sessionIdOf('s%3Aq3Zt0y-_x.AbC%2Bd%2F9'), 'q3Zt0y-_x');
  assert.equal(sessionIdOf('s:q3Zt0y.AbC+d/9'), 'q3Zt0y');
  assert.equal(sessionIdOf('%E9'), '%E9', 'not UTF-8: the value as it is');
  assert.equal(sessionIdOf('C%20is%20fun'), 'C is fun');
});

test('estimateBits: 256-bit base64url ids pass, uuid4 and short or predictable ids do not', () => {
  assert.ok(estimateBits(samples(() => randomBytes(32).toString('base64url'))).bits >= 250);
  assert.ok(estimateBits(samples(() => randomBytes(16).toString('hex'))).bits >= 128, '128 bits as 32 hex digits');
  assert.ok(estimateBits(samples(() => randomBytes(16).toString('base64'))).bits >= 128, 'base64 with padding');
  // uuid4: 122 random bits, shown as 30 or 31 varying hex digits (version and variant fixed).
  const uuid = estimateBits(samples(() => randomUUID(), 8));
  assert.equal(uuid.alphabet, 16);
  assert.ok(uuid.bits < 128 && uuid.bits >= 116, `uuid4: ${uuid.bits}`);
  assert.ok(estimateBits(samples((i) => String(1000 + i))).bits < 10, 'a counter');
  assert.ok(estimateBits(samples((i) => `${Date.now()}${i}`)).bits < 30, 'a timestamp');
  assert.ok(estimateBits(samples(() => `sess-${randomBytes(6).toString('hex')}`)).bits <= 48, 'a constant prefix counts for nothing');
});
