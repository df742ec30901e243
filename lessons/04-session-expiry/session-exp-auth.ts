/**
 * `SessionExpAuth`: sessions that end. `SESSION_DURATION` is an absolute lifetime counted
 * from login; `SESSION_IDLE_TIMEOUT` ends a session nobody has used for that long.
 *
 * @module
 */
import type { CookieOptions } from 'express';
import type { Config } from '../../shared/config.ts';
import type { SessionRecord } from '../02-session-auth/session-auth.ts';
import { SessionAuth } from '../03-session-login/session-auth.ts';

/** A clock in milliseconds since the epoch; tests pass their own so they never sleep. */
export type Clock = () => number;

/** What an expiring session remembers (the course's "session dictionary"). */
export interface SessionDictionary extends SessionRecord {
  /** When the session was created (ms). */
  createdAt: number;
  /** When the session was last used (ms). */
  lastUsedAt: number;
}

/**
 * Whether a session has outlived its absolute lifetime or its idle timeout (0 = no limit).
 *
 * @example
 * isExpired({ userId: 'u', createdAt: 0, lastUsedAt: 0 }, 61_000, { durationMs: 60_000, idleMs: 0 }); // true
 */
export function isExpired(
  session: { createdAt: number; lastUsedAt: number },
  now: number,
  limits: { durationMs: number; idleMs: number },
): boolean {
  if (limits.durationMs > 0 && now >= session.createdAt + limits.durationMs) return true;
  if (limits.idleMs > 0 && now >= session.lastUsedAt + limits.idleMs) return true;
  return false;
}

/** How often expired sessions are swept, at most (and more often for short lifetimes). */
export const sweepIntervalMs = 60_000;

/** Session auth whose sessions expire. */
export class SessionExpAuth extends SessionAuth {
  /** Absolute lifetime and idle timeout in milliseconds (0 = none). */
  protected readonly limits: { durationMs: number; idleMs: number };

  /**
   * @param config where `sessionDurationSeconds` and `sessionIdleTimeoutSeconds` come from
   * @param now the clock (`Date.now` unless a test replaces it)
   */
  constructor(config: Config, protected readonly now: Clock = Date.now) {
    super(config);
    this.limits = {
      durationMs: config.sessionDurationSeconds * 1000,
      idleMs: config.sessionIdleTimeoutSeconds * 1000,
    };
    this.startSweeper();
  }

  /** Starts a session that remembers when it was created. */
  override createSession(userId: unknown): string | null {
    const sessionId = super.createSession(userId);
    if (sessionId === null) return null;
    const now = this.now();
    const session: SessionDictionary = { userId: userId as string, createdAt: now, lastUsedAt: now };
    this.sessions.set(sessionId, session);
    return sessionId;
  }

  /**
   * The user id of a live session, or null; an expired session is deleted on sight, and a
   * live one is marked as used now (which is what the idle timeout measures).
   */
  override userIdForSessionId(sessionId: unknown): string | null {
    if (typeof sessionId !== 'string') return null;
    const session = this.sessions.get(sessionId) as SessionDictionary | undefined;
    if (!session) return null;
    const now = this.now();
    if (isExpired(session, now, this.limits)) {
      this.sessions.delete(sessionId);
      return null;
    }
    session.lastUsedAt = now;
    return session.userId;
  }

  /** With a lifetime, the cookie gets a matching `Max-Age` (whole seconds, rounded up). */
  override cookieOptions(): CookieOptions {
    const options = super.cookieOptions();
    if (this.limits.durationMs > 0) options.maxAge = Math.ceil(this.limits.durationMs / 1000) * 1000;
    return options;
  }

  /** Deletes every expired session; returns how many. */
  sweepExpired(): number {
    const now = this.now();
    let swept = 0;
    for (const [sessionId, session] of this.sessions) {
      if (isExpired(session as SessionDictionary, now, this.limits)) {
        this.sessions.delete(sessionId);
        swept++;
      }
    }
    return swept;
  }

  /** The number of sessions in memory (expired ones included until swept). */
  get size(): number {
    return this.sessions.size;
  }

  private startSweeper(): void {
    const shortest = Math.min(...[this.limits.durationMs, this.limits.idleMs].filter((ms) => ms > 0));
    if (!Number.isFinite(shortest)) return;
    // Without a sweep, sessions nobody sends again would stay in memory forever.
    const timer = setInterval(() => this.sweepExpired(), Math.max(1000, Math.min(sweepIntervalMs, shortest)));
    // unref: the sweeper alone never keeps the process alive.
    timer.unref();
  }
}
