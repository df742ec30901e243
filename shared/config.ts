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
    sessionDurationSeconds: parseSeconds(env.SESSION_DURATION),
    sessionIdleTimeoutSeconds: parseSeconds(env.SESSION_IDLE_TIMEOUT),
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
 * Seconds as the course reads them: missing, not a number, or <= 0 means "no limit" (0).
 * Decimals are accepted so that checks can use lifetimes shorter than a second.
 *
 * @example
 * parseSeconds('0.5'); // 0.5
 * parseSeconds('abc'); // 0
 */
export function parseSeconds(value: string | undefined): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
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
