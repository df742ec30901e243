import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import type { SessionData } from 'express-session';
import { openDatabase } from '../../shared/db.ts';
import { hashSessionId } from '../../shared/models/user-session.ts';
import { defaultTtlMs, sessionExpiresAt, SqliteSessionStore } from './sqlite-store.ts';
import { makeTempDir } from '../../shared/temp-dir.ts';

const dir = makeTempDir('sqlite-store-test-');
let files = 0;

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A store over a fresh SQLite file, with its promisified methods. */
function freshStore(options: { idleTimeoutMs?: number; ttlMs?: number } = {}) {
  const file = join(dir, `store-${++files}.db`);
  const db = openDatabase(file);
  const clock = fakeClock();
  const store = new SqliteSessionStore({ db, now: clock.now, ...options });
  return {
    db,
    file,
    clock,
    store,
    get: promisify(store.get.bind(store)),
    set: promisify(store.set.bind(store)),
    destroy: promisify(store.destroy.bind(store)),
    touch: promisify(store.touch.bind(store)),
    clear: promisify(store.clear.bind(store)),
    length: promisify(store.length.bind(store)),
    all: promisify(store.all.bind(store)),
  };
}

/** A session as express-session hands it to the store (cookie expiry as a Date). */
function sessionData(fields: Partial<SessionData> & { expires?: number | null } = {}): SessionData {
  const { expires = null, ...rest } = fields;
  const cookie = {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    originalMaxAge: null,
    expires: expires === null ? null : new Date(expires),
  };
  return { cookie, ...rest } as unknown as SessionData;
}

describe('hashSessionId and sessionExpiresAt', () => {
  test('hashSessionId is the hex SHA-256 of the id', () => {
    assert.equal(hashSessionId('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('the expiry is the earliest of the cookie expiry and now + idle timeout', () => {
    const limits = { idleTimeoutMs: 1000, ttlMs: defaultTtlMs };
    assert.equal(sessionExpiresAt(sessionData({ expires: 5000 }), 0, limits), 1000);
    assert.equal(sessionExpiresAt(sessionData({ expires: 500 }), 0, limits), 500);
    assert.equal(sessionExpiresAt(sessionData({ expires: 5000 }), 0, { idleTimeoutMs: 0, ttlMs: 1 }), 5000);
  });

  test('a cookie expiry that went through JSON (a string) counts the same', () => {
    const sess = JSON.parse(JSON.stringify(sessionData({ expires: 5000 })));
    assert.equal(typeof sess.cookie.expires, 'string');
    assert.equal(sessionExpiresAt(sess, 0, { idleTimeoutMs: 0, ttlMs: 1 }), 5000);
  });

  test('with neither a cookie expiry nor an idle timeout, the store keeps it ttl after last use', () => {
    assert.equal(sessionExpiresAt(sessionData(), 100, { idleTimeoutMs: 0, ttlMs: defaultTtlMs }), 100 + defaultTtlMs);
  });
});

describe('SqliteSessionStore', () => {
  test('set then get returns the session, get of an unknown id returns null', async () => {
    const { set, get } = freshStore();
    await set('sid-1', sessionData({ userId: 'bob', loginAt: 42 }));
    const read = await get('sid-1');
    assert.equal(read?.userId, 'bob');
    assert.equal(read?.loginAt, 42);
    assert.equal(await get('sid-2'), null);
  });

  test('set replaces a session stored under the same id', async () => {
    const { set, get, length } = freshStore();
    await set('sid', sessionData({ userId: 'bob' }));
    await set('sid', sessionData({ userId: 'ann' }));
    assert.equal((await get('sid'))?.userId, 'ann');
    assert.equal(await length(), 1);
  });

  test('destroy deletes the session, and destroying an unknown id is no error', async () => {
    const { set, get, destroy } = freshStore();
    await set('sid', sessionData({ userId: 'bob' }));
    await destroy('sid');
    assert.equal(await get('sid'), null);
    await destroy('never-existed');
  });

  test('clear deletes every session; length and all count live ones', async () => {
    const { set, length, all, clear } = freshStore();
    await set('a', sessionData({ userId: 'ann' }));
    await set('b', sessionData({ userId: 'bob' }));
    assert.equal(await length(), 2);
    assert.deepEqual(
      (await all())!.map((sess) => sess.userId),
      ['ann', 'bob'],
    );
    await clear();
    assert.equal(await length(), 0);
    assert.deepEqual(await all(), []);
  });

  test('a session past its cookie expiry is gone, and deleted on sight', async () => {
    const { set, get, clock, db } = freshStore();
    await set('sid', sessionData({ userId: 'bob', expires: clock.now() + 1000 }));
    clock.advance(999);
    assert.equal((await get('sid'))?.userId, 'bob');
    clock.advance(1);
    assert.equal(await get('sid'), null);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM express_sessions').get() as { n: number }).n, 0);
  });

  test('length and all leave out expired sessions; sweepExpired deletes them', async () => {
    const { set, length, all, clock, store, db } = freshStore();
    await set('short', sessionData({ userId: 'ann', expires: clock.now() + 100 }));
    await set('long', sessionData({ userId: 'bob', expires: clock.now() + 10_000 }));
    clock.advance(100);
    assert.equal(await length(), 1);
    assert.deepEqual(
      (await all())!.map((sess) => sess.userId),
      ['bob'],
    );
    assert.equal(store.sweepExpired(), 1);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM express_sessions').get() as { n: number }).n, 1);
    assert.equal(store.sweepExpired(), 0);
  });

  test('touch moves the expiry of a live session to the one in the session it is given', async () => {
    const { set, get, touch, clock } = freshStore();
    await set('sid', sessionData({ userId: 'bob', expires: clock.now() + 1000 }));
    clock.advance(900);
    // express-session slides the cookie's expiry (now + maxAge) and hands the session to touch.
    await touch('sid', sessionData({ userId: 'bob', expires: clock.now() + 1000 }));
    clock.advance(900);
    assert.equal((await get('sid'))?.userId, 'bob');
  });

  test('touch never brings an expired session back', async () => {
    const { set, get, touch, clock } = freshStore();
    await set('sid', sessionData({ userId: 'bob', expires: clock.now() + 1000 }));
    clock.advance(1000);
    await touch('sid', sessionData({ userId: 'bob', expires: clock.now() + 1000 }));
    assert.equal(await get('sid'), null);
  });

  test('with an idle timeout, use keeps the session and idleness ends it', async () => {
    const { set, get, touch, clock } = freshStore({ idleTimeoutMs: 1000 });
    await set('sid', sessionData({ userId: 'bob' }));
    for (let i = 0; i < 5; i++) {
      clock.advance(900);
      assert.equal((await get('sid'))?.userId, 'bob');
      await touch('sid', sessionData({ userId: 'bob' }));
    }
    clock.advance(1000);
    assert.equal(await get('sid'), null);
  });

  test('expired rows are purged when a store opens the database', async () => {
    const { set, file, clock } = freshStore();
    await set('sid', sessionData({ userId: 'bob', expires: clock.now() - 1 }));
    const again = new SqliteSessionStore({ db: openDatabase(file), now: clock.now });
    const length = promisify(again.length.bind(again));
    assert.equal(await length(), 0);
  });

  test('the database holds the id only as a hash: not in the table, not in the file bytes', async () => {
    const { set, db, file } = freshStore();
    const sessionId = 'Zq3t0yRAWSESSIONIDthatmustneverbestored0000';
    await set(sessionId, sessionData({ userId: 'bob' }));
    const rows = db.prepare('SELECT hash, data FROM express_sessions').all() as { hash: string; data: string }[];
    assert.deepEqual(
      rows.map((row) => row.hash),
      [hashSessionId(sessionId)],
    );
    assert.ok(!rows[0]!.data.includes(sessionId));
    // WAL mode: recent writes sit in the -wal file until a checkpoint, so read both.
    const bytes = Buffer.concat([readFileSync(file), readFileSync(`${file}-wal`)]).toString('latin1');
    assert.ok(bytes.includes(hashSessionId(sessionId)), 'the hash is in the file (the test reads the right bytes)');
    assert.ok(!bytes.includes(sessionId), 'the raw id is nowhere in the file');
  });

  test('callbacks run on a later turn, never inside the store call', async () => {
    const { store } = freshStore();
    let called = false;
    store.get('sid', () => (called = true));
    assert.equal(called, false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(called, true);
  });

  test('a database error reaches the callback of every method, nothing throws', async () => {
    const { db, get, set, destroy, touch, clear, length, all } = freshStore();
    db.close();
    const calls: [string, () => Promise<unknown>][] = [
      ['get', () => get('sid')],
      ['set', () => set('sid', sessionData())],
      ['destroy', () => destroy('sid')],
      ['touch', () => touch('sid', sessionData())],
      ['clear', () => clear()],
      ['length', () => length()],
      ['all', () => all()],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), /not open/, name);
    }
  });
});
