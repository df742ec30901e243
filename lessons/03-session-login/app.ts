/**
 * Lesson 3's app: lesson 2's, plus the playground page, and the login and logout routes.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { authGuard, excludedPaths } from '../01-basic-auth/guard.ts';
import { authRouter } from '../01-basic-auth/views.ts';
import { lesson } from '../curriculum.ts';
import { playgroundRouter } from './playground.ts';
import { SessionLoginAuth } from './session-login-auth.ts';
import { sessionRouter } from './session-views.ts';

/** The course's excluded paths, and the login route: nobody has a session before logging in. */
export const excludedPathsWithLogin: readonly string[] = [...excludedPaths, '/api/v1/auth_session/login/'];

/**
 * Builds the users API behind `auth`, with the login and logout routes and the playground page.
 *
 * @example
 * const app = createSessionLoginApp(new SessionLoginAuth(config));
 */
export function createSessionLoginApp(auth: SessionLoginAuth): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // Before the guard: anyone may load the page that has the login form.
  app.use(playgroundRouter({ servedBy: lesson(3) }));
  app.use(cookieParser());
  app.use(authGuard(auth, excludedPathsWithLogin));
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, authRouter(auth), sessionRouter(auth), usersRouter);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** The `AUTH_TYPE` lesson 3 redefines: `session_auth` now with login and logout. */
export const sessionLoginAuthTypes: AuthTypes = {
  session_auth: (config) => ({ app: createSessionLoginApp(new SessionLoginAuth(config)) }),
};
