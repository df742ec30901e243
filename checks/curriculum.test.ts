/**
 * The curriculum is sound: every lesson passes its own checks and the earlier lessons'
 * checks that still apply to it, and each lesson's new checks fail on the previous lesson's
 * server (proof that the lesson adds what its notes claim).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presentLessons } from './lessons.ts';
import { runChecks } from './runner.ts';
import { prepareUsers } from './users.ts';
import type { ClaimResult, RunReport } from './types.ts';

const users = prepareUsers();
const lessons = presentLessons();

function results(report: RunReport): ClaimResult[] {
  return report.lessons.flatMap((lesson) => lesson.results);
}

function explain(list: readonly ClaimResult[]): string {
  return list.map((r) => `${r.id} ${r.status}: ${r.message}`).join('\n');
}

// Start every run now: the lessons' servers run side by side, the tests then only wait.
const own = new Map(lessons.map((entry) => [entry.number, runChecks({ lessons: [entry.number], withEarlier: true, users })]));
const onPrevious = new Map(
  lessons.slice(1).map((entry, i) => [entry.number, runChecks({ lessons: [entry.number], server: { lesson: lessons[i]!.number }, users })]),
);

for (const entry of lessons) {
  test(`lesson ${entry.number} passes its own checks and the earlier ones that still apply`, async () => {
    const all = results(await own.get(entry.number)!);
    const ids = new Set(all.map((r) => r.id));
    // Every earlier check is there: run, or skipped with the reason it no longer applies.
    const expected = lessons.filter((one) => one.number <= entry.number).flatMap((one) => one.checks.map((check) => check.id));
    assert.deepEqual([...ids].sort(), [...expected].sort());
    const notPassing = all.filter((r) => r.status !== 'pass' && !(r.status === 'skip' && /no longer applies from lesson/.test(r.message)));
    assert.deepEqual(notPassing, [], explain(notPassing));
  });
}

for (const [index, entry] of lessons.slice(1).entries()) {
  const previous = lessons[index]!;
  test(`lesson ${entry.number}'s own checks all fail on lesson ${previous.number}'s server`, async () => {
    const all = results(await onPrevious.get(entry.number)!);
    assert.deepEqual(all.map((r) => r.id).sort(), entry.checks.map((check) => check.id).sort());
    // A check that passes on the previous lesson proves nothing about this one.
    const passing = all.filter((r) => r.status !== 'fail' && r.status !== 'warn');
    assert.deepEqual(passing, [], explain(passing));
  });
}
