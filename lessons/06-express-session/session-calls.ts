/**
 * Login and logout on `req.session`. express-session's `regenerate`, `save` and `destroy`
 * take callbacks; here they return promises, so an error reaches the JSON error handler
 * instead of being lost (or crashing the server).
 *
 * @module
 */
import type { Request, Response } from 'express';
import type { User } from '../../shared/models/user.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import type { SessionCookieOptions } from './session-middleware.ts';

/** Turns a Node-style callback into the settling of a promise. */
function settle(resolve: () => void, reject: (error: unknown) => void) {
  return (error?: unknown) => (error ? reject(error) : resolve());
}

/**
 * Replaces the request's session with a new, empty one under a new id, and destroys the old
 * one in the store.
 *
 * @example
 * await regenerateSession(req);
 */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    // Through the store, not req.session: this works even after the session was destroyed.
    if (!req.sessionStore) return reject(new Error('express-session has not run for this request'));
    req.sessionStore.regenerate(req, settle(resolve, reject));
  });
}

/**
 * Writes the request's session to the store now, instead of when the response ends.
 *
 * @example
 * await saveSession(req);
 */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!req.session) return reject(new Error('there is no session to save'));
    req.session.save(settle(resolve, reject));
  });
}

/**
 * Deletes the request's session from the store (and from `req`); nothing to do without one.
 *
 * @example
 * await destroySession(req);
 */
export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!req.session) return resolve();
    req.session.destroy(settle(resolve, reject));
  });
}

/**
 * Logs `user` in: a new session (new id) that remembers the user and the login time, stored
 * before the answer goes out.
 *
 * @example
 * await logIn(req, user);
 * res.json(user);
 * @step 6.2
 */
export async function logIn(req: Request, user: User, now: Clock = Date.now): Promise<void> {
  try {
    // Session fixation: a fresh id at login; the session the request came with is destroyed.
    await regenerateSession(req);
    req.session.userId = user.id;
    // The absolute lifetime counts from here: express-session's own expiry slides with every request.
    req.session.loginAt = now();
    // Saved before answering: the next request finds it, and a store failure is a 500, not a dead cookie.
    await saveSession(req);
  } catch (error) {
    // Else express-session would still send a cookie for, and try again to save, the half-made session.
    Reflect.deleteProperty(req, 'session');
    throw error;
  }
}

/**
 * Logs out: destroys the session on the server, then clears the browser's cookie.
 *
 * @example
 * await logOut(req, res, config.sessionName, sessionCookieOptions(config));
 * @step 6.3
 */
export async function logOut(
  req: Request,
  res: Response,
  cookieName: string,
  cookieOptions: SessionCookieOptions,
): Promise<void> {
  // The part that matters: the id is worthless from now on, even a stolen copy of it.
  await destroySession(req);
  // express-session leaves the browser's cookie alone (its issue #241): clear it with the same attributes.
  res.clearCookie(cookieName, cookieOptions);
}
