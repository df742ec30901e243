/**
 * Lesson 0's app: the plain users API under `/api/v1`, with no authentication.
 *
 * @module
 */
import express, { type Express, type RequestHandler, type Router } from 'express';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import { indexRouter } from './views/index.ts';
import { usersRouter } from './views/users.ts';

/** What a later lesson adds to the app: middleware that runs first, and more routes. */
export interface AppParts {
  /** Runs before any body is parsed or route is matched (lesson 1's auth guard, for one). */
  middleware?: RequestHandler[];
  /** More routers under `/api/v1`, matched before the users routes. */
  routers?: Router[];
  /** Routers mounted at the root, outside `/api/v1` (the playground page, for one). */
  rootRouters?: Router[];
}

/**
 * Builds the users API. Building has no side effects: only `server.ts` listens.
 *
 * @example
 * const app = createApp();
 * app.listen(5000);
 */
export function createApp(parts: AppParts = {}): Express {
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  for (const middleware of parts.middleware ?? []) app.use(middleware);
  app.use(jsonBody);
  for (const router of parts.rootRouters ?? []) app.use(router);
  app.use('/api/v1', indexRouter, ...(parts.routers ?? []), usersRouter);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
