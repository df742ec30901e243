import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { database, openDatabase, useDatabase } from '../db.ts';
import { User } from './user.ts';
import { createUserRoleTable, grantRole, hasRole } from './user-role.ts';

test('a role is granted once, read back, and goes with its user', () => {
  useDatabase(openDatabase(join(mkdtempSync(join(tmpdir(), 'user-role-test-')), 'roles.db')));
  createUserRoleTable(database());
  // Created twice: the CLI and lesson 7 both create it when it is missing.
  createUserRoleTable(database());
  const [admin, plain] = ['root@hbtn.io', 'bob@hbtn.io'].map((email) => {
    const user = Object.assign(new User(), { email });
    user.save();
    return user;
  });
  grantRole(admin!.id, 'admin');
  grantRole(admin!.id, 'admin');
  assert.equal(hasRole(admin!.id, 'admin'), true);
  assert.equal(hasRole(plain!.id, 'admin'), false);
  assert.throws(() => grantRole('no-such-user', 'admin'), /FOREIGN KEY/);
  admin!.remove();
  assert.deepEqual(database().prepare('SELECT COUNT(*) AS n FROM user_roles').get(), { n: 0 });
});
