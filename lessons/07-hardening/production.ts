/**
 * What a production server must not run with. Each weak setting is one line of the error the
 * server stops with, so that all of them are fixed in one go.
 *
 * @module
 */
import type { Config } from '../../shared/config.ts';
import type { SessionConfig } from '../06-express-session/config.ts';
import { minimumSecretLength } from '../06-express-session/secret.ts';

/**
 * The weak settings among these, one sentence each; none: fine for production.
 *
 * @example
 * weakProductionSettings(loadConfig(), loadSessionConfig()); // ['COOKIE_SECURE must be true ...', ...]
 */
export function weakProductionSettings(config: Config, sessionConfig: SessionConfig): string[] {
  const weak: string[] = [];
  const advice = 'try: openssl rand -base64 32';
  if (sessionConfig.sessionSecrets.length === 0) {
    weak.push(`SESSION_SECRET must be set in production: a generated secret differs on every machine (${advice})`);
  } else if (sessionConfig.sessionSecrets.some((secret) => secret.length < minimumSecretLength)) {
    weak.push(`SESSION_SECRET: every secret needs at least ${minimumSecretLength} characters in production (${advice})`);
  }
  if (!config.cookieSecure) {
    weak.push('COOKIE_SECURE must be true in production: serve over HTTPS, or behind a TLS proxy named by TRUST_PROXY');
  }
  if (config.sessionDurationSeconds <= 0) {
    weak.push('SESSION_DURATION must be set in production: a session needs an absolute lifetime (28800 is 8 hours)');
  }
  return weak;
}
