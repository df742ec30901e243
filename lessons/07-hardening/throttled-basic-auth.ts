/**
 * `ThrottledBasicAuth`: lesson 1's `BasicAuth`, whose password check is lesson 7's. Basic auth
 * sends the password with every request, so every request is a guess: it is throttled like a
 * login, and an unknown email costs the same scrypt as a wrong password.
 *
 * @module
 */
import type { Request } from 'express';
import type { User } from '../../shared/models/user.ts';
import { BasicAuth } from '../01-basic-auth/basic-auth.ts';
import type { PasswordCheck } from './passwords.ts';
import { addressKey } from './throttle.ts';

/** Basic authentication with throttled, enumeration-proof password checks. */
export class ThrottledBasicAuth extends BasicAuth {
  /** @param passwords the lesson's password check (its throttle is shared with the login) */
  constructor(private readonly passwords: PasswordCheck) {
    super();
  }

  /** The user of the `Authorization: Basic` header, or null; throws `TooManyAttempts` past the limits. */
  override async currentUser(req: Request): Promise<User | null> {
    const base64 = this.extractBase64AuthorizationHeader(this.authorizationHeader(req));
    const [email, password] = this.extractUserCredentials(this.decodeBase64AuthorizationHeader(base64));
    if (email === null) return null;
    return this.passwords.verify(email, password, addressKey(req.ip));
  }
}
