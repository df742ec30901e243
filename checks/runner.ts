/**
 * The check runner's programmatic API: {@link runChecks} runs the claims' checks on this
 * project's servers (each lesson's own, on a fresh database), on a learner's server it starts
 * itself (`start`), or on one that is already running (`url`), and returns the results.
 *
 * The pieces: options.ts (what to run), instances.ts (the servers), context.ts (what a check
 * gets), schedule.ts (what runs where and when), failure.ts (what a failure shows),
 * api-users.ts (users on servers the runner cannot seed).
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { createServer } from 'node:net';
import { isAbsolute, relative } from 'node:path';
import { freePort } from '../shared/free-port.ts';
import { createStartUsers, findUrlUser } from './api-users.ts';
import { BrowserRun } from './browser.ts';
import { OwnInstance, RemoteInstance, StartedInstance, type Instance, type RunState } from './instances.ts';
import type { LessonEntry } from './lessons.ts';
import { checkOptions, parseUser, requireLesson, RunError, selectChecks, type RunOptions } from './options.ts';
import { emptyCounts, runLesson, type Servers } from './schedule.ts';
import { answers, projectRoot } from './server.ts';
import { timeLimits } from './time.ts';
import { lowScryptParams } from '../shared/password.ts';
import { prepareUsers, publicUser } from './users.ts';
import type { Check, Env, LessonReport, RunReport, Status } from './types.ts';

export { parseUser, unregisteredFolders, UsageError, type RunOptions } from './options.ts';

/** The session cookie's name a course server reads from `SESSION_NAME`, which it has no default for. */
const COURSE_SESSION_NAME = { SESSION_NAME: '_my_session_id' };

/** Whether the ports `port` to `port + 2` are free now (the replay starts up to three servers). */
async function portsFree(port: number): Promise<boolean> {
  for (let p = port; p < port + 3; p++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer().once('error', () => resolve(false));
      probe.listen(p, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/** The first port from 5000 on where the replay can start its servers (5000 itself, usually). */
async function replayPort(): Promise<number> {
  for (let port = 5000; port < 5100; port += 3) if (await portsFree(port)) return port;
  return freePort();
}

/** The environment variables a check needs that `env` lacks or has otherwise. */
function mismatch(check: Check, env: Env): Env {
  return Object.fromEntries(Object.entries(check.env ?? {}).filter(([name, value]) => env[name] !== value));
}

/** Why a check that needs something a server cannot do does not run on it, or null. */
function unsupportedNeed(check: Check, instance: Instance): string | null {
  for (const need of check.needs ?? []) {
    if (need === 'browser') continue;
    const why = instance.unsupported(need);
    if (why) return why;
  }
  return null;
}

/** This project's servers: each lesson's own (or `--server`), one per environment, side by side. */
function ownServers(lesson: LessonEntry, options: RunOptions, state: RunState): Servers & { label: string } {
  const serverLesson = options.server?.lesson === undefined ? lesson : requireLesson(options.server.lesson);
  const entry = options.server?.entry ?? serverLesson.server;
  return {
    lesson: serverLesson,
    parallel: true,
    label: isAbsolute(entry) ? relative(projectRoot, entry) : entry,
    envFor: (check) => ({ ...serverLesson.env, ...check.env }),
    excluded: () => null,
    create: (env) => OwnInstance.fresh(state, serverLesson, entry, env),
  };
}

/** The learner's server, started with `--start`: one environment at a time, in its folder. */
function startedServers(serverLesson: LessonEntry, options: RunOptions): Servers {
  const start = options.start as NonNullable<RunOptions['start']>;
  const probe = new StartedInstance(serverLesson, start, {});
  return {
    lesson: serverLesson,
    // One folder, one set of data files: two servers at once would overwrite each other's.
    parallel: false,
    envFor: (check) => ({ ...COURSE_SESSION_NAME, ...serverLesson.env, ...check.env }),
    excluded: (check) => unsupportedNeed(check, probe),
    create: (env) => new StartedInstance(serverLesson, start, env),
  };
}

/** A server run by hand (`--url`): the checks whose environment it was started with. */
function urlServers(instance: RemoteInstance, serverLesson: LessonEntry, hadUser: boolean): Servers {
  return {
    lesson: serverLesson,
    parallel: false,
    envFor: () => instance.env,
    excluded(check) {
      const missing = mismatch(check, instance.env);
      if (Object.keys(missing).length) {
        const pairs = Object.entries(missing).map(([name, value]) => `${name}=${value}`);
        return `it needs a server started with ${pairs.join(' ')}: start yours so and add ${pairs.map((pair) => `--env ${pair}`).join(' ')}, or let the runner start it (--start)`;
      }
      return unsupportedNeed(check, instance);
    },
    create: () => instance,
    hint(_instance, result) {
      // A 401 while the runner sends no credentials: the server is a later lesson than assumed.
      if (!instance.strategy.needsUser && result.actual?.startsWith('401')) {
        result.message += hadUser
          ? ' (the server wants credentials: add --server-lesson N, the lesson it implements)'
          : ' (the server wants credentials: add --user email:password and --server-lesson N)';
      }
    },
  };
}

/** The lesson a `--url` or `--start` server implements: `--server-lesson`, or the highest lesson named. */
function foreignLesson(lessons: readonly LessonEntry[], options: RunOptions): LessonEntry {
  return options.server?.lesson === undefined ? (lessons.at(-1) as LessonEntry) : requireLesson(options.server.lesson);
}

/**
 * Runs the claims' checks and returns the results; never throws for a broken claim, only
 * for unusable options (`UsageError`). A run that cannot check anything at all (nothing
 * answers at the URL, no users could be created) returns a report with `error`.
 *
 * @example
 * const report = await runChecks({ lessons: [1] });
 * report.ok; // true when nothing failed
 * @example
 * await runChecks({ lessons: [1], url: 'http://127.0.0.1:5000', user: 'bob@hbtn.io:H0lbertonSchool98!' });
 * @example
 * await runChecks({ lessons: [4], start: { command: 'python3 -m api.v1.app', cwd: '/home/me/course' } });
 */
export async function runChecks(options: RunOptions = {}): Promise<RunReport> {
  const started = performance.now();
  const { profile, lessons } = checkOptions(options);
  const mode = options.url ? 'url' : options.start ? 'start' : 'own';
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const browser = new BrowserRun({ screenshots: options.screenshots });
  const state: RunState = {
    profile,
    mode,
    // At the test cost, as the runner's servers hash: what a login costs them.
    prepared: Promise.resolve(options.users ?? (mode === 'url' ? [] : prepareUsers(lowScryptParams))),
    users: [],
    agents,
    browser,
    limits: timeLimits({ timeoutSeconds: options.timeoutSeconds }),
    replayPort: mode === 'url' ? 0 : await replayPort(),
  };
  const selected = lessons.map((lesson) => ({ lesson, checks: selectChecks(lesson, options, profile) })).filter(({ checks }) => checks.length > 0);
  const reports: LessonReport[] = [];
  let error: string | undefined;
  try {
    if (selected.some(({ checks }) => checks.some((check) => check.needs?.includes('browser')))) browser.warmUp();
    const oneAtATime = async (servers: Servers, label: string) => {
      for (const { lesson, checks } of selected) {
        const report = await runLesson(lesson, checks, servers, state, label);
        reports.push(report);
        options.onLesson?.(report);
      }
    };
    if (mode === 'url') {
      const url = (options.url as string).replace(/\/+$/, '');
      const serverLesson = foreignLesson(lessons, options);
      const env = { ...COURSE_SESSION_NAME, ...serverLesson.env, ...options.env };
      const instance = new RemoteInstance(url, env, serverLesson.auth(env));
      // One message for a server that is not there, instead of one failure per claim.
      if (!(await answers(url, state.limits.stretch(5000)))) throw new RunError(`nothing answers at ${url}: is your server running?`);
      if (options.user) {
        const { email, password } = parseUser(options.user);
        state.users = [await findUrlUser(instance, state, email, password)];
      }
      await oneAtATime(urlServers(instance, serverLesson, Boolean(options.user)), url);
    } else if (mode === 'start') {
      const start = options.start as NonNullable<RunOptions['start']>;
      const specs = (await state.prepared).map(({ email, password, firstName, lastName }) => ({ email, password, firstName, lastName }));
      state.users = await createStartUsers(start, specs, state).catch((cause: Error) => {
        throw cause instanceof RunError ? cause : new RunError(`could not create the checks' users: ${cause.message}`);
      });
      await oneAtATime(startedServers(foreignLesson(lessons, options), options), `${start.command} (in ${start.cwd})`);
    } else {
      // Registered first, so it runs before any seeding finishes and before any check starts.
      void state.prepared.then((users) => (state.users = users.map(publicUser)), () => {});
      const run = async ({ lesson, checks }: (typeof selected)[number]) => {
        const servers = ownServers(lesson, options, state);
        const report = await runLesson(lesson, checks, servers, state, servers.label);
        options.onLesson?.(report);
        return report;
      };
      // Every lesson has its own servers and databases: they run side by side, except those
      // that share something outside (lesson.serial), which run after, one at a time.
      const parallel = await Promise.all(selected.filter(({ lesson }) => !lesson.serial).map(run));
      const serial: LessonReport[] = [];
      for (const one of selected.filter(({ lesson }) => lesson.serial)) serial.push(await run(one));
      reports.push(...[...parallel, ...serial].sort((a, b) => a.lesson - b.lesson));
    }
  } catch (cause) {
    if (!(cause instanceof RunError)) throw cause;
    error = cause.message;
  } finally {
    agents.http.destroy();
    agents.https.destroy();
    await browser.close();
  }
  const counts = emptyCounts();
  for (const report of reports) for (const status of Object.keys(counts) as Status[]) counts[status] += report.counts[status];
  const verdicts = counts.pass + counts.fail + counts.warn;
  return {
    profile,
    mode,
    ...(options.url ? { url: options.url } : {}),
    ...(options.start ? { start: options.start } : {}),
    ok: error === undefined && counts.fail === 0 && verdicts > 0,
    ...(error ? { error } : {}),
    durationMs: Math.round(performance.now() - started),
    counts,
    lessons: reports,
  };
}
