/**
 * Configuration: every environment variable the lessons read, parsed in one place.
 *
 * @module
 */

/** A configuration value that cannot be used; the server prints its message and exits. */
export class ConfigError extends Error {
  /** Names the error class in stack traces. */
  override name = 'ConfigError';
}

/** The settings of one server process. */
export interface Config {
  /** Interface to listen on (`API_HOST`). */
  apiHost: string;
  /** TCP port to listen on (`API_PORT`); 0 picks a free one. */
  apiPort: number;
  /** SQLite database file (`DB_PATH`). */
  dbPath: string;
  /** Requested authentication (`AUTH_TYPE`), or undefined for the lesson's default. */
  authType: string | undefined;
  /** Name of the session cookie (`SESSION_NAME`). */
  sessionName: string;
  /** Absolute session lifetime in seconds (`SESSION_DURATION`); 0 means no expiry. */
  sessionDurationSeconds: number;
  /** Idle timeout in seconds (`SESSION_IDLE_TIMEOUT`); 0 means none. */
  sessionIdleTimeoutSeconds: number;
  /** Whether the session cookie gets the `Secure` attribute (`COOKIE_SECURE`). */
  cookieSecure: boolean;
}

/**
 * Reads the configuration from an environment (the process's by default).
 *
 * @example
 * const { apiPort } = loadConfig({ API_PORT: '5001' }); // 5001
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    apiHost: env.API_HOST || '127.0.0.1',
    apiPort: parsePort(env.API_PORT),
    dbPath: env.DB_PATH || 'data/sandbox.db',
    authType: env.AUTH_TYPE || undefined,
    sessionName: parseCookieName(env.SESSION_NAME),
    sessionDurationSeconds: parseSeconds('SESSION_DURATION', env.SESSION_DURATION),
    sessionIdleTimeoutSeconds: parseSeconds('SESSION_IDLE_TIMEOUT', env.SESSION_IDLE_TIMEOUT),
    cookieSecure: parseBoolean('COOKIE_SECURE', env.COOKIE_SECURE),
  };
}

function parsePort(value: string | undefined): number {
  if (!value) return 5000;
  const port = Number(value);
  // Digits only: Number() would also take "0x1388", "1e3" or " ".
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new ConfigError(`API_PORT must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
}

/**
 * The longest `SESSION_DURATION` or `SESSION_IDLE_TIMEOUT` accepted: 400 days. Browsers keep
 * no cookie longer (RFC 6265bis caps `Expires` and `Max-Age` at 400 days), and every time the
 * lessons compute from it (login + lifetime, now − lifetime) stays far inside what a `Date`
 * can hold: past about 8.64e12 s a `Date` is invalid, and a login or a sweep would throw.
 */
export const maxSessionSeconds = 400 * 24 * 60 * 60;

/** What a number of seconds is written as: digits, maybe a fraction or an exponent; no hex, no units. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** The values the notes document as "no limit": 0 and negative whole numbers. */
const PLAIN_INTEGER = /^-?\d+$/;

/**
 * Seconds as the course reads them: missing, not a number, or <= 0 means "no limit" (0).
 * Decimals are accepted so that checks can use lifetimes shorter than a second; a value
 * above {@link maxSessionSeconds} is a {@link ConfigError}. `0x10`, `30m`, `1_000` or
 * `Infinity` are not numbers of seconds (JavaScript's `Number()` would read the first as 16;
 * the course's Python `int()` refuses it): they mean "no limit", and {@link configWarnings}
 * says so at start.
 *
 * @example
 * parseSeconds('SESSION_DURATION', '0.5'); // 0.5
 * parseSeconds('SESSION_DURATION', 'abc'); // 0
 */
export function parseSeconds(name: string, value: string | undefined): number {
  if (!value || !DECIMAL_NUMBER.test(value)) return 0;
  const seconds = Number(value);
  if (seconds > maxSessionSeconds) {
    throw new ConfigError(`${name} must be at most ${maxSessionSeconds} seconds (400 days), got "${value}"`);
  }
  return seconds > 0 ? seconds : 0;
}

/** What "no limit" means for each setting, in the warning. */
const noLimitMeans = {
  SESSION_DURATION: 'sessions never expire',
  SESSION_IDLE_TIMEOUT: 'sessions have no idle timeout',
} as const;

/**
 * One line for each setting that was read as "no limit" although it was not written as a
 * plain whole number (`30m`, `1_000`, `1,5`, `Infinity`, `0x10`): the server prints them at
 * start, since the course's rule turns them into "never" without a word.
 *
 * @example
 * configWarnings({ SESSION_DURATION: '30m' });
 * // ['warning: SESSION_DURATION="30m" means no limit, so sessions never expire: give a number of seconds, e.g. SESSION_DURATION=1800']
 */
export function configWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(noLimitMeans)
    .filter(([name]) => {
      const value = env[name];
      return value && !PLAIN_INTEGER.test(value) && parseSeconds(name, value) === 0;
    })
    .map(([name, meaning]) => `warning: ${name}=${JSON.stringify(env[name])} means no limit, so ${meaning}: give a number of seconds, e.g. ${name}=1800`);
}

// A cookie name is an RFC 9110 token: no spaces, separators or control characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function parseCookieName(value: string | undefined): string {
  if (!value) return '_my_session_id';
  if (!TOKEN.test(value)) {
    throw new ConfigError(`SESSION_NAME must be a cookie name (letters, digits, _ - .), got "${value}"`);
  }
  return value;
}

function parseBoolean(name: string, value: string | undefined): boolean {
  if (!value || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}
