/**
 * `SessionAuth`: after one login, the browser sends a random session id in a cookie and the
 * server remembers, in memory, which user each id belongs to.
 *
 * @module
 */
import type { Request } from 'express';
import { randomBytes } from 'node:crypto';
import type { Config } from '../../shared/config.ts';
import { User } from '../../shared/models/user.ts';
import { Auth } from '../01-basic-auth/auth.ts';

/**
 * The value of the session cookie named `name`, or null when the request has none.
 * (cookie-parser has put the cookies on `req.cookies`.)
 *
 * @example
 * sessionCookie(req, '_my_session_id'); // 'mJq3…' or null
 * @step 2.4
 */
export function sessionCookie(req: Request, name: string): string | null {
  const value: unknown = req.cookies?.[name];
  // cookie-parser turns a "j:{...}" value into an object: a session id is only ever a string.
  return typeof value === 'string' ? value : null;
}

/**
 * A new session id: 32 bytes from the operating system's CSPRNG, base64url (43 characters).
 * 256 bits cannot be guessed; the course's uuid4 has 122 random bits.
 *
 * @example
 * newSessionId(); // 'q3Zt0y…' (43 characters)
 * @step 2.1
 */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** What the server remembers about one session. */
export interface SessionRecord {
  /** The user the session belongs to. */
  userId: string;
}

/** Session authentication with the sessions kept in this process's memory. */
export class SessionAuth extends Auth {
  /** Session id → what we know about it (the course's `user_id_by_session_id`). */
  protected readonly sessions = new Map<string, SessionRecord>();

  /** @param config where `sessionName` (the cookie's name) and the cookie settings come from */
  constructor(protected readonly config: Config) {
    super();
  }

  /** The session cookie's name (`SESSION_NAME`). */
  get sessionName(): string {
    return this.config.sessionName;
  }

  /**
   * The course's rule for 401: neither an `Authorization` header nor a session cookie. A
   * cookie that names no session is a credential all the same, and gets 403.
   * @step 2.5
   */
  override hasCredentials(req: Request): boolean {
    return super.hasCredentials(req) || this.sessionCookie(req) !== null;
  }

  /**
   * Starts a session for a user and returns its new id, or null when `userId` is not a string.
   * One user may hold many sessions (one per browser).
   *
   * @example
   * auth.createSession('abcde'); // 'q3Zt0y…'
   * auth.createSession(89); // null
   * @step 2.2
   */
  createSession(userId: unknown): string | null {
    if (typeof userId !== 'string') return null;
    const sessionId = newSessionId();
    this.sessions.set(sessionId, { userId });
    return sessionId;
  }

  /**
   * The user id behind a session id, or null.
   *
   * @example
   * auth.userIdForSessionId('doesntexist'); // null
   * @step 2.3
   */
  userIdForSessionId(sessionId: unknown): string | null {
    if (typeof sessionId !== 'string') return null;
    return this.sessions.get(sessionId)?.userId ?? null;
  }

  /** The session id the request's cookie carries, or null. */
  sessionCookie(req: Request): string | null {
    return sessionCookie(req, this.config.sessionName);
  }

  /**
   * The user behind the request's session cookie, or null.
   * @step 2.6
   */
  override async currentUser(req: Request): Promise<User | null> {
    const userId = this.userIdForSessionId(this.sessionCookie(req));
    return userId === null ? null : User.get(userId);
  }
}
