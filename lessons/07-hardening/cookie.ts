/**
 * Cookie integrity. Cookies ignore ports, and a sibling subdomain may set cookies for its
 * parent: a page on another port of this host (or on `evil.example.com` for `example.com`) can
 * plant a second cookie with the session's name and a longer `Path`. The browser sends the
 * longer path first, the server takes the first, and the victim works in the attacker's
 * session (cookie tossing). Three defences:
 *
 * - the `__Host-` prefix: the browser accepts such a cookie only with `Secure`, `Path=/` and
 *   no `Domain`, so nobody can plant one with a longer path or for a parent domain;
 * - `Secure`, which `__Host-` needs: browsers take `http://localhost` and `http://127.0.0.1`
 *   as secure, so the lesson works without TLS on your machine, and so does this server;
 * - a request that carries two cookies of the session's name is refused.
 *
 * @module
 */
import type { RequestHandler } from 'express';
import { isLoopbackAddress } from './hosts.ts';

/** The prefix (RFC 6265bis §4.1.3.2) that makes a browser refuse a planted copy of the cookie. */
export const hostPrefix = '__Host-';

/**
 * The session cookie's name: `__Host-` and `SESSION_NAME` (as it is when it has the prefix already).
 *
 * @example
 * hostCookieName('_my_session_id'); // '__Host-_my_session_id'
 */
export function hostCookieName(sessionName: string): string {
  return sessionName.startsWith(hostPrefix) ? sessionName : `${hostPrefix}${sessionName}`;
}

/**
 * How many cookies named `name` a `Cookie` header holds.
 *
 * @example
 * countCookies('a=1; sid=x; sid=y', 'sid'); // 2
 */
export function countCookies(header: string, name: string): number {
  return header.split(';').filter((pair) => {
    const equals = pair.indexOf('=');
    return equals !== -1 && pair.slice(0, equals).trim() === name;
  }).length;
}

/**
 * Refuses, with 400 `{"error": "two session cookies"}`, a request whose cookies hold `name`
 * twice: one of them was planted, and nobody can tell which.
 *
 * @example
 * app.use(refuseDuplicateCookie('__Host-_my_session_id'));
 */
export function refuseDuplicateCookie(name: string): RequestHandler {
  return (req, res, next) => {
    // Node joins several Cookie headers into one, with "; ".
    const header = req.headers.cookie;
    if (header !== undefined && countCookies(header, name) > 1) return void res.status(400).json({ error: 'two session cookies' });
    next();
  };
}

/**
 * Marks a plain-HTTP request that reached this server on a loopback address as secure, as
 * browsers count `http://127.0.0.1` and `http://localhost` as secure contexts: the bytes
 * never left the machine. express-session then sends the `Secure` cookie. Only for
 * development (`COOKIE_SECURE` off, no proxy): a proxy on this machine may have received the
 * request over plain HTTP from anywhere.
 *
 * @example
 * if (!config.cookieSecure && !settings.trustProxy) app.use(loopbackCountsAsSecure());
 */
export function loopbackCountsAsSecure(): RequestHandler {
  return (req, _res, next) => {
    // An own property hides Express's getter (req.protocol === 'https') for this request only.
    if (!req.secure && isLoopbackAddress(req.socket.localAddress)) Object.defineProperty(req, 'secure', { value: true });
    next();
  };
}

/**
 * Refuses, with 403 `{"error": "HTTPS required"}`, a request that is not secure: a login over
 * plain HTTP would send the password in clear and get a `Secure` cookie the browser drops.
 *
 * @example
 * resource(router, '/auth_session/login', { post: [requireSecure, formBody, login] });
 */
export const requireSecure: RequestHandler = (req, res, next) => {
  if (req.secure) return next();
  res.status(403).json({ error: 'HTTPS required' });
};
