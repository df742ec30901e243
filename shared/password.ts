/**
 * Password hashing with scrypt from `node:crypto`: a random salt per password and the
 * cost parameters stored beside the hash, so they can be raised later.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt cost: N=2^15, r=8, p=3 meets the OWASP Password Storage Cheat Sheet and ASVS 5.
 * (Node's default N=2^14 is below both.)
 */
export const scryptParams = { N: 2 ** 15, r: 8, p: 3 } as const;

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
 * Hashes a password for storage as `scrypt$N$r$p$salt$hash` (salt and hash in base64).
 *
 * @example
 * const stored = await hashPassword('H0lbertonSchool98!');
 * // 'scrypt$32768$8$3$Vq1...$k9f...'
 */
export async function hashPassword(password: string): Promise<string> {
  // A random salt per password: equal passwords get different hashes.
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = scryptParams;
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
