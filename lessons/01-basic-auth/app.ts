/**
 * Lesson 1's app: lesson 0's users API behind an auth guard, the auth chosen by `AUTH_TYPE`.
 *
 * @module
 */
import express, { type Express } from 'express';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { Auth } from './auth.ts';
import { BasicAuth } from './basic-auth.ts';
import { authGuard, excludedPaths } from './guard.ts';
import { authRouter } from './views.ts';

/**
 * Builds the users API behind `auth`, top to bottom in the order a request meets it.
 *
 * @example
 * const app = createBasicAuthApp(new BasicAuth());
 */
export function createBasicAuthApp(auth: Auth): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // First, like the course's before_request: 401, 403, or on to the routes with req.currentUser.
  app.use(authGuard(auth, excludedPaths));
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, authRouter(auth), usersRouter);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** The `AUTH_TYPE` values lesson 1 teaches, and the app each one runs. */
export const basicAuthTypes: AuthTypes = {
  // The base class: it knows where credentials are, and accepts none.
  auth: () => ({ app: createBasicAuthApp(new Auth()) }),
  basic_auth: () => ({ app: createBasicAuthApp(new BasicAuth()) }),
};
