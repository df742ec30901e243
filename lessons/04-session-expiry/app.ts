/**
 * Lesson 4's app: lesson 3's, with `SessionExpAuth`: sessions that expire. The wiring does
 * not change; the auth does, and `server.ts` runs its sweeper.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { authGuard } from '../01-basic-auth/guard.ts';
import { authRouter } from '../01-basic-auth/views.ts';
import { excludedPathsWithLogin } from '../03-session-login/app.ts';
import { playgroundRouter } from '../03-session-login/playground.ts';
import { sessionRouter } from '../03-session-login/session-views.ts';
import { lesson } from '../curriculum.ts';
import { SessionExpAuth, startSweeper } from './session-exp-auth.ts';

/**
 * Builds the users API behind `auth`, whose sessions expire.
 *
 * @example
 * const app = createSessionExpApp(new SessionExpAuth(config));
 */
export function createSessionExpApp(auth: SessionExpAuth): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // Before the guard: anyone may load the page that has the login form.
  app.use(playgroundRouter({ servedBy: lesson(4) }));
  app.use(cookieParser());
  app.use(authGuard(auth, excludedPathsWithLogin));
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, authRouter(auth), sessionRouter(auth), usersRouter);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** The `AUTH_TYPE` lesson 4 teaches, and the app it runs with its sweeper. */
export const sessionExpAuthTypes: AuthTypes = {
  session_exp_auth: (config) => {
    const auth = new SessionExpAuth(config);
    return { app: createSessionExpApp(auth), start: () => startSweeper(auth) };
  },
};
