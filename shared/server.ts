/**
 * Starting a lesson's server: configuration, database, listen, banner, and one-line errors
 * instead of stack traces for the mistakes a learner makes (port in use, bad settings). The
 * HTTP server answers JSON even to the requests Node and Express would answer by themselves.
 *
 * @module
 */
import type { Express, Request, Response } from 'express';
import http, { type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, configWarnings, loadConfig, type Config } from './config.ts';
import { database, DatabaseOpenError } from './db.ts';
import { createDemoUserIfNoUsers, demoUser, demoUserWanted } from './demo-user.ts';
import { declaresTooLargeBody, endAfterBody } from './http.ts';
import { User } from './models/user.ts';
import { NotWrittenError, notWrittenApp } from './not-written.ts';

/** What a lesson's banner says about it: its entry in the curriculum manifest, and what to try. */
export interface LessonInfo {
  /** The lesson's number, 0 to 8. */
  number: number;
  /** Its title, as in the lesson table. */
  title: string;
  /** Its folder under `lessons/`, where its notes are (`03-session-login`). */
  folder: string;
  /** The `AUTH_TYPE` it runs when none is set (`null`: the lesson has no authentication). */
  authType: string | null;
  /** Command lines to try once it runs, given its base URL (no trailing slash). */
  tryIt?(url: string): string[];
}

/** A built app, and what runs beside it once the server listens. */
export interface LessonApp {
  /** The Express app. */
  app: Express;
  /**
   * Runs once the server listens: starts background work (a sweeper's timer) and returns the
   * function that stops it at shutdown. Building an app never starts anything by itself.
   */
  start?: () => (() => void) | void;
  /** One-line notices printed under the banner (where the secret came from, say). */
  notices?: string[];
}

/** Builds a lesson's app from the configuration; may throw a {@link ConfigError}. */
export type AppBuilder = (config: Config) => LessonApp | Promise<LessonApp>;

/** `AUTH_TYPE` value → the app that runs it, as the course's `app.py` picks its auth. */
export type AuthTypes = Readonly<Record<string, AppBuilder>>;

/**
 * The builder for the configured `AUTH_TYPE` (the lesson's default when unset); a
 * {@link ConfigError} naming the accepted values for any other.
 *
 * @example
 * pickApp({ basic_auth: buildBasicAuthApp }, undefined, 'basic_auth'); // buildBasicAuthApp
 */
export function pickApp(types: AuthTypes, authType: string | undefined, defaultType: string): AppBuilder {
  const name = authType ?? defaultType;
  // hasOwn: "constructor" or "toString" are no auth types, even if every object has them.
  const build = Object.hasOwn(types, name) ? types[name] : undefined;
  if (!build) throw new ConfigError(`AUTH_TYPE must be one of ${Object.keys(types).join(', ')}; got "${name}"`);
  return build;
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not found',
  413: 'Payload Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

/** A whole JSON error answer as raw bytes, for a socket Node could not hand to the app. */
function rawJsonAnswer(status: number): string {
  const body = JSON.stringify({ error: reasons[status] });
  return (
    `HTTP/1.1 ${status} ${reasons[status]}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** A JSON error answer through Node's response object, outside Express. */
function answerJson(res: ServerResponse, status: number): void {
  // Too late for another answer: end the connection, as Express would.
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: reasons[status] });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The HTTP server for an app, with a JSON answer for the requests that Node or Express would
 * otherwise answer by themselves, with an empty body, an HTML page or a closed connection.
 *
 * @example
 * createServer(createApp()).listen(5000, '127.0.0.1');
 */
export function createServer(app: Express): Server {
  // Node's own Host check (requireHostHeader) answers with an empty body: the check is done below.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    // An answer sent before the body waits for it: a client still writing could not read it.
    if (req.headers['content-length'] || req.headers['transfer-encoding']) endAfterBody(req, res);
    // RFC 9112 §3.2: an HTTP/1.1 request without a Host header is a 400.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) return answerJson(res, 400);
    // Over the limit, whatever the body's type (no route reads text/plain): 413 before any route.
    if (declaresTooLargeBody(req)) return answerJson(res, 413);
    // Express calls this only when no middleware could run, e.g. for "GET http:// HTTP/1.1",
    // a target without a path; its default answer is an HTML page.
    // (Called with a third argument, the app is typed as a middleware: hence the casts.)
    app(req as Request, res as Response, (error?: unknown) => {
      if (error) console.error(error);
      answerJson(res, error ? 500 : 404);
    });
  });
  // A request line or header Node cannot parse still gets a JSON answer, not a bare socket close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    socket.end(rawJsonAnswer(error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400));
  });
  // An Expect header other than 100-continue: Node's own 417 has an empty body.
  server.on('checkExpectation', (_req, res: ServerResponse) => answerJson(res, 417));
  // CONNECT (a proxy's method): without this, Node closes the connection without an answer.
  server.on('connect', (_req, socket) => socket.end(rawJsonAnswer(400)));
  return server;
}

/** Builds the app; when it calls an exercise stub (npm run learn), an app that answers the stub's 501. */
async function buildApp(build: AppBuilder, config: Config): Promise<LessonApp> {
  try {
    return await build(config);
  } catch (error) {
    if (!(error instanceof NotWrittenError)) throw error;
    return { app: notWrittenApp(error), notices: [error.message] };
  }
}

function fail(message: string): never {
  // One "error:" line per line of the message: a lesson may name several bad settings at once.
  for (const line of message.split('\n')) console.error(`error: ${line}`);
  process.exit(1);
}

/**
 * Builds the app (the one `AUTH_TYPE` names, when given a table), creates the demo user on an
 * empty database (unless `DEMO_USER=false` or in production), listens on `API_HOST:API_PORT`,
 * prints the banner and starts the app's background work; exits with a one-line error when
 * the configuration, the database or the port is unusable.
 *
 * @example
 * await runLesson({ ...lesson(0), tryIt: (url) => [`curl ${url}/api/v1/status`] }, () => ({ app: createUsersApp() }));
 */
export async function runLesson(info: LessonInfo, apps: AppBuilder | AuthTypes): Promise<Server> {
  let config: Config;
  let built: LessonApp;
  let createdDemoUser = false;
  try {
    config = loadConfig();
    const wantsDemoUser = demoUserWanted();
    const build = typeof apps === 'function' ? apps : pickApp(apps, config.authType, info.authType ?? '');
    // The app is built (its own settings read) before the database is opened, and the demo user
    // comes after both: a bad setting stops the server before it touches the file, which
    // another server may be using. A database that can't be used stops the start too.
    built = await buildApp(build, config);
    database();
    if (wantsDemoUser) createdDemoUser = await createDemoUserIfNoUsers();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DatabaseOpenError) fail(error.message);
    throw error;
  }
  const server = createServer(built.app).listen(config.apiPort, config.apiHost);
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`port ${config.apiPort} is in use: stop the other server or set API_PORT`);
    if (error.code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.apiHost}: set API_HOST to an address of this machine`);
    fail(error.message);
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${port}`;
  const notices = [...(built.notices ?? []), ...configWarnings()];
  if (config.authType && config.authType !== info.authType) {
    notices.unshift(`auth:    AUTH_TYPE=${config.authType}, the app of the lesson that teaches it (this one's own: ${info.authType})`);
  }
  printBanner(info, url, notices, createdDemoUser);
  let stop: (() => void) | void = undefined;
  try {
    stop = built.start?.();
  } catch (error) {
    // An exercise stub the background work calls (lesson 2 prints a session): say so, keep serving.
    if (!(error instanceof NotWrittenError)) throw error;
    console.log(`  ${error.message}`);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop?.();
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
  return server;
}

function printBanner(info: LessonInfo, url: string, notices: readonly string[], createdDemoUser: boolean): void {
  const lines = [
    `Lesson ${info.number} — ${info.title}: listening on ${url}`,
    `  notes:   lessons/${info.folder}/README.md`,
    ...(info.tryIt?.(url) ?? []).map((line, i) => `  ${i === 0 ? 'try it:' : '       '}  ${line}`),
  ];
  if (createdDemoUser) {
    // The course's published password, shown so the "try it" lines work as they are.
    lines.push(`  user:    ${demoUser.email}, password ${demoUser.password}: the demo user, created as the database had none (DEMO_USER=false to skip)`);
  } else if (User.count() === 0) {
    lines.push(`  no users yet: npm run user:add -- <email> <password>`);
  }
  lines.push('  stop:    Ctrl-C', ...notices.map((notice) => `  ${notice}`));
  console.log(lines.join('\n'));
}
