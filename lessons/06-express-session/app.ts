/**
 * Lesson 6's app: lesson 0's users API behind lesson 1's guard, with sessions kept by
 * express-session (in our SQLite store), cookie-parser for a signed preference cookie, the
 * framework example at the root, and lesson 3's playground page at `/` with its buttons.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import type { Express, Request } from 'express';
import session from 'express-session';
import type { Config } from '../../shared/config.ts';
import type { Db } from '../../shared/db.ts';
import type { AppParts } from '../00-users-api/app.ts';
import type { Auth } from '../01-basic-auth/auth.ts';
import { createApp as createGuardedApp, type AuthTypes } from '../01-basic-auth/app.ts';
import { excludedPaths as lesson2ExcludedPaths } from '../02-session-auth/app.ts';
import { playgroundRouter } from '../03-session-login/playground.ts';
import { authTypes as lesson4AuthTypes } from '../04-session-expiry/app.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import type { SessionStoreKind } from './config.ts';
import { ExpressSessionAuth } from './express-session-auth.ts';
import { frameworkPaths, frameworkRouter } from './framework-views.ts';
import { preferencesRouter } from './preferences.ts';
import { createSessionMiddleware, enforceAbsoluteLimit, sessionCookieOptions } from './session-middleware.ts';
import { sessionRouter } from './session-views.ts';
import { SqliteSessionStore } from './sqlite-store.ts';

/**
 * Lesson 4's auth types plus `express_session`. `session_auth` and `session_exp_auth` are the
 * hand-built sessions this lesson replaces: `server.ts` runs lesson 4's server for them.
 */
export const authTypes: AuthTypes = {
  ...lesson4AuthTypes,
  express_session: (config) => new ExpressSessionAuth(config.sessionName),
};

/** Lesson 2's excluded paths (the course's, and login), the preferences and the framework example. */
export const excludedPaths: readonly string[] = [...lesson2ExcludedPaths, '/api/v1/preferences/', ...frameworkPaths];

/** What the sessions are made of. */
export interface SessionParts {
  /** The cookie secrets: the first signs, all verify. */
  secrets: string[];
  /** Where express-session keeps sessions. */
  store: session.Store;
  /** The clock for login times and the absolute limit (tests pass their own). */
  now?: Clock;
}

/**
 * The session store `SESSION_STORE` names: our SQLite store in `db`, or MemoryStore.
 *
 * @example
 * const store = createSessionStore('sqlite', database(), config);
 */
export function createSessionStore(kind: SessionStoreKind, db: Db, config: Config): session.Store {
  // MemoryStore: sessions live in this process only and vanish at every restart.
  if (kind === 'memory') return new session.MemoryStore();
  return new SqliteSessionStore({ db, idleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000 });
}

/**
 * Builds the API behind `auth`, with express-session's sessions.
 *
 * @example
 * const app = createApp(new ExpressSessionAuth(config.sessionName), config, { secrets, store });
 */
export function createApp(auth: Auth, config: Config, sessionParts: SessionParts, parts: AppParts = {}): Express {
  const cookieOptions = sessionCookieOptions(config);
  const routeOptions = { sessionName: config.sessionName, cookieOptions, now: sessionParts.now };
  // Login and logout under /api/v1 only when the API's auth is the session (as in lesson 3).
  const sessionRoutes = auth instanceof ExpressSessionAuth ? [sessionRouter(routeOptions)] : [];
  const hasCredentials =
    auth instanceof ExpressSessionAuth ? (req: Request) => auth.hasCredentials(req) : undefined;
  return createGuardedApp(
    auth,
    {
      ...parts,
      middleware: [
        // Lesson 3's playground page, with the framework example's buttons; before the guard
        // (anyone may load the login form) and before the session (loading it touches no store).
        playgroundRouter({ frameworkRoutes: true }),
        // express-session reads the Cookie header itself, and must come first: it falls back on
        // req.cookies when cookie-parser ran before it, and cookie-parser turns a "j:[1,2]" value
        // into an array there, on which express-session throws (a 500 for any client).
        createSessionMiddleware(config, sessionParts.secrets, sessionParts.store),
        // The same secrets as the session: the first signs the preference cookie, all verify it.
        cookieParser(sessionParts.secrets),
        enforceAbsoluteLimit(config.sessionDurationSeconds * 1000, sessionParts.now),
        ...(parts.middleware ?? []),
      ],
      routers: [...sessionRoutes, preferencesRouter(cookieOptions), ...(parts.routers ?? [])],
      rootRouters: [frameworkRouter(routeOptions), ...(parts.rootRouters ?? [])],
    },
    { excludedPaths, ...(hasCredentials && { hasCredentials }) },
  );
}
