/**
 * `BasicAuth`: the credentials travel in every request as
 * `Authorization: Basic base64(email:password)` (RFC 7617).
 *
 * @module
 */
import type { Request } from 'express';
import { User } from '../../shared/models/user.ts';
import { Auth } from './auth.ts';

// Standard base64: groups of four characters, `=` padding only at the end.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// fatal: invalid UTF-8 throws instead of turning into U+FFFD, so it cannot match a password.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Authentication by email and password in the `Authorization` header of each request. */
export class BasicAuth extends Auth {
  /**
   * The base64 part of a `Basic` header, or null for anything else.
   *
   * @example
   * basicAuth.extractBase64AuthorizationHeader('Basic SG9sYmVydG9u'); // 'SG9sYmVydG9u'
   * basicAuth.extractBase64AuthorizationHeader('Basic1234'); // null
   * @step 1.2
   */
  extractBase64AuthorizationHeader(header: unknown): string | null {
    if (typeof header !== 'string' || !header.startsWith('Basic ')) return null;
    return header.slice('Basic '.length);
  }

  /**
   * The decoded text of a base64 value, or null when it is not valid base64 or not UTF-8.
   *
   * @example
   * basicAuth.decodeBase64AuthorizationHeader('SG9sYmVydG9u'); // 'Holberton'
   * basicAuth.decodeBase64AuthorizationHeader('test'); // null (bytes that are not UTF-8)
   * @step 1.3
   */
  decodeBase64AuthorizationHeader(base64: unknown): string | null {
    if (typeof base64 !== 'string' || !BASE64.test(base64)) return null;
    try {
      return utf8.decode(Buffer.from(base64, 'base64'));
    } catch {
      return null;
    }
  }

  /**
   * Email and password, split on the **first** colon (passwords may contain colons).
   *
   * @example
   * basicAuth.extractUserCredentials('a:b:c'); // ['a', 'b:c']
   * basicAuth.extractUserCredentials('no colon'); // [null, null]
   * @step 1.4
   */
  extractUserCredentials(decoded: unknown): [string, string] | [null, null] {
    if (typeof decoded !== 'string') return [null, null];
    const colon = decoded.indexOf(':');
    if (colon === -1) return [null, null];
    return [decoded.slice(0, colon), decoded.slice(colon + 1)];
  }

  /**
   * The user with this email and password, or null.
   *
   * @example
   * await basicAuth.userObjectFromCredentials('bob@hbtn.io', 'H0lbertonSchool98!'); // User
   * @step 1.5
   */
  async userObjectFromCredentials(email: unknown, password: unknown): Promise<User | null> {
    if (typeof email !== 'string' || typeof password !== 'string') return null;
    const [user] = User.search({ email });
    if (!user) return null;
    return (await user.isValidPassword(password)) ? user : null;
  }

  /**
   * The user named by the request's `Authorization: Basic` header, or null.
   * @step 1.6
   */
  override async currentUser(req: Request): Promise<User | null> {
    const base64 = this.extractBase64AuthorizationHeader(this.authorizationHeader(req));
    const [email, password] = this.extractUserCredentials(this.decodeBase64AuthorizationHeader(base64));
    return this.userObjectFromCredentials(email, password);
  }

  /** Asks for Basic credentials, in UTF-8 (RFC 7617 §2.1). */
  override challenge(): string {
    return 'Basic realm="Session Auth Sandbox", charset="UTF-8"';
  }
}
