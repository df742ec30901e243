/**
 * Session stores that know whose each session is, so that a password change, "log out
 * everywhere" and the deletion of a user can end every session of that user, and a login
 * beyond the cap can end the oldest. Lesson 6's SQLite store keys its rows by a hash of the
 * id and never knew the user; here its rows get a `user_id` column with an index. Lesson 8
 * gives a Redis store the same two methods ({@link UserSessionIndex}).
 *
 * @module
 */
import session, { type SessionData } from 'express-session';
import type { Db } from '../../shared/db.ts';
import { hashSessionId } from '../../shared/models/user-session.ts';
import type { Clock } from '../04-session-expiry/session-exp-auth.ts';
import { SqliteSessionStore, type SqliteStoreOptions } from '../06-express-session/sqlite-store.ts';

/** What lesson 7 asks of a store besides express-session's `Store`: the sessions of one user. */
export interface UserSessionIndex {
  /**
   * Ends every session of `userId`, except `keepSessionId` when given; resolves with how many.
   *
   * @example
   * await store.destroyUserSessions(user.id, req.sessionID); // every other device logged out
   */
  destroyUserSessions(userId: string, keepSessionId?: string): Promise<number>;
  /**
   * Ends the oldest live sessions of `userId` beyond the newest `max`; resolves with how many.
   *
   * @example
   * await store.capUserSessions(user.id, 10);
   */
  capUserSessions(userId: string, max: number): Promise<number>;
}

/** An express-session store with a {@link UserSessionIndex}. */
export type IndexedSessionStore = session.Store & UserSessionIndex;

/**
 * Adds the `user_id` column and its index to lesson 6's table, once (a second process that
 * starts at the same moment waits for the first, then finds the column). Rows lesson 6 wrote
 * get their user from their data.
 */
function addUserColumn(db: Db): void {
  db.transaction(() => {
    const columns = db.prepare("SELECT name FROM pragma_table_info('express_sessions')").pluck().all();
    if (columns.includes('user_id')) return;
    db.exec(`
      ALTER TABLE express_sessions ADD COLUMN user_id TEXT;
      UPDATE express_sessions SET user_id = json_extract(data, '$.userId');
      CREATE INDEX express_sessions_user_id ON express_sessions(user_id);
    `);
  }).immediate();
}

/** Lesson 6's SQLite store, whose rows also say which user they belong to. */
export class IndexedSqliteSessionStore extends SqliteSessionStore implements UserSessionIndex {
  private readonly clock: Clock;
  private readonly byUser: ReturnType<typeof prepareUserStatements>;

  /** Creates lesson 6's table, and adds the user column, if they are not there; starts no timer. */
  constructor(options: SqliteStoreOptions) {
    super(options);
    this.clock = options.now ?? Date.now;
    addUserColumn(options.db);
    this.byUser = prepareUserStatements(options.db);
  }

  /** Stores the session as lesson 6 does, then writes down its user, before express-session hears back. */
  override set(sid: string, sess: SessionData, callback?: (error?: unknown) => void): void {
    const done = callback ?? ((error?: unknown) => error && console.error('session store:', error));
    super.set(sid, sess, (error) => {
      if (error) return done(error);
      try {
        this.byUser.tag.run(typeof sess.userId === 'string' ? sess.userId : null, hashSessionId(sid));
      } catch (tagError) {
        return done(tagError);
      }
      done();
    });
  }

  async destroyUserSessions(userId: string, keepSessionId?: string): Promise<number> {
    // "hash IS NOT NULL" holds for every row: without a session to keep, all of them go.
    return this.byUser.destroyAll.run(userId, keepSessionId === undefined ? null : hashSessionId(keepSessionId)).changes;
  }

  async capUserSessions(userId: string, max: number): Promise<number> {
    return this.byUser.cap.run(userId, this.clock(), max).changes;
  }
}

function prepareUserStatements(db: Db) {
  return {
    tag: db.prepare('UPDATE express_sessions SET user_id = ? WHERE hash = ?'),
    destroyAll: db.prepare('DELETE FROM express_sessions WHERE user_id = ? AND hash IS NOT ?'),
    // A new row gets a rowid above every row there is: the smallest rowids are the oldest sessions.
    cap: db.prepare(
      `DELETE FROM express_sessions WHERE hash IN (
         SELECT hash FROM express_sessions WHERE user_id = ? AND expires_at > ? ORDER BY rowid DESC LIMIT -1 OFFSET ?
       )`,
    ),
  };
}

/** express-session's MemoryStore (`SESSION_STORE=memory`), searched for one user's sessions. */
export class IndexedMemoryStore extends session.MemoryStore implements UserSessionIndex {
  async destroyUserSessions(userId: string, keepSessionId?: string): Promise<number> {
    const ids = (await this.sessionIdsOf(userId)).filter((sid) => sid !== keepSessionId);
    await Promise.all(ids.map((sid) => this.destroyById(sid)));
    return ids.length;
  }

  async capUserSessions(userId: string, max: number): Promise<number> {
    const ids = await this.sessionIdsOf(userId);
    // Oldest first (the order they were stored in): all but the newest `max` go.
    const ended = ids.slice(0, Math.max(0, ids.length - max));
    await Promise.all(ended.map((sid) => this.destroyById(sid)));
    return ended.length;
  }

  /** The ids of `userId`'s live sessions, oldest first. */
  private sessionIdsOf(userId: string): Promise<string[]> {
    return new Promise((resolve, reject) =>
      this.all((error, all) => {
        if (error) return reject(error);
        // MemoryStore gives an object keyed by session id, in the order the sessions were stored.
        const entries = Object.entries((all ?? {}) as Record<string, SessionData>);
        resolve(entries.filter(([, sess]) => sess.userId === userId).map(([sid]) => sid));
      }),
    );
  }

  private destroyById(sid: string): Promise<void> {
    return new Promise((resolve, reject) => this.destroy(sid, (error) => (error ? reject(error) : resolve())));
  }
}
