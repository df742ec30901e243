/**
 * Lesson 7's throttle, counted in Redis: `RateLimiterRedis` instead of `RateLimiterMemory`,
 * so that a brute force spread over every instance is counted once. A Redis that cannot
 * answer is a 503, never a free guess (lesson 7's `AttemptThrottle` lets no failure through).
 *
 * @module
 */
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { HardeningConfig } from '../07-hardening/config.ts';
import type { AttemptLimiters } from '../07-hardening/throttle.ts';
import { fromRedis, redisDeadlineMs, type RedisClient, type RedisUnavailable } from './redis.ts';

/**
 * The limiter's answer within Redis's deadline: a spent allowance (`RateLimiterRes`) is
 * thrown as it is, for the 429; a failure or a hang of Redis is a {@link RedisUnavailable},
 * for the 503.
 */
async function withinDeadline(work: Promise<RateLimiterRes>, deadlineMs: number): Promise<RateLimiterRes> {
  const answer = await fromRedis(
    work.then((ok) => ({ ok }), (error: unknown) => (error instanceof RateLimiterRes ? { spent: error } : Promise.reject(error))),
    deadlineMs,
  );
  if ('spent' in answer) throw answer.spent;
  return answer.ok;
}

/** `RateLimiterRedis`, whose Redis failures and hangs are {@link RedisUnavailable}. */
class RedisLimiter extends RateLimiterRedis {
  constructor(
    options: ConstructorParameters<typeof RateLimiterRedis>[0],
    /** How long Redis may stay silent before a count fails. */
    private readonly deadlineMs: number,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterRedis['consume']>): Promise<RateLimiterRes> {
    return withinDeadline(super.consume(...args), this.deadlineMs);
  }

  override reward(...args: Parameters<RateLimiterRedis['reward']>): Promise<RateLimiterRes> {
    return withinDeadline(super.reward(...args), this.deadlineMs);
  }
}

/**
 * Both counters in Redis, shared by every instance that uses the same Redis.
 *
 * @example
 * const limiters = redisLimiters(client, loadHardeningConfig());
 */
export function redisLimiters(
  client: RedisClient,
  config: Pick<HardeningConfig, 'attemptsPerAccount' | 'attemptsPerAddress' | 'attemptsWindowSeconds'>,
  timeoutMs = redisDeadlineMs,
): AttemptLimiters {
  const common = { storeClient: client, useRedisPackage: true, rejectIfRedisNotReady: true, duration: config.attemptsWindowSeconds };
  return {
    perAccount: new RedisLimiter({ ...common, keyPrefix: 'password-account', points: config.attemptsPerAccount }, timeoutMs),
    perAddress: new RedisLimiter({ ...common, keyPrefix: 'password-address', points: config.attemptsPerAddress }, timeoutMs),
  };
}
