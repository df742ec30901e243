/**
 * Lesson 2's app: lesson 1's API and guard, with cookies parsed and a session cookie
 * accepted as credentials.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import type { Express, Request } from 'express';
import type { Config } from '../../shared/config.ts';
import type { AppParts } from '../00-users-api/app.ts';
import type { Auth } from '../01-basic-auth/auth.ts';
import { authTypes as basicAuthTypes, createApp as createBasicAuthApp, type AuthTypes } from '../01-basic-auth/app.ts';
import { excludedPaths as basicExcludedPaths } from '../01-basic-auth/guard.ts';
import { SessionAuth, sessionCookie } from './session-auth.ts';

/** Lesson 1's auth types plus `session_auth`. */
export const authTypes: AuthTypes = {
  ...basicAuthTypes,
  session_auth: (config) => new SessionAuth(config),
};

/** The course's excluded paths plus the login route (lesson 3 adds it; it must be reachable). */
export const excludedPaths: readonly string[] = [...basicExcludedPaths, '/api/v1/auth_session/login/'];

/**
 * Builds the API behind `auth`, where a session cookie counts as credentials.
 *
 * @example
 * const app = createApp(new SessionAuth(config), config);
 */
export function createApp(auth: Auth, config: Config, parts: AppParts = {}): Express {
  // The course's rule: 401 only when there is neither an Authorization header nor a session cookie.
  const hasCredentials = (req: Request) =>
    auth.authorizationHeader(req) !== null || sessionCookie(req, config.sessionName) !== null;
  return createBasicAuthApp(
    auth,
    { ...parts, middleware: [cookieParser(), ...(parts.middleware ?? [])] },
    { excludedPaths, hasCredentials },
  );
}
