/**
 * The settings lesson 7 adds: how many password guesses it allows, how many sessions a user
 * keeps, which host names requests may use and which proxy to believe. The shared settings
 * (`SESSION_NAME`, `SESSION_DURATION`, `COOKIE_SECURE`, ...) and lesson 6's (`SESSION_SECRET`,
 * `SESSION_STORE`, `NODE_ENV`) are read where they always were.
 *
 * @module
 */
import express from 'express';
import { ConfigError } from '../../shared/config.ts';

/** Lesson 7's own settings. */
export interface HardeningConfig {
  /** `LOGIN_ATTEMPTS_PER_ACCOUNT`: failed password checks one account may get per window. */
  attemptsPerAccount: number;
  /** `LOGIN_ATTEMPTS_PER_ADDRESS`: failed password checks one client address may make per window. */
  attemptsPerAddress: number;
  /** `LOGIN_ATTEMPTS_WINDOW`: the window of both, in seconds. */
  attemptsWindowSeconds: number;
  /** `SESSIONS_PER_USER`: live sessions one user may hold; a login beyond it ends the oldest. */
  sessionsPerUser: number;
  /** `ALLOWED_HOSTS`: the host names a request's `Host` may name; empty: the addresses the server listens on. */
  allowedHosts: string[];
  /** `TRUST_PROXY`: Express's `trust proxy` (false: no proxy; a number of hops; addresses, subnets or `loopback`). */
  trustProxy: false | number | string;
}

/** The defaults: OWASP's order of magnitude for guesses, a handful of devices per user. */
export const hardeningDefaults = {
  attemptsPerAccount: 5,
  attemptsPerAddress: 20,
  attemptsWindowSeconds: 15 * 60,
  sessionsPerUser: 10,
} as const;

/**
 * Reads lesson 7's settings from an environment (the process's by default).
 *
 * @example
 * loadHardeningConfig({ LOGIN_ATTEMPTS_PER_ACCOUNT: '3' }).attemptsPerAccount; // 3
 */
export function loadHardeningConfig(env: NodeJS.ProcessEnv = process.env): HardeningConfig {
  return {
    attemptsPerAccount: parseCount('LOGIN_ATTEMPTS_PER_ACCOUNT', env.LOGIN_ATTEMPTS_PER_ACCOUNT, hardeningDefaults.attemptsPerAccount),
    attemptsPerAddress: parseCount('LOGIN_ATTEMPTS_PER_ADDRESS', env.LOGIN_ATTEMPTS_PER_ADDRESS, hardeningDefaults.attemptsPerAddress),
    attemptsWindowSeconds: parseCount('LOGIN_ATTEMPTS_WINDOW', env.LOGIN_ATTEMPTS_WINDOW, hardeningDefaults.attemptsWindowSeconds),
    sessionsPerUser: parseCount('SESSIONS_PER_USER', env.SESSIONS_PER_USER, hardeningDefaults.sessionsPerUser),
    allowedHosts: (env.ALLOWED_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim())
      .filter((host) => host !== ''),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}

/** A whole number above 0; there is no "off": a check or the fuzzer that needs room sets a large one. */
function parseCount(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new ConfigError(`${name} must be a whole number above 0, got "${value}"`);
  return Number(value);
}

/**
 * `TRUST_PROXY`, as Express's `trust proxy` takes it, but never `true`: trusting every hop
 * would let any client write its own address in `X-Forwarded-For`, and so escape the limit
 * per address.
 *
 * @example
 * parseTrustProxy('loopback'); // 'loopback'
 * parseTrustProxy('1'); // 1
 * parseTrustProxy(undefined); // false
 */
export function parseTrustProxy(value: string | undefined): false | number | string {
  if (!value || value === 'false' || value === '0') return false;
  if (value === 'true') {
    throw new ConfigError('TRUST_PROXY=true would believe any client\'s X-Forwarded-For: name the proxy (loopback, its address, or a number of hops)');
  }
  if (/^\d+$/.test(value)) return Number(value);
  try {
    // Express compiles the list at once: a bad address is a one-line error at start, not a crash.
    express().set('trust proxy', value);
  } catch {
    throw new ConfigError(`TRUST_PROXY must be a number of hops or addresses, subnets, loopback, linklocal or uniquelocal; got "${value}"`);
  }
  return value;
}
