/**
 * The exercise mode end to end, as a learner meets it, on a workspace of its own
 * (`LEARN_WORKSPACE`): a fresh workspace lists every step unsolved; `npm run check -- 2
 * --workspace` fails on it, every claim as "not written yet" while the server still starts,
 * and passes after `npm run learn -- skip 0 1 2`; `solution` and `reset`. Each lesson stubbed
 * (lesson 2's runs a stub at start, lesson 6's while its app is built) still starts a server
 * that says what to write. The watch mode without a terminal.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { allSteps, lessons } from '../lessons/curriculum.ts';
import { runWorkspaceClaims } from './claims.ts';
import { bodyOf, findMarkers, isStub, replaceBodies } from './markers.ts';
import { lessonsDir, projectRoot, writeWorkspace } from './workspace.ts';

const scratch = mkdtempSync(join(tmpdir(), 'learn-done-when-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `node --import tsx <script> ...args` from the project root; its exit status and output. */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: projectRoot,
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

test('fresh: every step unsolved; lesson 2 fails as "not written yet"; after skip 0 1 2 it passes', async () => {
  const env = { LEARN_WORKSPACE: join(scratch, 'workspace') };
  const list = await run('learn/cli.ts', ['list', '--json'], env);
  assert.equal(list.status, 0, list.stderr);
  const listed = JSON.parse(list.stdout) as { solved: number; total: number; lessons: { steps: { id: string; state: string }[] }[] };
  const states = listed.lessons.flatMap((lesson) => lesson.steps.map((step) => step.state));
  assert.equal(states.length, allSteps().length);
  assert.deepEqual([...new Set(states)], ['unsolved'], 'every step of a fresh workspace is unsolved');
  assert.equal(listed.solved, 0);

  const fresh = await run('checks/cli.ts', ['2', '--workspace'], env);
  assert.equal(fresh.status, 1, `npm run check -- 2 --workspace fails on a fresh workspace\n${fresh.stdout}${fresh.stderr}`);
  const failures = [...fresh.stdout.matchAll(/^ {2}FAIL .*\n {8}(.*)$/gm)].map((match) => match[1]);
  assert.ok(failures.length > 0, fresh.stdout);
  // Each names a stub to write: lesson 2's, or an earlier lesson's that lesson 2 runs on (requireAuth).
  const written = new Map(allSteps().filter(({ lesson }) => lesson.number <= 2).map(({ lesson, step }) => [step.name, lesson.folder]));
  for (const message of failures) {
    const [, name, file] = /^not written yet: (\S+) \((.*\.ts):\d+\)$/.exec(message!) ?? [];
    assert.ok(name && written.has(name) && file!.includes(`/${written.get(name)}/`), `a stub of lessons 0-2, with its file and line: ${message}`);
  }
  // Lesson 2's own stub is named too: by a failure, or by the skips of the claims that rest on one.
  assert.match(fresh.stdout, /not written yet: SessionAuth\.createSession \(.*\/02-session-auth\/session-auth\.ts:\d+\)/);

  const skip = await run('learn/cli.ts', ['skip', '0', '1', '2'], env);
  assert.equal(skip.status, 0, skip.stdout + skip.stderr);
  const filled = await run('checks/cli.ts', ['2', '--workspace'], env);
  assert.equal(filled.status, 0, `npm run check -- 2 --workspace passes after skip 0 1 2\n${filled.stdout}${filled.stderr}`);

  // solution once the lesson passes; reset asks (and, without a terminal, wants --yes).
  const solution = await run('learn/cli.ts', ['solution', '2'], env);
  assert.equal(solution.status, 0, solution.stderr);
  assert.match(solution.stdout, /step 2\.2 SessionAuth\.createSession.*\n {2}the same as the reference/);
  const unconfirmed = await run('learn/cli.ts', ['reset', '2.2'], env);
  assert.equal(unconfirmed.status, 1);
  assert.match(unconfirmed.stderr, /add --yes/);
  const reset = await run('learn/cli.ts', ['reset', '2.2', '--yes'], env);
  assert.equal(reset.status, 0, reset.stderr);
  const source = readFileSync(join(env.LEARN_WORKSPACE, '02-session-auth/session-auth.ts'), 'utf8');
  const stubs = findMarkers(source).filter((marker) => isStub(bodyOf(source, marker))).map((marker) => marker.step);
  assert.deepEqual(stubs, ['2.2'], 'reset 2.2 puts back the stub of step 2.2 only');
  const locked = await run('learn/cli.ts', ['solution', '2'], env);
  assert.equal(locked.status, 1, 'no solution for a lesson that does not pass');

  // Progress is re-validated: step 2.3 passed, then the learner breaks it: broken, not solved.
  // (And reset's stub must load in a workspace outside the project: LEARN_WORKSPACE here.)
  const file = join(env.LEARN_WORKSPACE, '02-session-auth/session-auth.ts');
  const mine = readFileSync(file, 'utf8');
  writeFileSync(file, replaceBodies(mine, findMarkers(mine), (marker) => (marker.step === '2.3' ? '{\n    return null;\n  }' : null)));
  const relisted = await run('learn/cli.ts', ['list', '--json'], env);
  assert.equal(relisted.status, 0, relisted.stderr);
  const lesson2 = (JSON.parse(relisted.stdout) as typeof listed).lessons[2]!.steps;
  const stateOf = (id: string) => lesson2.find((step) => step.id === id)?.state;
  assert.deepEqual([stateOf('2.1'), stateOf('2.2'), stateOf('2.3')], ['solved', 'unsolved', 'broken']);
  const lesson1 = (JSON.parse(relisted.stdout) as typeof listed).lessons[1]!.steps;
  assert.deepEqual([...new Set(lesson1.map((step) => step.state))], ['solved'], 'what still passes stays solved');
});

// Lesson N stubbed on the reference's earlier lessons: its server starts (lesson 2 calls a stub
// at start, lesson 6 while its app is built), and the claims it fails each name a stub of N.
for (const entry of lessons.filter((one) => one.steps?.length)) {
  test(`lesson ${entry.number} stubbed: the server starts, and each claim it fails names the function to write`, async () => {
    const dir = join(scratch, `lesson-${entry.number}-stubbed`);
    writeWorkspace(dir, { stubbed: (id) => id.startsWith(`${entry.number}.`) });
    // The one server's claims: the point is its answers, not restarts or second servers.
    const report = await runWorkspaceClaims(dir, entry.number, 'quick');
    const failed = report!.results.filter((result) => result.status === 'fail' || result.status === 'warn');
    assert.ok(failed.length > 0, 'the stubbed lesson fails its claims');
    // Claims that only given code keeps (lesson 6's secret rules) may pass; every failure is a stub.
    const names = entry.steps!.map((step) => step.name);
    const other = failed.filter((result) => !names.some((name) => result.message.startsWith(`not written yet: ${name} (`)));
    assert.deepEqual(other.map((result) => `${result.id} ${result.status}: ${result.message}`), []);
  });
}

test('the watch mode without a terminal: the current step, graded again on save, then the next; keys as lines', async (t) => {
  const dir = join(scratch, 'watched');
  writeWorkspace(dir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'learn/cli.ts'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, NO_COLOR: '1', LEARN_WORKSPACE: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  /** Waits until the output (from `from` on) matches; a hang guard, not a time limit on the loop. */
  const waitFor = async (pattern: RegExp, from = 0) => {
    for (let waited = 0; !pattern.test(output.slice(from)); waited += 50) {
      if (waited > 120_000 || child.exitCode !== null) assert.fail(`no ${pattern} in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await waitFor(/step 0\.1 \(1 of 5\)[\s\S]*not written yet: listUsers \(.*users\.ts:\d+\)[\s\S]*type h \(hint\)/);

  // The learner writes step 0.1 (the reference's body) and saves.
  const file = join(dir, '00-users-api/views/users.ts');
  const reference = readFileSync(join(lessonsDir, '00-users-api/views/users.ts'), 'utf8');
  const body = bodyOf(reference, findMarkers(reference).find((marker) => marker.step === '0.1')!);
  const mine = readFileSync(file, 'utf8');
  const saved = output.length;
  writeFileSync(file, replaceBodies(mine, findMarkers(mine), (marker) => (marker.step === '0.1' ? body : null)));
  await waitFor(/✓ step 0\.1 listUsers passes\.[\s\S]*step 0\.2 \(2 of 5\)[\s\S]*not written yet: showUser/, saved);

  const beforeHint = output.length;
  child.stdin.write('h\n');
  await waitFor(/hint 1 of 3: The id is a route parameter/, beforeHint);
  child.stdin.write('q\n');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  assert.match(output, /Your progress is saved/);
  assert.equal(JSON.parse(readFileSync(join(dir, '.progress.json'), 'utf8')).hints['0.2'], 1, 'the hint shown is remembered');
});
