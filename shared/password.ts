/**
 * Password hashing with scrypt from `node:crypto`: a random salt per password and the
 * cost parameters stored beside the hash, so they can be raised later.
 *
 * The cost is a server setting, as in web frameworks' test settings (Laravel's
 * `BCRYPT_ROUNDS=4` in phpunit.xml, Devise's `stretches = 1` in tests): `PASSWORD_HASH_COST=low`
 * makes hashing cheap for the check runner's and the tests' servers. Anything else, unset
 * included, means the production cost: a typo can only make hashing slower, never weaker.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt cost: N=2^15, r=8, p=3 meets the OWASP Password Storage Cheat Sheet and ASVS 5.
 * (Node's default N=2^14 is below both.)
 */
export const scryptParams = { N: 2 ** 15, r: 8, p: 3 } as const;

/**
 * The cost of `PASSWORD_HASH_COST=low`: about 1 ms instead of 100. Only for tests and the
 * check runner's throwaway servers, whose passwords are random and never real.
 */
export const lowScryptParams = { N: 2 ** 10, r: 8, p: 1 } as const;

/** The environment that lowers the cost, for the servers a test or the check runner starts. */
export const lowCostEnv = { PASSWORD_HASH_COST: 'low' } as const;

/**
 * The cost new hashes get: {@link lowScryptParams} when `PASSWORD_HASH_COST` is `low`,
 * otherwise {@link scryptParams}.
 *
 * @example
 * hashCost({}); // { N: 32768, r: 8, p: 3 }
 * hashCost({ PASSWORD_HASH_COST: 'low' }); // { N: 1024, r: 8, p: 1 }
 */
export function hashCost(env: NodeJS.ProcessEnv = process.env): { N: number; r: number; p: number } {
  return env.PASSWORD_HASH_COST === 'low' ? lowScryptParams : scryptParams;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// 128 * N * r bytes = 32 MiB; Node refuses above its 32 MiB default maxmem, so raise it.
const MAX_MEMORY_BYTES = 64 * 1024 * 1024;

function deriveKey(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { ...options, maxmem: MAX_MEMORY_BYTES }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password for storage as `scrypt$N$r$p$salt$hash` (salt and hash in base64), at
 * the cost {@link hashCost} reads from the environment, or at `cost`.
 *
 * @example
 * const stored = await hashPassword('H0lbertonSchool98!');
 * // 'scrypt$32768$8$3$Vq1...$k9f...'
 */
export async function hashPassword(password: string, cost = hashCost()): Promise<string> {
  // A random salt per password: equal passwords get different hashes.
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = cost;
  const key = await deriveKey(password, salt, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Checks a password against a stored hash in constant time; false for anything malformed.
 *
 * @example
 * await verifyPassword('H0lbertonSchool98!', stored); // true
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  let key: Buffer;
  try {
    key = await deriveKey(password, Buffer.from(salt, 'base64'), { N: Number(N), r: Number(r), p: Number(p) });
  } catch {
    // Cost parameters scrypt refuses (not numbers, N not a power of 2, too much memory).
    return false;
  }
  // Constant-time: how long the comparison takes says nothing about where the bytes differ.
  return key.length === expected.length && timingSafeEqual(key, expected);
}
