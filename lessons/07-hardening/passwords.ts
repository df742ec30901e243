/**
 * The one place lesson 7 checks a password, for the login, Basic auth and the password change
 * alike: throttled (counted before scrypt runs), and with the same answer and the same work
 * for an unknown email as for a wrong password, so that neither the answer nor its time says
 * which emails have an account.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { User } from '../../shared/models/user.ts';
import { hashPassword, verifyPassword } from '../../shared/password.ts';
import type { AttemptThrottle } from './throttle.ts';

/** Checks email and password pairs, throttled, in the same time whether the email exists or not. */
export class PasswordCheck {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly throttle: AttemptThrottle) {}

  /**
   * The user with this email and password, or null; throws `TooManyAttempts` when the
   * account's or the address's allowance is spent, before any password is hashed.
   *
   * @example
   * await passwords.verify('bob@hbtn.io', 'H0lbertonSchool98!', addressKey(req.ip)); // User
   * await passwords.verify('nobody@hbtn.io', 'x', addressKey(req.ip)); // null, after the same scrypt
   */
  async verify(email: string, password: string, address: string): Promise<User | null> {
    // The email as the database compares it (COLLATE NOCASE): BOB@ and bob@ share one allowance.
    const account = email.toLowerCase();
    await this.throttle.takeAttempt(account, address);
    const [user] = User.search({ email });
    // No such user, or one without a password: the same scrypt, against a hash no password matches.
    const stored = user?.passwordHash ?? (await this.dummy());
    const valid = await verifyPassword(password, stored);
    if (!user || !valid) return null;
    await this.throttle.giveBack(account, address);
    return user;
  }

  /**
   * Computes the dummy hash now, so that the first unknown email does not take twice as long.
   * The server calls it at start.
   */
  warmUp(): Promise<string> {
    return this.dummy();
  }

  /** A hash with the current scrypt cost of a random password nobody knows, made once. */
  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}
