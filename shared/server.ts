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
import { ConfigError, loadConfig, type Config } from './config.ts';
import { database, DatabaseOpenError } from './db.ts';
import { User } from './models/user.ts';

/** What a lesson's banner says about it. */
export interface LessonInfo {
  /** The lesson's number, 0 to 8. */
  lesson: number;
  /** Its title, as in the lesson table. */
  title: string;
  /** Path of its notes, from the project root. */
  notes: string;
  /** Command lines to try once it runs, given its base URL (no trailing slash). */
  tryIt(url: string): string[];
}

/** Builds the lesson's app from the configuration; may throw a {@link ConfigError}. */
export type AppBuilder = (config: Config) => Express | Promise<Express>;

const reasons: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not found',
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
    // RFC 9112 §3.2: an HTTP/1.1 request without a Host header is a 400.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) return answerJson(res, 400);
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

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

/**
 * Builds the app, listens on `API_HOST:API_PORT` and prints the banner; exits with a
 * one-line error when the configuration, the database or the port is unusable.
 *
 * @example
 * await runLesson({ lesson: 0, title: 'The users API', notes: '...', tryIt: (url) => [`curl ${url}/api/v1/status`] }, () => createApp());
 */
export async function runLesson(info: LessonInfo, build: AppBuilder): Promise<Server> {
  let config: Config;
  let app: Express;
  try {
    config = loadConfig();
    database();
    app = await build(config);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DatabaseOpenError) fail(error.message);
    throw error;
  }
  const server = createServer(app).listen(config.apiPort, config.apiHost);
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`port ${config.apiPort} is in use: stop the other server or set API_PORT`);
    if (error.code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.apiHost}: set API_HOST to an address of this machine`);
    fail(error.message);
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${port}`;
  printBanner(info, url);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
  return server;
}

function printBanner(info: LessonInfo, url: string): void {
  const lines = [
    `Lesson ${info.lesson} — ${info.title}: listening on ${url}`,
    `  notes:   ${info.notes}`,
    ...info.tryIt(url).map((line, i) => `  ${i === 0 ? 'try it:' : '       '}  ${line}`),
  ];
  if (User.count() === 0) {
    lines.push(`  no users yet: npm run user:add -- bob@hbtn.io 'H0lbertonSchool98!'`);
  }
  lines.push('  stop:    Ctrl-C');
  console.log(lines.join('\n'));
}
