/**
 * What an exercise stub throws (`npm run learn`): a function of the learner's workspace that
 * is not written yet. It names the function, its step and the notes section that explains
 * it; over HTTP it answers a JSON 501 (shared/http.ts), never a crash.
 *
 * @module
 */
import express, { type Express } from 'express';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `at Name (file:line:column)` or `at file:line:column`, the file a path or a file: URL. */
const FRAME = /^\s+at (?:.*? \()?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?$/;

/** The `file:line` of a stack's first frame, from the project root when it is inside it. */
function firstFrame(stack: string | undefined): string {
  const match = (stack ?? '').split('\n').map((line) => FRAME.exec(line)).find(Boolean);
  if (!match) return '';
  const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
  const fromRoot = relative(projectRoot, file);
  return `${fromRoot.startsWith('..') || isAbsolute(fromRoot) ? file : fromRoot}:${match[2]}`;
}

/**
 * A function the learner has not written yet. Its message names the function and where its
 * stub is: `not written yet: SessionAuth.createSession (workspace/02-session-auth/session-auth.ts:71)`.
 *
 * @example
 * throw new NotWrittenError('SessionAuth.createSession', '2.2', 'lessons/02-session-auth/README.md#what-this-lesson-adds');
 */
export class NotWrittenError extends Error {
  /** `NotWrittenError`, as stack traces show it. */
  override name = 'NotWrittenError';
  /** 501 Not Implemented: the status shared/http.ts answers with. */
  readonly status = 501;
  /** The stub's `file:line`, from the project root ('' when the stack does not say). */
  readonly where: string;

  /**
   * @param functionName what the learner writes: `SessionAuth.createSession`
   * @param step its step in the curriculum manifest: `2.2`
   * @param notes the notes section that explains it: `lessons/02-session-auth/README.md#...`
   */
  constructor(
    readonly functionName: string,
    readonly step: string,
    readonly notes: string,
  ) {
    // The stack's first frame, without this constructor, is the stub itself.
    const probe: { stack?: string } = {};
    Error.captureStackTrace(probe, NotWrittenError);
    const where = firstFrame(probe.stack);
    super(`not written yet: ${functionName}${where ? ` (${where})` : ''}`);
    this.where = where;
  }

  /** The JSON of the 501 answer. */
  toJSON(): { error: string; step: string; notes: string } {
    return { error: this.message, step: this.step, notes: this.notes };
  }
}

/**
 * An app that answers every request with `error`'s 501: what a lesson's server runs when a
 * stub is called while its app is built (lesson 6's session middleware), so that it still
 * starts and says what to write.
 *
 * @example
 * createServer(notWrittenApp(error)).listen(5000);
 */
export function notWrittenApp(error: NotWrittenError): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res) => void res.status(501).json(error.toJSON()));
  return app;
}
