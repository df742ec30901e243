/**
 * Runs steps' tests against a copy of the lessons (the reference `lessons/`, or a workspace)
 * and turns what happens into results: passed, or the first failure with what was expected
 * and what came back, or "not written yet" for a stub.
 *
 * In-process ({@link runSteps}: the soundness tests, which give each copy its own folder and
 * so its own modules), or in a child process ({@link spawnSteps}: the watch mode, where every
 * run must see the files as they are now, and an endless loop must not hang the loop). Run
 * as a script, this file is that child: `node --import tsx learn/run-steps.ts DIR 2.1 2.2`.
 *
 * @module
 */
import { AssertionError } from 'node:assert';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { openDatabase, useDatabase } from '../shared/db.ts';
import { NotWrittenError } from '../shared/not-written.ts';
import { findStep } from '../lessons/curriculum.ts';
import type { StepContext, StepTest } from './steps/helpers.ts';
import { projectRoot, shown } from './workspace.ts';

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
    const message = error.generatedMessage ? error.message.split('\n')[0]! : error.message;
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
type Message = { started: string } | { result: StepResult };

/**
 * Runs steps' tests in a fresh child process, so that they see the files as they are now. A
 * test that hangs (a loop that never ends) is killed after {@link stepTimeoutMs} and
 * reported; the steps after it run in a new child. What the code under test prints is
 * collected in `output`.
 *
 * @example
 * const { results } = await spawnSteps('workspace', ['2.1', '2.2']);
 */
export async function spawnSteps(root: string, ids: readonly string[]): Promise<{ results: StepResult[]; output: string }> {
  const results: StepResult[] = [];
  let output = '';
  let remaining = [...ids];
  while (remaining.length > 0) {
    const batch = remaining;
    const done = await new Promise<StepResult[]>((resolveBatch) => {
      const child = fork(fileURLToPath(import.meta.url), [resolve(root), ...batch], {
        cwd: projectRoot,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      });
      const got: StepResult[] = [];
      let current: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => child.kill('SIGKILL'), stepTimeoutMs + 2_000);
      };
      arm();
      child.stdout?.on('data', (chunk) => (output += chunk));
      child.stderr?.on('data', (chunk) => (output += chunk));
      child.on('message', (message: Message) => {
        arm();
        if ('started' in message) current = message.started;
        else got.push(message.result);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const pending = batch.find((id) => !got.some((result) => result.id === id));
        if (pending !== undefined && (pending === current || got.length === 0)) {
          const why = signal === 'SIGKILL' ? `did not finish within ${stepTimeoutMs / 1000} s: an endless loop?` : `stopped its process (exit ${code ?? signal})`;
          got.push({ id: pending, ok: false, durationMs: 0, failure: { message: `step ${pending}'s test ${why}` } });
        }
        resolveBatch(got);
      });
    });
    results.push(...done);
    remaining = remaining.filter((id) => !results.some((result) => result.id === id));
  }
  return { results: ids.map((id) => results.find((result) => result.id === id)!), output };
}

// As a child: run the steps named on the command line, report each over IPC.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.send) {
  const [root, ...ids] = process.argv.slice(2);
  const send = (message: Message) => new Promise((sent) => process.send!(message, sent));
  for (const id of ids) {
    await send({ started: id });
    await send({ result: await runStep(root!, id) });
  }
  // Whatever the tested code left open (a server, a timer), the run is over.
  process.exit(0);
}
