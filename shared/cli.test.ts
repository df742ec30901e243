import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase, useDatabase } from './db.ts';
import { User } from './models/user.ts';
import { makeTempDir } from './temp-dir.ts';
import { hasRole } from './models/user-role.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = makeTempDir('cli-test-');
let databases = 0;

/** A path for a database of the test's own (the file is created on first use). */
function freshDbPath(): string {
  return join(dir, `test-${++databases}.db`);
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node shared/cli.ts ...args` as a learner would (npm run user:add / user:list). */
function cli(dbPath: string, ...args: string[]): Promise<Run> {
  // A clean environment: only what the CLI needs, so the developer's own settings don't leak in.
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/cli.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, DB_PATH: dbPath },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Saves users straight into the database file, as another process would. */
function seed(dbPath: string, ...users: Partial<Pick<User, 'email' | 'firstName' | 'lastName'>>[]): User[] {
  const db = openDatabase(dbPath);
  useDatabase(db);
  const saved = users.map((fields) => {
    const user = Object.assign(new User(), fields);
    user.save();
    return user;
  });
  db.close();
  return saved;
}

// Each test has a database of its own, so they run at the same time (each one starts a process).
describe('npm run user:add / user:list', { concurrency: true }, () => {
  test('add creates the user, prints its id and exits 0', async () => {
    const dbPath = freshDbPath();
    const args = ['add', 'bob@hbtn.io', 'H0lbertonSchool98!', '--first-name', 'Bob'];
    const { code, stdout, stderr } = await cli(dbPath, ...args);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const id = stdout.trim();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    useDatabase(openDatabase(dbPath));
    const user = User.get(id);
    assert.deepEqual([user?.email, user?.firstName, user?.lastName], ['bob@hbtn.io', 'Bob', null]);
    assert.equal(await user?.isValidPassword('H0lbertonSchool98!'), true);
  });

  test('add --admin makes the new user an admin (lesson 7), and only that user', async () => {
    const dbPath = freshDbPath();
    const admin = await cli(dbPath, 'add', 'root@hbtn.io', 'H0lbertonSchool98!', '--admin');
    const plain = await cli(dbPath, 'add', 'bob@hbtn.io', 'H0lbertonSchool98!');
    assert.deepEqual([admin.code, admin.stderr, plain.code], [0, '', 0]);
    useDatabase(openDatabase(dbPath));
    assert.equal(hasRole(admin.stdout.trim(), 'admin'), true);
    assert.equal(hasRole(plain.stdout.trim(), 'admin'), false);
  });

  test('add with a taken email, in any case or width, and another password prints one error line and exits 1', async () => {
    const dbPath = freshDbPath();
    seed(dbPath, { email: 'bob@hbtn.io' });
    for (const email of ['bob@hbtn.io', 'BOB@hbtn.io', 'ｂｏｂ@hbtn.io']) {
      const { code, stdout, stderr } = await cli(dbPath, 'add', email, 'Secret-1234');
      assert.equal(code, 1, email);
      assert.equal(stdout, '');
      assert.equal(stderr, `error: ${email} is already registered, with another password: nothing added\n`);
    }
    useDatabase(openDatabase(dbPath));
    assert.equal(User.count(), 1);
  });

  test('add of a user already there with that password says so and exits 0: a pasted example goes on', async () => {
    const dbPath = freshDbPath();
    const args = ['add', 'bob@hbtn.io', 'H0lbertonSchool98!'];
    const first = await cli(dbPath, ...args);
    assert.equal(first.code, 0);
    const again = await cli(dbPath, ...args, '--first-name', 'Robert');
    assert.deepEqual(again, { code: 0, stdout: 'bob@hbtn.io is already registered, with this password: nothing to do\n', stderr: '' });
    useDatabase(openDatabase(dbPath));
    assert.deepEqual(User.all().map((user) => [user.id, user.firstName]), [[first.stdout.trim(), null]]);
  });

  test('add with a control character or surrounding spaces in the email prints one error line and exits 1', async () => {
    for (const email of ['bob@hbtn.io ', 'bob@hbtn.io\u0007', 'bo\u200bb@hbtn.io']) {
      const { code, stdout, stderr } = await cli(freshDbPath(), 'add', email, 'Secret-1234');
      assert.equal(code, 1, JSON.stringify(email));
      assert.equal(stdout, '');
      assert.equal(stderr, 'error: email must not hold control or invisible characters, nor begin or end with a space\n');
    }
  });

  test('add without an email and a password prints the usage and exits 1', async () => {
    for (const args of [['bob@hbtn.io'], ['bob@hbtn.io', 'pwd', 'extra']]) {
      const { code, stderr } = await cli(freshDbPath(), 'add', ...args);
      assert.equal(code, 1, args.join(' '));
      assert.match(stderr, /^error: .*\nusage: npm run user:add/, args.join(' '));
    }
  });

  test('an unknown option or command prints the usage and exits 1, without a stack trace', async () => {
    for (const args of [['add', 'bob@hbtn.io', 'pwd', '--nickname', 'B'], ['remove', 'bob@hbtn.io']]) {
      const { code, stderr } = await cli(freshDbPath(), ...args);
      assert.equal(code, 1, args.join(' '));
      assert.match(stderr, /^error: .*\nusage: /, args.join(' '));
      assert.doesNotMatch(stderr, /\n\s+at /, args.join(' '));
    }
  });

  test('list prints each user: id, email and name', async () => {
    const dbPath = freshDbPath();
    const [bob, ann] = seed(dbPath, { email: 'bob@hbtn.io', firstName: 'Bob', lastName: 'Dylan' }, { email: 'ann@hbtn.io' });
    const { code, stdout } = await cli(dbPath, 'list');
    assert.equal(code, 0);
    const lines = stdout.trim().split('\n').sort();
    assert.deepEqual(lines, [`${bob!.id}  bob@hbtn.io  Bob Dylan`, `${ann!.id}  ann@hbtn.io  ann@hbtn.io`].sort());
  });

  test('list prints one line per user, whatever the stored text: no control character reaches the terminal', async () => {
    const dbPath = freshDbPath();
    // Rows as an older version (or sqlite3 by hand) could have stored them.
    const db = openDatabase(dbPath);
    const insert = db.prepare("INSERT INTO users (id, email, first_name, created_at, updated_at) VALUES (?, ?, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')");
    insert.run('nul', 'bob@hbtn.io\u0000evil', null);
    insert.run('forger', 'eve@hbtn.io\r\nffffffff-0000-0000-0000-000000000000  admin@hbtn.io  Admin', null);
    insert.run('painter', '\u001b[2J\u001b[31mred@hbtn.io', 'Back\\slash \u202eesrever');
    db.close();
    const { code, stdout } = await cli(dbPath, 'list');
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    assert.deepEqual(stdout.trimEnd().split('\n').sort(), [
      'forger  eve@hbtn.io\\u{d}\\u{a}ffffffff-0000-0000-0000-000000000000  admin@hbtn.io  Admin  eve@hbtn.io\\u{d}\\u{a}ffffffff-0000-0000-0000-000000000000  admin@hbtn.io  Admin',
      'nul  bob@hbtn.io\\u{0}evil  bob@hbtn.io\\u{0}evil',
      'painter  \\u{1b}[2J\\u{1b}[31mred@hbtn.io  Back\\\\slash \\u{202e}esrever',
    ]);
  });

  test('list on an empty database says how to add a user', async () => {
    const { code, stdout } = await cli(freshDbPath(), 'list');
    assert.equal(code, 0);
    assert.match(stdout, /^no users \(npm run user:add/);
  });

  test('a DB_PATH that is not a SQLite file prints one error line and exits 1', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'These are my notes, not a database.\n'.repeat(50));
    const { code, stderr } = await cli(notes, 'list');
    assert.equal(code, 1);
    assert.equal(stderr, `error: cannot open the database ${notes}: file is not a database\n`);
  });
});
