/**
 * `npm run check`: proves, over real HTTP, every claim the lesson notes make.
 *
 * ```sh
 * npm run check                    # every lesson, each on its own fresh server
 * npm run check -- 1               # lesson 1 (or several: 3 4 5)
 * npm run check -- 1 --url http://127.0.0.1:5000 --user 'bob@hbtn.io:H0lbertonSchool98!'
 * npm run check -- 4 --start 'python3 -m api.v1.app' --cwd ~/session_authentication
 * npm run --silent check -- --profile course --json
 * npm run check -- 3 --browser     # only the checks that drive Chromium
 * npm run check -- 1 --watch       # again on every change to the lesson's files
 * npm run check -- 2 --workspace   # your own lesson 2, written with npm run learn
 * ```
 *
 * Exit status 0 when nothing failed and at least one claim was judged (warnings, skips and
 * timeouts do not count), 1 otherwise (a failure, nothing judged, no server), 2 for a mistake on
 * the command line.
 *
 * @module
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { workspaceDir } from '../learn/paths.ts';
import { claimLine } from './claims.ts';
import { lessonEntry, presentLessons } from './lessons.ts';
import { formatLesson, formatTotal, wantsColor } from './report.ts';
import { parseEnv } from './options.ts';
import { runChecks, unregisteredFolders, UsageError, type RunOptions } from './runner.ts';
import { killAllServers, projectRoot } from './server.ts';
import type { LessonReport, Profile, RunReport } from './types.ts';

const usage = `usage: npm run check [-- [LESSON ...] [options]]

  LESSON ...              lesson numbers (default: every lesson in the checkout)
  --start COMMAND         start your server with COMMAND (any language), once per environment
                          the checks need, and restart it or run it twice when they ask
  --cwd DIR               with --start: the folder to run it in (default: where you are)
  --url URL               check a server you started yourself
  --user EMAIL:PASSWORD   with --url: an account on that server (split at the first colon)
  --env KEY=VALUE         with --url: how you started it (repeat), so that the checks that
                          need that environment run, e.g. --env SESSION_DURATION=1
  --server-lesson N       with --url or --start: the lesson your server implements, which
                          decides how the runner logs in (default: the highest lesson named)
  --profile NAME          secure (default: course + OWASP/ASVS/RFC) or course
  --with-earlier          also check the earlier lessons' claims on each lesson's server
  --only ID               only this claim (repeat for more)
  --browser               only the browser checks (Chromium: sudo apt-get install chromium)
  --no-browser            leave the browser checks out
  --screenshots DIR       browser checks save their screenshots in DIR (e.g. docs/images)
  --server FILE           start this project's FILE instead of the lesson's server (one lesson)
  --workspace             start your own server of the lesson, from workspace/ (npm run learn)
  --timeout SECONDS       every check's time limit (default: 30 s or the check's own,
                          stretched with the machine's load)
  --json                  print one JSON document instead of text (run npm with --silent:
                          npm run --silent check -- 0 --json, or npm prints its banner first)
  --watch                 run again when a file the lesson depends on changes
  --claims                print the lessons' claims as markdown lines, and exit
  -h, --help              this help

Checks run in parallel, four at a time per server: a server that races may get different
counts on identical runs (--only runs one claim alone).`;

interface Cli {
  options: RunOptions;
  json: boolean;
  watch: boolean;
  claims: boolean;
}

function parse(argv: string[]): Cli | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      user: { type: 'string' },
      env: { type: 'string', multiple: true },
      start: { type: 'string' },
      cwd: { type: 'string' },
      timeout: { type: 'string' },
      profile: { type: 'string', default: 'secure' },
      'with-earlier': { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      browser: { type: 'boolean', default: false },
      'no-browser': { type: 'boolean', default: false },
      screenshots: { type: 'string' },
      server: { type: 'string' },
      workspace: { type: 'boolean', default: false },
      'server-lesson': { type: 'string' },
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      claims: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const lessons = positionals.map((value) => {
    if (!/^\d+$/.test(value)) throw new UsageError(`"${value}" is not a lesson number`);
    return Number(value);
  });
  if (values.profile !== 'secure' && values.profile !== 'course') throw new UsageError(`--profile must be secure or course, got "${values.profile}"`);
  if (values.user && !values.url) throw new UsageError('--user goes with --url (the runner makes its own users)');
  if (values.env && !values.url) throw new UsageError('--env goes with --url (the runner sets the environment of the servers it starts)');
  if (values.cwd && !values.start) throw new UsageError('--cwd goes with --start');
  if (values.server && lessons.length !== 1) throw new UsageError('--server needs exactly one lesson number');
  if (values.server && (values.url || values.start)) throw new UsageError('--server starts one of this project\'s files: not with --url or --start');
  if (values.workspace && (lessons.length !== 1 || values.server || values.url || values.start)) {
    throw new UsageError('--workspace needs exactly one lesson number, and no --server, --url or --start');
  }
  const workspace = values.workspace ? workspaceServer(lessons[0] as number) : undefined;
  const serverLesson = values['server-lesson'];
  if (serverLesson !== undefined && (!(values.url || values.start) || !/^\d+$/.test(serverLesson))) {
    throw new UsageError('--server-lesson takes a lesson number, with --url or --start');
  }
  if (values.browser && values['no-browser']) throw new UsageError('--browser and --no-browser do not go together');
  if (values.watch && (values.url || values.json)) throw new UsageError('--watch works on the servers the runner starts, as text');
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout takes a number of seconds, got "${values.timeout}"`);
  // npm runs scripts in the project's folder; INIT_CWD is where the command was typed.
  const here = process.env.INIT_CWD || process.cwd();
  return {
    options: {
      lessons,
      profile: values.profile as Profile,
      url: values.url,
      user: values.user,
      env: values.env ? parseEnv(values.env) : undefined,
      start: values.start ? { command: values.start, cwd: resolve(here, values.cwd ?? '.') } : undefined,
      timeoutSeconds: timeout,
      withEarlier: values['with-earlier'],
      only: values.only,
      browser: values.browser ? true : values['no-browser'] ? false : undefined,
      screenshots: values.screenshots,
      server: workspace ? { lesson: lessons[0], entry: workspace } : values.server ? { lesson: lessons[0], entry: values.server } : serverLesson ? { lesson: Number(serverLesson) } : undefined,
    },
    json: values.json,
    watch: values.watch,
    claims: values.claims,
  };
}

/** The learner's server of lesson `number` in the exercise workspace (`npm run learn` writes it). */
function workspaceServer(number: number): string {
  const entry = lessonEntry(number);
  if (!entry) throw new UsageError(`there is no lesson ${number}`);
  const server = join(workspaceDir(), basename(entry.folder), 'server.ts');
  if (!existsSync(server)) throw new UsageError(`${relative(projectRoot, server)} does not exist: npm run learn writes your workspace`);
  return server;
}

/**
 * Prints lesson blocks in lesson order as they finish (lessons run in parallel); `finish`
 * prints whatever is left (lessons that had no check to run never report).
 */
function orderedPrinter(expected: readonly number[], print: (report: LessonReport) => void) {
  const done = new Map<number, LessonReport>();
  const printed = new Set<number>();
  let next = 0;
  const show = (report: LessonReport) => {
    printed.add(report.lesson);
    print(report);
  };
  return {
    onLesson(report: LessonReport) {
      done.set(report.lesson, report);
      while (next < expected.length && done.has(expected[next] as number)) show(done.get(expected[next++] as number) as LessonReport);
    },
    finish(reports: readonly LessonReport[]) {
      for (const report of reports) if (!printed.has(report.lesson)) show(report);
    },
  };
}

async function runOnce(options: RunOptions, json: boolean): Promise<RunReport> {
  const color = wantsColor();
  const lessons = (options.lessons?.length ? options.lessons : presentLessons().map((entry) => entry.number)).slice().sort((a, b) => a - b);
  const printer = orderedPrinter(lessons, (report) => console.log(formatLesson(report, { color })));
  if (json && process.env.npm_lifecycle_event === 'check' && process.env.npm_config_loglevel !== 'silent') {
    console.error('note: npm printed its banner on stdout before the JSON: run npm run --silent check -- ... --json');
  }
  const report = await runChecks({ ...options, onLesson: json ? undefined : printer.onLesson });
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    printer.finish(report.lessons);
    console.log(formatTotal(report, { color }));
    const waiting = options.lessons?.length ? [] : unregisteredFolders();
    if (waiting.length) console.log(`(no checks yet for lessons/${waiting.join(', lessons/')}: see checks/README.md)`);
  }
  return report;
}

/** Re-runs each lesson when a file of its folder, an earlier lesson's or shared/ changes. */
async function watchLessons(options: RunOptions): Promise<void> {
  const lessons = options.lessons?.length ? options.lessons : presentLessons().map((entry) => entry.number);
  const folders = presentLessons().filter((entry) => entry.number <= Math.max(...lessons));
  const watchers: FSWatcher[] = [];
  const pending = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const schedule = (affected: number[], file: string) => {
    for (const lesson of affected) pending.add(lesson);
    clearTimeout(timer);
    // Editors write a file in several steps: wait for the burst to end.
    timer = setTimeout(() => {
      const batch = [...pending].sort((a, b) => a - b);
      pending.clear();
      running = running.then(async () => {
        console.log(`\n— ${file} changed: lesson${batch.length > 1 ? 's' : ''} ${batch.join(', ')} again —\n`);
        await runOnce({ ...options, lessons: batch }, false).catch((error: Error) => console.error(`error: ${error.message}`));
      });
    }, 200);
  };
  const relevant = (name: string | null) => name !== null && !name.endsWith('.md') && !name.endsWith('.test.ts') && !name.includes('node_modules');
  for (const entry of folders) {
    // A lesson imports the earlier lessons' folders: a change there re-runs the later ones too.
    const affected = lessons.filter((lesson) => lesson >= entry.number);
    watchers.push(watch(join(projectRoot, entry.folder), { recursive: true }, (_event, name) => relevant(name) && schedule(affected, `${entry.folder}/${name}`)));
  }
  watchers.push(watch(join(projectRoot, 'shared'), { recursive: true }, (_event, name) => relevant(name) && schedule([...lessons], `shared/${name}`)));
  await runOnce({ ...options, lessons }, false);
  console.log(`\nwatching ${folders.map((entry) => relative(projectRoot, join(projectRoot, entry.folder))).join(', ')} and shared/ (Ctrl-C to stop)`);
  await new Promise(() => {});
}

function exitOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      killAllServers();
      process.exit(code);
    });
  }
  process.on('uncaughtException', (error) => {
    killAllServers();
    console.error(error);
    process.exit(1);
  });
}

async function main(argv: string[]): Promise<number> {
  let cli: Cli | null;
  try {
    cli = parse(argv);
  } catch (error) {
    const message = (error as Error).message;
    console.error(`error: ${message}\n\n${usage}`);
    return 2;
  }
  if (!cli) {
    console.log(usage);
    return 0;
  }
  exitOnSignals();
  try {
    if (cli.claims) {
      const wanted = cli.options.lessons?.length ? cli.options.lessons : presentLessons().map((entry) => entry.number);
      for (const entry of presentLessons().filter((one) => wanted.includes(one.number))) {
        console.log(`${entry.notes}\n\n## Claims\n\n${entry.checks.map(claimLine).join('\n')}\n`);
      }
      return 0;
    }
    if (cli.watch) {
      await watchLessons(cli.options);
      return 0;
    }
    const report = await runOnce(cli.options, cli.json);
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
