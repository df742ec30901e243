/**
 * The framework example the cookie notes end with, done properly in Express: `POST /login`,
 * `POST /logout` and `GET /protected-resource`, at the root, using only `req.session`.
 *
 * @module
 */
import { Router, type RequestHandler } from 'express';
import { resource } from '../../shared/http.ts';
import { User } from '../../shared/models/user.ts';
import { hasSessionCookie } from './express-session-auth.ts';
import { logIn, logOut } from './session-calls.ts';
import type { SessionRouteOptions } from './session-views.ts';

/** The example's paths: the `/api/v1` guard leaves them alone, they check the session themselves. */
export const frameworkPaths: readonly string[] = ['/login/', '/logout/', '/protected-resource/'];

/**
 * The example's routes, mounted at the root.
 *
 * @example
 * app.use(frameworkRouter({ sessionName: '_my_session_id', cookieOptions: sessionCookieOptions(config) }));
 */
export function frameworkRouter(options: SessionRouteOptions): Router {
  const router = Router();

  // {"username": <email>, "password": ...}; one answer for every failure, as in the example.
  const login: RequestHandler = async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    const [user] = typeof username === 'string' && username !== '' ? User.search({ email: username }) : [];
    if (!user || !(await user.isValidPassword(password))) {
      return void res.status(401).json({ message: 'Invalid credentials' });
    }
    await logIn(req, user, options.now);
    res.json({ message: 'Logged in successfully' });
  };

  // Always 200, like the example's session.pop(); a cookie that came along is ended and cleared.
  const logout: RequestHandler = async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (hasSessionCookie(req, options.sessionName)) await logOut(req, res, options.sessionName, options.cookieOptions);
    res.json({ message: 'Logged out successfully' });
  };

  const protectedResource: RequestHandler = (req, res) => {
    const userId = req.session?.userId;
    const user = typeof userId === 'string' ? User.get(userId) : null;
    if (!user) return void res.status(401).json({ message: 'Unauthorized' });
    res.json({ message: 'This is a protected resource', user: user.email });
  };

  resource(router, '/login', { post: login });
  resource(router, '/logout', { post: logout });
  resource(router, '/protected-resource', { get: protectedResource });
  return router;
}
