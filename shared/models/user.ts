/**
 * The course's `User` model: email, password (stored as a salted scrypt hash), names.
 *
 * @module
 */
import { Base, formatTimestamp, type ModelClass, type Row } from './base.ts';
import { hashPassword, verifyPassword } from '../password.ts';

/** The user JSON the API returns: never a password field. */
export interface UserJSON {
  /** The user's id, a UUID. */
  id: string;
  /** The login email. */
  email: string | null;
  /** First name, or null. */
  first_name: string | null;
  /** Last name, or null. */
  last_name: string | null;
  /** Creation time, `YYYY-MM-DDTHH:MM:SS` in UTC. */
  created_at: string;
  /** Last update time, `YYYY-MM-DDTHH:MM:SS` in UTC. */
  updated_at: string;
}

/** Saving would give two users the same email (compared in {@link normalizeEmail}'s form). */
export class DuplicateEmailError extends Error {
  /** Names the error class in stack traces. */
  override name = 'DuplicateEmailError';
  constructor() {
    super('email already registered');
  }
}

/** The email holds a character no address has, or begins or ends with a space. */
export class InvalidEmailError extends Error {
  /** Names the error class in stack traces. */
  override name = 'InvalidEmailError';
  constructor() {
    super('email must not hold control or invisible characters, nor begin or end with a space');
  }
}

// Control (Cc) and invisible format characters (Cf: zero-width, bidi overrides), line and
// paragraph separators, lone surrogates, unassigned code points: no one types them in an
// address; they make two accounts look the same, or forge lines in a terminal.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Cn}]/u;

/**
 * The form an email is stored and looked up in, so that one address is one account however
 * it is typed: Unicode NFKC (fullwidth `ｂ` is `b`, `o` + combining acute is `ó`), then
 * lower case (RFC 8265's case mapping, Unicode `toLowerCase`). Lower case turns `İ` into `i`
 * plus a combining dot above, which looks like `i` but is not: that dot, invisible on an `i`
 * or a `j`, is dropped. Accents are kept: `bób` and `bob` are different addresses.
 *
 * @example
 * normalizeEmail('ＢＯＢ@HBTN.İO'); // 'bob@hbtn.io'
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase().replace(/(?<=[ij])\u0307/g, '').normalize('NFKC');
}

/** A user account. */
export class User extends Base {
  /** The SQLite table of users. */
  static readonly table = 'users';
  /** Searchable attribute → column name (see {@link Base.search}). */
  static readonly columns = { id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' };

  /** The login name; unique, stored as {@link normalizeEmail} makes it when saved. */
  email: string | null = null;
  /** Optional first name. */
  firstName: string | null = null;
  /** Optional last name. */
  lastName: string | null = null;
  /** `scrypt$N$r$p$salt$hash`, or null when no password was set. Never the password itself. */
  passwordHash: string | null = null;
  /** The email as stored, to tell whether it changed since. */
  private storedEmail: string | null = null;

  /**
   * Hashes and keeps a new password (the original's `password` setter).
   *
   * @example
   * await user.setPassword('H0lbertonSchool98!');
   */
  async setPassword(password: string): Promise<void> {
    this.passwordHash = await hashPassword(password);
  }

  /**
   * Whether `password` is this user's password: false for non-strings and for users
   * without a password.
   *
   * @example
   * await user.isValidPassword('H0lbertonSchool98!'); // true
   * await user.isValidPassword(98); // false
   */
  async isValidPassword(password: unknown): Promise<boolean> {
    if (typeof password !== 'string' || this.passwordHash === null) return false;
    return verifyPassword(password, this.passwordHash);
  }

  /**
   * The name to show: "first last", one of them, the email, or "" (the original's rules).
   *
   * @example
   * Object.assign(new User(), { email: 'bob@hbtn.io' }).displayName(); // 'bob@hbtn.io'
   */
  displayName(): string {
    if (!this.email && !this.firstName && !this.lastName) return '';
    if (!this.firstName && !this.lastName) return this.email ?? '';
    if (!this.lastName) return this.firstName ?? '';
    if (!this.firstName) return this.lastName;
    return `${this.firstName} ${this.lastName}`;
  }

  /**
   * Saves the user, with a new email in its normal form; throws {@link InvalidEmailError} for
   * an email with control or invisible characters or surrounding spaces, and
   * {@link DuplicateEmailError} when another user has it.
   */
  override save(): void {
    // A row saved before emails were checked keeps its email when only the names change.
    if (this.email !== null && this.email !== this.storedEmail) {
      if (INVISIBLE.test(this.email) || /^\s|\s$/u.test(this.email.normalize('NFKC'))) throw new InvalidEmailError();
      this.email = normalizeEmail(this.email);
    }
    try {
      super.save();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateEmailError();
      throw error;
    }
    this.storedEmail = this.email;
  }

  /**
   * Every user whose attributes equal those given; an email is looked up in its normal form,
   * so `BOB@HBTN.IO` or `ｂｏｂ@hbtn.io` finds `bob@hbtn.io` (login and Basic auth use this).
   *
   * @example
   * User.search({ email: 'Bob@hbtn.io' }); // [bob]
   */
  static override search<T extends Base>(this: ModelClass<T>, attributes: Record<string, unknown> = {}): T[] {
    const { email } = attributes;
    return Base.search.call(this, typeof email === 'string' ? { ...attributes, email: normalizeEmail(email) } : attributes) as T[];
  }

  /** The user as the API returns it. */
  toJSON(): UserJSON {
    return {
      id: this.id,
      email: this.email,
      first_name: this.firstName,
      last_name: this.lastName,
      created_at: formatTimestamp(this.createdAt),
      updated_at: formatTimestamp(this.updatedAt),
    };
  }

  protected toRow(): Row {
    return { email: this.email, password: this.passwordHash, first_name: this.firstName, last_name: this.lastName };
  }

  protected fromRow(row: Row): void {
    this.email = this.storedEmail = row.email as string | null;
    this.passwordHash = row.password as string | null;
    this.firstName = row.first_name as string | null;
    this.lastName = row.last_name as string | null;
  }
}
