/**
 * What authentication adds to the routes: `/unauthorized`, `/forbidden` and `/users/me`.
 *
 * @module
 */
import { Router } from 'express';
import { resource } from '../../shared/http.ts';
import type { Auth } from './auth.ts';
import { forbidden, unauthorized } from './guard.ts';

/**
 * The routes lesson 1 adds under `/api/v1`.
 *
 * @example
 * app.use('/api/v1', authRouter(new BasicAuth()));
 */
export function authRouter(auth: Auth): Router {
  const router = Router();
  resource(router, '/unauthorized', { get: (_req, res) => unauthorized(res, auth) });
  resource(router, '/forbidden', { get: (_req, res) => forbidden(res) });
  resource(router, '/users/me', {
    // The guard has set currentUser; without auth there is no "me".
    get: (req, res) => {
      if (!req.currentUser) return void res.status(404).json({ error: 'Not found' });
      res.json(req.currentUser);
    },
  });
  return router;
}
