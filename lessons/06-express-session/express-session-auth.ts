/**
 * `ExpressSessionAuth`: lesson 1's `Auth`, where the current user is the one express-session
 * found in the store for the request's signed cookie (`req.session.userId`).
 *
 * @module
 */
import type { Request } from 'express';
import { User } from '../../shared/models/user.ts';
import { Auth } from '../01-basic-auth/auth.ts';
import { destroySession } from './session-calls.ts';

/**
 * Whether the request carries a cookie named `name`, valid or not. cookie-parser moves a
 * signed value (`s:…`) to `req.signedCookies`, as `false` when its signature is wrong.
 *
 * @example
 * hasSessionCookie(req, '_my_session_id'); // true for "_my_session_id=anything"
 */
export function hasSessionCookie(req: Request, name: string): boolean {
  return req.cookies?.[name] !== undefined || req.signedCookies?.[name] !== undefined;
}

/** Session authentication by express-session. */
export class ExpressSessionAuth extends Auth {
  /** @param sessionName the session cookie's name (`SESSION_NAME`) */
  constructor(private readonly sessionName: string) {
    super();
  }

  /**
   * The course's rule for 401: neither an `Authorization` header nor a session cookie. A
   * cookie that is there but bad (tampered, unknown, expired) is a 403.
   */
  hasCredentials(req: Request): boolean {
    return this.authorizationHeader(req) !== null || hasSessionCookie(req, this.sessionName);
  }

  /**
   * The user of the request's session, or null (no session, not logged in, user deleted).
   * The session of a user who no longer exists is destroyed on sight.
   * @step 6.5
   */
  override async currentUser(req: Request): Promise<User | null> {
    const userId = req.session?.userId;
    if (typeof userId !== 'string') return null;
    const user = User.get(userId);
    if (!user) await destroySession(req);
    return user;
  }
}
