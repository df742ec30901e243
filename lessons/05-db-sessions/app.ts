/**
 * Lesson 5's app: lesson 4's, with `SessionDBAuth`: sessions stored in SQLite. The wiring
 * does not change; the auth does, and its table is created at start.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { database } from '../../shared/db.ts';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import { createUserSessionTable } from '../../shared/models/user-session.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { authGuard } from '../01-basic-auth/guard.ts';
import { authRouter } from '../01-basic-auth/views.ts';
import { excludedPathsWithLogin } from '../03-session-login/app.ts';
import { playgroundRouter } from '../03-session-login/playground.ts';
import { sessionRouter } from '../03-session-login/session-views.ts';
import { startSweeper } from '../04-session-expiry/session-exp-auth.ts';
import { lesson } from '../curriculum.ts';
import { SessionDBAuth } from './session-db-auth.ts';

/**
 * Builds the users API behind `auth`, whose sessions live in the database.
 *
 * @example
 * const app = createSessionDBApp(new SessionDBAuth(config));
 */
export function createSessionDBApp(auth: SessionDBAuth): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // Before the guard: anyone may load the page that has the login form.
  app.use(playgroundRouter({ servedBy: lesson(5) }));
  app.use(cookieParser());
  app.use(authGuard(auth, excludedPathsWithLogin));
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, authRouter(auth), sessionRouter(auth), usersRouter);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** The `AUTH_TYPE` lesson 5 teaches, and the app it runs with its sweeper. */
export const sessionDBAuthTypes: AuthTypes = {
  session_db_auth: (config) => {
    // The lesson that stores sessions in SQLite creates their table (if it is not there yet).
    createUserSessionTable(database());
    const auth = new SessionDBAuth(config);
    return { app: createSessionDBApp(auth), start: () => startSweeper(auth) };
  },
};
