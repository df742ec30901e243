/**
 * Lesson 3's app: lesson 2's, plus login and logout routes when the auth is session based.
 *
 * @module
 */
import type { Express } from 'express';
import type { Config } from '../../shared/config.ts';
import type { AppParts } from '../00-users-api/app.ts';
import type { Auth } from '../01-basic-auth/auth.ts';
import type { AuthTypes } from '../01-basic-auth/app.ts';
import { authTypes as lesson2AuthTypes, createApp as createSessionApp } from '../02-session-auth/app.ts';
import { playgroundRouter } from './playground.ts';
import { SessionAuth } from './session-auth.ts';
import { sessionRouter } from './session-views.ts';

/** Lesson 2's auth types, with `session_auth` now able to log out. */
export const authTypes: AuthTypes = {
  ...lesson2AuthTypes,
  session_auth: (config) => new SessionAuth(config),
};

/**
 * Builds the API behind `auth`, with the login and logout routes for session auth and the
 * playground page at `/`.
 *
 * @example
 * const app = createApp(new SessionAuth(config), config);
 */
export function createApp(auth: Auth, config: Config, parts: AppParts = {}): Express {
  const routers = auth instanceof SessionAuth ? [sessionRouter(auth, config.sessionName)] : [];
  return createSessionApp(auth, config, {
    ...parts,
    // Before the guard: anyone may load the page that has the login form.
    middleware: [playgroundRouter(), ...(parts.middleware ?? [])],
    routers: [...routers, ...(parts.routers ?? [])],
  });
}
