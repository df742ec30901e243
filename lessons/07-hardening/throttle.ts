/**
 * Throttling of password guesses, with rate-limiter-flexible: each guess takes one attempt
 * from its account's allowance and one from its client address's, *before* the password is
 * checked, so that a flood of guesses costs no scrypt once an allowance is spent, however many
 * arrive at once. A right password gives its attempt back: only failures add up.
 *
 * The counters live in a limiter of the library (`RateLimiterMemory` here); lesson 8 passes
 * `RateLimiterRedis` instances instead, so that every process counts together.
 *
 * @module
 */
import type { ErrorRequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { HardeningConfig } from './config.ts';

/** The two counters: the seam where lesson 8 puts Redis. */
export interface AttemptLimiters {
  /** Failed password checks per account (its email, in lower case). */
  perAccount: RateLimiterAbstract;
  /** Failed password checks per client address. */
  perAddress: RateLimiterAbstract;
}

/**
 * Both counters in this process's memory: right for one process, and gone at restart.
 *
 * @example
 * const limiters = memoryLimiters(loadHardeningConfig());
 */
export function memoryLimiters(config: Pick<HardeningConfig, 'attemptsPerAccount' | 'attemptsPerAddress' | 'attemptsWindowSeconds'>): AttemptLimiters {
  const duration = config.attemptsWindowSeconds;
  return {
    perAccount: new RateLimiterMemory({ keyPrefix: 'password-account', points: config.attemptsPerAccount, duration }),
    perAddress: new RateLimiterMemory({ keyPrefix: 'password-address', points: config.attemptsPerAddress, duration }),
  };
}

/** An allowance is spent: the answer is 429, with `Retry-After`. */
export class TooManyAttempts extends Error {
  /** Names the error class in stack traces. */
  override name = 'TooManyAttempts';
  /** @param retryAfterSeconds when the spent allowance comes back */
  constructor(readonly retryAfterSeconds: number) {
    super('too many failed password checks');
  }
}

/**
 * The key of a client address: the address itself, and for IPv6 its /64, since one client
 * gets a whole /64 and could otherwise use a new address for every guess.
 *
 * @example
 * addressKey('203.0.113.7'); // '203.0.113.7'
 * addressKey('2001:db8:1:2:a:b:c:d'); // '2001:db8:1:2::/64'
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/** Counts password guesses per account and per client address. */
export class AttemptThrottle {
  constructor(private readonly limiters: AttemptLimiters) {}

  /**
   * Takes one attempt from the account's and the address's allowances; throws
   * {@link TooManyAttempts} when either is spent. Call it before checking the password.
   *
   * @example
   * await throttle.takeAttempt('bob@hbtn.io', addressKey(req.ip)); // or TooManyAttempts
   */
  async takeAttempt(account: string, address: string): Promise<void> {
    const taken = await Promise.allSettled([this.limiters.perAccount.consume(account), this.limiters.perAddress.consume(address)]);
    let waitMs = 0;
    for (const result of taken) {
      if (result.status === 'fulfilled') continue;
      // A failing store (Redis down, in lesson 8) is an error, never a free pass.
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      waitMs = Math.max(waitMs, result.reason.msBeforeNext);
    }
    if (taken.some((result) => result.status === 'rejected')) throw new TooManyAttempts(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  /**
   * Gives back the attempt of a right password: only failures count against an allowance.
   *
   * @example
   * await throttle.giveBack('bob@hbtn.io', addressKey(req.ip));
   */
  async giveBack(account: string, address: string): Promise<void> {
    await Promise.all([this.limiters.perAccount.reward(account), this.limiters.perAddress.reward(address)]);
  }
}

/**
 * Answers {@link TooManyAttempts} with 429 `{"error": "Too Many Requests"}` and `Retry-After`
 * (seconds, RFC 9110 §10.2.3); any other error goes on to the JSON error handler.
 *
 * @example
 * app.use(answerTooManyAttempts);
 * app.use(errorHandler);
 */
export const answerTooManyAttempts: ErrorRequestHandler = (error, _req, res, next) => {
  if (!(error instanceof TooManyAttempts) || res.headersSent) return next(error);
  res.set('Retry-After', String(error.retryAfterSeconds));
  res.status(429).json({ error: 'Too Many Requests' });
};
