/**
 * Lesson 0's app: the plain users API under `/api/v1`, with no authentication.
 *
 * @module
 */
import express, { type Express } from 'express';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import { indexRouter } from './views/index.ts';
import { usersRouter } from './views/users.ts';

/**
 * Builds the users API, top to bottom in the order a request meets it. Building has no
 * side effects: only `server.ts` listens.
 *
 * @example
 * const app = createUsersApp();
 * app.listen(5000);
 */
export function createUsersApp(): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, usersRouter);
  // Nobody answered: a JSON 404, and a JSON answer for every error (shared/http.ts).
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
