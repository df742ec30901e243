/**
 * `GET /api/v1/status` and `GET /api/v1/stats`: is the API up, and how many users.
 *
 * @module
 */
import { Router } from 'express';
import { resource } from '../../../shared/http.ts';
import { User } from '../../../shared/models/user.ts';

/** The index routes, mounted under `/api/v1`. */
export const indexRouter = Router();

resource(indexRouter, '/status', {
  get: (_req, res) => {
    res.json({ status: 'OK' });
  },
});

resource(indexRouter, '/stats', {
  get: (_req, res) => {
    res.json({ users: User.count() });
  },
});
