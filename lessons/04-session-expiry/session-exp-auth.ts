/**
 * `SessionExpAuth`: sessions that end. `SESSION_DURATION` is an absolute lifetime counted
 * from login; `SESSION_IDLE_TIMEOUT` ends a session nobody has used for that long.
 *
 * @module
 */
import type { CookieOptions } from 'express';
import type { Config } from '../../shared/config.ts';
import { newSessionId, type SessionRecord } from '../02-session-auth/session-auth.ts';
import { SessionLoginAuth } from '../03-session-login/session-login-auth.ts';

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
 * @step 4.1
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
export const maxSweepIntervalMs = 60_000;

/** Something that deletes its expired sessions when asked: what {@link startSweeper} runs. */
export interface Sweepable {
  /** Deletes every expired session; returns how many. */
  sweepExpired(): number;
  /** How often to sweep, in ms; 0 when nothing ever expires. */
  readonly sweepIntervalMs: number;
}

/**
 * Calls `sessions.sweepExpired()` every `sessions.sweepIntervalMs`, from now on; returns the
 * function that stops it. `server.ts` starts it once the server listens and stops it at
 * shutdown: building an auth starts nothing.
 *
 * @example
 * const stopSweeper = startSweeper(auth);
 * // ... at shutdown:
 * stopSweeper();
 */
export function startSweeper(sessions: Sweepable): () => void {
  if (sessions.sweepIntervalMs <= 0) return () => {};
  const timer = setInterval(() => {
    try {
      sessions.sweepExpired();
    } catch (error) {
      // A timer has nobody to answer to: log, and try again next time.
      console.error('sweeper: sweep failed:', error instanceof Error ? error.message : error);
    }
  }, sessions.sweepIntervalMs);
  // unref: the sweeper alone never keeps the process alive.
  timer.unref();
  return () => clearInterval(timer);
}

/** Session auth whose sessions expire. */
export class SessionExpAuth extends SessionLoginAuth implements Sweepable {
  // Here every record is a SessionDictionary: createSession below is the only one that writes.
  protected declare readonly sessions: Map<string, SessionDictionary>;
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
  }

  /**
   * Starts a session that remembers when it was created, and returns its new id.
   * @step 4.2
   */
  override createSession(userId: unknown): string | null {
    if (typeof userId !== 'string') return null;
    const sessionId = newSessionId();
    const now = this.now();
    this.sessions.set(sessionId, { userId, createdAt: now, lastUsedAt: now });
    return sessionId;
  }

  /**
   * The user id of a live session, or null; an expired session is deleted on sight, and a
   * live one is marked as used now (which is what the idle timeout measures).
   * @step 4.3
   */
  override userIdForSessionId(sessionId: unknown): string | null {
    if (typeof sessionId !== 'string') return null;
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    const now = this.now();
    if (isExpired(session, now, this.limits)) {
      this.sessions.delete(sessionId);
      return null;
    }
    session.lastUsedAt = now;
    return session.userId;
  }

  /**
   * With a lifetime, the cookie gets a matching `Max-Age` (whole seconds, rounded up).
   * @step 4.4
   */
  override cookieOptions(): CookieOptions {
    const options = super.cookieOptions();
    if (this.limits.durationMs > 0) options.maxAge = Math.ceil(this.limits.durationMs / 1000) * 1000;
    return options;
  }

  /**
   * Deletes every expired session; returns how many.
   * @step 4.5
   */
  sweepExpired(): number {
    const now = this.now();
    let swept = 0;
    for (const [sessionId, session] of this.sessions) {
      if (isExpired(session, now, this.limits)) {
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

  /**
   * How often {@link startSweeper} sweeps: every {@link maxSweepIntervalMs} at most, more often
   * for a shorter lifetime, at most once a second; 0 without any limit.
   */
  get sweepIntervalMs(): number {
    const shortest = Math.min(...[this.limits.durationMs, this.limits.idleMs].filter((ms) => ms > 0));
    // Without a sweep, sessions nobody sends again would stay in memory forever.
    return Number.isFinite(shortest) ? Math.max(1000, Math.min(maxSweepIntervalMs, shortest)) : 0;
  }
}
