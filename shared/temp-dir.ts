/**
 * Temporary folders that go when the process goes: at its exit, and also when SIGINT, SIGTERM
 * or SIGHUP ends it (a stopped test run, a timeout), which by default ends a process without
 * running its exit handlers.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();
let removingAtExit = false;

function removeAll(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function removeAtExit(): void {
  if (removingAtExit) return;
  removingAtExit = true;
  process.on('exit', removeAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // When something else listens too (a server's shutdown, the check runner), it decides how
      // the process ends, and 'exit' removes the folders then. Alone, end the process as the
      // signal would have, but through 'exit': status 128 + the signal's number, as shells say.
      if (process.listenerCount(signal) === 1) process.exit(128 + constants.signals[signal]);
    });
  }
}

/**
 * A new folder in the system's temporary directory, named `prefix` + random characters,
 * removed by {@link removeTempDir} or when the process ends, even by a signal.
 *
 * @example
 * const dir = makeTempDir('lesson-5-server-test-');
 */
export function makeTempDir(prefix: string): string {
  removeAtExit();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/**
 * Removes a folder made by {@link makeTempDir} now.
 *
 * @example
 * removeTempDir(dir);
 */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}
