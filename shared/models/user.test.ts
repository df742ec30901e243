import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, test } from 'node:test';
import { DatabaseOpenError, openDatabase, useDatabase, type Db } from '../db.ts';
import { DuplicateEmailError, InvalidEmailError, normalizeEmail, User } from './user.ts';
import { makeTempDir } from '../temp-dir.ts';

const dir = makeTempDir('user-test-');
let databases = 0;

/** Gives the test an empty database of its own, in a real SQLite file; returns the file. */
function useFreshDatabase(): string {
  const file = join(dir, `test-${++databases}.db`);
  useDatabase(openDatabase(file));
  return file;
}

/** Switches back to the database that holds bob (see `before`). */
function useBobDatabase(): void {
  useDatabase(bobDatabase);
}

/** A saved user with these fields (no password: hashing is slow and most tests don't need it). */
function saveUser(fields: Partial<Pick<User, 'email' | 'firstName' | 'lastName'>>): User {
  const user = Object.assign(new User(), fields);
  user.save();
  return user;
}

// Hashing costs ~100 ms: one user with a password, shared by the password tests.
const bobPassword = 'H0lbertonSchool98!';
let bob: User;
let bobDatabase: Db;
before(async () => {
  bobDatabase = openDatabase(join(dir, 'bob.db'));
  useDatabase(bobDatabase);
  bob = Object.assign(new User(), { email: 'bob@hbtn.io', firstName: 'Bob', lastName: 'Dylan' });
  await bob.setPassword(bobPassword);
  bob.save();
});

// --- Storage: save, get, search, count, all, remove (the course's Base) ---

test('a saved user can be read back by id with every field', () => {
  useFreshDatabase();
  const saved = saveUser({ email: 'ann@hbtn.io', firstName: 'Ann', lastName: 'Lee' });
  const read = User.get(saved.id);
  assert.ok(read instanceof User);
  assert.deepEqual(read.toJSON(), saved.toJSON());
  assert.equal(read.createdAt.getTime(), saved.createdAt.getTime());
});

test('get returns null for an unknown id', () => {
  useFreshDatabase();
  assert.equal(User.get('no-such-id'), null);
});

test('count and all see every saved user, oldest first', async () => {
  useFreshDatabase();
  assert.equal(User.count(), 0);
  assert.deepEqual(User.all(), []);
  const first = saveUser({ email: 'a@hbtn.io' });
  await sleep(2); // distinct creation times
  const second = saveUser({ email: 'b@hbtn.io' });
  assert.equal(User.count(), 2);
  assert.deepEqual(
    User.all().map((user) => user.id),
    [first.id, second.id],
  );
});

test('search matches every attribute given, and {} matches everyone', () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'ann@hbtn.io', firstName: 'Ann', lastName: 'Lee' });
  saveUser({ email: 'bea@hbtn.io', firstName: 'Bea', lastName: 'Lee' });
  assert.equal(User.search({ lastName: 'Lee' }).length, 2);
  assert.deepEqual(
    User.search({ firstName: 'Ann', lastName: 'Lee' }).map((user) => user.id),
    [ann.id],
  );
  assert.deepEqual(User.search({ email: 'nobody@hbtn.io' }), []);
  assert.equal(User.search({}).length, 2);
});

test('search by email ignores case', () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'Ann@Hbtn.io' });
  assert.deepEqual(
    User.search({ email: 'ann@HBTN.IO' }).map((user) => user.id),
    [ann.id],
  );
});

test('search by an attribute that is not searchable throws a TypeError', () => {
  useFreshDatabase();
  // "password" is a column but not searchable; "toString" exists on every object.
  for (const name of ['nickname', 'password', 'toString', 'constructor']) {
    assert.throws(() => User.search({ [name]: 'x' }), TypeError, name);
  }
});

test('saving again updates the row instead of adding one', () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'ann@hbtn.io' });
  ann.firstName = 'Ann';
  ann.save();
  assert.equal(User.count(), 1);
  assert.equal(User.get(ann.id)?.firstName, 'Ann');
});

test('remove deletes the row', () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'ann@hbtn.io' });
  const bea = saveUser({ email: 'bea@hbtn.io' });
  ann.remove();
  assert.equal(User.get(ann.id), null);
  assert.deepEqual(
    User.all().map((user) => user.id),
    [bea.id],
  );
});

test('an email already taken, in any case, is a DuplicateEmailError', () => {
  useFreshDatabase();
  saveUser({ email: 'ann@hbtn.io' });
  assert.throws(() => saveUser({ email: 'ANN@hbtn.io' }), DuplicateEmailError);
  assert.equal(User.count(), 1);
});

// --- Emails: one address, one account ---

test('an email is stored in its normal form: NFKC, then lower case', () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'ＡＮＮ@Hbtn.io' });
  assert.equal(ann.email, 'ann@hbtn.io');
  assert.equal(User.get(ann.id)?.email, 'ann@hbtn.io');
  assert.equal(ann.toJSON().email, 'ann@hbtn.io');
});

test('fullwidth letters and a capital dotted İ are the same address as bob@hbtn.io', () => {
  useFreshDatabase();
  const bob = saveUser({ email: 'bob@hbtn.io' });
  // 'İ'.toLowerCase() is 'i' + U+0307 (a combining dot above): it would look like bob@hbtn.io
  // without being it, unless that dot is dropped. Typed decomposed, it is the same.
  for (const twin of ['ｂｏｂ@hbtn.io', 'BOB@HBTN.İO', 'bob@hbtn.i\u0307o', 'BOB@HBTN.I\u0307O', 'Bob@Hbtn.Io']) {
    assert.equal(normalizeEmail(twin), 'bob@hbtn.io', JSON.stringify(twin));
    assert.throws(() => saveUser({ email: twin }), DuplicateEmailError, JSON.stringify(twin));
    assert.deepEqual(User.search({ email: twin }).map((user) => user.id), [bob.id], JSON.stringify(twin));
  }
  assert.equal(User.count(), 1);
});

test('an accent typed as a combining mark is the same address as the accented letter', () => {
  useFreshDatabase();
  const accented = saveUser({ email: 'b\u00f3b@hbtn.io' });
  assert.throws(() => saveUser({ email: 'bo\u0301b@hbtn.io' }), DuplicateEmailError);
  assert.deepEqual(User.search({ email: 'bo\u0301b@hbtn.io' }).map((user) => user.id), [accented.id]);
  // bób is another address than bob, as josé is not jose: accents are kept.
  assert.notEqual(normalizeEmail('bo\u0301b@hbtn.io'), 'bob@hbtn.io');
});

test('an email with a control or invisible character, or surrounding spaces, is an InvalidEmailError', () => {
  useFreshDatabase();
  saveUser({ email: 'bob@hbtn.io' });
  const refused = [
    'bob@hbtn.io\u0000evil',
    'bob@hbtn.io ',
    ' bob@hbtn.io',
    'bob@hbtn.io\u00a0',
    'bob@hbtn.io\u3000',
    'bob@hbtn.io\t',
    'bob@hbtn.io\r\nX-Forged: 1',
    '\u001b[31mbob@hbtn.io',
    'bob\u200b@hbtn.io',
    'bob@hbtn.io\u202e',
    'bob@hbtn.io\u2028',
    'bob@hbtn.io\ud800',
  ];
  for (const email of refused) {
    assert.throws(() => saveUser({ email }), InvalidEmailError, JSON.stringify(email));
  }
  assert.equal(User.count(), 1);
});

test('a user stored before emails were checked can still be saved when only the names change', () => {
  const file = useFreshDatabase();
  const db = new Database(file);
  db.prepare("INSERT INTO users (id, email, created_at, updated_at) VALUES ('old', ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')").run('Old@hbtn.io\u0000');
  db.close();
  const old = User.get('old')!;
  old.firstName = 'Olga';
  old.save();
  assert.equal(User.get('old')?.firstName, 'Olga');
  assert.equal(User.get('old')?.email, 'Old@hbtn.io\u0000');
});

// --- Timestamps ---

test('created_at equals updated_at on the first save', () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'ann@hbtn.io' });
  assert.equal(ann.createdAt.getTime(), ann.updatedAt.getTime());
  const json = ann.toJSON();
  assert.equal(json.created_at, json.updated_at);
});

test('a later save moves updated_at and keeps created_at', async () => {
  useFreshDatabase();
  const ann = saveUser({ email: 'ann@hbtn.io' });
  const createdAt = ann.createdAt.getTime();
  await sleep(5);
  ann.lastName = 'Lee';
  ann.save();
  const read = User.get(ann.id)!;
  assert.equal(read.createdAt.getTime(), createdAt);
  assert.ok(read.updatedAt.getTime() > createdAt, 'updated_at moved forward');
});

// --- JSON: the course's user JSON, never the password ---

test('toJSON has exactly the course fields, timestamps as YYYY-MM-DDTHH:MM:SS', () => {
  const json = bob.toJSON();
  assert.deepEqual(Object.keys(json).sort(), ['created_at', 'email', 'first_name', 'id', 'last_name', 'updated_at']);
  assert.deepEqual([json.email, json.first_name, json.last_name], ['bob@hbtn.io', 'Bob', 'Dylan']);
  assert.match(json.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  assert.match(json.updated_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
});

test('the password and its hash never appear in the JSON', () => {
  useBobDatabase();
  const read = User.get(bob.id);
  assert.ok(read?.passwordHash, 'bob is stored with a password hash');
  const text = JSON.stringify(read);
  assert.ok(!text.includes('password'), text);
  assert.ok(!text.includes(bob.passwordHash!), text);
  assert.ok(!text.includes(bobPassword), text);
});

// --- Passwords ---

test('isValidPassword is true for the right password, once the user is read back', async () => {
  useBobDatabase();
  assert.equal(await User.get(bob.id)?.isValidPassword(bobPassword), true);
});

test('isValidPassword is false for a wrong password', async () => {
  assert.equal(await bob.isValidPassword('H0lbertonSchool98'), false);
});

test('isValidPassword is false for anything but a string (None, 89)', async () => {
  for (const value of [null, undefined, 89, ['H0lbertonSchool98!'], { password: bobPassword }]) {
    assert.equal(await bob.isValidPassword(value), false, JSON.stringify(value));
  }
});

test('isValidPassword is false for a user without a password', async () => {
  const user = new User();
  assert.equal(await user.isValidPassword(''), false);
  assert.equal(await user.isValidPassword('anything'), false);
});

// --- displayName: the original's rules ---

test('displayName is empty when email and both names are missing', () => {
  assert.equal(new User().displayName(), '');
});

test('displayName is the email when both names are missing', () => {
  assert.equal(Object.assign(new User(), { email: 'bob@hbtn.io' }).displayName(), 'bob@hbtn.io');
});

test('displayName is the first name alone when there is no last name', () => {
  assert.equal(Object.assign(new User(), { email: 'bob@hbtn.io', firstName: 'Bob' }).displayName(), 'Bob');
});

test('displayName is the last name alone when there is no first name', () => {
  assert.equal(Object.assign(new User(), { email: 'bob@hbtn.io', lastName: 'Dylan' }).displayName(), 'Dylan');
});

test('displayName is "first last" when both names are there', () => {
  assert.equal(
    Object.assign(new User(), { email: 'bob@hbtn.io', firstName: 'Bob', lastName: 'Dylan' }).displayName(),
    'Bob Dylan',
  );
});

// --- The database file ---

test('the database file is in WAL mode', () => {
  const file = useFreshDatabase();
  // Read the mode with a second connection: WAL is a property of the file, not of a connection.
  const other = new Database(file, { readonly: true });
  try {
    assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    other.close();
  }
});

test('openDatabase creates missing folders', () => {
  const db = openDatabase(join(dir, 'a', 'b', 'c.db'));
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n, 0);
  db.close();
});

test('a path that cannot be created is a DatabaseOpenError with a one-line message', () => {
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'not a folder');
  const path = join(file, 'sub', 'test.db');
  assert.throws(() => openDatabase(path), (error: Error) => {
    assert.ok(error instanceof DatabaseOpenError);
    assert.ok(error.message.startsWith(`cannot open the database ${path}: `), error.message);
    assert.ok(!error.message.includes('\n'), error.message);
    return true;
  });
});

test('a file that is not SQLite is a DatabaseOpenError with a one-line message', () => {
  const file = join(dir, 'notes.db');
  writeFileSync(file, 'These are my notes, not a database.\n'.repeat(50));
  assert.throws(() => openDatabase(file), (error: Error) => {
    assert.ok(error instanceof DatabaseOpenError);
    assert.equal(error.message, `cannot open the database ${file}: file is not a database`);
    return true;
  });
});
