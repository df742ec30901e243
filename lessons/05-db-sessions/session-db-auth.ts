/**
 * `SessionDBAuth`: lesson 4's expiring sessions, kept as `UserSession` rows in the SQLite
 * database instead of this process's memory, so that they survive a restart and every
 * process on the same database file sees the same sessions.
 *
 * @module
 */
import type { Request } from 'express';
import { UserSession } from '../../shared/models/user-session.ts';
import { newSessionId } from '../02-session-auth/session-auth.ts';
import { isExpired, SessionExpAuth } from '../04-session-expiry/session-exp-auth.ts';

/** Expired rows deleted by one DELETE statement, at most: each one holds the write lock briefly. */
export const purgeBatchSize = 1_000;

/** Expired rows deleted by one sweep, at most: a backlog is worked off over several sweeps. */
export const purgeMaxRowsPerSweep = 10_000;

/**
 * A use is written to the database only when the stored last use is older than this
 * fraction of the idle timeout (see {@link SessionDBAuth.recordUse}).
 */
export const lastUseWriteFraction = 0.1;

/**
 * Session auth with the sessions in the database. Nothing about a session is kept in the
 * process: every request reads its row, so a login or a logout in another process counts
 * at once.
 */
export class SessionDBAuth extends SessionExpAuth {
  /**
   * Starts a session: stores a row for it (the id only as a hash) and returns the new id;
   * null when `userId` is not a string or no user has it.
   *
   * @example
   * auth.createSession(user.id); // 'q3Zt0y…'
   * @step 5.1
   */
  override createSession(userId: unknown): string | null {
    if (typeof userId !== 'string') return null;
    const sessionId = newSessionId();
    // The row is committed when this returns (better-sqlite3 is synchronous): the login's
    // 200, sent after it, can never announce a session that a crash then loses.
    const session = UserSession.create(userId, sessionId, new Date(this.now()));
    return session ? sessionId : null;
  }

  /**
   * The user id of a live stored session, or null. An expired row is deleted on sight, and
   * the use is recorded when an idle timeout needs it.
   *
   * @example
   * auth.userIdForSessionId(sessionId); // 'b5a9…' or null
   * @step 5.4
   */
  override userIdForSessionId(sessionId: unknown): string | null {
    const now = this.now();
    const session = this.findLiveSession(sessionId, now);
    if (!session || !this.recordUse(session, now)) return null;
    return session.userId;
  }

  /**
   * Ends the session the request's cookie names; true when a live session was ended, false
   * for none, an expired one (deleted all the same) or one another process ended first.
   *
   * @example
   * auth.destroySession(req); // true, then false for the same request
   * @step 5.5
   */
  override destroySession(req: Request | null | undefined): boolean {
    if (!req) return false;
    const session = this.findLiveSession(this.sessionCookie(req), this.now());
    return session !== null && session.remove();
  }

  /**
   * Deletes expired rows, in batches, at most {@link purgeMaxRowsPerSweep} per call; returns
   * how many. Lesson 4's sweeper calls it; every process on the file may, as deleting is
   * safe to repeat.
   * @step 5.6
   */
  override sweepExpired(): number {
    const now = this.now();
    const { durationMs, idleMs } = this.limits;
    // The same rule as isExpired: created at or before now - duration, or used at or before now - idle.
    const bounds = {
      createdBefore: durationMs > 0 ? new Date(now - durationMs) : undefined,
      usedBefore: idleMs > 0 ? new Date(now - idleMs) : undefined,
    };
    let swept = 0;
    while (swept < purgeMaxRowsPerSweep) {
      // Small batches: another process waiting to log someone in gets the lock in between.
      const deleted = UserSession.removeExpired({ ...bounds, limit: purgeBatchSize });
      swept += deleted;
      if (deleted < purgeBatchSize) break;
    }
    return swept;
  }

  /** The number of stored sessions (expired ones included until swept), from every process. */
  override get size(): number {
    return UserSession.count();
  }

  /**
   * The stored session for this id if it is still live at `now`, else null; an expired row
   * is deleted when found, so that it is gone even if the sweep has not come by yet.
   * @step 5.2
   */
  protected findLiveSession(sessionId: unknown, now: number): UserSession | null {
    if (typeof sessionId !== 'string') return null;
    const session = UserSession.findBySessionId(sessionId);
    if (!session) return null;
    // Expiry is computed from the stored times, so a restart neither resets nor extends it.
    const stored = { createdAt: session.createdAt.getTime(), lastUsedAt: session.lastUsedAt.getTime() };
    if (isExpired(stored, now, this.limits)) {
      session.remove();
      return null;
    }
    return session;
  }

  /**
   * Records that the session was used at `now`; false when its row is gone (another process
   * logged it out a moment ago).
   * @step 5.3
   */
  protected recordUse(session: UserSession, now: number): boolean {
    // Only the idle timeout reads the last use. Without one, writing it would turn every
    // request, even a GET, into a database write that waits for the file's single write lock.
    if (this.limits.idleMs === 0) return true;
    // With one, a write per idle-timeout tenth is enough: the stored last use is then at most
    // a tenth behind, so a session may end up to 10% early, never late (the safe side).
    if (now - session.lastUsedAt.getTime() < this.limits.idleMs * lastUseWriteFraction) return true;
    return session.markUsed(new Date(now));
  }
}
