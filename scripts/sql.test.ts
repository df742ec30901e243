import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../shared/db.ts';
import { projectRoot } from './docs.ts';

/** `npm run sql -- <args>` on the database at `dbPath`. */
function sql(dbPath: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sql.ts', ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, DB_PATH: dbPath },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('npm run sql prints the rows of one query, in columns, and changes nothing', () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'sql-test-')), 'sandbox.db');
  const db = openDatabase(dbPath);
  db.prepare("INSERT INTO users (id, email, created_at, updated_at) VALUES ('u1', 'bob@hbtn.io', 'now', 'now')").run();
  db.close();

  assert.deepEqual(sql(dbPath, 'select id, email, first_name from users'), {
    code: 0,
    stdout: 'id  email        first_name\nu1  bob@hbtn.io  NULL\n(1 row)\n',
    stderr: '',
  });
  const write = sql(dbPath, 'delete from users');
  assert.equal(write.code, 1);
  assert.match(write.stderr, /^error: .*only a query that returns rows/);
  assert.equal(sql(dbPath, 'select count(*) as n from users').stdout, 'n\n1\n(1 row)\n', 'the user is still there');
  assert.match(sql(dbPath, 'select * from nowhere').stderr, /^error: .*no such table: nowhere\n$/);
  assert.match(sql(dbPath).stderr, /^usage: npm run sql -- "select/);
  assert.match(sql(join(dbPath, '..', 'none.db'), 'select 1').stderr, /^error: there is no database at .*none\.db yet/);
});
