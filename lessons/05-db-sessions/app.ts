/**
 * Lesson 5's app: lesson 4's, with `session_db_auth` (sessions stored in SQLite).
 *
 * @module
 */
import type { AuthTypes } from '../01-basic-auth/app.ts';
import { authTypes as lesson4AuthTypes } from '../04-session-expiry/app.ts';
import { SessionDBAuth } from './session-db-auth.ts';

export { createApp } from '../04-session-expiry/app.ts';

/** Lesson 4's auth types plus `session_db_auth`. */
export const authTypes: AuthTypes = {
  ...lesson4AuthTypes,
  session_db_auth: (config) => new SessionDBAuth(config),
};
