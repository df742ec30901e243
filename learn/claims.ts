/**
 * A lesson's claims over HTTP, on the learner's server: the same checks as
 * `npm run check -- N`, with the workspace's `server.ts` started instead of the lesson's.
 *
 * @module
 */
import { join } from 'node:path';
import { lesson as lessonOf, lessonPaths } from '../lessons/curriculum.ts';
import { formatLesson } from '../checks/report.ts';
import { runChecks } from '../checks/runner.ts';
import { lessonEntry } from '../checks/lessons.ts';
import type { Check, LessonReport } from '../checks/types.ts';

/** The workspace's server of lesson `number`. */
export function workspaceServer(dir: string, number: number): string {
  return join(dir, lessonPaths(lessonOf(number), '.').server);
}

/**
 * Which of a lesson's claims: `quick`, those that need only the one server (a first verdict
 * in a second or two); `rest`, those that restart it, start a second one or drive a browser;
 * or `all`.
 */
export type ClaimsPart = 'quick' | 'rest' | 'all';

/** The ids of lesson `number`'s claims in `part`. */
export function claimIds(number: number, part: ClaimsPart): string[] {
  const checks = lessonEntry(number)?.checks ?? [];
  const slow: readonly string[] = ['restart', 'variant', 'browser'];
  const quick = (check: Check) => !check.exclusive && !check.needs?.some((need) => slow.includes(need));
  return checks.filter((check) => part === 'all' || quick(check) === (part === 'quick')).map((check) => check.id);
}

/**
 * Runs lesson `number`'s checks (those of `part`) against the workspace's server of that
 * lesson; null when the part has none.
 *
 * @example
 * const report = await runWorkspaceClaims('workspace', 2);
 * report?.counts.fail; // 0 once lesson 2 is written
 */
export async function runWorkspaceClaims(dir: string, number: number, part: ClaimsPart = 'all'): Promise<LessonReport | null> {
  const only = claimIds(number, part);
  if (only.length === 0) return null;
  const run = await runChecks({ lessons: [number], server: { lesson: number, entry: workspaceServer(dir, number) }, only });
  return run.lessons[0] ?? null;
}

/** Two reports of one lesson as one, the claims in the registry's order. */
export function mergeReports(first: LessonReport, second: LessonReport | null): LessonReport {
  if (!second) return first;
  const order = claimIds(first.lesson, 'all');
  const results = [...first.results, ...second.results].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const counts = { ...first.counts };
  for (const status of Object.keys(counts) as (keyof typeof counts)[]) counts[status] += second.counts[status];
  return { ...first, results, counts, durationMs: first.durationMs + second.durationMs };
}

/**
 * The report as the watch mode shows it: the tally, and the first failure in full (expected,
 * got, the notes section and the curl replay), as `npm run check` prints it.
 */
export function formatClaims(report: LessonReport, color: boolean): string {
  const failed = report.results.filter((result) => result.status === 'fail');
  if (failed.length === 0) return formatLesson(report, { color });
  const lines = formatLesson({ ...report, results: failed.slice(0, 1) }, { color }).trimEnd().split('\n');
  if (failed.length > 1) lines.splice(-1, 0, `  … and ${failed.length - 1} more failing: npm run check -- ${report.lesson} --workspace shows them all`);
  return `${lines.join('\n')}\n`;
}
