/**
 * CSRF protection without tokens: the browser says where a request comes from, and a
 * state-changing request from another origin is refused. First `Sec-Fetch-Site` (Fetch
 * Metadata, sent by every current browser), else `Origin`; a request with neither comes from
 * something that is not a browser (curl, a server), which no other site can drive, and passes.
 * The algorithm of the OWASP CSRF Prevention Cheat Sheet and of Go 1.25's
 * `http.CrossOriginProtection`.
 *
 * `SameSite=Lax` is not enough: it keeps the cookie off requests from another *site*, but a
 * page on another port or another subdomain of the same site is the same site, and gets the
 * cookie. And login needs no cookie at all: a form on any site can log the victim in as the
 * attacker (login CSRF).
 *
 * @module
 */
import type { Request, RequestHandler } from 'express';

/** Methods that change nothing (RFC 9110 §9.2.1): a page of any site may send them. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request comes from a page of another origin and changes something.
 *
 * @example
 * isCrossOriginRequest(req); // true for a POST with Sec-Fetch-Site: cross-site
 */
export function isCrossOriginRequest(req: Request): boolean {
  if (safeMethods.has(req.method)) return false;
  const site = req.get('sec-fetch-site');
  // same-origin: our own page; none: the user typed the URL or used a bookmark.
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.get('origin');
  // Neither header: not a browser, or one from before 2020 that sends no Origin on this request.
  if (origin === undefined) return false;
  try {
    // The page's origin must name this host and port ("null", from a sandboxed page, never does).
    return new URL(origin).host !== (req.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}

/**
 * Refuses a cross-origin request that changes something with 403
 * `{"error": "cross-origin request refused"}`, before any body, session or password is read.
 *
 * @example
 * app.use(refuseCrossOrigin());
 */
export function refuseCrossOrigin(): RequestHandler {
  return (req, res, next) => {
    if (!isCrossOriginRequest(req)) return next();
    res.status(403).json({ error: 'cross-origin request refused' });
  };
}
