import assert from 'node:assert/strict';
import type { SessionData } from 'express-session';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { useTemporaryDatabase } from '../../shared/testing.ts';
import { SqliteSessionStore } from '../06-express-session/sqlite-store.ts';
import { IndexedMemoryStore, IndexedSqliteSessionStore, type IndexedSessionStore } from './session-stores.ts';

const cookie = { originalMaxAge: null, expires: new Date(Date.now() + 3_600_000) };
const session = (userId: string) => ({ cookie, userId, loginAt: Date.now() }) as unknown as SessionData;

/** Stores sessions for two users in `store`, oldest first; returns the ids. */
async function fill(store: IndexedSessionStore): Promise<{ bob: string[]; eve: string[] }> {
  const set = promisify(store.set.bind(store)) as (sid: string, sess: SessionData) => Promise<void>;
  const ids = { bob: ['b1', 'b2', 'b3', 'b4'], eve: ['e1'] };
  for (const sid of ids.bob) await set(sid, session('bob'));
  await set('e1', session('eve'));
  return ids;
}

async function live(store: IndexedSessionStore, sids: string[]): Promise<string[]> {
  const get = promisify(store.get.bind(store));
  const found = await Promise.all(sids.map((sid) => get(sid)));
  return sids.filter((_, i) => found[i]);
}

for (const [name, make] of [
  ['SQLite', () => new IndexedSqliteSessionStore({ db: useTemporaryDatabase().db })],
  ['memory', () => new IndexedMemoryStore()],
] as const) {
  test(`${name}: the oldest sessions beyond the cap end; one user's sessions end, another's live`, async () => {
    const store = make();
    const { bob, eve } = await fill(store);
    assert.equal(await store.capUserSessions('bob', 2), 2);
    assert.deepEqual(await live(store, bob), ['b3', 'b4']);
    assert.equal(await store.destroyUserSessions('bob', 'b4'), 1);
    assert.deepEqual(await live(store, bob), ['b4']);
    assert.equal(await store.destroyUserSessions('bob'), 1);
    assert.deepEqual(await live(store, [...bob, ...eve]), ['e1']);
  });
}

test("SQLite: the rows lesson 6 wrote get their user, once, however many stores open the file", async () => {
  const { db } = useTemporaryDatabase();
  const lesson6 = new SqliteSessionStore({ db });
  await promisify(lesson6.set.bind(lesson6))('old', session('bob'));
  const store = new IndexedSqliteSessionStore({ db });
  new IndexedSqliteSessionStore({ db });
  assert.equal(await store.destroyUserSessions('bob'), 1);
});
