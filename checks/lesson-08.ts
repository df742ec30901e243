/**
 * Lesson 8's claims: sessions, the session index and the throttle in Redis, shared by several
 * instances, through a crash of one of them and an outage of Redis.
 *
 * Most checks use the Redis the main server uses (its `REDIS_URL`: the runner gives one to
 * every lesson 8 server it starts; with `--url`, say it with `--env REDIS_URL=…`), and more
 * instances on the same database and Redis. The outage checks stop and freeze Redis, so they
 * start a Redis of their own (Debian's `redis-server`) and instances that use it (`--start`
 * passes `REDIS_URL` to the learner's server too).
 *
 * @module
 */
import { createClient } from 'redis';
import { ConfigError } from '../shared/config.ts';
import { RedisServer } from '../shared/redis-server.ts';
import { expectError, expectJson, expectStatus, expectThat, fail } from './expect.ts';
import type { HttpClient, HttpResponse } from './http.ts';
import { expectTooMany, logIn, meWith, postLogin } from './lesson-07.ts';
import { makeTempDir, removeTempDir } from './server.ts';
import { sessionIdOf, sleep, slowCheckTimeoutMs } from './stories.ts';
import { timeLimits } from './time.ts';
import { SECURE, type Check, type CheckContext, type Env, type Target } from './types.ts';

const LOGOUT = '/api/v1/auth_session/logout';
const STATUS = '/api/v1/status';

/** A Redis of the check's own, and instances of the lesson's server that share it. */
interface Cluster {
  redis: RedisServer;
  instances: Target[];
}

/**
 * Starts a Redis and `count` instances on it (same database as the main server), runs the
 * story, then stops the Redis (the runner stops the instances). Skips when `redis-server`
 * is not installed, with the line that installs it.
 */
async function withCluster(ctx: CheckContext, count: number, env: Env, story: (cluster: Cluster) => Promise<void | string>): Promise<void | string> {
  const dir = makeTempDir();
  let redis: RedisServer;
  try {
    redis = await RedisServer.start({ dir });
  } catch (error) {
    removeTempDir(dir);
    if (error instanceof ConfigError) ctx.skip(error.message);
    throw error;
  }
  try {
    ctx.note(`a Redis for this story: redis-server --port ${redis.port} --appendonly yes`);
    const start = (i: number) => ctx.startVariant({ ...env, REDIS_URL: redis.url, INSTANCE_NAME: `instance-${i + 1}` }, { shareDatabase: true, ownProcess: true });
    const instances = await Promise.all(Array.from({ length: count }, (_, i) => start(i)));
    return await story({ redis, instances });
  } finally {
    await redis.stop();
    removeTempDir(dir);
  }
}

/**
 * The Redis the server uses: `REDIS_URL` of its environment. A server the runner starts always
 * gets one on lesson 8; with `--url`, the check is skipped unless `--env` names it.
 */
function redisUrlOf(ctx: CheckContext): string {
  const url = ctx.env.REDIS_URL;
  if (!url && ctx.mode === 'url') ctx.skip("it reads the server's Redis: say where it is with --env REDIS_URL=redis://…");
  expectThat(url, 'the server was started without a REDIS_URL: lesson 8 keeps its sessions in the Redis it names', {
    expected: 'REDIS_URL in the environment of a lesson 8 server',
    actual: 'none (a server of an earlier lesson?)',
  });
  return url;
}

/**
 * `count` more instances of the main server, on its database and its Redis (`INSTANCE_NAME`
 * `instance-2`, `instance-3`...), kept for the other checks of its group.
 */
function moreInstances(ctx: CheckContext, count: number): Promise<Target[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => ctx.startVariant({ INSTANCE_NAME: `instance-${i + 2}` }, { shareDatabase: true })));
}

/** Every key of the Redis and what it holds, read with `SCAN` (strings, sets, sorted sets, hashes, lists). */
async function dumpRedis(url: string): Promise<{ key: string; ttlMs: number; value: string }[]> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    const dump = [];
    for await (const keys of client.scanIterator({ COUNT: 100 })) {
      for (const key of keys) {
        const type = await client.type(key);
        const value =
          type === 'string' ? await client.get(key)
          : type === 'zset' ? (await client.zRange(key, 0, -1)).join(' ')
          : type === 'set' ? (await client.sMembers(key)).join(' ')
          : type === 'hash' ? JSON.stringify(await client.hGetAll(key))
          : type === 'list' ? (await client.lRange(key, 0, -1)).join(' ')
          : '';
        dump.push({ key, ttlMs: await client.pTTL(key), value: value ?? '' });
      }
    }
    return dump;
  } finally {
    client.destroy();
  }
}

/** The answer, or a failure when none comes within `ms` (a request that hangs). */
async function answerWithin(ms: number, send: Promise<HttpResponse>, what: string): Promise<{ res: HttpResponse; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('late')), ms);
  });
  try {
    const res = await Promise.race([send, late]);
    return { res, ms: performance.now() - started };
  } catch (error) {
    if ((error as Error).message !== 'late') throw error;
    fail(`${what}: no answer within ${(ms / 1000).toFixed(1)} s: the request waits for Redis instead of failing fast`, {
      expected: '503 {"error": "Service Unavailable"} within a second',
      actual: `no answer after ${(ms / 1000).toFixed(1)} s`,
    });
  } finally {
    clearTimeout(timer);
    // The hanging request stays open until its instance stops, after the check.
    send.catch(() => {});
  }
}

/** Fails unless the answer is 503 `{"error": "Service Unavailable"}` with `Retry-After`. */
function expectUnavailable(res: HttpResponse, what: string): void {
  expectError(res, 503, 'Service Unavailable', what);
  expectThat(/^\d+$/.test(res.header('retry-after') ?? ''), `${res.request} (${what}): 503 without a Retry-After in seconds`, {
    expected: 'Retry-After: <seconds>',
    response: res,
    headers: ['retry-after'],
  });
}

/** How long an answer may take while Redis is down: a second on an idle machine. */
const outageAnswerMs = () => timeLimits().stretch(1000);

/** Asks `GET /users/me` with the cookie until it answers 200, for at most `ms`; the last answer. */
async function pollUntilServed(client: HttpClient, pair: string, ms: number): Promise<{ res: HttpResponse; waitedMs: number }> {
  const started = performance.now();
  for (;;) {
    const res = await meWith(client, pair);
    const waitedMs = performance.now() - started;
    if (res.status === 200 || waitedMs > ms) return { res, waitedMs };
    await sleep(100);
  }
}

/**
 * The outage checks' servers wait for Redis as long as the lesson does by default (0.5 s), not
 * the 5 s the runner gives its servers for a busy machine (the manifest's `REDIS_TIMEOUT`).
 */
const ownDeadline = { REDIS_TIMEOUT: '' };

/** The throttle limit the shared-throttle check runs with. */
const sharedAttempts = 3;

/** Lesson 8's checks, in the order of its notes' claims. */
export const checks: Check[] = [
  {
    id: 'L8-shared-sessions',
    lesson: 8,
    claim:
      'Instances that share a Redis share their sessions: a login on one instance works on every other at once, and a logout on any of them ends the session on all of them.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'one-redis-for-every-instance',
    profiles: SECURE,
    needs: ['variant'],
    since: { lesson: 5, reason: 'instances on one machine already share the sessions of one SQLite file (lesson 5); lesson 8 shares them across machines' },
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const [b, c] = await moreInstances(ctx, 2);
      const user = await ctx.someUser();
      const login = await logIn(ctx, user, 'logging in on instance A');
      expectStatus(await meWith(b!.client(), login.pair), 200, 'the session of A, used on B');
      expectStatus(await meWith(c!.client(), login.pair), 200, 'the session of A, used on C');
      expectStatus(await c!.client().delete(LOGOUT, { headers: { Cookie: login.pair } }), [200, 204], 'logging out on C');
      for (const [name, target] of [['A', ctx], ['B', b!]] as const) {
        const after = await meWith(target.client(), login.pair);
        expectThat(after.status === 401 || after.status === 403, `${after.request}: the session logged out on C still works on ${name} (${after.status})`, {
          expected: '401 or 403: the logout ended the session everywhere',
          response: after,
        });
      }
    },
  },
  {
    id: 'L8-instance-crash',
    lesson: 8,
    claim: 'An instance killed with `SIGKILL` loses no session: the other instances serve its sessions, and so does it once it is started again.',
    reference: 'ASVS 5 V7',
    section: 'when-an-instance-dies',
    profiles: SECURE,
    needs: ['variant'],
    since: { lesson: 5, reason: 'sessions in a SQLite file already outlive the process (lesson 5); lesson 8 keeps that with Redis' },
    timeoutMs: slowCheckTimeoutMs,
    // It kills an instance that other checks of its group use: alone, after them.
    exclusive: true,
    async run(ctx) {
      const [b] = await moreInstances(ctx, 1);
      const user = await ctx.someUser();
      const login = await logIn(b!, user, 'logging in on instance B');
      ctx.note('instance B is killed (kill -9) and started again');
      await b!.restart({ signal: 'SIGKILL' });
      expectStatus(await meWith(ctx.client(), login.pair), 200, 'the session of the killed instance, on A');
      expectStatus(await meWith(b!.client(), login.pair), 200, 'the session, on B started again');
    },
  },
  {
    id: 'L8-throttle-shared',
    lesson: 8,
    claim:
      'Failed logins are counted in Redis, once for every instance: with `LOGIN_ATTEMPTS_PER_ACCOUNT=3`, three wrong passwords spread over three instances lock the account on all of them (429 with `Retry-After`).',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'one-throttle-for-every-instance',
    profiles: SECURE,
    needs: ['variant'],
    timeoutMs: slowCheckTimeoutMs,
    env: { LOGIN_ATTEMPTS_PER_ACCOUNT: String(sharedAttempts), LOGIN_ATTEMPTS_WINDOW: '900' },
    async run(ctx) {
      const instances = [ctx, ...(await moreInstances(ctx, sharedAttempts - 1))];
      const victim = await ctx.createUser();
      for (const [i, target] of instances.entries()) {
        expectStatus(await postLogin(target.client(), victim.email, `${victim.password}-wrong`), 401, `wrong password ${i + 1} of ${sharedAttempts}, on instance ${i + 1}`);
      }
      for (const [i, target] of instances.entries()) {
        expectTooMany(await postLogin(target.client(), victim.email, victim.password), `the right password on instance ${i + 1}, after ${sharedAttempts} failures spread over ${instances.length} instances`, 900);
      }
    },
  },
  {
    id: 'L8-outage-503',
    lesson: 8,
    claim:
      'While Redis is stopped or hangs, a request that needs a session answers 503 `{"error": "Service Unavailable"}` with `Retry-After` within a second, never hanging, and `GET /api/v1/status` still answers 200 `{"status": "OK"}`.',
    reference: 'RFC 9110 §15.6.4',
    section: 'when-redis-stops',
    profiles: SECURE,
    needs: ['variant'],
    timeoutMs: slowCheckTimeoutMs,
    run: (ctx) =>
      withCluster(ctx, 1, ownDeadline, async ({ redis, instances: [a] }) => {
        const user = await ctx.someUser();
        // Two sessions, neither used yet on this instance: each is read from Redis when first used.
        const login = await logIn(a!, user, 'logging in before the outage');
        const second = await logIn(a!, user, 'logging in again before the outage');
        ctx.note(`Redis stops (redis-cli -p ${redis.port} shutdown)`);
        await redis.stop();
        const stopped = await answerWithin(outageAnswerMs(), meWith(a!.client(), login.pair), 'GET /api/v1/users/me while Redis is stopped');
        expectUnavailable(stopped.res, 'the session, while Redis is stopped');
        const loggingIn = await answerWithin(outageAnswerMs(), postLogin(a!.client(), user.email, user.password), 'a login while Redis is stopped');
        expectUnavailable(loggingIn.res, 'a login, while Redis is stopped');
        expectJson(await a!.client().get(STATUS), 200, { status: 'OK' }, 'the status, while Redis is stopped');
        await redis.resume();
        // Back, then frozen: connections stay open and nothing answers.
        await pollUntilServed(a!.client(), login.pair, timeLimits().stretch(5000));
        ctx.note(`Redis freezes (kill -STOP its process)`);
        redis.pause();
        const hung = await answerWithin(outageAnswerMs(), meWith(a!.client(), second.pair), 'GET /api/v1/users/me while Redis hangs');
        redis.unpause();
        expectUnavailable(hung.res, 'the session, while Redis hangs');
        return `503 in ${stopped.ms.toFixed(0)} ms with Redis stopped, ${hung.ms.toFixed(0)} ms with Redis frozen`;
      }),
  },
  {
    id: 'L8-outage-recovers',
    lesson: 8,
    claim:
      'When Redis is back, every instance serves again by itself, with no restart, and the sessions made before the outage still work: Redis kept them in its append-only file.',
    reference: 'ASVS 5 V7',
    section: 'when-redis-stops',
    profiles: SECURE,
    needs: ['variant'],
    restsOn: 'L8-outage-503',
    timeoutMs: slowCheckTimeoutMs,
    run: (ctx) =>
      withCluster(ctx, 2, ownDeadline, async ({ redis, instances: [a, b] }) => {
        const user = await ctx.someUser();
        const login = await logIn(a!, user, 'logging in before the outage');
        ctx.note(`Redis stops (redis-cli -p ${redis.port} shutdown), then starts again`);
        await redis.stop();
        const down = await answerWithin(outageAnswerMs(), meWith(b!.client(), login.pair), 'the session while Redis is stopped');
        expectUnavailable(down.res, 'the session, while Redis is stopped');
        await redis.resume();
        const waitMs = timeLimits().stretch(5000);
        for (const [name, target] of [['A', a!], ['B', b!]] as const) {
          const { res, waitedMs } = await pollUntilServed(target.client(), login.pair, waitMs);
          expectThat(res.status === 200, `${res.request}: instance ${name} still answers ${res.status} ${(waitedMs / 1000).toFixed(1)} s after Redis came back`, {
            expected: '200: the instance reconnected by itself, and the session survived the restart of Redis',
            response: res,
          });
        }
      }),
  },
  {
    id: 'L8-no-raw-id',
    lesson: 8,
    claim: 'No key or value in Redis holds a session id that a cookie carries: a dump of Redis logs nobody in.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'keys-that-give-nothing-away',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const url = redisUrlOf(ctx);
      const user = await ctx.someUser();
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push(sessionIdOf((await logIn(ctx, user, `login ${i + 1}`)).cookie.value));
      ctx.note("every key of the server's Redis and its value are read (redis-cli --scan, then GET or ZRANGE each)");
      const dump = await dumpRedis(url);
      expectThat(dump.length > 0, `Redis at REDIS_URL holds nothing after two logins: the sessions are kept somewhere else`, {
        expected: 'the sessions in the Redis that REDIS_URL names',
        actual: 'an empty Redis',
      });
      for (const id of ids) {
        const found = dump.find((entry) => entry.key.includes(id) || entry.value.includes(id));
        if (found) {
          fail(`Redis holds the session id of a cookie in ${found.key.includes(id) ? 'the key' : 'the value of'} ${found.key}: a dump of Redis is a list of live cookies`, {
            expected: 'a hash of the id (sess:<SHA-256>), never the id',
            actual: `${found.key} ${found.value.slice(0, 200)}`,
          });
        }
      }
      return `${dump.length} keys, none with a session id`;
    },
  },
  {
    id: 'L8-ttl',
    lesson: 8,
    claim: "Every key a login writes to Redis has a TTL, and the session's is no longer than `SESSION_IDLE_TIMEOUT`: Redis deletes an idle session itself, and nothing needs to sweep.",
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'expiry-without-a-sweeper',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    env: { SESSION_IDLE_TIMEOUT: '60' },
    async run(ctx) {
      const url = redisUrlOf(ctx);
      const user = await ctx.someUser();
      const before = new Set((await dumpRedis(url)).map((entry) => entry.key));
      await logIn(ctx, user, 'logging in');
      ctx.note("the TTL of every key of the server's Redis is read (redis-cli --scan, then PTTL each)");
      const written = (await dumpRedis(url)).filter((entry) => !before.has(entry.key));
      expectThat(written.length > 0, `a login wrote nothing to the Redis at REDIS_URL: the sessions are kept somewhere else`, {
        expected: 'a session key in the Redis that REDIS_URL names',
        actual: 'no new key',
      });
      // The session and what indexes it name the user; a throttle's counter may live its own window.
      const ofUser = (entry: { key: string; value: string }) => entry.key.includes(user.id) || entry.value.includes(user.id);
      const wrong = written.find((entry) => entry.ttlMs < 0 || (ofUser(entry) && entry.ttlMs > 60_000));
      if (wrong) {
        fail(`${wrong.key} ${wrong.ttlMs < 0 ? 'has no TTL: it stays in Redis until someone deletes it' : `lives ${Math.round(wrong.ttlMs / 1000)} s, past the idle timeout`}`, {
          expected: 'a TTL on every key, from 1 to 60000 ms (SESSION_IDLE_TIMEOUT=60) on the session and its index',
          actual: `PTTL ${wrong.key} → ${wrong.ttlMs}`,
        });
      }
      expectThat(written.some(ofUser), `no key that a login wrote names the user ${user.id}: where is the session?`, {
        expected: "a key whose name or value holds the user's id (the session)",
        actual: written.map((entry) => entry.key).join(', '),
      });
      return `${written.length} keys, TTLs ${written.map((entry) => Math.round(entry.ttlMs / 1000)).join(', ')} s`;
    },
  },
  {
    id: 'L8-user-delete-ends-sessions',
    lesson: 8,
    claim: "Deleting a user, by an admin or by themselves, deletes every session of that user from Redis at once: no key and no value names them any more.",
    reference: 'ASVS 5 V7.4.2',
    section: 'one-redis-for-every-instance',
    profiles: SECURE,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const url = redisUrlOf(ctx);
      const admin = await ctx.userClient();
      const [byAdmin, bySelf] = await Promise.all([ctx.createUser(), ctx.createUser()]);
      const logins = await Promise.all([byAdmin, byAdmin, bySelf, bySelf].map((user) => logIn(ctx, user)));
      const naming = async (ids: string[]) => (await dumpRedis(url)).filter((entry) => ids.some((id) => entry.key.includes(id) || entry.value.includes(id)));
      const before = await naming([byAdmin.id, bySelf.id]);
      expectThat(before.length > 0, 'four logins left no key in Redis that names their users: the sessions are kept somewhere else', {
        expected: "keys whose name or value holds the users' ids (their sessions)",
        actual: 'none',
      });
      expectJson(await admin.delete(`/api/v1/users/${byAdmin.id}`), 200, {}, 'the admin deleting a user');
      expectJson(await logins[2]!.client.delete(`/api/v1/users/${bySelf.id}`), 200, {}, 'a user deleting their own account');
      // Looked for before any cookie comes back: only the deletions can have removed the keys.
      const left = await naming([byAdmin.id, bySelf.id]);
      expectThat(left.length === 0, `after the users were deleted, ${left.length} keys of Redis still name them`, {
        expected: "no key or value with a deleted user's id",
        actual: left.map((entry) => entry.key).join('\n'),
      });
      for (const login of logins) {
        const res = await meWith(ctx.client(), login.pair);
        expectError(res, 403, 'Forbidden', "a deleted user's session");
      }
      return `${before.length} keys named the two users, none after`;
    },
  },
];
