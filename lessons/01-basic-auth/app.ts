/**
 * Lesson 1's app: the users API behind an auth guard, the auth chosen by `AUTH_TYPE`.
 *
 * @module
 */
import type { Express } from 'express';
import { ConfigError, type Config } from '../../shared/config.ts';
import { createApp as createUsersApi, type AppParts } from '../00-users-api/app.ts';
import { Auth } from './auth.ts';
import { BasicAuth } from './basic-auth.ts';
import { authGuard, excludedPaths, type GuardOptions } from './guard.ts';
import { authRouter } from './views.ts';

/** `AUTH_TYPE` value → how to build that auth. Later lessons add their own entries. */
export type AuthTypes = Record<string, (config: Config) => Auth>;

/** The auth types lesson 1 teaches. */
export const authTypes: AuthTypes = {
  auth: () => new Auth(),
  basic_auth: () => new BasicAuth(),
};

/**
 * The auth named by `AUTH_TYPE`, or the lesson's default; a {@link ConfigError} for a
 * name the lesson does not know.
 *
 * @example
 * pickAuth(authTypes, loadConfig(), 'basic_auth'); // BasicAuth
 */
export function pickAuth(types: AuthTypes, config: Config, defaultType: string): Auth {
  const name = config.authType ?? defaultType;
  const build = types[name];
  if (!build) throw new ConfigError(`AUTH_TYPE must be one of ${Object.keys(types).join(', ')}; got "${name}"`);
  return build(config);
}

/**
 * Builds the users API behind `auth`; later lessons pass more parts and guard options.
 *
 * @example
 * const app = createApp(new BasicAuth());
 */
export function createApp(auth: Auth, parts: AppParts = {}, guard: GuardOptions = { excludedPaths }): Express {
  return createUsersApi({
    ...parts,
    middleware: [...(parts.middleware ?? []), authGuard(auth, guard)],
    routers: [authRouter(auth), ...(parts.routers ?? [])],
  });
}
