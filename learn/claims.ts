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
import type { LessonReport } from '../checks/types.ts';
import { prepareUsers, type PreparedUser } from '../checks/users.ts';

/** The workspace's server of lesson `number`. */
export function workspaceServer(dir: string, number: number): string {
  return join(dir, lessonPaths(lessonOf(number), '.').server);
}

/** Users for the checks, hashed once for a whole session of the watch mode. */
let users: Promise<PreparedUser[]> | undefined;

/**
 * Runs lesson `number`'s checks against the workspace's server of that lesson.
 *
 * @example
 * const report = await runWorkspaceClaims('workspace', 2);
 * report.counts.fail; // 0 once lesson 2 is written
 */
export async function runWorkspaceClaims(dir: string, number: number): Promise<LessonReport> {
  users ??= prepareUsers();
  const run = await runChecks({ lessons: [number], server: { lesson: number, entry: workspaceServer(dir, number) }, users });
  return run.lessons[0]!;
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
