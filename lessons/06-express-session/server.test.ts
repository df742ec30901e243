import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase, useDatabase } from '../../shared/db.ts';
import { User } from '../../shared/models/user.ts';
import { createUser, useTemporaryDatabase } from '../../shared/testing.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

// `npm run lesson:6`, run for real: its own process, a temporary database, a free port.
const root = fileURLToPath(new URL('../..', import.meta.url));
const password = 'H0lbertonSchool98!';

// Hashing costs ~200 ms: bob's password hash is made once, then saved in each test's database.
let bobPasswordHash: string;
before(async () => {
  useTemporaryDatabase();
  bobPasswordHash = (await createUser('bob@hbtn.io', password)).passwordHash!;
});

/** A fresh folder with a database that holds bob; returns the database path. */
function databaseWithBob(): string {
  const file = join(makeTempDir('lesson-6-server-test-'), 'sandbox.db');
  const bob = Object.assign(new User(), { email: 'bob@hbtn.io', passwordHash: bobPasswordHash });
  // Synchronous from switching to saving: the tests run concurrently and share the process's database.
  useDatabase(openDatabase(file));
  bob.save();
  return file;
}

// Whatever a failed test left running is stopped at the end.
const running = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts the lesson 6 server with these settings (a clean environment otherwise). */
function spawnServer(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lessons/06-express-session/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, API_HOST: '127.0.0.1', API_PORT: '0', ...env },
  });
  running.add(child);
  child.on('close', () => running.delete(child));
  return child;
}

/** A running server: its URL, everything it printed so far, and a way to stop it. */
interface Running {
  url: string;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts the server and waits until its output (banner, then notices) matches `ready`. */
async function startServer(env: Record<string, string>, ready = /\n {2}sessions: [^\n]*\n/): Promise<Running> {
  const child = spawnServer(env);
  const closed = once(child, 'close');
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match && ready.test(stdout)) resolve(match[1]!);
    });
    child.on('close', () => reject(new Error(`the server exited: ${stdout}${stderr}`)));
  });
  return {
    url,
    output: () => stdout,
    stop: async (signal = 'SIGTERM') => {
      child.kill(signal);
      await closed;
    },
  };
}

/** Everything a process prints, once it has exited. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnServer(env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'close');
  return { code, stdout, stderr };
}

/** Logs bob in; returns the session cookie as `name=value`. */
async function logIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth_session/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: 'bob@hbtn.io', password }),
  });
  assert.equal(res.status, 200);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

const meStatus = async (url: string, cookie: string) =>
  (await fetch(`${url}/api/v1/users/me`, { headers: { cookie } })).status;

describe('lesson 6 server', { concurrency: true }, () => {
  test('with the SQLite store, sessions and logouts survive a crash right after the answer', async () => {
    const dbPath = databaseWithBob();
    const first = await startServer({ DB_PATH: dbPath });
    assert.match(first.output(), /^Lesson 6 — express-session: listening on /);
    assert.match(first.output(), /session secret: generated and saved in .*session-secret \(owner-only\)/);
    const loggedOut = await logIn(first.url);
    const res = await fetch(`${first.url}/api/v1/auth_session/logout`, { method: 'DELETE', headers: { cookie: loggedOut } });
    assert.equal(res.status, 200);
    const cookie = await logIn(first.url);
    // SIGKILL: no shutdown code runs; only what was stored before the 200 can survive.
    await first.stop('SIGKILL');

    const second = await startServer({ DB_PATH: dbPath });
    try {
      assert.match(second.output(), /session secret: read from .*session-secret/);
      assert.equal(await meStatus(second.url, cookie), 200, 'the same cookie works after the restart');
      assert.equal(await meStatus(second.url, loggedOut), 403, 'a logout stays a logout');
    } finally {
      await second.stop();
    }
  });

  test('with SESSION_STORE=memory, sessions vanish at a restart', async () => {
    const dbPath = databaseWithBob();
    const env = { DB_PATH: dbPath, SESSION_STORE: 'memory', SESSION_SECRET: 'lesson-6-test-secret-0123456789abcdef' };
    const first = await startServer(env);
    assert.match(first.output(), /sessions: in memory \(SESSION_STORE=memory\)/);
    const cookie = await logIn(first.url);
    assert.equal(await meStatus(first.url, cookie), 200);
    await first.stop();

    const second = await startServer(env);
    try {
      assert.equal(await meStatus(second.url, cookie), 403, 'same secret, but the session is gone');
    } finally {
      await second.stop();
    }
  });

  test('NODE_ENV=production without SESSION_SECRET: one error line, exit code 1', async () => {
    const dbPath = databaseWithBob();
    const { code, stdout, stderr } = await runToExit({ DB_PATH: dbPath, NODE_ENV: 'production' });
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'error: SESSION_SECRET must be set when NODE_ENV=production\n');
  });

  test('a SESSION_STORE it does not know: one error line naming it, exit code 1', async () => {
    const dbPath = databaseWithBob();
    const { code, stderr } = await runToExit({ DB_PATH: dbPath, SESSION_STORE: 'redis' });
    assert.equal(code, 1);
    assert.equal(stderr, 'error: SESSION_STORE must be sqlite or memory, got "redis"\n');
  });

  test("AUTH_TYPE=session_exp_auth runs lesson 4's hand-built sessions", async () => {
    const dbPath = databaseWithBob();
    const server = await startServer({ DB_PATH: dbPath, AUTH_TYPE: 'session_exp_auth' }, /AUTH_TYPE=session_exp_auth/);
    try {
      const cookie = await logIn(server.url);
      assert.match(cookie, /^_my_session_id=[A-Za-z0-9_-]{43}$/, 'an unsigned id: no express-session here');
      assert.equal(await meStatus(server.url, cookie), 200);
    } finally {
      await server.stop();
    }
  });
});
