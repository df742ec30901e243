/**
 * Lesson 2's app: lesson 1's, with cookies parsed, so that the guard can accept a session
 * cookie as credentials.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import { User } from '../../shared/models/user.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { authGuard, excludedPaths } from '../01-basic-auth/guard.ts';
import { authRouter } from '../01-basic-auth/views.ts';
import { SessionAuth } from './session-auth.ts';

/**
 * Builds the users API behind `auth`, where a session cookie counts as credentials.
 *
 * @example
 * const app = createSessionApp(new SessionAuth(config));
 */
export function createSessionApp(auth: SessionAuth): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // The session id comes in a cookie: parse the Cookie header before the guard reads it.
  app.use(cookieParser());
  app.use(authGuard(auth, excludedPaths));
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, authRouter(auth), usersRouter);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/**
 * Starts a session for the first user and prints its id, as the course's `main_N.py` did by
 * hand: there is no login route until lesson 3. Printing a live session id is fine on your
 * own machine for a lesson, and never in a real server's log.
 *
 * @example
 * printSessionOfFirstUser(auth); // User with ID: 3c70… has a Session ID: AJhH…
 */
export function printSessionOfFirstUser(auth: SessionAuth): void {
  const [user] = User.all();
  if (user) console.log(`User with ID: ${user.id} has a Session ID: ${auth.createSession(user.id)}`);
}

/** The `AUTH_TYPE` lesson 2 teaches, and the app it runs. */
export const sessionAuthTypes: AuthTypes = {
  session_auth: (config) => {
    const auth = new SessionAuth(config);
    return { app: createSessionApp(auth), start: () => printSessionOfFirstUser(auth) };
  },
};
