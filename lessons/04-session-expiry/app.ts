/**
 * Lesson 4's app: lesson 3's, with `session_exp_auth` (sessions that expire).
 *
 * @module
 */
import type { AuthTypes } from '../01-basic-auth/app.ts';
import { authTypes as lesson3AuthTypes } from '../03-session-login/app.ts';
import { SessionExpAuth } from './session-exp-auth.ts';

export { createApp } from '../03-session-login/app.ts';

/** Lesson 3's auth types plus `session_exp_auth`. */
export const authTypes: AuthTypes = {
  ...lesson3AuthTypes,
  session_exp_auth: (config) => new SessionExpAuth(config),
};
