/**
 * The auth guard: runs before routing, like the course's `before_request`, and answers
 * 401 (no credentials) or 403 (credentials that identify nobody).
 *
 * @module
 */
import type { RequestHandler, Response } from 'express';
import type { Auth } from './auth.ts';

/** The paths anyone may call: the course's list. */
export const excludedPaths: readonly string[] = ['/api/v1/status/', '/api/v1/unauthorized/', '/api/v1/forbidden/'];

/**
 * 401 `{"error": "Unauthorized"}`, with the auth's `WWW-Authenticate` challenge.
 *
 * @example
 * unauthorized(res, new BasicAuth());
 */
export function unauthorized(res: Response, auth: Auth): void {
  const challenge = auth.challenge();
  if (challenge) res.set('WWW-Authenticate', challenge);
  res.status(401).json({ error: 'Unauthorized' });
}

/** 403 `{"error": "Forbidden"}`: we know who you claim to be, and we don't believe it. */
export function forbidden(res: Response): void {
  res.status(403).json({ error: 'Forbidden' });
}

/**
 * The middleware that puts the authenticated user on `req.currentUser` or refuses:
 * 401 without credentials, 403 with credentials that name nobody.
 *
 * @example
 * app.use(authGuard(new BasicAuth(), excludedPaths));
 */
export function authGuard(auth: Auth, excluded: readonly string[]): RequestHandler {
  return async (req, res, next) => {
    if (!auth.requireAuth(req.path, excluded)) return next();
    if (!auth.hasCredentials(req)) return unauthorized(res, auth);
    req.currentUser = await auth.currentUser(req);
    if (!req.currentUser) return forbidden(res);
    next();
  };
}
