import assert from 'node:assert/strict';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from './db.ts';
import { makeTempDir } from './temp-dir.ts';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('a new database file and its -wal and -shm files are readable by their owner only (0600)', (t) => {
  const file = join(makeTempDir('db-test-'), 'sandbox.db');
  // The usual umask: without care, SQLite would create all three 0644, readable by every user.
  const umask = process.umask(0o022);
  t.after(() => process.umask(umask));
  const db = openDatabase(file);
  t.after(() => db.close());
  db.prepare("INSERT INTO users (id, email, password, created_at, updated_at) VALUES ('u', 'bob@hbtn.io', 'scrypt$...', 'now', 'now')").run();
  assert.deepEqual([file, `${file}-wal`, `${file}-shm`].map(modeOf), ['600', '600', '600']);
});

test('an existing database file readable by others is made private when opened', (t) => {
  const file = join(makeTempDir('db-test-'), 'sandbox.db');
  openDatabase(file).close();
  chmodSync(file, 0o644);
  const db = openDatabase(file);
  t.after(() => db.close());
  assert.equal(modeOf(file), '600');
  assert.equal(modeOf(`${file}-wal`), '600');
});

test('a file that is not a database keeps its error message, and is not emptied', () => {
  const file = join(makeTempDir('db-test-'), 'notes.txt');
  const notes = 'These are my notes, not a database.\n'.repeat(50);
  writeFileSync(file, notes);
  assert.throws(() => openDatabase(file), { name: 'DatabaseOpenError', message: `cannot open the database ${file}: file is not a database` });
  assert.equal(statSync(file).size, notes.length);
});
