/**
 * Runs steps' tests against a copy of the lessons (the reference `lessons/`, or a workspace)
 * and turns what happens into results: passed, or the first failure with what was expected
 * and what came back, or "not written yet" for a stub.
 *
 * In-process ({@link runSteps}: the soundness tests, which give each copy its own folder and
 * so its own modules), or in a child process ({@link spawnSteps}: the watch mode, where every
 * run must see the files as they are now, and an endless loop must not hang the loop). Run
 * as a script (by {@link spawnSteps}), this file is that child: it loads what every run
 * needs, says it is ready, runs the steps its parent sends, and exits.
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { openDatabase, useDatabase } from '../shared/db.ts';
import { NotWrittenError } from '../shared/not-written.ts';
import { allSteps, findStep } from '../lessons/curriculum.ts';
import type { StepContext, StepTest } from './steps/helpers.ts';
import { projectRoot, shown } from './paths.ts';

/** Why a step's test failed. */
export interface StepFailure {
  /** One line (or a few): what was asked and what went wrong. */
  message: string;
  /** What the test wanted, when it compared values. */
  expected?: string;
  /** What the code gave. */
  actual?: string;
  /** The failure is a stub that is not written yet (this step's or another's). */
  notWritten?: boolean;
  /** Where in the tested code an exception came from: `workspace/02-session-auth/session-auth.ts:71`. */
  at?: string;
}

/** The outcome of one step's test. */
export interface StepResult {
  id: string;
  ok: boolean;
  durationMs: number;
  failure?: StepFailure;
}

/** How long one step's test may take (they take milliseconds; a hang is a bug in the code under test). */
export const stepTimeoutMs = 10_000;

function show(value: unknown): string {
  return inspect(value, { depth: 3, breakLength: 100, maxStringLength: 300 });
}

/** The first stack frame of `error` in the tested copy, as `file:line`. */
function frameIn(root: string, error: Error): string | undefined {
  for (const line of (error.stack ?? '').split('\n')) {
    const match = /\(?((?:file:\/\/)?\/[^()\s]+?):(\d+):\d+\)?$/.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (!relative(root, file).startsWith('..')) return `${shown(file)}:${match[2]}`;
  }
  return undefined;
}

/** A thrown value as a failure. */
export function describeFailure(error: unknown, root: string): StepFailure {
  if (error instanceof NotWrittenError || (error as { notWritten?: unknown })?.notWritten === true) {
    return { message: (error as Error).message, notWritten: true };
  }
  if (error instanceof AssertionError) {
    // Node adds its own diff under the message: expected and actual say it more plainly.
    const message = error.message.split('\n')[0]!;
    // assert.ok(x): "expected true, got false" says nothing the message does not.
    if (error.operator === '==' && error.expected === true) return { message };
    return { message, expected: show(error.expected), actual: show(error.actual) };
  }
  if (error instanceof Error) {
    const at = frameIn(root, error);
    return { message: `${error.name}: ${error.message}`, ...(at ? { at } : {}) };
  }
  return { message: `threw ${show(error)}` };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s: a promise that never settles, or a callback never called?`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The test function a step names (`learn/steps/lesson-02.ts#createSession`). */
async function loadTest(id: string): Promise<StepTest> {
  const [file, name] = findStep(id).step.test.split('#') as [string, string];
  const module = (await import(pathToFileURL(join(projectRoot, file)).href)) as Record<string, unknown>;
  const test = module[name];
  if (typeof test !== 'function') throw new Error(`${file} has no test ${name} (step ${id})`);
  return test as StepTest;
}

/**
 * Runs step `id`'s test against the lessons in `root` (`lessons/` or a workspace), on a
 * fresh temporary database.
 *
 * @example
 * await runStep('workspace', '2.2'); // { id: '2.2', ok: false, failure: { message: 'not written yet: ...', notWritten: true } }
 */
export async function runStep(root: string, id: string): Promise<StepResult> {
  const base = resolve(root);
  const started = performance.now();
  const folder = mkdtempSync(join(tmpdir(), 'learn-step-'));
  const db = openDatabase(join(folder, 'step.db'));
  useDatabase(db);
  const context: StepContext = { load: (file) => import(pathToFileURL(join(base, file)).href) };
  let failure: StepFailure | undefined;
  try {
    const test = await loadTest(id);
    await withTimeout(test(context), stepTimeoutMs, `step ${id}'s test`);
  } catch (error) {
    failure = describeFailure(error, base);
  } finally {
    db.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const durationMs = Math.round(performance.now() - started);
  return failure ? { id, ok: false, durationMs, failure } : { id, ok: true, durationMs };
}

/** Runs steps' tests one after the other, in this process. */
export async function runSteps(root: string, ids: readonly string[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const id of ids) results.push(await runStep(root, id));
  return results;
}

/** What the child says to its parent. */
type Message = { ready: true } | { started: string } | { result: StepResult };

/** A child process that has loaded the runner and waits for one run. */
interface Runner {
  child: ChildProcess;
  ready: Promise<boolean>;
  /** What the child printed (the code under test may print). */
  output: string[];
}

function startRunner(): Runner {
  const child = fork(fileURLToPath(import.meta.url), [], {
    cwd: projectRoot,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  const ready = new Promise<boolean>((resolve) => {
    child.on('message', (message: Message) => 'ready' in message && resolve(true));
    child.once('exit', () => resolve(false));
  });
  return { child, ready, output };
}

/** The runner kept ready for the next run (the watch mode's), started once the previous one is taken. */
let spare: Runner | undefined;
process.once('exit', () => spare?.child.kill('SIGKILL'));

/** Runs `ids` in `runner`; the results it gave before it ended (a hang is killed). */
function runIn(runner: Runner, root: string, ids: readonly string[]): Promise<StepResult[]> {
  return new Promise((resolveRun) => {
    const { child } = runner;
    const got: StepResult[] = [];
    let current: string | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), stepTimeoutMs + 2_000);
    };
    child.on('message', (message: Message) => {
      if ('started' in message) {
        current = message.started;
        arm();
      } else if ('result' in message) got.push(message.result);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const pending = ids.find((id) => !got.some((result) => result.id === id));
      if (pending !== undefined && (pending === current || got.length === 0)) {
        const why = signal === 'SIGKILL' ? `did not finish within ${stepTimeoutMs / 1000} s: an endless loop?` : `stopped its process (exit ${code ?? signal})`;
        got.push({ id: pending, ok: false, durationMs: 0, failure: { message: `step ${pending}'s test ${why}` } });
      }
      resolveRun(got);
    });
    arm();
    child.send({ root: resolve(root), ids });
  });
}

/**
 * Runs steps' tests in a fresh child process, so that they see the files as they are now. A
 * test that hangs (a loop that never ends) is killed after {@link stepTimeoutMs} and
 * reported; the steps after it run in a new child. What the code under test prints is
 * collected in `output`. With `keepWarm`, a spare child is started for the next call: it
 * loads Node, tsx and the packages while the learner types, so a save costs only the tests.
 *
 * @example
 * const { results } = await spawnSteps('workspace', ['2.1', '2.2']);
 */
export async function spawnSteps(root: string, ids: readonly string[], options: { keepWarm?: boolean } = {}): Promise<{ results: StepResult[]; output: string }> {
  const results: StepResult[] = [];
  const output: string[] = [];
  let remaining = [...ids];
  while (remaining.length > 0) {
    let runner = spare ?? startRunner();
    spare = undefined;
    if (!(await runner.ready)) runner = startRunner();
    results.push(...(await runIn(runner, root, remaining)));
    output.push(...runner.output);
    // Started after the run, not beside it: on a small machine it would take the run's CPU.
    if (options.keepWarm) spare ??= startRunner();
    remaining = remaining.filter((id) => !results.some((result) => result.id === id));
  }
  return { results: ids.map((id) => results.find((result) => result.id === id)!), output: output.join('') };
}

/** Stops the spare runner (the watch mode, when it quits). */
export function stopSpareRunner(): void {
  spare?.child.kill('SIGKILL');
  spare = undefined;
}

// As a child: load what every run needs, say so, run the steps the parent sends, and end.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.send) {
  const send = (message: Message) => new Promise((sent) => process.send!(message, sent));
  // Packages and the tests only, never the code under test: that is loaded fresh by the run.
  const tests = new Set(allSteps().map(({ step }) => pathToFileURL(join(projectRoot, step.test.split('#')[0]!)).href));
  await Promise.all(['express', 'express-session', 'cookie-parser', ...tests].map((specifier) => import(specifier)));
  process.once('message', async ({ root, ids }: { root: string; ids: string[] }) => {
    for (const id of ids) {
      await send({ started: id });
      await send({ result: await runStep(root, id) });
    }
    // Whatever the tested code left open (a server, a timer), the run is over.
    process.exit(0);
  });
  await send({ ready: true });
}
