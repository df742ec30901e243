/**
 * The learner's progress, kept in the workspace (`workspace/.progress.json`) so that it
 * survives restarts: which steps passed, how many hints were shown, which lessons' claims
 * passed. It is a memory, not the truth: the tests are run again to say what passes now, and
 * a step that passed before and fails now is shown as broken.
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepResult } from './run-steps.ts';

/** What the file holds. */
export interface Progress {
  version: 1;
  /** Step id → when it first passed (ISO time). */
  solved: Record<string, string>;
  /** Step id → how many of its hints were shown. */
  hints: Record<string, number>;
  /** Lesson number → when its claims passed over HTTP, or `skipped` (filled with the reference). */
  claims: Record<string, string>;
}

/** Where a step stands. */
export type StepState = 'solved' | 'unsolved' | 'broken';

const FILE = '.progress.json';

/** The progress kept in workspace `dir` (empty when there is none). */
export function loadProgress(dir: string): Progress {
  const path = join(dir, FILE);
  const empty: Progress = { version: 1, solved: {}, hints: {}, claims: {} };
  if (!existsSync(path)) return empty;
  try {
    const read = JSON.parse(readFileSync(path, 'utf8')) as Partial<Progress>;
    return { ...empty, ...read, version: 1 };
  } catch {
    // A progress file someone broke by hand: the tests will say again what passes.
    return empty;
  }
}

/** Writes the progress into workspace `dir`. */
export function saveProgress(dir: string, progress: Progress): void {
  writeFileSync(join(dir, FILE), `${JSON.stringify(progress, null, 2)}\n`);
}

/** A step's state from a fresh result and what the progress remembers. */
export function stateOf(result: StepResult | undefined, progress: Progress, id: string): StepState {
  if (result?.ok) return 'solved';
  return progress.solved[id] ? 'broken' : 'unsolved';
}

/** Records fresh results: a step that passes is solved (from its first pass on). */
export function record(progress: Progress, results: readonly StepResult[]): void {
  const now = new Date().toISOString();
  for (const result of results) if (result.ok) progress.solved[result.id] ??= now;
}
