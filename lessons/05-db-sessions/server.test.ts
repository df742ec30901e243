import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../shared/db.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

// `npm run lesson:5`, run for real: its own processes, killed and started again on one file.
const root = fileURLToPath(new URL('../..', import.meta.url));
const email = 'bob@hbtn.io';
const password = 'H0lbertonSchool98!';

/** A new folder with a database holding bob (at a low scrypt cost: verifyPassword reads it). */
function databaseWithBob(): string {
  const dir = makeTempDir('lesson-5-server-test-');
  const file = join(dir, 'sandbox.db');
  const db = openDatabase(file);
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  const hash = ['scrypt', 1024, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
  const now = new Date().toISOString();
  db.prepare('INSERT INTO users (id, email, password, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
    'bob',
    email,
    hash,
    now,
    now,
  );
  db.close();
  return file;
}

/** Starts the lesson 5 server on a free port, with a clean environment plus `env`. */
function spawnServer(dbPath: string, env: Record<string, string> = {}, user?: number): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'lessons/05-db-sessions/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, API_HOST: '127.0.0.1', API_PORT: '0', DB_PATH: dbPath, ...env },
    ...(user === undefined ? {} : { uid: user, gid: user }),
  });
}

/** A running server: its process and its API's base URL. */
interface Running {
  child: ChildProcessWithoutNullStreams;
  api: string;
}

/** Starts a server and waits for its banner; it is killed when the test ends. */
async function startServer(t: TestContext, dbPath: string, env: Record<string, string> = {}): Promise<Running> {
  const child = spawnServer(dbPath, env);
  t.after(() => child.kill('SIGKILL'));
  const banner = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.on('close', () => reject(new Error(`the server exited before its banner: ${text}`)));
  });
  const match = /^Lesson 5 — Sessions in SQLite: listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(banner);
  assert.ok(match, banner);
  return { child, api: `${match[1]}/api/v1` };
}

/** Stops a server with `signal` and waits until it is gone. */
async function stopServer({ child }: Running, signal: NodeJS.Signals): Promise<void> {
  const closed = once(child, 'close');
  child.kill(signal);
  await closed;
}

const login = (api: string) =>
  fetch(`${api}/auth_session/login`, { method: 'POST', body: new URLSearchParams({ email, password }) });

const cookieOf = (response: Response) => response.headers.getSetCookie()[0]!.split(';')[0]!;

const me = async (api: string, cookie: string) => (await fetch(`${api}/users/me`, { headers: { cookie } })).status;

const logout = async (api: string, cookie: string) =>
  (await fetch(`${api}/auth_session/logout`, { method: 'DELETE', headers: { cookie } })).status;

describe('npm run lesson:5: sessions outlive the process', { concurrency: true }, () => {
  test('killed with SIGKILL right after a 200 login, started again: the cookie still works', async (t) => {
    const file = databaseWithBob();
    const first = await startServer(t, file);
    const response = await login(first.api);
    assert.equal(response.status, 200);
    // No clean shutdown, no chance to flush anything: the row was committed before the 200.
    first.child.kill('SIGKILL');
    await once(first.child, 'close');
    const cookie = cookieOf(response);

    const second = await startServer(t, file);
    assert.equal(await me(second.api, cookie), 200);
  });

  test('a logout survives a restart too', async (t) => {
    const file = databaseWithBob();
    const first = await startServer(t, file);
    const cookie = cookieOf(await login(first.api));
    assert.equal(await logout(first.api, cookie), 200);
    await stopServer(first, 'SIGTERM');

    const second = await startServer(t, file);
    assert.equal(await me(second.api, cookie), 403);
  });

  test('two processes on one file accept each other’s logins and logouts at once', async (t) => {
    const file = databaseWithBob();
    const env = { SESSION_DURATION: '3600', SESSION_IDLE_TIMEOUT: '600' };
    const [a, b] = await Promise.all([startServer(t, file, env), startServer(t, file, env)]);

    const fromA = cookieOf(await login(a.api));
    const fromB = cookieOf(await login(b.api));
    for (const api of [a.api, b.api]) {
      assert.equal(await me(api, fromA), 200);
      assert.equal(await me(api, fromB), 200);
    }
    assert.equal(await logout(b.api, fromA), 200);
    assert.equal(await me(a.api, fromA), 403, 'logged out on B, refused on A');
    assert.equal(await logout(a.api, fromB), 200);
    assert.equal(await me(b.api, fromB), 403, 'logged out on A, refused on B');
  });
});

describe('npm run lesson:5: a database that cannot be opened stops the server at start', { concurrency: true }, () => {
  /** Runs the server to its end; returns its exit code and everything it printed. */
  async function run(dbPath: string, user?: number) {
    const child = spawnServer(dbPath, {}, user);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // A banner: the server started after all. Stop it, and let the assertions say so.
      child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'close');
    return { code, stdout, stderr };
  }

  test('a folder that cannot be created: one error line, exit code 1', async () => {
    const dir = makeTempDir('lesson-5-server-test-');
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const dbPath = join(dir, 'a-file', 'data', 'sandbox.db');
    const { code, stdout, stderr } = await run(dbPath);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^error: cannot open the database ${dbPath}: [^\\n]+\\n$`));
  });

  test('a read-only database file: one error line at start, not a 500 at the first login', async () => {
    const dbPath = databaseWithBob();
    chmodSync(dbPath, 0o444);
    // SQLite writes its -wal and -shm files beside it: the folder stays writable.
    chmodSync(join(dbPath, '..'), 0o777);
    // root may write any file, read-only or not: run the server as "nobody" then.
    const nobody = process.getuid?.() === 0 ? 65534 : undefined;
    const { code, stdout, stderr } = await run(dbPath, nobody);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `error: cannot open the database ${dbPath}: attempt to write a readonly database\n`);
  });

  test('a file that is not a SQLite database: one error line, exit code 1', async () => {
    const dir = makeTempDir('lesson-5-server-test-');
    const dbPath = join(dir, 'notes.txt');
    writeFileSync(dbPath, 'These are my notes, not a database.\n'.repeat(50));
    const { code, stdout, stderr } = await run(dbPath);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `error: cannot open the database ${dbPath}: file is not a database\n`);
  });
});
