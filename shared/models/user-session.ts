/**
 * The course's `UserSession` model: one row per session in the `user_sessions` table, found
 * by a SHA-256 hash of the session id and never by the id itself.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { prepared, type Db } from '../db.ts';
import { Base, type Row } from './base.ts';

/**
 * The SHA-256 hash (hex) that stands for a session id in the database. Without a salt, on
 * purpose: the id is 256 random bits, so there is nothing to guess, and one hash per id is
 * what lets a lookup by hash use the index.
 *
 * @example
 * hashSessionId('q3Zt0y…'); // '5e8a…' (64 hex characters)
 */
export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS user_sessions (
    id TEXT PRIMARY KEY,
    -- Deleting a user deletes their sessions.
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Only a SHA-256 hash of the session id: a copy of the database holds no live cookie.
    session_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    -- A session row is written only to record a use, so its updated_at is its last use.
    updated_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS user_sessions_user_id ON user_sessions(user_id);
  -- The purge of expired sessions finds them by these, without reading the whole table.
  CREATE INDEX IF NOT EXISTS user_sessions_created_at ON user_sessions(created_at);
  CREATE INDEX IF NOT EXISTS user_sessions_updated_at ON user_sessions(updated_at);
`;

/**
 * Creates the `user_sessions` table in `db` if it is not there: lesson 5, the lesson that
 * stores sessions in SQLite, does so at start (the users table comes with every database).
 *
 * @example
 * createUserSessionTable(database());
 */
export function createUserSessionTable(db: Db): void {
  db.exec(SCHEMA);
}

/** Which sessions {@link UserSession.removeExpired} deletes: each bound is optional. */
export interface ExpiredBefore {
  /** Delete sessions created at or before this time (the absolute lifetime). */
  createdBefore?: Date;
  /** Delete sessions last used at or before this time (the idle timeout). */
  usedBefore?: Date;
  /** Delete at most this many rows. */
  limit: number;
}

/**
 * A user's session: who it belongs to, when it started and when it was last used.
 * `updatedAt` is the last use: a session row is written only to record a use.
 */
export class UserSession extends Base {
  /** The SQLite table of sessions. */
  static readonly table = 'user_sessions';
  /** Searchable attribute → column name (see {@link Base.search}). */
  static readonly columns = { id: 'id', userId: 'user_id', sessionHash: 'session_hash' };

  /** The user the session belongs to. */
  userId = '';
  /** {@link hashSessionId} of the session id (the cookie's value), never the id itself. */
  sessionHash = '';

  /** When the session was last used (the same moment as `updatedAt`). */
  get lastUsedAt(): Date {
    return this.updatedAt;
  }

  /**
   * Keeps the session id, as its hash only (like `User.setPassword` keeps a password).
   *
   * @example
   * session.setSessionId(sessionId);
   */
  setSessionId(sessionId: string): void {
    this.sessionHash = hashSessionId(sessionId);
  }

  /**
   * Stores a new session that starts at `at`; null when no user has this id.
   * (`save()` would stamp the wall clock; an auth passes its own, so that tests never sleep.)
   *
   * @example
   * UserSession.create(user.id, newSessionId()); // UserSession
   * UserSession.create('no-such-user', newSessionId()); // null
   */
  static create(userId: string, sessionId: string, at: Date = new Date()): UserSession | null {
    const session = new UserSession();
    session.userId = userId;
    session.setSessionId(sessionId);
    session.createdAt = at;
    session.updatedAt = at;
    try {
      prepared(
          `INSERT INTO user_sessions (id, user_id, session_hash, created_at, updated_at)
           VALUES (@id, @user_id, @session_hash, @created_at, @updated_at)`,
        )
        .run({ ...session.toRow(), id: session.id, created_at: at.toISOString(), updated_at: at.toISOString() });
    } catch (error) {
      // The foreign key: a session for a user who does not exist (or was just deleted).
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return null;
      throw error;
    }
    session.stored = true;
    return session;
  }

  /**
   * The stored session whose id is `sessionId`, or null. Looked up by hash, through the
   * unique index on `session_hash`: one index search, however many rows there are.
   *
   * @example
   * UserSession.findBySessionId(req.cookies._my_session_id); // UserSession | null
   */
  static findBySessionId(sessionId: string): UserSession | null {
    const [session] = UserSession.search({ sessionHash: hashSessionId(sessionId) });
    return session ?? null;
  }

  /**
   * Records a use at `at`; false when the row is gone (another process ended the session).
   * The stored time never moves backwards, whichever process writes last.
   *
   * @example
   * session.markUsed(new Date()); // true
   */
  markUsed(at: Date = new Date()): boolean {
    // ISO 8601 strings in UTC compare like the times they stand for, so max() picks the later.
    const { changes } = prepared('UPDATE user_sessions SET updated_at = max(updated_at, ?) WHERE id = ?')
      .run(at.toISOString(), this.id);
    if (changes > 0 && at > this.updatedAt) this.updatedAt = at;
    return changes > 0;
  }

  /**
   * Deletes the session's row; true when there was one to delete (false when another
   * process deleted it first).
   */
  override remove(): boolean {
    const { changes } = prepared('DELETE FROM user_sessions WHERE id = ?').run(this.id);
    return changes > 0;
  }

  /**
   * Deletes up to `limit` sessions created or last used at or before the given times, and
   * returns how many. Each bound is a range search on its index; without bounds, nothing.
   *
   * @example
   * UserSession.removeExpired({ createdBefore: new Date(Date.now() - 3_600_000), limit: 1000 });
   */
  static removeExpired({ createdBefore, usedBefore, limit }: ExpiredBefore): number {
    if (!createdBefore && !usedBefore) return 0;
    // A comparison with NULL is never true: a missing bound matches no row.
    const { changes } = prepared(
        `DELETE FROM user_sessions WHERE rowid IN (
           SELECT rowid FROM user_sessions WHERE created_at <= @created OR updated_at <= @used LIMIT @limit
         )`,
      )
      .run({ created: createdBefore?.toISOString() ?? null, used: usedBefore?.toISOString() ?? null, limit });
    return changes;
  }

  protected toRow(): Row {
    return { user_id: this.userId, session_hash: this.sessionHash };
  }

  protected fromRow(row: Row): void {
    this.userId = row.user_id as string;
    this.sessionHash = row.session_hash as string;
  }
}
