/**
 * The course's `User` model: email, password (stored as a salted scrypt hash), names.
 *
 * @module
 */
import { Base, formatTimestamp, type Row } from './base.ts';
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

/** Saving would give two users the same email (compared case-insensitively). */
export class DuplicateEmailError extends Error {
  /** Names the error class in stack traces. */
  override name = 'DuplicateEmailError';
  constructor() {
    super('email already registered');
  }
}

/** A user account. */
export class User extends Base {
  /** The SQLite table of users. */
  static readonly table = 'users';
  /** Searchable attribute → column name (see {@link Base.search}). */
  static readonly columns = { id: 'id', email: 'email', firstName: 'first_name', lastName: 'last_name' };

  /** The login name; unique, compared case-insensitively. */
  email: string | null = null;
  /** Optional first name. */
  firstName: string | null = null;
  /** Optional last name. */
  lastName: string | null = null;
  /** `scrypt$N$r$p$salt$hash`, or null when no password was set. Never the password itself. */
  passwordHash: string | null = null;

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

  /** Saves the user; throws {@link DuplicateEmailError} when the email is taken. */
  override save(): void {
    try {
      super.save();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateEmailError();
      throw error;
    }
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
    this.email = row.email as string | null;
    this.passwordHash = row.password as string | null;
    this.firstName = row.first_name as string | null;
    this.lastName = row.last_name as string | null;
  }
}
