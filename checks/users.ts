/**
 * The users a run seeds: fresh random emails and passwords each run (so no hard-coded
 * answer can pass), hashed once and inserted into the temporary database of every server
 * the run starts. A server verifies a password at the cost stored with its hash: the
 * runner's users are hashed at the test cost (`PASSWORD_HASH_COST=low`), as its servers hash.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, useDatabase } from '../shared/db.ts';
import { User } from '../shared/models/user.ts';
import { hashCost, hashPassword } from '../shared/password.ts';
import type { SeededUser } from './types.ts';

/** A seeded user with its stored password hash, ready to insert. */
export interface PreparedUser extends SeededUser {
  passwordHash: string;
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * A random email that no server has seen.
 *
 * @example
 * randomEmail('ada'); // 'ada.3f9a2c41d0@example.com'
 */
export function randomEmail(name = 'user'): string {
  return `${name}.${randomBytes(5).toString('hex')}@example.com`;
}

/**
 * A random password with a `!` in it (so the replay's shell quoting is exercised).
 *
 * @example
 * randomPassword(); // 'Pw!s8dK2m_Q1xZ0'
 */
export function randomPassword(): string {
  return `Pw!${token(9)}`;
}

/**
 * Creates the run's users and hashes their passwords at `cost`: by default the cost this
 * process's environment says (the production one, unless `PASSWORD_HASH_COST=low`); the
 * runner passes the test cost. The second user's password contains colons.
 *
 * @example
 * const users = await prepareUsers(lowScryptParams); // [{ id, email, password, ... }, { ... password: 'x:y:9' }]
 */
export async function prepareUsers(cost = hashCost()): Promise<PreparedUser[]> {
  const specs: Omit<SeededUser, 'id'>[] = [
    { email: randomEmail('ada'), password: randomPassword(), firstName: 'Ada', lastName: `Lovelace-${token(3)}` },
    // Basic auth splits at the first colon: this password proves the rest is kept.
    { email: randomEmail('grace'), password: `${token(6)}:${token(6)}:9`, firstName: null, lastName: null },
  ];
  return Promise.all(
    specs.map(async (spec) => {
      const user = new User();
      return { ...spec, id: user.id, passwordHash: await hashPassword(spec.password, cost) };
    }),
  );
}

/**
 * Creates the database at `file` (schema, WAL) without users, so that the server and the
 * seeding can open it at the same time.
 */
export function createDatabase(file: string): void {
  openDatabase(file).close();
}

/** Inserts the prepared users into the database at `file`. */
export function seedDatabase(file: string, users: readonly PreparedUser[]): void {
  const db = openDatabase(file);
  try {
    // The models use the process's connection: point it at this file while inserting.
    useDatabase(db);
    let previous = 0;
    for (const prepared of users) {
      const user = new User();
      user.id = prepared.id;
      user.email = prepared.email;
      user.firstName = prepared.firstName;
      user.lastName = prepared.lastName;
      user.passwordHash = prepared.passwordHash;
      user.save();
      // Strictly increasing creation times, so that User.all() lists the users in this order
      // (lesson 2's server starts a session for the first one).
      if (user.createdAt.getTime() <= previous) {
        user.createdAt = new Date(previous + 1);
        user.save();
      }
      previous = user.createdAt.getTime();
    }
  } finally {
    db.close();
  }
}

/** The public part of a prepared user (what checks get). */
export function publicUser({ id, email, password, firstName, lastName }: SeededUser): SeededUser {
  return { id, email, password, firstName, lastName };
}
