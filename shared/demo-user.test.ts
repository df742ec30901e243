import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config.ts';
import { createDemoUserIfNoUsers, demoUser, demoUserWanted } from './demo-user.ts';
import { User } from './models/user.ts';
import { createUser, useTemporaryDatabase } from './testing.ts';

test('DEMO_USER: on by default, off with false or 0, never in production', () => {
  assert.equal(demoUserWanted({}), true);
  assert.equal(demoUserWanted({ DEMO_USER: '' }), true);
  assert.equal(demoUserWanted({ DEMO_USER: 'true' }), true);
  assert.equal(demoUserWanted({ DEMO_USER: 'false' }), false);
  assert.equal(demoUserWanted({ DEMO_USER: '0' }), false);
  assert.equal(demoUserWanted({ NODE_ENV: 'production' }), false);
  assert.equal(demoUserWanted({ NODE_ENV: 'production', DEMO_USER: 'false' }), false);
  assert.throws(() => demoUserWanted({ NODE_ENV: 'production', DEMO_USER: 'true' }), ConfigError);
  assert.throws(() => demoUserWanted({ DEMO_USER: 'yes please' }), /DEMO_USER must be true or false, got "yes please"/);
});

test('the demo user is created on an empty database only, once', async () => {
  useTemporaryDatabase();
  assert.equal(await createDemoUserIfNoUsers(), true);
  const bob = User.search({ email: demoUser.email })[0];
  assert.ok(bob, 'bob is there');
  assert.equal(bob.displayName(), 'Bob Dylan');
  assert.equal(await bob.isValidPassword(demoUser.password), true);
  assert.equal(await createDemoUserIfNoUsers(), false, 'not twice');
  assert.equal(User.count(), 1);

  useTemporaryDatabase();
  await createUser('ada@hbtn.io', 'Ada, not Bob');
  assert.equal(await createDemoUserIfNoUsers(), false, 'not beside another user');
  assert.equal(User.count(), 1);
});

/** What lesson 1's server prints before its "stop:" line, started with `env` on a new database. */
function banner(env: Record<string, string>): Promise<string> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dbPath = join(mkdtempSync(join(tmpdir(), 'demo-user-test-')), 'sandbox.db');
  const child = spawn(process.execPath, ['--import', 'tsx', 'lessons/01-basic-auth/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, API_HOST: '127.0.0.1', API_PORT: '0', DB_PATH: dbPath, ...env },
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (/\n {2}stop: /.test(stdout)) child.kill();
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', () => (/ stop: /.test(stdout) ? resolve(stdout) : reject(new Error(`no banner: ${stdout}${stderr}`))));
  });
}

describe('a lesson server on an empty database', { concurrency: true }, () => {
  test('creates the demo user and says so', async () => {
    const text = await banner({});
    assert.match(text, /\n {2}user: {4}bob@hbtn\.io, password H0lbertonSchool98!: the demo user, created as the database had none \(DEMO_USER=false to skip\)\n/);
  });

  test('with DEMO_USER=false, or NODE_ENV=production, creates none and says how to add one', async () => {
    for (const env of [{ DEMO_USER: 'false' }, { NODE_ENV: 'production' }] as Record<string, string>[]) {
      const text = await banner(env);
      assert.doesNotMatch(text, /demo user/, JSON.stringify(env));
      assert.match(text, /\n {2}no users yet: npm run user:add -- <email> <password>\n/, JSON.stringify(env));
    }
  });
});
