import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import express, { type Express } from 'express';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openDatabase, useDatabase } from './db.ts';
import { drainLimitBytes, errorHandler, jsonBody, notFound } from './http.ts';
import { User } from './models/user.ts';
import { createServer } from './server.ts';
import { makeTempDir } from './temp-dir.ts';

/** Serves `app` through the lessons' own server (shared/server.ts) on a free port. */
async function serve(t: TestContext, app: Express): Promise<number> {
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(() => {
    server.close();
    server.closeAllConnections();
  });
  return (server.address() as AddressInfo).port;
}

/** An app whose every answer is a 401 that reads no body, as the auth guard does. */
function guardOnly(): Express {
  const app = express();
  app.use((_req, res) => void res.status(401).json({ error: 'Unauthorized' }));
  return app;
}

/**
 * Sends `head` and then `body` in 64 kB writes, each after the one before was taken, and reads
 * nothing until the whole body is written: a client that looks at the answer only then.
 * Resolves with the raw answer, or rejects with the error a write got.
 */
function writeAllThenRead(port: number, head: string, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('error', reject);
    socket.on('connect', async () => {
      socket.pause();
      const write = (chunk: Buffer | string) => new Promise<void>((done, fail) => socket.write(chunk, (error) => (error ? fail(error) : done())));
      try {
        await write(head);
        for (let i = 0; i < body.length; i += 65536) await write(body.subarray(i, i + 65536));
      } catch (error) {
        return reject(error);
      }
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('end', () => resolve(answer));
      socket.resume();
    });
  });
}

/** 12 MB: more than the kernel buffers of both ends hold, so the client is still writing when a server answers at once. */
const bigBody = Buffer.alloc(12 * 1024 * 1024, 'a');
assert.ok(bigBody.length < drainLimitBytes);

test('a body over the limit that no route reads (text/plain) gets a JSON 413, which a client still writing can read', async (t) => {
  const port = await serve(t, guardOnly());
  const head = `POST /api/v1/auth_session/login HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${bigBody.length}\r\nConnection: close\r\n\r\n`;
  const answer = await writeAllThenRead(port, head, bigBody);
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.match(answer, /\r\ncontent-type: application\/json/i);
  assert.ok(answer.endsWith('{"error":"Payload Too Large"}'), answer);
});

test('an answer sent before a chunked body arrived waits for it, so the client can read it', async (t) => {
  const port = await serve(t, guardOnly());
  const head = 'PUT /api/v1/users/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
  const chunk = Buffer.concat([Buffer.from('10000\r\n'), bigBody.subarray(0, 0x10000), Buffer.from('\r\n')]);
  const chunked = Buffer.concat([...Array.from({ length: bigBody.length / 0x10000 }, () => chunk), Buffer.from('0\r\n\r\n')]);
  const answer = await writeAllThenRead(port, head, chunked);
  assert.match(answer, /^HTTP\/1\.1 401 /);
  assert.ok(answer.endsWith('{"error":"Unauthorized"}'), answer);
});

test('a body within the limit still reaches the route', async (t) => {
  const app = express();
  app.use(jsonBody);
  app.post('/echo', (req, res) => void res.json(req.body));
  const port = await serve(t, app);
  const body = JSON.stringify({ email: 'a'.repeat(9000) });
  const response = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), body);
});

test('a write that waits past the busy timeout for another process\'s lock gets a JSON 503 with Retry-After', async (t) => {
  const file = join(makeTempDir('http-test-'), 'sandbox.db');
  const db = openDatabase(file, { busyTimeoutMs: 50 });
  useDatabase(db);
  t.after(() => db.close());
  const app = express();
  app.use(jsonBody);
  app.post('/users', (req, res) => {
    const user = Object.assign(new User(), { email: req.body.email });
    user.save();
    res.status(201).json(user);
  });
  app.use(notFound, errorHandler);
  const port = await serve(t, app);
  const create = (email: string) =>
    fetch(`http://127.0.0.1:${port}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });

  // Another connection (another process, for SQLite) takes the write lock and keeps it.
  const other = new Database(file);
  t.after(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  const locked = await create('bob@hbtn.io');
  assert.equal(locked.status, 503);
  assert.equal(locked.headers.get('retry-after'), '1');
  assert.match(locked.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await locked.json(), { error: 'Service Unavailable' });

  // Once the lock is released, the same request works.
  other.exec('ROLLBACK');
  assert.equal((await create('bob@hbtn.io')).status, 201);
});
