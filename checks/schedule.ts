/**
 * Scheduling: which checks run on which server, how many at once, and how each outcome
 * becomes a result (a verdict, a skip, a timeout).
 *
 * Checks run in parallel, four at a time on each server, and the servers of different
 * environments side by side; checks that restart their server (or ask to be alone) run after
 * the others, one at a time. A server whose answers depend on timing between requests can
 * therefore get different results on identical runs: `--only` runs one claim alone.
 *
 * @module
 */
import { CheckRun, type SharedVariants } from './context.ts';
import { CheckFailure, SkipCheck, type FailureDetails } from './expect.ts';
import { failureFields } from './failure.ts';
import { NoAnswerError, type HttpResponse } from './http.ts';
import { envKey, type Instance, type RunState } from './instances.ts';
import { lessonEntry, type LessonEntry } from './lessons.ts';
import { ServerStartError } from './server.ts';
import { TimedOut } from './time.ts';
import type { Check, ClaimResult, Counts, Env, LessonReport, Status } from './types.ts';

/** A check's limit on an idle machine, unless it sets its own. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * How many checks run at once on one server. More at once would only queue on a small
 * machine, and a queued request can run out of time.
 */
const CHECKS_AT_ONCE = 4;

export function emptyCounts(): Counts {
  return { pass: 0, fail: 0, warn: 0, skip: 0, timeout: 0 };
}

export function count(results: readonly { status: Status }[]): Counts {
  const counts = emptyCounts();
  for (const result of results) counts[result.status] += 1;
  return counts;
}

/** The part of a result every outcome shares. */
function baseResult(check: Check): Omit<ClaimResult, 'status' | 'message' | 'durationMs'> {
  return {
    id: check.id,
    lesson: check.lesson,
    claim: check.claim,
    reference: check.reference,
    notes: `${lessonEntry(check.lesson)?.notes ?? `lesson ${check.lesson}`}#${check.section}`,
  };
}

export function skipped(check: Check, reason: string): ClaimResult {
  return { ...baseResult(check), status: 'skip', message: `skipped: ${reason}`, durationMs: 0 };
}

function failedToStart(check: Check, state: RunState, error: unknown): ClaimResult {
  const message = `the server did not start: ${(error as Error).message}`;
  return { ...baseResult(check), status: check.profiles[state.profile] ?? 'fail', message, durationMs: 0 };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut('the check', ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `not written yet: SessionAuth.createSession (workspace/…:71)` when `res` is an exercise stub's 501. */
function notWrittenYet(res: HttpResponse | undefined): string | null {
  const error = res?.status === 501 ? (res.json() as { error?: unknown } | undefined)?.error : undefined;
  return typeof error === 'string' && error.startsWith('not written yet: ') ? error : null;
}

/** Runs one check and turns whatever happens into its result. */
async function runCheck(check: Check, state: RunState, main: Instance, lesson: LessonEntry, shared: SharedVariants): Promise<ClaimResult> {
  const run = new CheckRun(state, main, lesson, shared);
  const started = performance.now();
  let status: Status = 'pass';
  let message = 'ok';
  let details: FailureDetails = {};
  try {
    const outcome = await withTimeout(check.run(run.context()), state.limits.check(check.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    if (typeof outcome === 'string') message = outcome;
  } catch (error) {
    if (error instanceof SkipCheck) {
      status = 'skip';
      message = `skipped: ${error.message}`;
    } else if (error instanceof TimedOut || (error instanceof NoAnswerError && error.timedOut)) {
      // Not a verdict: the machine may be busy, and the claim was neither proved nor broken.
      status = 'timeout';
      message = error.message;
    } else {
      status = check.profiles[state.profile] ?? 'fail';
      if (error instanceof CheckFailure) {
        // An exercise stub (npm run learn) says which function to write, not "expected 200, got 501".
        message = notWrittenYet(error.details.response) ?? error.message;
        details = error.details;
      } else if (error instanceof ServerStartError) {
        message = `a server the check started (or restarted) did not come up: ${error.message}`;
      } else if (error instanceof NoAnswerError) {
        const exit = run.instances.map((instance) => instance.exitReason()).find(Boolean);
        message = exit ? `${error.message}: ${exit}` : error.message;
      } else {
        message = `the check itself crashed: ${(error as Error)?.stack ?? String(error)}`;
      }
    }
  } finally {
    await run.cleanup();
  }
  const result: ClaimResult = { ...baseResult(check), status, message, durationMs: Math.round(performance.now() - started) };
  if (status === 'fail' || status === 'warn') Object.assign(result, failureFields(run, details));
  return result;
}

/** Runs checks on one server: the others a few at a time, then the exclusive ones one by one. */
async function runOnInstance(checks: readonly Check[], state: RunState, instance: Instance, lesson: LessonEntry): Promise<Map<Check, ClaimResult>> {
  const results = new Map<Check, ClaimResult>();
  const shared: SharedVariants = new Map();
  const exclusive = (check: Check) => check.exclusive || check.needs?.includes('restart');
  const queue = checks.filter((check) => !exclusive(check));
  const worker = async () => {
    for (let check = queue.shift(); check; check = queue.shift()) results.set(check, await runCheck(check, state, instance, lesson, shared));
  };
  try {
    await Promise.all(Array.from({ length: CHECKS_AT_ONCE }, worker));
    for (const check of checks.filter(exclusive)) results.set(check, await runCheck(check, state, instance, lesson, shared));
  } finally {
    await Promise.allSettled([...shared.values()].map(({ instance: variant }) => variant.stop()));
  }
  return results;
}

/** Why a check does not apply to a server of lesson `serverLesson`, or null. */
function retired(check: Check, serverLesson: number): string | null {
  if (!check.until || serverLesson < check.until.lesson) return null;
  return `no longer applies from lesson ${check.until.lesson}: ${check.until.reason}`;
}

/** Where a lesson's checks run: the servers of one mode. */
export interface Servers {
  /** The lesson the server implements (how clients log in, which claims no longer apply). */
  readonly lesson: LessonEntry;
  /** The checks' groups run side by side (each on its own server) or one after the other. */
  readonly parallel: boolean;
  /** The environment the server of `check` runs with. */
  envFor(check: Check): Env;
  /** Why `check` cannot run on these servers (a need, an environment they lack), or null. */
  excluded(check: Check, env: Env): string | null;
  /** A server for this environment, not started yet. */
  create(env: Env): Instance;
  /** Adds to a failure's message what the learner may be missing (`--user`, `--server-lesson`). */
  hint?(instance: Instance, result: ClaimResult): void;
}

/**
 * A check that rests on another claim ({@link Check.restsOn}) is not judged when that claim
 * failed: one mistake, one broken claim.
 */
function foldRestsOn(checks: readonly Check[], results: Map<Check, ClaimResult>): void {
  const byId = new Map(checks.map((check) => [check.id, results.get(check)]));
  for (const check of checks) {
    const result = results.get(check);
    const base = check.restsOn ? byId.get(check.restsOn) : undefined;
    if (!result || !base || (result.status !== 'fail' && result.status !== 'warn')) continue;
    if (base.status !== 'fail' && base.status !== 'warn') continue;
    results.set(check, {
      ...baseResult(check),
      status: 'skip',
      message: `skipped: it rests on ${base.id}, which this server breaks (this check said: ${result.message.split('\n')[0]})`,
      restsOn: base.id,
      durationMs: result.durationMs,
    });
  }
}

/** Runs one lesson's checks on `servers` and reports them in the lesson's order. */
export async function runLesson(lesson: LessonEntry, checks: readonly Check[], servers: Servers, state: RunState, label: string): Promise<LessonReport> {
  const started = performance.now();
  const results = new Map<Check, ClaimResult>();
  const groups = new Map<string, { env: Env; checks: Check[] }>();
  for (const check of checks) {
    const env = servers.envFor(check);
    const reason = retired(check, servers.lesson.number) ?? servers.excluded(check, env);
    if (reason) {
      results.set(check, skipped(check, reason));
      continue;
    }
    const key = envKey(env);
    const group = groups.get(key) ?? { env, checks: [] };
    group.checks.push(check);
    groups.set(key, group);
  }
  const runGroup = async (group: { env: Env; checks: Check[] }) => {
    const instance = servers.create(group.env);
    try {
      await instance.start();
    } catch (error) {
      for (const check of group.checks) results.set(check, failedToStart(check, state, error));
      await instance.stop();
      return;
    }
    try {
      for (const [check, result] of await runOnInstance(group.checks, state, instance, servers.lesson)) {
        if (result.status === 'fail' || result.status === 'warn') servers.hint?.(instance, result);
        results.set(check, result);
      }
    } finally {
      await instance.stop();
    }
  };
  if (servers.parallel) await Promise.all([...groups.values()].map(runGroup));
  else for (const group of groups.values()) await runGroup(group);
  foldRestsOn(checks, results);
  const ordered = checks.map((check) => results.get(check) as ClaimResult);
  const durationMs = Math.round(performance.now() - started);
  return { lesson: lesson.number, title: lesson.title, server: label, results: ordered, durationMs, counts: count(ordered) };
}
