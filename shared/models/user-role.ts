/**
 * Roles: which users are admins. One row per (user, role) in the `user_roles` table, which
 * lesson 7 (the lesson that has roles) creates at start, and `npm run user:add -- … --admin`
 * creates when it grants the first role. Roles are granted on the command line only: no
 * request over HTTP makes anyone an admin.
 *
 * @module
 */
import { prepared, type Db } from '../db.ts';

/** The roles there are: only `admin`, who may manage every user. */
export type Role = 'admin';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS user_roles (
    -- Deleting a user deletes their roles.
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin')),
    PRIMARY KEY (user_id, role)
  );
`;

/**
 * Creates the `user_roles` table in `db` if it is not there.
 *
 * @example
 * createUserRoleTable(database());
 */
export function createUserRoleTable(db: Db): void {
  db.exec(SCHEMA);
}

/**
 * Gives `userId` the role `role` (nothing happens when it has it already).
 *
 * @example
 * grantRole(user.id, 'admin');
 */
export function grantRole(userId: string, role: Role): void {
  prepared('INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)').run(userId, role);
}

/**
 * Whether `userId` has the role `role`.
 *
 * @example
 * hasRole(user.id, 'admin'); // false for a user made without --admin
 */
export function hasRole(userId: string, role: Role): boolean {
  return prepared('SELECT 1 FROM user_roles WHERE user_id = ? AND role = ?').get(userId, role) !== undefined;
}
