import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { before, test } from 'node:test';
import { hashCost, hashPassword, lowCostEnv, lowScryptParams, verifyPassword } from './password.ts';

// Each hash costs ~100 ms (that is the point of scrypt): hash once, share it. The production
// cost whatever the environment says (a test run may set PASSWORD_HASH_COST=low).
const password = 'H0lbertonSchool98!';
let stored: string;
before(async () => {
  stored = await hashPassword(password, hashCost({}));
});

test('a hash is stored as scrypt$N$r$p$salt$hash with the cost parameters', () => {
  const [scheme, N, r, p, salt, hash, ...rest] = stored.split('$');
  assert.deepEqual([scheme, N, r, p], ['scrypt', '32768', '8', '3']);
  assert.equal(Buffer.from(salt!, 'base64').length, 16);
  assert.equal(Buffer.from(hash!, 'base64').length, 32);
  assert.deepEqual(rest, []);
});

test('the hash never contains the password', () => {
  assert.ok(!stored.includes(password));
});

test('the same password hashed twice gets a different salt and hash', async () => {
  const again = await hashPassword(password, hashCost({}));
  assert.notEqual(again, stored);
  assert.notEqual(again.split('$')[4], stored.split('$')[4]);
});

test('verifyPassword is true for the right password', async () => {
  assert.equal(await verifyPassword(password, stored), true);
});

test('verifyPassword is false for a wrong password', async () => {
  assert.equal(await verifyPassword('h0lbertonSchool98!', stored), false);
});

test('verifyPassword is false, never an exception, for a malformed stored string', async () => {
  const malformed = [
    '',
    'H0lbertonSchool98!', // a plaintext password left in the database
    'sha256$abc',
    'scrypt$32768$8$3$c2FsdA==', // no hash
    'scrypt$abc$8$3$c2FsdA==$aGFzaA==', // N not a number
    'scrypt$1000$8$3$c2FsdA==$aGFzaA==', // N not a power of 2
    'scrypt$1073741824$8$3$c2FsdA==$aGFzaA==', // N needs far more memory than allowed
    'scrypt$1024$8$1$c2FsdA==$', // empty hash (a cheap N: the point is the length check)
  ];
  for (const bad of malformed) {
    assert.equal(await verifyPassword(password, bad), false, `stored = ${JSON.stringify(bad)}`);
  }
});

test('the cost parameters are read from the stored string, so older hashes still verify', async () => {
  // A hash made by hand with a lower cost (N=2^10, p=1), as an older version might have stored.
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  const older = ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
  assert.equal(await verifyPassword(password, older), true);
  assert.equal(await verifyPassword('wrong', older), false);
});

test('PASSWORD_HASH_COST=low lowers the cost of new hashes; anything else keeps the production cost', async () => {
  assert.deepEqual(hashCost({}), { N: 32768, r: 8, p: 3 });
  for (const other of ['', 'LOW', 'lowest', '10']) assert.deepEqual(hashCost({ PASSWORD_HASH_COST: other }), { N: 32768, r: 8, p: 3 }, other);
  assert.deepEqual(hashCost(lowCostEnv), lowScryptParams);
  const cheap = await hashPassword(password, hashCost(lowCostEnv));
  assert.deepEqual(cheap.split('$').slice(0, 4), ['scrypt', '1024', '8', '1']);
  assert.equal(await verifyPassword(password, cheap), true);
});
