/**
 * Response headers that tell the browser what it may do with an answer: helmet for the
 * security headers, and `Cache-Control: no-store` on the API, whose answers are a user's data.
 *
 * @module
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet with the lesson's choices (the playground page sets the same policy itself, lesson 3).
 *
 * @example
 * app.use(securityHeaders());
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      // The playground page's policy, on every answer: nothing from another origin, no inline
      // script, and no page of any site may frame ours (clickjacking).
      directives: { 'default-src': ["'self'"], 'frame-ancestors': ["'none'"] },
    },
    // The same for browsers that predate frame-ancestors.
    xFrameOptions: { action: 'deny' },
    // The rest as helmet sets it: X-Content-Type-Options: nosniff (a JSON answer is never run
    // as a script or shown as HTML), Referrer-Policy: no-referrer, Strict-Transport-Security
    // (browsers ignore it over plain HTTP), Cross-Origin-Opener-Policy and -Resource-Policy.
  });
}

/**
 * `Cache-Control: no-store` on every answer: no browser or proxy cache keeps a user's data,
 * which the next user of a shared computer could read from its cache.
 *
 * @example
 * app.use('/api/v1', noStore);
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
