/**
 * The secret that signs the session cookie: from `SESSION_SECRET`, or generated once and
 * kept in a file beside the database, so cookies stay valid across restarts.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../shared/config.ts';
import type { SessionConfig } from './config.ts';

/** HMAC-SHA256 wants a key of at least 32 bytes of entropy; shorter secrets get a warning. */
export const minimumSecretLength = 32;

/** The secrets to use, and what to tell the learner about where they came from. */
export interface SessionSecrets {
  /** The first signs new cookies; every one of them verifies incoming cookies. */
  secrets: string[];
  /** One-line notices for the start-up output. */
  notices: string[];
}

/**
 * Where the generated secret lives: `session-secret` in the database's folder.
 *
 * @example
 * secretFilePath('data/sandbox.db'); // 'data/session-secret'
 */
export function secretFilePath(dbPath: string): string {
  return join(dirname(dbPath), 'session-secret');
}

/**
 * The session secrets: `SESSION_SECRET` when set; otherwise, outside production, the secret
 * kept in {@link secretFilePath} (created on first start). Throws a {@link ConfigError}
 * in production without `SESSION_SECRET`.
 *
 * @example
 * resolveSessionSecrets(loadSessionConfig(), 'data/sandbox.db').secrets; // ['q3Zt0y…']
 */
export function resolveSessionSecrets(config: SessionConfig, dbPath: string): SessionSecrets {
  if (config.sessionSecrets.length > 0) {
    const count = config.sessionSecrets.length;
    const notices = [`session secret: ${count} from SESSION_SECRET${count > 1 ? ' (the first signs, all verify)' : ''}`];
    if (config.sessionSecrets.some((secret) => secret.length < minimumSecretLength)) {
      const advice = 'try: openssl rand -base64 32';
      notices.push(`warning: a SESSION_SECRET is shorter than ${minimumSecretLength} characters; ${advice}`);
    }
    return { secrets: config.sessionSecrets, notices };
  }
  // A generated secret in production would silently differ between machines and deploys.
  if (config.production) throw new ConfigError('SESSION_SECRET must be set when NODE_ENV=production');
  const file = secretFilePath(dbPath);
  const { secret, created } = loadOrCreateSecret(file);
  return {
    secrets: [secret],
    notices: [
      `session secret: ${created ? 'generated and saved in' : 'read from'} ${file} (owner-only);` +
        ' set SESSION_SECRET to choose your own',
    ],
  };
}

/**
 * Reads the secret in `file`, or creates the file with a new random secret.
 *
 * @example
 * loadOrCreateSecret('data/session-secret'); // { secret: 'q3Zt0y…', created: true }
 */
export function loadOrCreateSecret(file: string): { secret: string; created: boolean } {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // 32 bytes from the OS's CSPRNG: as strong as the HMAC-SHA256 key can use.
    const secret = randomBytes(32).toString('base64url');
    // wx: never overwrite an existing secret; 0o600: only the owner may read the signing key.
    writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 });
    return { secret, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw secretError(file, error);
  }
  try {
    // A copy made with looser permissions is tightened: the key signs every session cookie.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < minimumSecretLength) throw new Error('it holds no usable secret; delete it to get a new one');
    return { secret, created: false };
  } catch (error) {
    throw secretError(file, error);
  }
}

function secretError(file: string, error: unknown): ConfigError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigError(`cannot use the session secret file ${file}: ${reason}`);
}
