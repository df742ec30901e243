/**
 * The course's `Auth` base class: which paths need authentication, where the credentials
 * are, and (in subclasses) who the current user is.
 *
 * @module
 */
import type { Request } from 'express';
import type { User } from '../../shared/models/user.ts';

/** Adds the trailing slash the course compares paths with. */
function withSlash(path: string): string {
  return path.endsWith('/') ? path : path + '/';
}

/** The base authentication: it knows where credentials are but accepts none of them. */
export class Auth {
  /**
   * Whether `path` needs authentication: true when the path is missing or nothing is
   * excluded; false for an excluded path (a trailing slash does not matter); an entry
   * ending in `*` excludes every path that starts with the part before it.
   *
   * @example
   * auth.requireAuth('/api/v1/status', ['/api/v1/status/']); // false
   * auth.requireAuth('/api/v1/stats', ['/api/v1/stat*']); // false
   * auth.requireAuth('/api/v1/users', ['/api/v1/stat*']); // true
   * @step 1.1
   */
  requireAuth(path: string | null | undefined, excludedPaths: readonly string[] | null | undefined): boolean {
    if (!path || !excludedPaths || excludedPaths.length === 0) return true;
    const candidate = withSlash(path);
    return !excludedPaths.some((excluded) =>
      excluded.endsWith('*') ? candidate.startsWith(excluded.slice(0, -1)) : candidate === withSlash(excluded),
    );
  }

  /**
   * The request's `Authorization` header, or null.
   *
   * @example
   * auth.authorizationHeader(req); // 'Basic Ym9iQGhidG4uaW86...'
   */
  authorizationHeader(req: Request | null | undefined): string | null {
    return req?.headers.authorization ?? null;
  }

  /**
   * Whether the request carries credentials at all, good or bad: without any, the guard
   * answers 401; with some that name nobody, 403. Here: an `Authorization` header.
   *
   * @example
   * auth.hasCredentials(req); // true when the request has an Authorization header
   */
  hasCredentials(req: Request): boolean {
    return this.authorizationHeader(req) !== null;
  }

  /** The user the request authenticates as: none, for the base class. */
  async currentUser(_req: Request): Promise<User | null> {
    return null;
  }

  /**
   * The `WWW-Authenticate` challenge sent with a 401, or null for none. RFC 9110 §11.6.1
   * asks for one; the base class names no scheme.
   */
  challenge(): string | null {
    return null;
  }
}
