import assert from 'node:assert/strict';
import type { SessionData } from 'express-session';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { hashSessionId } from '../../shared/models/user-session.ts';
import { RedisServer } from '../../shared/redis-server.ts';
import { makeTempDir, removeTempDir } from '../../shared/temp-dir.ts';
import { createRedisClient, fromRedis, redisDeadlineMs, RedisUnavailable, type RedisClient } from './redis.ts';
import { RedisSessionStore, userIndexKey } from './redis-store.ts';

// A real redis-server of the test's own, on a free port (Debian's redis-server package).
let dir: string;
let redis: RedisServer;
let client: RedisClient;

before(async () => {
  dir = makeTempDir('redis-store-test-');
  redis = await RedisServer.start({ dir });
  client = createRedisClient(redis.url, () => {});
  await client.connect();
});

after(async () => {
  client.destroy();
  await redis.stop();
  removeTempDir(dir);
});

const session = (userId: string, loginAt = Date.now()) => ({ cookie: { originalMaxAge: null, expires: null }, userId, loginAt }) as unknown as SessionData;

function methods(store: RedisSessionStore) {
  return {
    get: promisify(store.get.bind(store)) as (sid: string) => Promise<SessionData | null>,
    set: promisify(store.set.bind(store)) as (sid: string, sess: SessionData) => Promise<void>,
    touch: promisify(store.touch.bind(store)) as (sid: string, sess: SessionData) => Promise<void>,
    destroy: promisify(store.destroy.bind(store)) as (sid: string) => Promise<void>,
  };
}

test('a session is stored under the hash of its id, with the idle timeout as its TTL, and read back', async () => {
  const store = new RedisSessionStore(client, { idleTimeoutMs: 60_000, durationMs: 0 });
  const { get, set } = methods(store);
  await set('the-id', session('bob'));
  assert.equal(await client.exists('sess:the-id'), 0, 'the raw id is no key');
  const ttl = await client.pTTL(`sess:${hashSessionId('the-id')}`);
  assert.ok(ttl > 59_000 && ttl <= 60_000, `TTL ${ttl} ms`);
  assert.equal((await get('the-id'))?.userId, 'bob');
  assert.equal(await get('another-id'), null);
});

test('the TTL never reaches past the login time plus SESSION_DURATION, and a session past it is deleted', async () => {
  let now = 1_000_000;
  const store = new RedisSessionStore(client, { idleTimeoutMs: 60_000, durationMs: 10_000, now: () => now });
  assert.equal(store.ttlMs(session('bob', now)), 10_000);
  now += 8_000;
  assert.equal(store.ttlMs(session('bob', 1_000_000)), 2_000);
  const { get, set } = methods(store);
  await set('late', session('bob', now - 20_000));
  assert.equal(await get('late'), null, 'a session past its absolute limit is not written');
});

test('a touch moves the TTL of a live session and never brings back an ended one', async () => {
  const store = new RedisSessionStore(client, { idleTimeoutMs: 60_000, durationMs: 0 });
  const { get, set, touch, destroy } = methods(store);
  await set('touched', session('bob'));
  const key = `sess:${hashSessionId('touched')}`;
  await client.pExpire(key, 5_000);
  await touch('touched', session('bob'));
  assert.ok((await client.pTTL(key)) > 59_000);
  await destroy('touched');
  await touch('touched', session('bob'));
  assert.equal(await get('touched'), null);
});

test("a user's index ends their sessions, keeps the one asked for, and caps them oldest first", async () => {
  const store = new RedisSessionStore(client, { idleTimeoutMs: 60_000, durationMs: 0 });
  const { get, set } = methods(store);
  const start = Date.now();
  for (const [i, sid] of ['c1', 'c2', 'c3', 'c4'].entries()) await set(sid, session('carol', start + i));
  await set('d1', session('dave'));
  assert.equal(await store.capUserSessions('carol', 2), 2);
  assert.deepEqual(await Promise.all(['c1', 'c2', 'c3', 'c4'].map(async (sid) => (await get(sid)) !== null)), [false, false, true, true]);
  assert.equal(await store.destroyUserSessions('carol', 'c4'), 1);
  assert.equal(await store.destroyUserSessions('carol'), 1);
  assert.equal(await client.exists(userIndexKey('carol')), 0, 'an empty index is gone');
  assert.equal((await get('d1'))?.userId, 'dave', "another user's session lives on");
});

test('a Redis that hangs costs a command its deadline, then a RedisUnavailable (503)', async () => {
  redis.pause();
  try {
    const started = performance.now();
    await assert.rejects(fromRedis(client.get('anything')), (error: unknown) => error instanceof RedisUnavailable && error.status === 503);
    const waited = performance.now() - started;
    assert.ok(waited >= redisDeadlineMs - 5, `gave up after ${waited.toFixed(0)} ms, before the deadline`);
  } finally {
    redis.unpause();
  }
  assert.equal(await fromRedis(client.ping()), 'PONG', 'the same client works once Redis answers again');
});
