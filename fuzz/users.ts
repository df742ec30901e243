/**
 * Seeded users whose password hashes are cheap to check: scrypt at N=2^10, p=1 (about 1 ms)
 * instead of the lessons' N=2^15, p=3. The lessons read the cost from the stored hash, so
 * these users log in exactly like any other. (The campaigns' servers run with
 * `PASSWORD_HASH_COST=low`, so users created through the API are cheap too.)
 *
 * @module
 */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { randomEmail, randomPassword, type PreparedUser } from '../checks/users.ts';

/**
 * A scrypt hash in the lessons' format (`scrypt$N$r$p$salt$hash`), at a low cost.
 *
 * @example
 * lowCostHash('pw'); // 'scrypt$1024$8$1$…$…'
 */
export function lowCostHash(password: string): string {
  const salt = randomBytes(16);
  const [N, r, p] = [1024, 8, 1];
  const key = scryptSync(password, salt, 32, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Two users as the check runner seeds them (random emails, the second password with colons),
 * with low-cost hashes.
 *
 * @example
 * seedDatabase(dbPath, lowCostUsers());
 */
export function lowCostUsers(): PreparedUser[] {
  const specs = [
    { email: randomEmail('ada'), password: randomPassword(), firstName: 'Ada', lastName: 'Lovelace' },
    // Basic auth splits at the first colon: this password proves the rest is kept.
    { email: randomEmail('grace'), password: `${randomBytes(6).toString('base64url')}:${randomBytes(6).toString('base64url')}:9`, firstName: null, lastName: null },
  ];
  return specs.map((spec) => ({ ...spec, id: randomUUID(), passwordHash: lowCostHash(spec.password) }));
}
