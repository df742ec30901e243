/**
 * Smoke test: `npm run bench -- --smoke` still runs end to end, in rounds against the
 * baseline, and writes its three files. Shortest settings, one lesson, no timing threshold
 * (the machine may be busy).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot } from '../checks/server.ts';
import type { Report } from './report.ts';

test('npm run bench -- --smoke writes the table, the chart and the raw results', { timeout: 180_000 }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'bench-test-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const args = ['--import', 'tsx', 'bench/run.ts', '--smoke', '--only', 'lesson2', '--connections', '2', '--out', out];
  // Without NODE_TEST_CONTEXT: the bench is not a test file reporting to this runner.
  const env = { ...process.env, NODE_TEST_CONTEXT: undefined };
  const result = spawnSync(process.execPath, args, { cwd: projectRoot, env, encoding: 'utf8', timeout: 150_000 });
  assert.equal(result.status, 0, `bench exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);

  const report = JSON.parse(readFileSync(join(out, 'benchmarks.json'), 'utf8')) as Report;
  assert.deepEqual(report.rows.map((row) => [row.name, row.status]), [['lesson2', 'ok']]);
  // --smoke: two rounds, each the baseline then the lesson.
  const [row] = report.rows;
  assert.equal(row!.rounds!.length, 2);
  assert.ok(row!.rounds!.every((round) => round.baseline.rps > 0 && round.lesson.rps > 0));
  assert.ok(row!.summary!.ratio!.median > 0);
  assert.ok(report.baselineRps!.median > 0);
  assert.match(readFileSync(join(out, 'benchmarks.md'), 'utf8'), /\| `lesson2` lesson 2: Session auth \| [\d,]+ \|/);
  assert.match(readFileSync(join(out, 'benchmarks.svg'), 'utf8'), /^<svg [^]*<\/svg>\n$/);
});
