/**
 * `SqliteSessionStore`: an express-session `Store` over better-sqlite3, in the lessons'
 * database. Rows are keyed by a SHA-256 hash of the session id, expire with the session's
 * cookie (or an idle timeout), and are purged when they have expired.
 *
 * @module
 */
import session, { type SessionData } from 'express-session';
import type { Db } from '../../shared/db.ts';
// The key a session id is stored under: its SHA-256, as lesson 5 stores it.
import { hashSessionId } from '../../shared/models/user-session.ts';
import type { Clock, Sweepable } from '../04-session-expiry/session-exp-auth.ts';

/** A store callback: Node style, error first. */
type Callback<T = void> = (error: unknown, result?: T) => void;

/** How long a session whose cookie has no expiry lives in the store after its last use. */
export const defaultTtlMs = 24 * 60 * 60 * 1000;

/**
 * touch() writes a new expiry only when it moves by more than this fraction of the session's
 * remaining lifetime: express-session touches on every request, and a write per GET would
 * queue every reader behind the database's single write lock.
 */
export const touchWriteFraction = 0.1;

/** How often lesson 4's sweeper deletes expired rows, by default. */
export const defaultSweepIntervalMs = 60_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS express_sessions (
    -- SHA-256 of the session id: a copy of the database holds no usable cookie.
    hash TEXT PRIMARY KEY,
    -- The session as JSON (the user id, the login time and the cookie's settings).
    data TEXT NOT NULL,
    -- Milliseconds since the epoch; a row past it is dead, whatever it holds.
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS express_sessions_expires_at ON express_sessions(expires_at);
`;

/** How the store is set up. */
export interface SqliteStoreOptions {
  /** The open database (the lessons' own, so users and sessions live in one file). */
  db: Db;
  /** `SESSION_IDLE_TIMEOUT` in ms: a row unused this long expires (0 = none). */
  idleTimeoutMs?: number;
  /** Lifetime after last use of a session whose cookie has no expiry ({@link defaultTtlMs}). */
  ttlMs?: number;
  /** How often the sweeper should delete expired rows ({@link defaultSweepIntervalMs}). */
  sweepIntervalMs?: number;
  /** The clock (tests pass their own). */
  now?: Clock;
}


/**
 * When a stored session expires (ms): the earliest of its cookie's expiry and `now` plus the
 * idle timeout; `now + ttlMs` when it has neither.
 *
 * @example
 * sessionExpiresAt({ cookie: { expires: new Date(5000) } }, 0, { idleTimeoutMs: 1000, ttlMs: defaultTtlMs }); // 1000
 */
export function sessionExpiresAt(
  sess: { cookie?: { expires?: Date | string | null } },
  now: number,
  limits: { idleTimeoutMs: number; ttlMs: number },
): number {
  const candidates: number[] = [];
  const cookieExpires = sess.cookie?.expires;
  // After a round trip through JSON the expiry is a string; express-session gives a Date.
  if (cookieExpires) candidates.push(new Date(cookieExpires).getTime());
  if (limits.idleTimeoutMs > 0) candidates.push(now + limits.idleTimeoutMs);
  const expiresAt = candidates.length > 0 ? Math.min(...candidates) : now + limits.ttlMs;
  return Number.isFinite(expiresAt) ? expiresAt : now;
}

/** express-session's Store interface over one SQLite table. */
export class SqliteSessionStore extends session.Store implements Sweepable {
  /**
   * How often lesson 4's `startSweeper` should call {@link sweepExpired}: most expired
   * sessions are never asked for again (the browser dropped the cookie).
   */
  readonly sweepIntervalMs: number;
  private readonly now: Clock;
  private readonly limits: { idleTimeoutMs: number; ttlMs: number };
  private readonly statements: ReturnType<typeof prepareStatements>;

  /** Creates the store's table in `options.db` if it is not there; starts no timer. */
  constructor(options: SqliteStoreOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.limits = { idleTimeoutMs: options.idleTimeoutMs ?? 0, ttlMs: options.ttlMs ?? defaultTtlMs };
    this.sweepIntervalMs = options.sweepIntervalMs ?? defaultSweepIntervalMs;
    // The lesson that keeps sessions in this table creates it.
    options.db.exec(SCHEMA);
    this.statements = prepareStatements(options.db);
  }

  /**
   * The session stored under `sid`, or null when there is none or it has expired.
   * @step 6.7
   */
  override get(sid: string, callback: Callback<SessionData | null>): void {
    reply(callback, () => {
      const key = hashSessionId(sid);
      const row = this.statements.get.get(key) as { data: string; expires_at: number } | undefined;
      if (!row) return null;
      if (row.expires_at <= this.now()) {
        // An expired session is deleted on sight, as in lesson 4.
        this.statements.destroy.run(key);
        return null;
      }
      return JSON.parse(row.data) as SessionData;
    });
  }

  /**
   * Stores (inserts or replaces) the session `sid`.
   * @step 6.6
   */
  override set(sid: string, sess: SessionData, callback?: Callback): void {
    reply(callback, () => {
      const expiresAt = sessionExpiresAt(sess, this.now(), this.limits);
      this.statements.set.run(hashSessionId(sid), JSON.stringify(sess), expiresAt);
    });
  }

  /** Deletes the session `sid` (no error when there is none). */
  override destroy(sid: string, callback?: Callback): void {
    reply(callback, () => void this.statements.destroy.run(hashSessionId(sid)));
  }

  /**
   * Moves the expiry of a live session, as express-session asks after every request that
   * did not change it; with an idle timeout this is what keeps a busy session alive.
   * @step 6.8
   */
  override touch(sid: string, sess: SessionData, callback?: Callback): void {
    reply(callback, () => {
      const now = this.now();
      const expiresAt = sessionExpiresAt(sess, now, this.limits);
      const slack = (expiresAt - now) * touchWriteFraction;
      this.statements.touch.run(expiresAt, hashSessionId(sid), now, expiresAt - slack);
    });
  }

  /** Deletes every session. */
  override clear(callback?: Callback): void {
    reply(callback, () => void this.statements.clear.run());
  }

  /** The number of live sessions. */
  override length(callback: Callback<number>): void {
    reply(callback, () => (this.statements.length.get(this.now()) as { n: number }).n);
  }

  /**
   * Every live session. An array, not the object keyed by id that MemoryStore returns:
   * the ids are not stored, only their hashes.
   */
  override all(callback: Callback<SessionData[]>): void {
    reply(callback, () =>
      (this.statements.all.all(this.now()) as { data: string }[]).map((row) => JSON.parse(row.data) as SessionData),
    );
  }

  /** Deletes every expired row; returns how many. */
  sweepExpired(): number {
    return this.statements.purge.run(this.now()).changes;
  }
}

/** The store's queries, prepared once. */
function prepareStatements(db: Db) {
  return {
    get: db.prepare('SELECT data, expires_at FROM express_sessions WHERE hash = ?'),
    set: db.prepare(
      `INSERT INTO express_sessions (hash, data, expires_at) VALUES (?, ?, ?)
       ON CONFLICT(hash) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
    ),
    destroy: db.prepare('DELETE FROM express_sessions WHERE hash = ?'),
    // Only a live row is touched (touching must never bring an expired session back), and
    // only when its expiry moves enough to matter (touchWriteFraction).
    touch: db.prepare('UPDATE express_sessions SET expires_at = ? WHERE hash = ? AND expires_at > ? AND expires_at < ?'),
    clear: db.prepare('DELETE FROM express_sessions'),
    length: db.prepare('SELECT COUNT(*) AS n FROM express_sessions WHERE expires_at > ?'),
    all: db.prepare('SELECT data FROM express_sessions WHERE expires_at > ? ORDER BY rowid'),
    purge: db.prepare('DELETE FROM express_sessions WHERE expires_at <= ?'),
  };
}

/**
 * Runs `work` and hands its result or error to a Node-style callback, always on a later turn
 * (as MemoryStore does), and never inside the try: an exception thrown by the callback itself
 * must not come back to it as the store's error.
 */
function reply<T>(callback: Callback<T> | undefined, work: () => T): void {
  let result: T;
  try {
    result = work();
  } catch (error) {
    if (callback) setImmediate(callback, error);
    // express-session always passes a callback; a direct caller who doesn't still hears of it.
    else console.error('session store:', error instanceof Error ? error.message : error);
    return;
  }
  if (callback) setImmediate(callback, null, result);
}
