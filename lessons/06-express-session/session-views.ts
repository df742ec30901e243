/**
 * `POST /api/v1/auth_session/login` and `DELETE /api/v1/auth_session/logout`: lesson 3's
 * contract, on `req.session`.
 *
 * @module
 */
import { Router, type Request, type RequestHandler } from 'express';
import { formBody, resource } from '../../shared/http.ts';
import { User } from '../../shared/models/user.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import { logIn, logOut } from './session-calls.ts';
import type { SessionCookieOptions } from './session-middleware.ts';

/** A non-empty text field of a form or JSON body, or null (no body at all included). */
function field(req: Request, name: string): string | null {
  const value: unknown = req.body?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** What the session routes need to know. */
export interface SessionRouteOptions {
  /** The session cookie's name (`SESSION_NAME`). */
  sessionName: string;
  /** Its attributes, to clear it at logout exactly as it was set. */
  cookieOptions: SessionCookieOptions;
  /** The clock the login time is read from. */
  now?: Clock;
}

/**
 * The login and logout routes, mounted under `/api/v1`.
 *
 * @example
 * app.use('/api/v1', sessionRouter({ sessionName: '_my_session_id', cookieOptions: sessionCookieOptions(config) }));
 */
export function sessionRouter(options: SessionRouteOptions): Router {
  const router = Router();

  const login: RequestHandler = async (req, res) => {
    // A login answer carries a credential: no cache may keep it.
    res.set('Cache-Control', 'no-store');
    const email = field(req, 'email');
    if (!email) return void res.status(400).json({ error: 'email missing' });
    const password = field(req, 'password');
    if (!password) return void res.status(400).json({ error: 'password missing' });
    const [user] = User.search({ email });
    if (!user) return void res.status(404).json({ error: 'no user found for this email' });
    if (!(await user.isValidPassword(password))) return void res.status(401).json({ error: 'wrong password' });
    await logIn(req, user, options.now);
    res.json(user);
  };

  // The guard has already answered 401 (no cookie) or 403 (a cookie that names no user).
  const logout: RequestHandler = async (req, res) => {
    res.set('Cache-Control', 'no-store');
    await logOut(req, res, options.sessionName, options.cookieOptions);
    res.json({});
  };

  // The course's login form is form-encoded; JSON works too (jsonBody runs app-wide).
  resource(router, '/auth_session/login', { post: [formBody, login] });
  resource(router, '/auth_session/logout', { delete: logout });
  return router;
}
