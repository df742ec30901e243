/**
 * `GET`/`PUT /api/v1/preferences`: a display preference in a cookie signed by cookie-parser.
 * Signed means tamper-evident, not secret: anyone holding the cookie can read `dark` in
 * `s:dark.<signature>`, but nobody without the secret can change it.
 *
 * @module
 */
import { Router, type Request, type RequestHandler } from 'express';
import { resource } from '../../shared/http.ts';
import type { SessionCookieOptions } from './session-middleware.ts';

/** The themes the page knows. */
export const themes = ['light', 'dark'] as const;
/** One of {@link themes}. */
export type Theme = (typeof themes)[number];
/** The theme without a cookie. */
export const defaultTheme: Theme = 'light';
/** The preference cookie's name. */
export const themeCookieName = 'theme';
/** How long the browser keeps the preference. */
export const themeCookieMaxAgeMs = 365 * 24 * 60 * 60 * 1000;

function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (themes as readonly string[]).includes(value);
}

/**
 * The theme of the request's signed cookie: the default without one, `'tampered'` when the
 * cookie is there but not signed by one of our secrets.
 *
 * @example
 * readTheme(req); // 'dark', 'light' or 'tampered'
 * @step 6.9
 */
export function readTheme(req: Request): Theme | 'tampered' {
  const signed: unknown = req.signedCookies?.[themeCookieName];
  // false: the signature does not match any secret. A value in req.cookies: never signed at all.
  if (signed === false || req.cookies?.[themeCookieName] !== undefined) return 'tampered';
  return isTheme(signed) ? signed : defaultTheme;
}

/**
 * The preference routes, mounted under `/api/v1` and open to everyone (no login needed).
 *
 * @example
 * app.use('/api/v1', preferencesRouter(sessionCookieOptions(config)));
 */
export function preferencesRouter(cookieOptions: SessionCookieOptions): Router {
  const router = Router();
  const options = { ...cookieOptions, maxAge: themeCookieMaxAgeMs };

  const showPreferences: RequestHandler = (req, res) => {
    const theme = readTheme(req);
    if (theme === 'tampered') {
      // Refused, not trusted and not silently replaced: and the browser stops sending it.
      res.clearCookie(themeCookieName, cookieOptions);
      return void res.status(400).json({ error: 'Tampered cookie' });
    }
    res.json({ theme });
  };

  const updatePreferences: RequestHandler = (req, res) => {
    const theme: unknown = req.body?.theme;
    if (!isTheme(theme)) return void res.status(400).json({ error: `theme must be one of ${themes.join(', ')}` });
    // signed: cookie-parser's first secret (req.secret) signs it; readTheme refuses any change.
    res.cookie(themeCookieName, theme, { ...options, signed: true });
    res.json({ theme });
  };

  resource(router, '/preferences', { get: showPreferences, put: updatePreferences });
  return router;
}
