import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatSessionReport } from './report.ts';
import { runConcurrency, runCrashSafety, runSharedConcurrency } from './sessions.ts';

// Passwords stored at a low scrypt cost (the lessons read the cost from the hash), so 500
// logins take seconds; `npm run fuzz` runs the same scenarios at the lessons' own cost.
// One at a time: a crash must land while logins are in flight, which a client busy with
// another test's 500 logins would notice too late.
describe('stored sessions under a crash and under concurrency (lessons 5 and 6)', () => {
  for (const lesson of [5, 6]) {
    test(`lesson ${lesson}: SIGKILL during 200 concurrent logins: every login that got a 200 still authenticates`, { timeout: 300_000 }, async (t) => {
      const report = await runCrashSafety({ lesson, logins: 200, cost: 'low' });
      t.diagnostic(report.summary);
      assert.deepEqual(report.problems, [], formatSessionReport(report));
    });
    test(`lesson ${lesson}: 500 concurrent logins give 500 distinct valid sessions; 500 concurrent logouts leave none`, { timeout: 300_000 }, async (t) => {
      const report = await runConcurrency({ lesson, logins: 500, cost: 'low' });
      t.diagnostic(report.summary);
      assert.deepEqual(report.problems, [], formatSessionReport(report));
    });
  }
});

describe('sessions in Redis shared by several instances (lesson 8)', () => {
  test('lesson 8: 500 concurrent logins over 3 instances give 500 distinct sessions, valid on every instance; 500 concurrent logouts leave none', { timeout: 300_000 }, async (t) => {
    const report = await runSharedConcurrency({ logins: 500, instances: 3, cost: 'low' });
    t.diagnostic(report.summary);
    assert.deepEqual(report.problems, [], formatSessionReport(report));
  });
});
