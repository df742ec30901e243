/**
 * The settings only lesson 6 reads: `SESSION_SECRET`, `SESSION_STORE` and `NODE_ENV`.
 * The shared ones (`SESSION_NAME`, `SESSION_DURATION`, `COOKIE_SECURE`, ...) come from
 * `shared/config.ts`, as in every lesson.
 *
 * @module
 */
import { ConfigError } from '../../shared/config.ts';

/** Where express-session keeps its sessions. */
export type SessionStoreKind = 'sqlite' | 'memory';

/** Lesson 6's own settings. */
export interface SessionConfig {
  /** `SESSION_SECRET`, split on commas: the first signs, all verify. Empty when unset. */
  sessionSecrets: string[];
  /** `SESSION_STORE`: our SQLite store (default) or express-session's MemoryStore. */
  sessionStore: SessionStoreKind;
  /** `NODE_ENV=production`: no generated secret, refuse to start without one. */
  production: boolean;
}

/**
 * Reads lesson 6's settings from an environment (the process's by default).
 *
 * @example
 * loadSessionConfig({ SESSION_SECRET: 'new-secret,old-secret' }).sessionSecrets; // ['new-secret', 'old-secret']
 */
export function loadSessionConfig(env: NodeJS.ProcessEnv = process.env): SessionConfig {
  return {
    sessionSecrets: parseSecrets(env.SESSION_SECRET),
    sessionStore: parseStoreKind(env.SESSION_STORE),
    production: env.NODE_ENV === 'production',
  };
}

/**
 * The secrets of a comma-separated list, spaces around them ignored, empty ones dropped.
 *
 * @example
 * parseSecrets(' a , b,,'); // ['a', 'b']
 * parseSecrets(undefined); // []
 */
export function parseSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
}

function parseStoreKind(value: string | undefined): SessionStoreKind {
  if (!value || value === 'sqlite') return 'sqlite';
  if (value === 'memory') return 'memory';
  throw new ConfigError(`SESSION_STORE must be sqlite or memory, got "${value}"`);
}
