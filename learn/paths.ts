/**
 * Where things are, for the exercise tools: the project, the reference lessons, the
 * learner's workspace. Imports nothing heavy, so that the step runner's child starts fast.
 *
 * @module
 */
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The reference code. */
export const lessonsDir = join(projectRoot, 'lessons');

/** The learner's workspace: `workspace/` at the root, or `LEARN_WORKSPACE` (tests use it). */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LEARN_WORKSPACE ? resolve(env.LEARN_WORKSPACE) : join(projectRoot, 'workspace');
}

/** A path for messages: from the project root when it is inside it. */
export function shown(path: string): string {
  const fromRoot = relative(projectRoot, path);
  return fromRoot.startsWith('..') ? path : fromRoot.split(sep).join('/');
}
