/**
 * `SessionLoginAuth`: lesson 2's `SessionAuth`, plus what login and logout need: the
 * cookie's attributes, and the course's `destroySession`. (The course adds `destroy_session`
 * to `SessionAuth` itself, in a later task; here the addition gets its own class, so that
 * each lesson's class shows exactly what the lesson adds.)
 *
 * @module
 */
import type { CookieOptions, Request } from 'express';
import { SessionAuth } from '../02-session-auth/session-auth.ts';

/** Session auth that can end a session and knows how its cookie is set. */
export class SessionLoginAuth extends SessionAuth {
  /**
   * The session cookie's attributes, the same when it is set and when it is cleared.
   *
   * @example
   * res.cookie(config.sessionName, sessionId, auth.cookieOptions());
   * @step 3.2
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
   * @step 3.3
   */
  destroySession(req: Request | null | undefined): boolean {
    if (!req) return false;
    const sessionId = this.sessionCookie(req);
    if (sessionId === null || this.userIdForSessionId(sessionId) === null) return false;
    this.sessions.delete(sessionId);
    return true;
  }
}
