/**
 * `POST /api/v1/auth_session/login` and `DELETE /api/v1/auth_session/logout`.
 *
 * @module
 */
import { Router, type Request, type RequestHandler } from 'express';
import { formBody, resource } from '../../shared/http.ts';
import { User } from '../../shared/models/user.ts';
import type { SessionLoginAuth } from './session-login-auth.ts';

/** A non-empty text field of a form or JSON body, or null. */
function field(req: Request, name: string): string | null {
  const value: unknown = req.body?.[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Why a login is refused: the status and the course's error string. */
export interface LoginError {
  /** 400, 404 or 401. */
  status: number;
  /** `email missing`, `password missing`, `no user found for this email` or `wrong password`. */
  error: string;
}

/**
 * Checks a login request's email and password, in the course's order: the user, or why not.
 *
 * @example
 * const result = await checkLogin(req);
 * if (!(result instanceof User)) res.status(result.status).json({ error: result.error });
 * @step 3.1
 */
export async function checkLogin(req: Request): Promise<User | LoginError> {
  const email = field(req, 'email');
  if (!email) return { status: 400, error: 'email missing' };
  const password = field(req, 'password');
  if (!password) return { status: 400, error: 'password missing' };
  const [user] = User.search({ email });
  if (!user) return { status: 404, error: 'no user found for this email' };
  if (!(await user.isValidPassword(password))) return { status: 401, error: 'wrong password' };
  return user;
}

/**
 * The login and logout routes, mounted under `/api/v1`.
 *
 * @example
 * app.use('/api/v1', sessionRouter(auth));
 */
export function sessionRouter(auth: SessionLoginAuth): Router {
  const router = Router();

  /**
   * `POST /auth_session/login`: the checks, then a fresh session and its cookie.
   * @step 3.4
   */
  const login: RequestHandler = async (req, res) => {
    // A login answer carries a credential: no cache may keep it.
    res.set('Cache-Control', 'no-store');
    const user = await checkLogin(req);
    if (!(user instanceof User)) return void res.status(user.status).json({ error: user.error });
    // Session fixation: never keep an id the client brought; end it and issue a fresh one.
    auth.destroySession(req);
    const sessionId = auth.createSession(user.id);
    res.cookie(auth.sessionName, sessionId, auth.cookieOptions());
    res.json(user);
  };

  /**
   * `DELETE /auth_session/logout`: ends the session, clears the cookie.
   * @step 3.5
   */
  const logout: RequestHandler = (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!auth.destroySession(req)) return void res.status(404).json({ error: 'Not found' });
    // The course left the dead cookie in the browser; clear it with the attributes it was set with.
    res.clearCookie(auth.sessionName, auth.cookieOptions());
    res.json({});
  };

  // The course's login form is form-encoded; JSON works too (jsonBody runs app-wide).
  resource(router, '/auth_session/login', { post: [formBody, login] });
  resource(router, '/auth_session/logout', { delete: logout });
  return router;
}
