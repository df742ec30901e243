/**
 * The session routes, hardened: login with one answer for every bad email or password,
 * throttled, over a secure connection only, within a cap of sessions per user; logout;
 * "log out everywhere"; and `PUT /api/v1/users/me/password`, which rotates the session and
 * ends every other one.
 *
 * @module
 */
import { Router, type Request, type RequestHandler } from 'express';
import { formBody, resource } from '../../shared/http.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import { logIn, logOut } from '../06-express-session/session-calls.ts';
import type { SessionCookieOptions } from '../06-express-session/session-middleware.ts';
import { requireSecure } from './cookie.ts';
import type { PasswordCheck } from './passwords.ts';
import type { UserSessionIndex } from './session-stores.ts';
import { addressKey } from './throttle.ts';

/** What the session routes need. */
export interface HardenedSessionOptions {
  /** The session cookie's name (`__Host-<SESSION_NAME>`), to clear it at logout. */
  sessionName: string;
  /** The session cookie's attributes, which clearing it must repeat. */
  cookieOptions: SessionCookieOptions;
  /** The throttled password check. */
  passwords: PasswordCheck;
  /** The store, for the sessions of one user. */
  sessions: UserSessionIndex;
  /** `SESSIONS_PER_USER`. */
  sessionsPerUser: number;
  /** The clock of the login time. */
  now?: Clock;
}

/** A non-empty text field of a form or JSON body, or null. */
function textField(req: Request, name: string): string | null {
  const value: unknown = req.body?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The routes, mounted under `/api/v1`.
 *
 * @example
 * app.use('/api/v1', hardenedSessionRouter({ sessionName, cookieOptions, passwords, sessions: store, sessionsPerUser: 10 }));
 */
export function hardenedSessionRouter(options: HardenedSessionOptions): Router {
  const router = Router();
  const { passwords, sessions } = options;

  const login: RequestHandler = async (req, res) => {
    const email = textField(req, 'email');
    if (!email) return void res.status(400).json({ error: 'email missing' });
    const password = textField(req, 'password');
    if (!password) return void res.status(400).json({ error: 'password missing' });
    const user = await passwords.verify(email, password, addressKey(req.ip));
    // One answer whether the email has no account or the password is wrong: no enumeration.
    if (!user) return void res.status(401).json({ error: 'wrong email or password' });
    // Lesson 6's login: a fresh id (no fixation), stored before the answer goes out.
    await logIn(req, user, options.now);
    // Past SESSIONS_PER_USER, the oldest sessions end: a stolen one does not live beside ten new ones.
    await sessions.capUserSessions(user.id, options.sessionsPerUser);
    res.json(user);
  };

  const logout: RequestHandler = async (req, res) => {
    await logOut(req, res, options.sessionName, options.cookieOptions);
    res.json({});
  };

  // Every session of the user ends, this one too: a lost phone, a session someone else started.
  const logoutEverywhere: RequestHandler = async (req, res) => {
    const user = req.currentUser!;
    await logOut(req, res, options.sessionName, options.cookieOptions);
    await sessions.destroyUserSessions(user.id);
    res.json({});
  };

  const changePassword: RequestHandler = async (req, res) => {
    const user = req.currentUser!;
    const current = textField(req, 'current_password');
    if (!current) return void res.status(400).json({ error: 'current_password missing' });
    const fresh = textField(req, 'new_password');
    if (!fresh) return void res.status(400).json({ error: 'new_password missing' });
    // A stolen session alone must not change the password: the current one is asked (and throttled).
    const checked = user.email === null ? null : await passwords.verify(user.email, current, addressKey(req.ip));
    if (checked?.id !== user.id) return void res.status(403).json({ error: 'wrong password' });
    await user.setPassword(fresh);
    user.save();
    // A new id for this client, then every other session ends: whoever else held one is out.
    await logIn(req, user, options.now);
    await sessions.destroyUserSessions(user.id, req.sessionID);
    res.json(user);
  };

  // The login form is form-encoded, JSON works too; a cookie is set only over a secure connection.
  resource(router, '/auth_session/login', { post: [requireSecure, formBody, login] });
  resource(router, '/auth_session/logout', { delete: logout });
  resource(router, '/auth_session/logout_everywhere', { delete: logoutEverywhere });
  resource(router, '/users/me/password', { put: [requireSecure, formBody, changePassword] });
  return router;
}
