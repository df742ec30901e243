/**
 * What a run is asked to do ({@link RunOptions}), checked before anything starts: the lessons
 * exist, the profile is known, `--url`, `--user`, `--env` and `--start` make sense.
 *
 * @module
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StartCommand } from './instances.ts';
import { presentLessons, type LessonEntry } from './lessons.ts';
import { projectRoot } from './server.ts';
import type { PreparedUser } from './users.ts';
import type { Check, Env, LessonReport, Profile } from './types.ts';

/** A mistake in the options (unknown lesson, bad `--user`...): the CLI prints it with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What to run. */
export interface RunOptions {
  /** The lessons whose claims to check (default: every lesson in the checkout). */
  lessons?: readonly number[];
  /** `secure` (default) or `course`. */
  profile?: Profile;
  /** Also check, on each lesson's server, the earlier lessons' claims that still apply. */
  withEarlier?: boolean;
  /** Only these claim ids. */
  only?: readonly string[];
  /** Check a server that is already running at this URL instead of starting ours. */
  url?: string;
  /** With `url`: an existing account, `email:password` (split at the first colon). */
  user?: string;
  /** With `url`: the environment the server was started with, so that the checks that need it run. */
  env?: Env;
  /** Start the learner's server with this command, in this folder, instead of ours. */
  start?: StartCommand;
  /**
   * Start this server instead of each lesson's own: another lesson's (`lesson`), or a file
   * (`entry`) that behaves like `lesson`. With `url` or `start`, `lesson` says which lesson the
   * server implements (how to log in, which `AUTH_TYPE`); by default the highest one named.
   */
  server?: { lesson?: number; entry?: string };
  /** Run exactly these checks (tests use it) instead of the lessons' own. */
  checks?: readonly Check[];
  /** Users to seed (default: fresh random ones, prepared once for the run). */
  users?: PreparedUser[] | Promise<PreparedUser[]>;
  /** Called as each lesson finishes, for output as it comes. */
  onLesson?: (report: LessonReport) => void;
  /** `true`: only the checks that drive a browser (`needs: ['browser']`); `false`: none of them; unset: all. */
  browser?: boolean;
  /** A folder (from the project root, or absolute) where browser checks save their screenshots. */
  screenshots?: string;
  /** Every check's time limit, in seconds, instead of limits that stretch with the machine's load. */
  timeoutSeconds?: number;
}

/** `email:password`, split at the first colon (passwords may contain colons). */
export function parseUser(value: string): { email: string; password: string } {
  const colon = value.indexOf(':');
  if (colon < 1 || colon === value.length - 1) throw new UsageError('--user must be email:password');
  return { email: value.slice(0, colon), password: value.slice(colon + 1) };
}

/**
 * `KEY=VALUE` pairs as an environment.
 *
 * @example
 * parseEnv(['SESSION_DURATION=1', 'AUTH_TYPE=session_exp_auth']); // { SESSION_DURATION: '1', AUTH_TYPE: 'session_exp_auth' }
 */
export function parseEnv(pairs: readonly string[]): Env {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, equals))) throw new UsageError(`--env takes KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return env;
}

/** Lesson folders of the checkout (`02-session-auth`...) that the registry does not list yet. */
export function unregisteredFolders(): string[] {
  const registered = new Set(presentLessons().map((entry) => entry.folder));
  try {
    return readdirSync(join(projectRoot, 'lessons'), { withFileTypes: true })
      .filter((dirent) => dirent.isDirectory() && /^\d\d-/.test(dirent.name) && !registered.has(`lessons/${dirent.name}`))
      .map((dirent) => dirent.name)
      .sort();
  } catch {
    return [];
  }
}

/** The registry entry of a lesson in the checkout, or a usage error that says what there is. */
export function requireLesson(number: number): LessonEntry {
  const entry = presentLessons().find((one) => one.number === number);
  if (entry) return entry;
  const known = presentLessons().map((one) => one.number);
  const folder = unregisteredFolders().find((name) => Number(name.slice(0, 2)) === number);
  if (folder) throw new UsageError(`lesson ${number} has no checks yet: add checks/lesson-${folder.slice(0, 2)}.ts and its line in checks/lessons.ts`);
  throw new UsageError(`there is no lesson ${number} in this checkout (lessons: ${known.join(', ')})`);
}

/** The checks of `lesson` for this run: its own, maybe earlier ones, in the profile, filtered. */
export function selectChecks(lesson: LessonEntry, options: RunOptions, profile: Profile): Check[] {
  let checks: readonly Check[];
  if (options.checks) checks = options.checks;
  else if (options.withEarlier) checks = presentLessons().filter((entry) => entry.number <= lesson.number).flatMap((entry) => entry.checks);
  else checks = lesson.checks;
  return checks.filter(
    (check) =>
      check.profiles[profile] !== undefined &&
      (!options.only || options.only.includes(check.id)) &&
      (options.browser === undefined || options.browser === Boolean(check.needs?.includes('browser'))),
  );
}

/** The options, checked: the profile and the lessons to run, in order. */
export function checkOptions(options: RunOptions): { profile: Profile; lessons: LessonEntry[] } {
  const profile = options.profile ?? 'secure';
  if (profile !== 'secure' && profile !== 'course') throw new UsageError(`--profile must be secure or course, got "${String(profile)}"`);
  const present = presentLessons();
  const numbers = options.lessons?.length ? [...new Set(options.lessons)] : present.map((entry) => entry.number);
  const lessons = numbers.sort((a, b) => a - b).map(requireLesson);
  if (options.server?.lesson !== undefined) requireLesson(options.server.lesson);
  if (options.url && options.start) throw new UsageError('--url and --start do not go together: one server at a time');
  if (options.url) {
    try {
      const url = new URL(options.url);
      if (!/^https?:$/.test(url.protocol)) throw new Error();
    } catch {
      throw new UsageError(`--url must be an http:// or https:// URL, got "${options.url}"`);
    }
  }
  if (options.env && Object.keys(options.env).length && !options.url) throw new UsageError('--env goes with --url (the runner sets the environment of the servers it starts)');
  if (options.timeoutSeconds !== undefined && !(options.timeoutSeconds > 0)) throw new UsageError('--timeout takes a number of seconds');
  const known = new Set([...(options.checks ?? []), ...present.flatMap((entry) => entry.checks)].map((check) => check.id));
  const unknown = (options.only ?? []).filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`no claim ${unknown.join(', ')} (ids look like L1-basic-challenge)`);
  return { profile, lessons };
}

/** The run cannot check anything (nothing answers, no users could be made): the report says why. */
export class RunError extends Error {
  override name = 'RunError';
}
