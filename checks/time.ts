/**
 * Time limits that follow the machine. Every limit of the runner (a check, a request, a
 * server's start) is written for an idle machine and stretched by the load average per core
 * at the moment it starts: on a machine running thirty other busy processes, a login that
 * takes 20 ms when idle may take a second, and that is no fault of the server. `--timeout`
 * sets the limit of every check instead.
 *
 * A check that runs out of time is reported as a timeout ("no answer within 30 s (load
 * average 29.5)"), apart from the claims it broke.
 *
 * @module
 */
import { availableParallelism, loadavg } from 'node:os';

/** The stretch factor is capped here: past it, a hang is more likely than slowness. */
const MAX_SCALE = 20;

/** The 1-minute load average, rounded for messages: `29.5`. */
export function loadAverage(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}

/**
 * How much slower than idle the machine is now: the load average per core, at least 1.
 *
 * @example
 * loadScale(); // 1 on an idle machine, 15 at a load of 30 on 2 cores
 */
export function loadScale(): number {
  const perCore = (loadavg()[0] ?? 0) / Math.max(1, availableParallelism());
  return Math.min(MAX_SCALE, Math.max(1, perCore));
}

/** The limits of one run. */
export interface TimeLimits {
  /** Set by `--timeout`: every check's limit, in milliseconds, whatever the load. */
  readonly fixedMs?: number;
  /** A limit written for an idle machine (a request's, a start's), stretched by the load now. */
  stretch(idleMs: number): number;
  /** A check's limit now, from its own idle-machine limit. */
  check(idleMs: number): number;
}

/**
 * The run's limits: stretched with the load, or fixed by `--timeout SECONDS`.
 *
 * @example
 * timeLimits().check(30_000); // 30000 when idle, 450000 at a load of 30 on 2 cores
 * timeLimits({ timeoutSeconds: 5 }).check(30_000); // 5000
 */
export function timeLimits(options: { timeoutSeconds?: number } = {}): TimeLimits {
  const fixedMs = options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000;
  const stretch = (idleMs: number) => Math.round(idleMs * loadScale());
  return { fixedMs, stretch, check: (idleMs) => fixedMs ?? stretch(idleMs) };
}

/** A limit that ran out: the check's or a request's. */
export class TimedOut extends Error {
  override name = 'TimedOut';
  constructor(
    /** What got no answer: `the check`, `GET /api/v1/users`. */
    what: string,
    readonly limitMs: number,
  ) {
    super(`${what}: no answer within ${(limitMs / 1000).toFixed(limitMs < 10_000 ? 1 : 0)} s (load average ${loadAverage()})`);
  }
}
