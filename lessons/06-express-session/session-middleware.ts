/**
 * express-session, configured on purpose: every option the lessons before wrote by hand,
 * and the one thing the library does not do for us, an absolute session lifetime.
 *
 * @module
 */
import type { RequestHandler } from 'express';
import session, { type SessionData } from 'express-session';
import type { Config } from '../../shared/config.ts';
import { newSessionId } from '../02-session-auth/session-auth.ts';
import { isExpired, type Clock } from '../04-session-expiry/session-exp-auth.ts';
import { destroySession } from './session-calls.ts';

declare module 'express-session' {
  interface SessionData {
    /** The logged-in user (absent until login). */
    userId: string;
    /** When the user logged in (ms since the epoch): the absolute lifetime counts from here. */
    loginAt: number;
  }
}

/** The session cookie's attributes, the same when express-session sets it and when logout clears it. */
export interface SessionCookieOptions {
  /** `HttpOnly`: page scripts cannot read the cookie. */
  httpOnly: true;
  /** `SameSite=Lax`: left off cross-site POST, PUT and DELETE requests. */
  sameSite: 'lax';
  /** `Secure` (HTTPS only) when `COOKIE_SECURE=true`. */
  secure: boolean;
  /** `Path=/`: sent with every route. */
  path: '/';
}

/**
 * The session cookie's attributes (without its lifetime).
 *
 * @example
 * res.clearCookie(config.sessionName, sessionCookieOptions(config));
 */
export function sessionCookieOptions(config: Config): SessionCookieOptions {
  return {
    // HttpOnly: page scripts cannot read the id, so an XSS bug cannot steal it.
    httpOnly: true,
    // Lax: the browser leaves the cookie off cross-site POST/PUT/DELETE (CSRF) but keeps links working.
    sameSite: 'lax',
    // Secure: HTTPS only (COOKIE_SECURE=true); express-session then sends no cookie at all over plain HTTP.
    secure: config.cookieSecure,
    // Path=/ and no Domain: sent to this host only, for every route.
    path: '/',
  };
}

/**
 * The express-session middleware for this lesson.
 *
 * @example
 * app.use(createSessionMiddleware(config, ['s3cret…'], new SqliteSessionStore({ db })));
 * @step 6.1
 */
export function createSessionMiddleware(config: Config, secrets: string[], store: session.Store): RequestHandler {
  const durationMs = config.sessionDurationSeconds * 1000;
  return session({
    // Our own name: the default connect.sid tells every scanner which framework answers.
    name: config.sessionName,
    // The first secret signs new cookies; all of them verify incoming ones (rotation).
    secret: secrets,
    // Where sessions live: our SQLite table, or MemoryStore with SESSION_STORE=memory.
    store,
    // 256 random bits per id, lesson 2's generator (the default, uid-safe 24 bytes, has 192).
    genid: () => newSessionId(),
    // Don't write an unchanged session back on every request; the store's touch() keeps it alive.
    resave: false,
    // No session is stored and no cookie is sent until login puts something in it.
    saveUninitialized: false,
    // Send the cookie again only when the session changes, so its expiry stays "login + duration".
    rolling: false,
    cookie: {
      ...sessionCookieOptions(config),
      // Expires = now + SESSION_DURATION; without it, a browser-session cookie.
      ...(durationMs > 0 && { maxAge: durationMs }),
    },
  });
}

/**
 * Whether a logged-in session is older than the absolute lifetime `durationMs` (0 = none).
 *
 * @example
 * isPastAbsoluteLimit({ userId: 'u', loginAt: 0 }, 60_000, 60_000); // true
 * @step 6.4
 */
export function isPastAbsoluteLimit(sess: Partial<SessionData> | undefined, now: number, durationMs: number): boolean {
  if (!sess?.userId || durationMs <= 0) return false;
  // A logged-in session without a login time cannot prove its age: treat it as expired.
  if (typeof sess.loginAt !== 'number') return true;
  return isExpired({ createdAt: sess.loginAt, lastUsedAt: now }, now, { durationMs, idleMs: 0 });
}

/**
 * Middleware that destroys a session past its absolute lifetime before anything reads it.
 * express-session moves the stored expiry forward on every request (touch), so without this
 * a busy client would keep a session forever.
 *
 * @example
 * app.use(enforceAbsoluteLimit(config.sessionDurationSeconds * 1000));
 */
export function enforceAbsoluteLimit(durationMs: number, now: Clock = Date.now): RequestHandler {
  return async (req, _res, next) => {
    if (isPastAbsoluteLimit(req.session, now(), durationMs)) await destroySession(req);
    next();
  };
}
