import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../shared/temp-dir.ts';

// `npm run lesson:1`, run for real: its own process, a temporary database, a free port.
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = makeTempDir('lesson-1-server-test-');

/** Starts the lesson 1 server with these settings (a clean environment otherwise). */
function startServer(env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'lessons/01-basic-auth/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, API_HOST: '127.0.0.1', DB_PATH: join(dir, 'test.db'), ...env },
  });
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Everything a process prints, once it has exited. */
async function output(child: ChildProcessWithoutNullStreams): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'close');
  return { code, stdout, stderr };
}

/** The first line the process prints on stdout. */
function firstLine(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.on('close', () => reject(new Error(`the server exited before printing its banner: ${text}`)));
  });
}

// Each test starts its own server process; they run at the same time.
describe('npm run lesson:1', { concurrency: true }, () => {
  test('the server prints its banner with the port it got, and answers there', async (t) => {
    const child = startServer({ API_PORT: '0' });
    t.after(() => child.kill());
    const banner = await firstLine(child);
    const match = /^Lesson 1 — Basic auth: listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(banner);
    assert.ok(match, banner);
    assert.notEqual(match[2], '0');

    const response = await fetch(`${match[1]}/api/v1/status`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'OK' });
  });

  test('a port already in use is one error line and exit code 1, no stack trace', async (t) => {
    const taken = createServer().listen(0, '127.0.0.1');
    t.after(() => taken.close());
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;

    const { code, stdout, stderr } = await output(startServer({ API_PORT: String(port) }));
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, `error: port ${port} is in use: stop the other server or set API_PORT\n`);
  });

  test('a DB_PATH that is not a SQLite file is one error line and exit code 1', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'These are my notes, not a database.\n'.repeat(50));
    const { code, stderr } = await output(startServer({ API_PORT: '0', DB_PATH: notes }));
    assert.equal(code, 1);
    assert.equal(stderr, `error: cannot open the database ${notes}: file is not a database\n`);
  });

  test('a bad setting is one error line naming the variable, and exit code 1', async () => {
    const settings: Record<string, string>[] = [{ API_PORT: 'http' }, { API_PORT: '0', AUTH_TYPE: 'magic' }];
    for (const env of settings) {
      const { code, stderr } = await output(startServer(env));
      assert.equal(code, 1, JSON.stringify(env));
      assert.match(stderr, /^error: (API_PORT|AUTH_TYPE) [^\n]+\n$/, JSON.stringify(env));
    }
  });
});
