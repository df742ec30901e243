/**
 * Lesson 3's `SessionAuth`: lesson 2's, plus the cookie's attributes and `destroySession`
 * for logout.
 *
 * @module
 */
import type { CookieOptions, Request } from 'express';
import { SessionAuth as InMemorySessionAuth } from '../02-session-auth/session-auth.ts';

/** Session auth that can end a session and knows how its cookie is set. */
export class SessionAuth extends InMemorySessionAuth {
  /**
   * The session cookie's attributes, the same when it is set and when it is cleared.
   *
   * @example
   * res.cookie(config.sessionName, sessionId, auth.cookieOptions());
   */
  cookieOptions(): CookieOptions {
    return {
      // HttpOnly: page scripts cannot read the id, so an XSS bug cannot steal it.
      httpOnly: true,
      // Lax: the browser leaves the cookie off cross-site POST/DELETE (CSRF) but keeps links working.
      sameSite: 'lax',
      // Path=/ and no Domain: sent to this host only, for every route.
      path: '/',
      // Secure: only over HTTPS; on for production behind TLS (COOKIE_SECURE=true).
      secure: this.config.cookieSecure,
    };
  }

  /**
   * Ends the session the request's cookie names; true when there was one to end.
   *
   * @example
   * auth.destroySession(req); // true, then false for the same request
   */
  destroySession(req: Request | null | undefined): boolean {
    if (!req) return false;
    const sessionId = this.sessionCookie(req);
    if (sessionId === null || this.userIdForSessionId(sessionId) === null) return false;
    this.sessions.delete(sessionId);
    return true;
  }
}
