/**
 * The session store of lesson 8: connect-redis, with lesson 5's rule that the store never
 * holds a usable session id, TTLs in milliseconds, and lesson 7's per-user index.
 *
 * - **Keys.** connect-redis keys a session by `prefix + id`: a dump of Redis (a backup, a
 *   replica, `MONITOR`) would hold every live cookie. This subclass hands it the SHA-256 of
 *   the id instead, as lessons 5 and 6 do in SQLite: `sess:<64 hex>`.
 * - **Expiry.** Every key gets a TTL (`SET … PX`, `PEXPIRE`): the idle timeout, never past
 *   the absolute limit. connect-redis rounds TTLs up to whole seconds, which would keep a
 *   session with `SESSION_IDLE_TIMEOUT=0.5` alive a second; so `set` and `touch` are our own.
 *   Redis deletes expired keys itself: there is no sweeper.
 * - **Outages.** `get` and `destroy` are our own too, so that every command of the store goes
 *   through {@link fromRedis}: a Redis that is down or silent is a 503, never a hung request.
 *   connect-redis keeps `all`, `ids`, `length` and `clear`.
 * - **Users.** `user-sessions:{<user id>}`, a sorted set of the user's session keys, scored by
 *   login time, for "log out everywhere", deleting a user and the cap. The braces are a
 *   Redis Cluster hash tag: every key of one user's index lands on one node.
 *
 * @module
 */
import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { hashSessionId } from '../../shared/models/user-session.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import { sessionExpiresAt } from '../06-express-session/sqlite-store.ts';
import type { UserSessionIndex } from '../07-hardening/session-stores.ts';
import { fromRedis, type RedisClient } from './redis.ts';

/** The prefix of every session key. */
export const sessionPrefix = 'sess:';

/** The key of a user's session index. */
export function userIndexKey(userId: string): string {
  return `user-sessions:{${userId}}`;
}

/** What the store needs besides the client. */
export interface RedisStoreLimits {
  /** `SESSION_IDLE_TIMEOUT` in ms (0: none). */
  idleTimeoutMs: number;
  /** `SESSION_DURATION` in ms (0: none): no key outlives the login by more. */
  durationMs: number;
  /** How long Redis may stay silent before a command fails (`REDIS_TIMEOUT`; default 500 ms). */
  timeoutMs?: number;
  /** The clock (tests pass their own). */
  now?: Clock;
}

/** When nothing else limits a session (no duration, no idle timeout): a day, as connect-redis. */
const fallbackTtlMs = 24 * 60 * 60 * 1000;

/** connect-redis's callback: an error, or the data (a session, a count, or nothing). */
export type Callback = (error?: unknown, data?: any) => void;

/** connect-redis, keyed by the hash of the session id, with a per-user index. */
export class RedisSessionStore extends RedisStore implements UserSessionIndex {
  /** The client, for the commands connect-redis does not send itself. */
  protected readonly redis: RedisClient;
  private readonly clock: Clock;

  constructor(
    client: RedisClient,
    private readonly limits: RedisStoreLimits,
  ) {
    super({ client, prefix: sessionPrefix });
    this.redis = client;
    this.clock = limits.now ?? Date.now;
  }

  /**
   * How long a session may stay in Redis from now, in ms: lesson 6's expiry (the cookie's, or
   * the idle timeout), and never past `loginAt` + `SESSION_DURATION`.
   *
   * @example
   * store.ttlMs({ cookie: { expires: null }, userId: 'u', loginAt: Date.now() }); // the idle timeout
   */
  ttlMs(sess: SessionData): number {
    const now = this.clock();
    const ends = [sessionExpiresAt(sess, now, { idleTimeoutMs: this.limits.idleTimeoutMs, ttlMs: fallbackTtlMs })];
    if (this.limits.durationMs > 0 && typeof sess.loginAt === 'number') ends.push(sess.loginAt + this.limits.durationMs);
    return Math.min(...ends) - now;
  }

  /** The command's answer, or a 503 once Redis has been silent for `REDIS_TIMEOUT` ({@link fromRedis}). */
  private answer<T>(work: Promise<T>): Promise<T> {
    return fromRedis(work, this.limits.timeoutMs);
  }

  /** What the key holds after the prefix: the SHA-256 of the session id, never the id. */
  protected storeId(sid: string): string {
    return hashSessionId(sid);
  }

  /** The session stored under the id (its hash), or null. */
  override async get(sid: string, cb?: Callback): Promise<void> {
    try {
      const data = await this.answer(this.redis.get(sessionPrefix + this.storeId(sid)));
      cb?.(null, data === null ? null : JSON.parse(data));
    } catch (error) {
      cb?.(error);
    }
  }

  /** Stores the session for {@link ttlMs}, and indexes it under its user. */
  override async set(sid: string, sess: SessionData, cb?: Callback): Promise<void> {
    const key = sessionPrefix + this.storeId(sid);
    const ttl = this.ttlMs(sess);
    try {
      if (ttl <= 0) {
        await this.answer(this.redis.del(key));
      } else {
        const write = this.redis.multi().set(key, JSON.stringify(sess), { expiration: { type: 'PX', value: ttl } });
        // The index follows the session: its member goes with it at logout, and the index
        // itself lives as long as its newest session could.
        if (typeof sess.userId === 'string') {
          const index = userIndexKey(sess.userId);
          write.zAdd(index, { score: typeof sess.loginAt === 'number' ? sess.loginAt : this.clock(), value: key }, { NX: true });
          write.pExpire(index, ttl, 'GT').pExpire(index, ttl, 'NX');
        }
        await this.answer(write.exec());
      }
      cb?.();
    } catch (error) {
      cb?.(error);
    }
  }

  /** Moves the session's TTL to {@link ttlMs} from now, after a request that used it. */
  override async touch(sid: string, sess: SessionData, cb?: Callback): Promise<void> {
    try {
      const ttl = this.ttlMs(sess);
      // PEXPIRE on a key that is gone does nothing: a touch never revives an ended session.
      const key = sessionPrefix + this.storeId(sid);
      await this.answer(ttl > 0 ? this.redis.pExpire(key, ttl) : this.redis.del(key));
      cb?.();
    } catch (error) {
      cb?.(error);
    }
  }

  /** Deletes the session (a logout). */
  override async destroy(sid: string, cb?: Callback): Promise<void> {
    // The index entry is left for destroyUserSessions and capUserSessions to prune: a logout
    // does not know whose session it ends without reading it first.
    try {
      await this.answer(this.redis.del(sessionPrefix + this.storeId(sid)));
      cb?.();
    } catch (error) {
      cb?.(error);
    }
  }

  async destroyUserSessions(userId: string, keepSessionId?: string): Promise<number> {
    const keep = keepSessionId === undefined ? null : sessionPrefix + this.storeId(keepSessionId);
    const index = userIndexKey(userId);
    const keys = (await this.answer(this.redis.zRange(index, 0, -1))).filter((key) => key !== keep);
    if (keys.length === 0) return 0;
    // One DEL per key: in a Cluster, the session keys of one user live on different nodes.
    const ended = await this.answer(Promise.all(keys.map((key) => this.redis.del(key))));
    await this.answer(this.redis.zRem(index, keys));
    return ended.reduce((sum, count) => sum + count, 0);
  }

  async capUserSessions(userId: string, max: number): Promise<number> {
    const index = userIndexKey(userId);
    // Within the cap, even counting the expired members: nothing to do, in one command.
    if ((await this.answer(this.redis.zCard(index))) <= max) return 0;
    const keys = await this.answer(this.redis.zRange(index, 0, -1));
    const exists = await this.answer(Promise.all(keys.map((key) => this.redis.exists(key))));
    const gone = keys.filter((_, i) => exists[i] === 0);
    // Oldest first (the score is the login time): all live ones but the newest `max` go.
    const live = keys.filter((_, i) => exists[i] === 1);
    const ended = live.slice(0, Math.max(0, live.length - max));
    await this.answer(Promise.all(ended.map((key) => this.redis.del(key))));
    if (gone.length + ended.length > 0) await this.answer(this.redis.zRem(index, [...gone, ...ended]));
    return ended.length;
  }
}
