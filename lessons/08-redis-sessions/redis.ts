/**
 * Lesson 8's Redis client, and what a request gets when Redis cannot answer: a JSON 503 with
 * `Retry-After`, within the deadline, never a request that hangs.
 *
 * @module
 */
import { createClient } from 'redis';

/**
 * How long Redis may stay silent before a request gets its 503, in ms: the default of
 * `REDIS_TIMEOUT` (0.5 s).
 */
export const redisDeadlineMs = 500;

/** The client lesson 8 uses (node-redis 6). */
export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A client for `url`, set up for an outage: no command waits for a reconnection, and it
 * reconnects by itself, backing off up to 1 s. (Its own command timeout stops counting once a
 * command is sent, so a Redis that hangs would hang the request: {@link fromRedis} keeps the
 * deadline.)
 * Connect it with `await client.connect()`. Says once when Redis goes away, and once when it
 * is back.
 *
 * @example
 * const client = createRedisClient('redis://127.0.0.1:6379');
 * await client.connect();
 */
export function createRedisClient(url: string, log: (line: string) => void = console.error) {
  const client = createClient({
    url,
    // While the connection is down, a command fails at once instead of queueing for later: the
    // request is answered now, and a reconnection does not replay a burst of stale work.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: redisDeadlineMs,
      // Never give up: 100 ms, 200 ms, 400 ms... then every second, until Redis is back.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 1000),
    },
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log(`redis: ${error.message || error.name}: answering 503 until it is back`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log('redis: connected again');
  });
  return client;
}

/**
 * Redis did not answer: the request gets 503 `{"error": "Service Unavailable"}` with
 * `Retry-After` (the shared error handler answers any error whose `status` is 503 so).
 */
export class RedisUnavailable extends Error {
  /** Names the error class in stack traces. */
  override name = 'RedisUnavailable';
  /** The status the error handler answers with. */
  readonly status = 503;
  constructor(
    /** What Redis, or the client, said. */
    readonly cause: unknown,
  ) {
    super(`redis: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** When Redis last answered a command of this process (in `performance.now()` time). */
let lastAnswerAt = 0;

/**
 * The value of a Redis command; a failure, or `deadlineMs` of silence from Redis (up but not
 * answering: a hung machine, a full network buffer), is a {@link RedisUnavailable}.
 *
 * The deadline is on Redis's silence, not on one command's wait: under a burst of requests,
 * answers queue up in this process, and a command may wait longer than the deadline while
 * Redis answers the others all along. Redis answers the commands of a connection in order,
 * so while answers keep coming, this one's is on its way.
 *
 * @example
 * const data = await fromRedis(client.get(key));
 */
export async function fromRedis<T>(work: Promise<T>, deadlineMs = redisDeadlineMs): Promise<T> {
  const sentAt = performance.now();
  const answered = () => {
    lastAnswerAt = performance.now();
  };
  work.then(answered, answered);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    // setImmediate: after a stall of this process (a busy machine), timers run before the
    // socket is read; answers that came in meanwhile count.
    const check = () => {
      const silentMs = performance.now() - Math.max(lastAnswerAt, sentAt);
      if (silentMs >= deadlineMs) reject(new Error(`no answer from Redis for ${deadlineMs} ms`));
      else timer = setTimeout(() => setImmediate(check), deadlineMs - silentMs);
    };
    timer = setTimeout(() => setImmediate(check), deadlineMs);
  });
  try {
    return await Promise.race([work, late]);
  } catch (error) {
    throw error instanceof RedisUnavailable ? error : new RedisUnavailable(error);
  } finally {
    clearTimeout(timer);
  }
}
