/**
 * HTTP glue that no lesson teaches: JSON body parsing, 404, 405 and the error handler,
 * so that every answer, even to a client's mistake, is JSON; and answers that wait for the
 * request's body, so that the client can read them.
 *
 * @module
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Request bodies above this size (10 kB) are refused with 413: nobody's email needs more. */
export const bodyLimit = 10 * 1024;

/**
 * Whether the request declares a body longer than {@link bodyLimit}: it is refused with 413
 * before any route runs, whatever its type (a route may not read a `text/plain` body at all).
 *
 * @example
 * declaresTooLargeBody(req); // true for Content-Length: 1000000
 */
export function declaresTooLargeBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length']) > bodyLimit;
}

/** Unread body bytes read and thrown away before an answer ends, at most (see {@link endAfterBody}). */
export const drainLimitBytes = 16 * 1024 * 1024;

/** How long an answer waits for the rest of the body, at most (see {@link endAfterBody}). */
export const drainTimeoutMs = 5_000;

/**
 * Makes `res.end()` wait until the request's body has arrived, reading and throwing away
 * what nobody read, up to {@link drainLimitBytes} or {@link drainTimeoutMs}.
 *
 * Why: a route may answer before it reads the body (the guard's 401, a 413). Node then
 * closes the connection as soon as the answer is out; bytes still arriving make the kernel
 * reset it, and a client that is still writing its body sees the write fail (EPIPE) and
 * drops the answer unread. RFC 9112 §9.6 asks a server to read on until the client is done;
 * body-parser does the same with the bodies it refuses. (express-session and compression
 * wrap `res.end` in the same way.)
 *
 * @example
 * if (req.headers['content-length'] || req.headers['transfer-encoding']) endAfterBody(req, res);
 */
export function endAfterBody(req: IncomingMessage, res: ServerResponse): void {
  const end = res.end;
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (req.complete || req.destroyed) return Reflect.apply(end, this, args);
    let read = 0;
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      req.off('data', count);
      Reflect.apply(end, this, args);
    };
    const count = (chunk: Buffer) => {
      read += chunk.length;
      // Past the limit, the client may lose the answer: its body was far too large anyway.
      if (read > drainLimitBytes) finish();
    };
    const timer = setTimeout(finish, drainTimeoutMs);
    req.on('data', count).once('end', finish).once('close', finish).resume();
    return this;
  } as ServerResponse['end'];
}

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

/** How long a client is asked to wait (`Retry-After`, seconds) when the database is locked. */
export const retryAfterSeconds = 1;

/**
 * Turns every error into a JSON answer: a client's mistake keeps its 4xx status; a database
 * that another process kept locked past the busy timeout, or a store that cannot answer (an
 * error with `status` 503), is a 503 with `Retry-After` (the request was fine, and may work a
 * moment later); anything else is a 500 whose details go to the server's log, never to the
 * client.
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
  } else if (status === 503) {
    // A store that cannot answer now (lesson 8's Redis, which logs its outage once): try again soon.
    res.status(503).set('Retry-After', String(retryAfterSeconds)).json({ error: 'Service Unavailable' });
  } else if (/^SQLITE_(BUSY|LOCKED)/.test(error?.code)) {
    console.error(`database busy: ${error.message}`);
    res.status(503).set('Retry-After', String(retryAfterSeconds)).json({ error: 'Service Unavailable' });
  } else {
    console.error(error);
    res.status(500).json({ error: 'Internal Server Error' });
  }
};
