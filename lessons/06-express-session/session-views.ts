/**
 * `POST /api/v1/auth_session/login` and `DELETE /api/v1/auth_session/logout`: lesson 3's
 * contract, on `req.session`.
 *
 * @module
 */
import { Router, type RequestHandler } from 'express';
import { formBody, resource } from '../../shared/http.ts';
import { User } from '../../shared/models/user.ts';
import { checkLogin } from '../03-session-login/session-views.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import { logIn, logOut } from './session-calls.ts';
import type { SessionCookieOptions } from './session-middleware.ts';

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
 * app.use('/api/v1', expressSessionRouter({ sessionName: '_my_session_id', cookieOptions: sessionCookieOptions(config) }));
 */
export function expressSessionRouter(options: SessionRouteOptions): Router {
  const router = Router();

  const login: RequestHandler = async (req, res) => {
    // A login answer carries a credential: no cache may keep it.
    res.set('Cache-Control', 'no-store');
    // Lesson 3's checks, in the course's order; only what happens after them changes.
    const user = await checkLogin(req);
    if (!(user instanceof User)) return void res.status(user.status).json({ error: user.error });
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
