/**
 * HTTP glue that no lesson teaches: JSON body parsing, 404, 405 and the error handler,
 * so that every answer, even to a client's mistake, is JSON.
 *
 * @module
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { User } from './models/user.ts';
import { NotWrittenError } from './not-written.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated user, set by the auth guard (lesson 1 on). */
      currentUser?: User | null;
    }
  }
}

/** Request bodies above this size are refused with 413: nobody's email needs more. */
export const bodyLimit = '10kb';

const parseJson: RequestHandler = express.json({ limit: bodyLimit });

/** Parses `application/json` bodies (and leaves `req.body` undefined for anything else). */
export const jsonBody: RequestHandler = (req, res, next) => {
  // body-parser reads an empty body as {}; it is no JSON at all, so req.body stays undefined
  // and a route that needs a body answers "Wrong format", as the course does.
  if (req.headers['content-length'] === '0') return next();
  parseJson(req, res, next);
};

/** Parses `application/x-www-form-urlencoded` bodies, as the course's login form sends. */
export const formBody: RequestHandler = express.urlencoded({ extended: false, limit: bodyLimit });

type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * Registers the handlers of one path and answers every other method with 405 and an
 * `Allow` header (OPTIONS gets 204 with the same header).
 *
 * @example
 * resource(router, '/users/:id', { get: showUser, put: updateUser, delete: deleteUser });
 */
export function resource(
  router: Router,
  path: string,
  handlers: Partial<Record<Method, RequestHandler | RequestHandler[]>>,
): void {
  const route = router.route(path);
  const allowed = Object.keys(handlers).map((method) => method.toUpperCase());
  // Express answers HEAD with the GET handler.
  if (allowed.includes('GET')) allowed.push('HEAD');
  allowed.push('OPTIONS');
  for (const [method, handler] of Object.entries(handlers)) route[method as Method](handler);
  route.all((req, res) => {
    res.set('Allow', allowed.join(', '));
    if (req.method === 'OPTIONS') res.status(204).end();
    else res.status(405).json({ error: 'Method Not Allowed' });
  });
}

/** 404 `{"error": "Not found"}` for every route nobody answered. */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'Not found' });
};

const clientErrors: Record<number, string> = {
  400: 'Bad Request',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
};

/**
 * Turns every error into a JSON answer: a client's mistake keeps its 4xx status, anything
 * else is a 500 whose details go to the server's log, never to the client.
 */
export const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) return next(error);
  // An exercise stub (npm run learn): 501, naming the function to write.
  if (error instanceof NotWrittenError) return void res.status(501).json(error.toJSON());
  const status = typeof error?.status === 'number' ? error.status : 500;
  if (error?.type === 'entity.parse.failed') {
    // The course answers a body that is not JSON with "Wrong format".
    res.status(400).json({ error: 'Wrong format' });
  } else if (status >= 400 && status < 500) {
    res.status(status).json({ error: clientErrors[status] ?? 'Bad Request' });
  } else {
    console.error(error);
    res.status(500).json({ error: 'Internal Server Error' });
  }
};
