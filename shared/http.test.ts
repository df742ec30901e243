import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import express, { type Express } from 'express';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { openDatabase, useDatabase } from './db.ts';
import { errorHandler, jsonBody, notFound } from './http.ts';
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
