/**
 * Object-level authorization (OWASP API1:2023): authentication says who you are, this says
 * what you may touch. A user may read, change and delete their own account; only an admin
 * may list the users, create one, or touch someone else's account. The course let any
 * logged-in user change or delete every other user.
 *
 * Who may create users: admins only. Open sign-up would need a throttle of its own, and it
 * would tell anyone which emails have an account ("email already registered"), which the login
 * no longer does; without email verification there is no way round that. So accounts come
 * from an admin, over the API, or from `npm run user:add`.
 *
 * @module
 */
import { Router, type Request } from 'express';
import { hasRole } from '../../shared/models/user-role.ts';
import { User } from '../../shared/models/user.ts';
import { forbidden } from '../01-basic-auth/guard.ts';
import type { UserSessionIndex } from './session-stores.ts';

/**
 * Whether the request's user is an admin (`npm run user:add -- … --admin`).
 *
 * @example
 * isAdmin(req); // false for a user made without --admin
 */
export function isAdmin(req: Request): boolean {
  return req.currentUser != null && hasRole(req.currentUser.id, 'admin');
}

/**
 * Whether the request's user may act on the user `id`: it is their own account, or they are
 * an admin.
 *
 * @example
 * mayActOnUser(req, req.params.id);
 */
export function mayActOnUser(req: Request, id: string): boolean {
  return req.currentUser?.id === id || isAdmin(req);
}

/**
 * The authorization of the users routes, mounted under `/api/v1` before lesson 0's
 * `usersRouter` (and after `/users/me`): 403 `{"error": "Forbidden"}`, or on to the route.
 * Another user's id is a 403 whether it exists or not, so a plain user learns nothing of
 * other accounts.
 *
 * @example
 * app.use('/api/v1', authRouter(auth), authorizeUsers(), usersRouter);
 */
export function authorizeUsers(): Router {
  const router = Router();
  // The list of users and new accounts: an admin's business.
  router.all('/users', (req, res, next) => (isAdmin(req) ? next() : forbidden(res)));
  router.all('/users/:id', (req, res, next) => (mayActOnUser(req, req.params.id!) ? next() : forbidden(res)));
  return router;
}

/**
 * `DELETE /api/v1/users/:id`, as lesson 0's, and the user's sessions end with the account:
 * the store knows whose each session is. Mounted after {@link authorizeUsers}.
 *
 * @example
 * app.use('/api/v1', authorizeUsers(), deleteUserRouter(store), usersRouter);
 */
export function deleteUserRouter(sessions?: UserSessionIndex): Router {
  const router = Router();
  router.delete('/users/:id', async (req, res) => {
    const user = User.get(req.params.id!);
    if (!user) return void res.status(404).json({ error: 'Not found' });
    user.remove();
    // Every device of the deleted user is logged out now, not when its cookie next comes back.
    await sessions?.destroyUserSessions(user.id);
    res.json({});
  });
  return router;
}
