/**
 * Lesson 7's apps: lesson 6's (express-session in our SQLite store) and lesson 1's (Basic
 * auth), hardened. Read `diff lessons/06-express-session/app.ts lessons/07-hardening/app.ts`:
 * a `Host` allow-list, helmet, a cross-origin refusal and `no-store` come first; the cookie is
 * `__Host-` and `Secure`, and refused when it comes twice; the login and the password checks
 * are throttled; the users routes are authorized; the framework example is gone (a second
 * login route is a second thing to harden).
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { ConfigError, type Config } from '../../shared/config.ts';
import { database } from '../../shared/db.ts';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import { createUserRoleTable } from '../../shared/models/user-role.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { authGuard, excludedPaths } from '../01-basic-auth/guard.ts';
import { authRouter } from '../01-basic-auth/views.ts';
import { excludedPathsWithLogin } from '../03-session-login/app.ts';
import { playgroundRouter, type ServedBy } from '../03-session-login/playground.ts';
import { startSweeper, type Clock } from '../04-session-expiry/session-exp-auth.ts';
import { loadSessionConfig } from '../06-express-session/config.ts';
import { ExpressSessionAuth } from '../06-express-session/express-session-auth.ts';
import { preferencesRouter } from '../06-express-session/preferences.ts';
import { resolveSessionSecrets } from '../06-express-session/secret.ts';
import { createSessionMiddleware, enforceAbsoluteLimit, sessionCookieOptions } from '../06-express-session/session-middleware.ts';
import { lesson } from '../curriculum.ts';
import { authorizeUsers, deleteUserRouter } from './authorization.ts';
import { loadHardeningConfig, type HardeningConfig } from './config.ts';
import { hostCookieName, loopbackCountsAsSecure, refuseDuplicateCookie } from './cookie.ts';
import { refuseCrossOrigin } from './csrf.ts';
import { noStore, securityHeaders } from './headers.ts';
import { allowHosts, listeningHosts } from './hosts.ts';
import { PasswordCheck } from './passwords.ts';
import { weakProductionSettings } from './production.ts';
import { IndexedMemoryStore, IndexedSqliteSessionStore, type IndexedSessionStore } from './session-stores.ts';
import { hardenedSessionRouter } from './session-views.ts';
import { ThrottledBasicAuth } from './throttled-basic-auth.ts';
import { AttemptThrottle, answerTooManyAttempts, memoryLimiters } from './throttle.ts';

/** Lesson 3's excluded paths (the course's, and login) and the preferences. */
export const hardenedExcludedPaths: readonly string[] = [...excludedPathsWithLogin, '/api/v1/preferences/'];

/** What both apps are made of besides the configuration. */
export interface HardenedParts {
  /** The throttled password check (its limiters: memory here, Redis in lesson 8). */
  passwords: PasswordCheck;
  /** Lesson 7's settings. */
  settings: HardeningConfig;
}

/** What the sessions are made of. */
export interface HardenedSessionParts extends HardenedParts {
  /** The cookie secrets: the first signs, all verify. */
  secrets: string[];
  /** Where express-session keeps sessions: a store that knows each session's user. */
  store: IndexedSessionStore;
  /** The clock for login times and the absolute limit (tests pass their own). */
  now?: Clock;
  /** The lesson the playground names (lesson 8 passes its own). */
  servedBy?: ServedBy;
}

/**
 * The session cookie's configuration: `__Host-<SESSION_NAME>`, always `Secure` (which the prefix
 * needs); lesson 6's options otherwise.
 *
 * @example
 * hostCookieConfig(config).sessionName; // '__Host-_my_session_id'
 */
export function hostCookieConfig(config: Config): Config {
  return { ...config, sessionName: hostCookieName(config.sessionName), cookieSecure: true };
}

/**
 * Builds the hardened users API with express-session's sessions, top to bottom in the order a
 * request meets it.
 *
 * @example
 * const app = createHardenedSessionApp(config, { secrets, store, passwords, settings });
 */
export function createHardenedSessionApp(config: Config, parts: HardenedSessionParts): Express {
  const cookieConfig = hostCookieConfig(config);
  const auth = new ExpressSessionAuth(cookieConfig.sessionName);
  const cookieOptions = sessionCookieOptions(cookieConfig);
  const { settings } = parts;
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // Whose X-Forwarded-For, -Proto and -Host to believe (TRUST_PROXY): nobody's unless told.
  app.set('trust proxy', settings.trustProxy);
  // DNS rebinding: a Host this server does not answer for is refused before anything runs.
  app.use(allowHosts(settings.allowedHosts.length > 0 ? settings.allowedHosts : listeningHosts(config.apiHost)));
  // CSP with frame-ancestors 'none', nosniff, no-referrer... on every answer.
  app.use(securityHeaders());
  // CSRF: another origin's page may not change anything, login and logout included.
  app.use(refuseCrossOrigin());
  app.use('/api/v1', noStore);
  // Lesson 3's page: before the session, loading it touches no store.
  app.use(playgroundRouter({ servedBy: parts.servedBy ?? lesson(7) }));
  // Cookie tossing: two cookies of the session's name, one of them planted.
  app.use(refuseDuplicateCookie(cookieConfig.sessionName));
  // Development only: http://127.0.0.1 counts as secure, as browsers count it (see cookie.ts).
  if (!config.cookieSecure && settings.trustProxy === false) app.use(loopbackCountsAsSecure());
  app.use(createSessionMiddleware(cookieConfig, parts.secrets, parts.store));
  app.use(cookieParser(parts.secrets));
  app.use(enforceAbsoluteLimit(config.sessionDurationSeconds * 1000, parts.now));
  app.use(authGuard(auth, hardenedExcludedPaths));
  app.use(jsonBody);
  app.use(
    '/api/v1',
    indexRouter,
    authRouter(auth),
    hardenedSessionRouter({
      sessionName: cookieConfig.sessionName,
      cookieOptions,
      passwords: parts.passwords,
      sessions: parts.store,
      sessionsPerUser: settings.sessionsPerUser,
      now: parts.now,
    }),
    preferencesRouter(cookieOptions),
    // Own account only, unless admin; then the course's routes.
    authorizeUsers(),
    deleteUserRouter(parts.store),
    usersRouter,
  );
  app.use(notFound);
  // 429 with Retry-After for a spent allowance of password guesses.
  app.use(answerTooManyAttempts);
  app.use(errorHandler);
  return app;
}

/**
 * Builds the hardened users API behind Basic auth, top to bottom: lesson 1's app, with the
 * same protections as the session app (there is no cookie to protect).
 *
 * @example
 * const app = createHardenedBasicApp(config, { passwords, settings });
 */
export function createHardenedBasicApp(config: Config, parts: HardenedParts): Express {
  const auth = new ThrottledBasicAuth(parts.passwords);
  const { settings } = parts;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxy);
  app.use(allowHosts(settings.allowedHosts.length > 0 ? settings.allowedHosts : listeningHosts(config.apiHost)));
  app.use(securityHeaders());
  // A browser that knows the Basic credentials sends them to any site's requests: CSRF here too.
  app.use(refuseCrossOrigin());
  app.use('/api/v1', noStore);
  app.use(authGuard(auth, excludedPaths));
  app.use(jsonBody);
  app.use('/api/v1', indexRouter, authRouter(auth), authorizeUsers(), deleteUserRouter(), usersRouter);
  app.use(notFound);
  app.use(answerTooManyAttempts);
  app.use(errorHandler);
  return app;
}

/** The password check of one server, with its limiters in memory. */
function memoryPasswordCheck(settings: HardeningConfig): PasswordCheck {
  return new PasswordCheck(new AttemptThrottle(memoryLimiters(settings)));
}

/**
 * The `AUTH_TYPE`s lesson 7 redefines: `express_session` and `basic_auth`, hardened. Each
 * creates the roles table (the lesson that has roles creates it) and computes its dummy hash at
 * start; with `NODE_ENV=production` the session app refuses weak settings.
 */
export const hardenedAuthTypes: AuthTypes = {
  basic_auth: (config) => {
    const settings = loadHardeningConfig();
    createUserRoleTable(database());
    const passwords = memoryPasswordCheck(settings);
    return { app: createHardenedBasicApp(config, { passwords, settings }), start: () => void passwords.warmUp() };
  },
  express_session: (config) => {
    const settings = loadHardeningConfig();
    const sessionConfig = loadSessionConfig();
    if (sessionConfig.production) {
      const weak = weakProductionSettings(config, sessionConfig);
      if (weak.length > 0) throw new ConfigError(weak.join('\n'));
    }
    const { secrets, notices } = resolveSessionSecrets(sessionConfig, config.dbPath);
    createUserRoleTable(database());
    const passwords = memoryPasswordCheck(settings);
    const memory = sessionConfig.sessionStore === 'memory';
    const store = memory
      ? new IndexedMemoryStore()
      : new IndexedSqliteSessionStore({ db: database(), idleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000 });
    const limits = `${settings.attemptsPerAccount} per account and ${settings.attemptsPerAddress} per address every ${settings.attemptsWindowSeconds} s`;
    return {
      app: createHardenedSessionApp(config, { secrets, store, passwords, settings }),
      start: () => {
        void passwords.warmUp();
        return store instanceof IndexedSqliteSessionStore ? startSweeper(store) : undefined;
      },
      notices: [
        ...notices,
        `sessions: ${memory ? 'in memory (SESSION_STORE=memory)' : `table express_sessions in ${config.dbPath}`}, cookie ${hostCookieName(config.sessionName)}, at most ${settings.sessionsPerUser} per user`,
        `logins:  failed password checks limited to ${limits} (in memory)`,
      ],
    };
  },
};
