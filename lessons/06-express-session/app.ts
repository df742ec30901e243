/**
 * Lesson 6's app: the users API behind lesson 1's guard, with sessions kept by
 * express-session (in our SQLite store), cookie-parser for a signed preference cookie, the
 * framework example at the root, and lesson 3's playground page with the example's buttons.
 *
 * @module
 */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import session from 'express-session';
import { readFileSync } from 'node:fs';
import type { Config } from '../../shared/config.ts';
import { database } from '../../shared/db.ts';
import { errorHandler, jsonBody, notFound } from '../../shared/http.ts';
import type { AuthTypes } from '../../shared/server.ts';
import { indexRouter } from '../00-users-api/views/index.ts';
import { usersRouter } from '../00-users-api/views/users.ts';
import { authGuard } from '../01-basic-auth/guard.ts';
import { authRouter } from '../01-basic-auth/views.ts';
import { excludedPathsWithLogin } from '../03-session-login/app.ts';
import { playgroundRouter, type PlaygroundExtension } from '../03-session-login/playground.ts';
import { startSweeper, type Clock } from '../04-session-expiry/session-exp-auth.ts';
import { lesson } from '../curriculum.ts';
import { loadSessionConfig } from './config.ts';
import { ExpressSessionAuth } from './express-session-auth.ts';
import { frameworkPaths, frameworkRouter } from './framework-views.ts';
import { preferencesRouter } from './preferences.ts';
import { resolveSessionSecrets } from './secret.ts';
import { createSessionMiddleware, enforceAbsoluteLimit, sessionCookieOptions } from './session-middleware.ts';
import { expressSessionRouter } from './session-views.ts';
import { SqliteSessionStore } from './sqlite-store.ts';

/** Lesson 3's excluded paths (the course's, and login), the preferences and the framework example. */
export const expressSessionExcludedPaths: readonly string[] = [
  ...excludedPathsWithLogin,
  '/api/v1/preferences/',
  ...frameworkPaths,
];

/** What the sessions are made of. */
export interface SessionParts {
  /** The cookie secrets: the first signs, all verify. */
  secrets: string[];
  /** Where express-session keeps sessions. */
  store: session.Store;
  /** The clock for login times and the absolute limit (tests pass their own). */
  now?: Clock;
}

const readPlayground = (name: string) => readFileSync(new URL(`./playground/${name}`, import.meta.url), 'utf8');

/** The framework example's buttons, added to lesson 3's playground page. */
const frameworkButtons: PlaygroundExtension = {
  html: readPlayground('framework.html'),
  script: readPlayground('framework.js'),
  style: readPlayground('framework.css'),
};

/**
 * Builds the users API with express-session's sessions, top to bottom in the order a
 * request meets it.
 *
 * @example
 * const app = createExpressSessionApp(config, { secrets, store: new SqliteSessionStore({ db }) });
 */
export function createExpressSessionApp(config: Config, sessions: SessionParts): Express {
  const auth = new ExpressSessionAuth(config.sessionName);
  const cookieOptions = sessionCookieOptions(config);
  const routeOptions = { sessionName: config.sessionName, cookieOptions, now: sessions.now };
  const app = express();
  // Don't advertise the framework in every response.
  app.disable('x-powered-by');
  // Lesson 3's page, with the framework example's buttons; before the guard (anyone may load
  // the login form) and before the session (loading it touches no store).
  app.use(playgroundRouter({ servedBy: lesson(6), extension: frameworkButtons }));
  // express-session reads the Cookie header itself, and must come first: it falls back on
  // req.cookies when cookie-parser ran before it, and cookie-parser turns a "j:[1,2]" value
  // into an array there, on which express-session throws (a 500 for any client).
  app.use(createSessionMiddleware(config, sessions.secrets, sessions.store));
  // The same secrets as the session: the first signs the preference cookie, all verify it.
  app.use(cookieParser(sessions.secrets));
  app.use(enforceAbsoluteLimit(config.sessionDurationSeconds * 1000, sessions.now));
  app.use(authGuard(auth, expressSessionExcludedPaths));
  app.use(jsonBody);
  // The framework example, at the root; it checks the session itself.
  app.use(frameworkRouter(routeOptions));
  app.use(
    '/api/v1',
    indexRouter,
    authRouter(auth),
    expressSessionRouter(routeOptions),
    preferencesRouter(cookieOptions),
    usersRouter,
  );
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/**
 * The `AUTH_TYPE` lesson 6 teaches, and the app it runs: sessions in our SQLite store (with a
 * sweeper), or, with `SESSION_STORE=memory`, in express-session's MemoryStore.
 */
export const expressSessionAuthTypes: AuthTypes = {
  express_session: (config) => {
    const sessionConfig = loadSessionConfig();
    const { secrets, notices } = resolveSessionSecrets(sessionConfig, config.dbPath);
    if (sessionConfig.sessionStore === 'memory') {
      // MemoryStore: sessions live in this process only and vanish at every restart.
      const store = new session.MemoryStore();
      return {
        app: createExpressSessionApp(config, { secrets, store }),
        notices: [
          ...notices,
          'sessions: in memory (SESSION_STORE=memory): gone at every restart, never shared between processes;',
          '          express-session warns against MemoryStore in production (see the notes)',
          ...(config.sessionIdleTimeoutSeconds > 0
            ? ['warning: SESSION_IDLE_TIMEOUT needs the SQLite store; MemoryStore ignores it']
            : []),
        ],
      };
    }
    const store = new SqliteSessionStore({ db: database(), idleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000 });
    return {
      app: createExpressSessionApp(config, { secrets, store }),
      start: () => startSweeper(store),
      notices: [...notices, `sessions: table express_sessions in ${config.dbPath}, ids stored as SHA-256 hashes`],
    };
  },
};
