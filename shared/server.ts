/**
 * Starting a lesson's server: configuration, database, listen, banner, and one-line errors
 * instead of stack traces for the mistakes a learner makes (port in use, bad settings).
 *
 * @module
 */
import type { Express } from 'express';
import type { Server } from 'node:http';
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
  const server = app.listen(config.apiPort, config.apiHost);
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`port ${config.apiPort} is in use: stop the other server or set API_PORT`);
    if (error.code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.apiHost}: set API_HOST to an address of this machine`);
    fail(error.message);
  });
  // A request line or header Node cannot parse still gets a JSON answer, not a bare socket close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ error: status === 431 ? 'Request Header Fields Too Large' : 'Bad Request' });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
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
