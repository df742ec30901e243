import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { User } from '../shared/models/user.ts';
import { createUserSessionTable } from '../shared/models/user-session.ts';
import { useTemporaryDatabase } from '../shared/testing.ts';
import { allTargets, seedSessions, selectTargets } from './targets.ts';

test('--only: names and prefixes, in run order', () => {
  assert.deepEqual(selectTargets('lesson5*,lesson2').map((t) => t.name), ['lesson2', 'lesson5', 'lesson5-1k', 'lesson5-1m']);
  assert.throws(() => selectTargets('lesson9'), /no target "lesson9"/);
});

test("the goals of issues 13 and 16: each row's minimum ratio to the baseline", () => {
  const minimums = Object.fromEntries(allTargets.filter((t) => t.goals).map((t) => [t.name, t.goals!.map((g) => (g.of ? `${g.min} × ${g.of}` : g.min))]));
  assert.deepEqual(minimums, {
    lesson2: [0.85],
    lesson3: [0.85],
    lesson4: [0.85],
    lesson5: [0.8],
    'lesson5-1k': [0.8],
    'lesson5-1m': [0.8, '0.8 × lesson5-1k'],
    lesson6: [0.6],
    'lesson6-1k': [0.6],
    'lesson6-1m': [0.6],
    lesson7: [0.4, '0.8 × lesson6'],
    lesson8: [0.5],
    'lesson8-x2': [0.5],
  });
});

function twoUsers(t: test.TestContext) {
  const { db, file } = useTemporaryDatabase();
  t.after(() => {
    db.close();
    rmSync(dirname(file), { recursive: true, force: true });
  });
  // No password: seeding needs the rows, not a login.
  const [user, owner] = ['ada@example.com', 'grace@example.com'].map((email) => {
    const u = Object.assign(new User(), { email });
    u.save();
    return u.id;
  });
  return { db, file, ids: { user: user!, owner: owner! } };
}

test('seedSessions copies the login session of lesson 5 to the count, owned by the other user', (t) => {
  const { db, file, ids } = twoUsers(t);
  createUserSessionTable(db);
  db.prepare("INSERT INTO user_sessions VALUES ('real', ?, ?, '2026-01-01T00:00:00', '2026-01-01T00:00:00')").run(ids.user, 'a'.repeat(64));

  assert.equal(seedSessions(file, 'user_sessions', 1_000, ids), 1_000);
  const stats = db
    .prepare('SELECT COUNT(DISTINCT session_hash) AS hashes, COUNT(DISTINCT id) AS ids, SUM(user_id = ?) AS mine, MIN(length(session_hash)) AS len FROM user_sessions')
    .get(ids.user);
  assert.deepEqual(stats, { hashes: 1_000, ids: 1_000, mine: 1, len: 64 });
  // Only onto the one real session: seeding twice would copy copies.
  assert.throws(() => seedSessions(file, 'user_sessions', 2_000, ids), /holds 1000 rows/);
});

test('seedSessions replaces the owner inside lesson 6 session JSON', (t) => {
  const { db, file, ids } = twoUsers(t);
  db.exec('CREATE TABLE express_sessions (hash TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  db.prepare('INSERT INTO express_sessions VALUES (?, ?, 42)').run('b'.repeat(64), JSON.stringify({ userId: ids.user }));

  assert.equal(seedSessions(file, 'express_sessions', 10, ids), 10);
  const rows = db.prepare('SELECT data, expires_at FROM express_sessions').all() as { data: string; expires_at: number }[];
  const owners = rows.map((row) => (JSON.parse(row.data) as { userId: string }).userId);
  assert.equal(owners.filter((id) => id === ids.owner).length, 9);
  assert.ok(rows.every((row) => row.expires_at === 42));
});
