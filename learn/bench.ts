/**
 * `node --import tsx learn/bench.ts [--saves N] [--lessons 1,2,...]`: how long the exercise
 * mode makes a learner wait.
 *
 * 1. From a save to the step's result: the watch mode runs on a temporary workspace, and the
 *    file of the current step (0.1) is saved N times, each time with another wrong body, so
 *    every save is graded again; the figure is the one the watch mode prints itself ("… s
 *    after your save": from the file-system event to the result on screen).
 * 2. From a lesson's last step to its claims' results, as the watch mode runs them: first the
 *    claims on one server (the first verdict), then the rest; on a workspace filled with the
 *    reference, each lesson N times after one warm-up run (which fills the TypeScript cache).
 *
 * Run it under the shared lock on a quiet machine; it prints medians and ranges.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mergeReports, runWorkspaceClaims } from './claims.ts';
import { findMarkers, replaceBodies } from './markers.ts';
import { projectRoot, writeWorkspace } from './workspace.ts';

const { values } = parseArgs({ options: { saves: { type: 'string', default: '10' }, lessons: { type: 'string', default: '0,1,2,3,4,5,6' }, rounds: { type: 'string', default: '3' } } });
const saves = Number(values.saves);
const rounds = Number(values.rounds);
const scratch = mkdtempSync(join(tmpdir(), 'learn-bench-'));

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `median ${(median / 1000).toFixed(2)} s (${(sorted[0]! / 1000).toFixed(2)}–${(sorted.at(-1)! / 1000).toFixed(2)} s, ${ms.length} runs)`;
}

async function saveToResult(): Promise<{ figures: number[]; runs: number[] }> {
  const dir = join(scratch, 'watched');
  writeWorkspace(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'learn/cli.ts'], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', LEARN_WORKSPACE: dir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  /** Waits for `pattern` in the output from `from` on; a guard against a lost save, not a time limit. */
  const waitFor = async (pattern: RegExp, from: number) => {
    for (let waited = 0; !pattern.test(output.slice(from)); waited += 10) {
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`no ${pattern} in the watch mode's output:\n${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return pattern.exec(output.slice(from))!;
  };
  await waitFor(/not written yet: listUsers/, 0);
  const file = join(dir, '00-users-api/views/users.ts');
  const figures: number[] = [];
  const runs: number[] = [];
  for (let i = 0; i < saves; i++) {
    const source = readFileSync(file, 'utf8');
    // A wrong answer that changes every time: the step fails, so the focus stays on it.
    const wrong = `{\n  res.json([${i}]);\n}`;
    const from = output.length;
    writeFileSync(file, replaceBodies(source, findMarkers(source), (marker) => (marker.step === '0.1' ? wrong : null)));
    const [, run, seconds] = await waitFor(/in ([\d.]+) s, ([\d.]+) s after your save/, from);
    figures.push(Number(seconds) * 1000);
    runs.push(Number(run) * 1000);
    // Let the spare runner start, as it does while a learner reads the result and types.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  child.stdin.write('q\n');
  await new Promise((resolve) => child.once('exit', resolve));
  return { figures, runs };
}

interface ClaimTimes {
  /** To the first verdict: the claims on one server (what the watch mode shows first). */
  quick: number[];
  /** To every claim's result. */
  all: number[];
  slowest: string;
}

async function claims(lessons: number[]): Promise<Map<number, ClaimTimes>> {
  const dir = join(scratch, 'filled');
  writeWorkspace(dir, { stubbed: () => false });
  const figures = new Map<number, ClaimTimes>();
  for (const lesson of lessons) {
    const times: ClaimTimes = { quick: [], all: [], slowest: '' };
    for (let round = 0; round <= rounds; round++) {
      const started = performance.now();
      const quick = await runWorkspaceClaims(dir, lesson, 'quick');
      const quickMs = performance.now() - started;
      const rest = await runWorkspaceClaims(dir, lesson, 'rest');
      const report = quick ? mergeReports(quick, rest) : rest!;
      if (report.counts.fail) throw new Error(`lesson ${lesson}: the reference fails ${report.counts.fail} claims`);
      // Round 0 warms up (it fills the TypeScript cache of the servers' files).
      if (round === 0) continue;
      // A lesson whose claims all need more than one server has its first verdict with the rest.
      times.quick.push(quick ? quickMs : performance.now() - started);
      times.all.push(performance.now() - started);
      const top = [...report.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 3);
      times.slowest = top.map((result) => `${result.id} ${(result.durationMs / 1000).toFixed(1)} s`).join(', ');
    }
    figures.set(lesson, times);
  }
  return figures;
}

try {
  if (saves > 0) {
    const { figures, runs } = await saveToResult();
    console.log(`save → step result (step 0.1, watch mode): ${summary(figures)}; of which the tests' run: ${summary(runs)}`);
  }
  for (const [lesson, { quick, all, slowest }] of await claims(values.lessons.split(',').map(Number))) {
    console.log(`lesson ${lesson}'s claims on the learner's server: first verdict ${summary(quick)}; all ${summary(all)}; slowest: ${slowest}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
