/**
 * `npm run learn`: write the lessons yourself, one step at a time, graded on every save.
 *
 * ```sh
 * npm run learn                    # the watch mode (keys: h hint, n next, l list, r run again, q quit)
 * npm run learn -- list --json     # every step and where it stands
 * npm run learn -- hint 2.3        # the next hint of step 2.3
 * npm run learn -- skip 0 1        # fill lessons 0 and 1 with the reference, start at lesson 2
 * npm run learn -- serve 2         # run your lesson 2's server
 * ```
 *
 * The first run writes `workspace/`: a copy of `lessons/` whose steps are stubs. Each step's
 * tests (learn/steps/) run on your code; once a lesson's steps pass, its claims run over
 * HTTP on your server, as `npm run check -- N --workspace` does.
 *
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { allSteps, findStep, lesson as lessonOf, lessons, stepNotes, type Lesson, type Step } from '../lessons/curriculum.ts';
import type { LessonReport } from '../checks/types.ts';
import { bodyOf, findMarkers, isStub } from './markers.ts';
import { loadProgress, record, saveProgress, stateOf, type Progress, type StepState } from './progress.ts';
import { spawnSteps, stopSpareRunner, type StepResult } from './run-steps.ts';
import { lessonsDir, projectRoot, referenceFiles, restub, shown, stepLocation, workspaceDir, writeWorkspace } from './workspace.ts';

const usage = `usage: npm run learn [-- COMMAND]

  (none)                  the watch mode: your current step, graded every time you save
                          keys: h hint · n next step · l list · r run again · q quit
  list [--json]           every lesson and step, and where each stands
  hint [N[.S]]            the next hint of a step (default: your current step)
  reset N[.S] ... [--yes] put the stubs back: of a lesson (N) or of one step (N.S)
  skip N ... [--yes]      fill lessons with the reference code, to start at a later lesson
  solution N [--reveal]   your code beside the reference's, once lesson N passes
  serve N                 run your lesson N's server, as npm run lesson:N runs the reference
  -h, --help              this help

Your code is in workspace/ (or LEARN_WORKSPACE=DIR). npm run check -- N --workspace runs
lesson N's claims on your server.`;

/** A mistake on the command line: printed with the usage, exit status 2. */
class UsageError extends Error {}

const COLORS = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (name: keyof typeof COLORS, text: string) => (color ? `\u001b[${COLORS[name]}m${text}\u001b[0m` : text);

/** Every step in order, with its lesson (only lessons that have steps). */
const everyStep = allSteps();

// `npm run learn -- solution 2 | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

/**
 * Creates the workspace on first use (true then), and later adds the lessons that arrived in
 * `lessons/` since (their stubs, and the manifest that lists them).
 */
function ensureWorkspace(dir: string): boolean {
  if (existsSync(join(dir, 'curriculum.ts'))) {
    const arrived = lessons.filter((entry) => existsSync(join(lessonsDir, entry.folder)) && !existsSync(join(dir, entry.folder)));
    if (arrived.length) writeWorkspace(dir, { folders: arrived.map((entry) => entry.folder) });
    return false;
  }
  writeWorkspace(dir);
  saveProgress(dir, loadProgress(dir));
  return true;
}

/** Runs the tests of `steps` on the workspace, records what passes, and returns the results. */
async function validate(dir: string, progress: Progress, steps: readonly Step[], keepWarm = false): Promise<{ results: Map<string, StepResult>; output: string }> {
  const { results, output } = await spawnSteps(dir, steps.map((step) => step.id), { keepWarm });
  record(progress, results);
  saveProgress(dir, progress);
  return { results: new Map(results.map((result) => [result.id, result])), output };
}

/** `2` or `2.3` as a lesson number, and a step id when given. */
function parseTarget(value: string): { lesson: Lesson; step?: Step } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new UsageError(`"${value}" is neither a lesson (2) nor a step (2.3)`);
  let entry: Lesson;
  try {
    entry = lessonOf(Number(match[1]));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!entry.steps?.length) throw new UsageError(`lesson ${entry.number} has no steps to write yet`);
  if (match[2] === undefined) return { lesson: entry };
  try {
    return { lesson: entry, step: findStep(value).step };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Asks a yes/no question on the terminal; false without one. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

/** Where a step is, for messages: `workspace/02-session-auth/session-auth.ts:90`. */
function whereIs(dir: string, entry: Lesson, step: Step): string {
  const location = stepLocation(dir, entry, step);
  return location ? `${shown(location.file)}:${location.line}` : `${shown(join(dir, entry.folder, step.file))} (its @step ${step.id} tag is gone)`;
}

// ---------------------------------------------------------------------------------------
// list

interface ListedStep {
  id: string;
  name: string;
  task: string;
  state: StepState;
  /** `workspace/02-session-auth/session-auth.ts:90`. */
  where: string;
  notes: string;
  /** Why it fails, when it does. */
  failure?: string;
}

function listing(dir: string, progress: Progress, results: Map<string, StepResult>) {
  const lessonsWithSteps = lessons.filter((entry) => entry.steps?.length);
  const listed = lessonsWithSteps.map((entry) => {
    const steps: ListedStep[] = entry.steps!.map((step) => {
      const result = results.get(step.id);
      const state = stateOf(result, progress, step.id);
      return {
        id: step.id,
        name: step.name,
        task: step.task,
        state,
        where: whereIs(dir, entry, step),
        notes: stepNotes(entry, step),
        ...(result?.failure ? { failure: result.failure.message } : {}),
      };
    });
    const solved = steps.filter((step) => step.state === 'solved').length;
    const claims = solved === steps.length ? (progress.claims[entry.number] ?? null) : null;
    return { number: entry.number, title: entry.title, solved, total: steps.length, claimsPassed: claims, steps };
  });
  const solved = listed.reduce((sum, entry) => sum + entry.solved, 0);
  const total = listed.reduce((sum, entry) => sum + entry.total, 0);
  return { workspace: shown(dir), solved, total, lessons: listed };
}

const MARKS: Record<StepState, string> = { solved: '✓', unsolved: '·', broken: '✗' };

function formatListing(list: ReturnType<typeof listing>): string {
  const lines = [`${progressBar(list.solved, list.total)}  (${list.workspace})`, ''];
  for (const entry of list.lessons) {
    const claims = entry.claimsPassed ? paint('green', entry.claimsPassed === 'skipped' ? '  skipped: the reference' : '  claims pass') : '';
    lines.push(`${paint('bold', `Lesson ${entry.number} — ${entry.title}`)}  ${entry.solved}/${entry.total}${claims}`);
    const width = Math.max(...entry.steps.map((step) => step.name.length));
    for (const step of entry.steps) {
      const mark = step.state === 'solved' ? paint('green', MARKS.solved) : step.state === 'broken' ? paint('red', MARKS.broken) : MARKS.unsolved;
      const note = step.state === 'broken' ? paint('red', '  broken: it passed before, and fails now') : '';
      lines.push(`  ${mark} ${step.id}  ${step.name.padEnd(width)}  ${paint('dim', step.where)}${note}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** `text` wrapped at the terminal's width, each line after the first indented by `indent`. */
function wrap(text: string, indent: string, width = Math.max(60, process.stdout.columns || 100)): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && (line + word).length + indent.length >= width) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join(`\n${indent}`);
}

function progressBar(solved: number, total: number, width = 40): string {
  const full = total ? Math.round((solved / total) * width) : 0;
  return `[${paint('green', '█'.repeat(full))}${'░'.repeat(width - full)}]  ${solved}/${total} steps solved`;
}

// ---------------------------------------------------------------------------------------
// hints

/** The step a hint is for: the one named, the first unsolved of a lesson, or the current one. */
function hintTarget(progress: Progress, value: string | undefined): { lesson: Lesson; step: Step } {
  if (value) {
    const target = parseTarget(value);
    if (target.step) return { lesson: target.lesson, step: target.step };
    const step = target.lesson.steps!.find((one) => !progress.solved[one.id]) ?? target.lesson.steps![0]!;
    return { lesson: target.lesson, step };
  }
  return everyStep.find(({ step }) => !progress.solved[step.id]) ?? everyStep.at(-1)!;
}

/** Shows one more hint of `step` (or the last again), and remembers it. */
function nextHint(dir: string, progress: Progress, step: Step): string {
  const shownBefore = progress.hints[step.id] ?? 0;
  const count = Math.min(shownBefore + 1, step.hints.length);
  progress.hints[step.id] = count;
  saveProgress(dir, progress);
  const last = shownBefore >= step.hints.length ? paint('dim', '\n(that was the last hint; `npm run learn -- solution N` shows the reference once the lesson passes)') : '';
  return `${paint('cyan', `hint ${count} of ${step.hints.length}`)} for step ${step.id} ${step.name}: ${step.hints[count - 1]}${last}`;
}

/** The hints of `step` shown so far, as the watch mode prints them. */
function shownHints(progress: Progress, step: Step): string[] {
  return step.hints.slice(0, progress.hints[step.id] ?? 0).map((hint, i) => {
    const label = `hint ${i + 1} of ${step.hints.length}`;
    return wrap(`  ${label}: ${hint}`, '    ').replace(label, paint('cyan', label));
  });
}

// ---------------------------------------------------------------------------------------
// reset and skip

/** The learner's own code in a workspace file: the bodies of its steps that are neither the stub nor the reference. */
function ownCode(dir: string, file: string): string[] {
  const path = join(dir, file);
  if (!existsSync(path) || !file.endsWith('.ts')) return [];
  const mine = readFileSync(path, 'utf8');
  const reference = readFileSync(join(lessonsDir, file), 'utf8');
  const referenceBodies = new Map(findMarkers(reference, file).map((marker) => [marker.step, bodyOf(reference, marker)]));
  return findMarkers(mine, file)
    .filter((marker) => !isStub(bodyOf(mine, marker)) && bodyOf(mine, marker) !== referenceBodies.get(marker.step))
    .map((marker) => marker.step);
}

/** Forgets what the progress says of these steps (and of their lessons' claims). */
function forget(dir: string, progress: Progress, steps: readonly Step[]): void {
  for (const step of steps) {
    delete progress.solved[step.id];
    delete progress.claims[findStep(step.id).lesson.number];
  }
  saveProgress(dir, progress);
}

async function reset(dir: string, progress: Progress, targets: string[], yes: boolean): Promise<number> {
  if (targets.length === 0) throw new UsageError('reset needs a lesson (2) or a step (2.3)');
  const parsed = targets.map(parseTarget);
  const what = parsed.map(({ lesson, step }) => (step ? `step ${step.id} (${step.name})` : `lesson ${lesson.number}`)).join(', ');
  if (!yes && !(await confirm(`Reset ${what} to the stubs? Your code there is replaced.`))) {
    console.error(process.stdin.isTTY ? 'nothing reset' : 'reset replaces your code: run it in a terminal to confirm, or add --yes');
    return 1;
  }
  for (const { lesson, step } of parsed) {
    if (!step) {
      writeWorkspace(dir, { folders: [lesson.folder] });
      forget(dir, progress, lesson.steps!);
      continue;
    }
    const file = `${lesson.folder}/${step.file}`;
    const path = join(dir, file);
    const source = readFileSync(path, 'utf8');
    if (!findMarkers(source, file).some((marker) => marker.step === step.id)) {
      console.error(`the @step ${step.id} tag is gone from ${shown(path)}: \`npm run learn -- reset ${lesson.number}\` resets the whole lesson`);
      return 1;
    }
    writeFileSync(path, restub(file, source, dir, step.id));
    forget(dir, progress, [step]);
  }
  console.log(`reset: ${what}`);
  return 0;
}

async function skip(dir: string, progress: Progress, targets: string[], yes: boolean): Promise<number> {
  if (targets.length === 0) throw new UsageError('skip needs lesson numbers: skip 0 1 2');
  const chosen = targets.map((value) => {
    const target = parseTarget(value);
    if (target.step) throw new UsageError(`skip takes whole lessons (${target.lesson.number}), not steps`);
    return target.lesson;
  });
  const written = chosen.flatMap((entry) => referenceFiles([entry.folder]).flatMap((file) => ownCode(dir, file)));
  if (written.length && !yes && !(await confirm(`Steps ${written.join(', ')} hold your own code, which the reference replaces. Go on?`))) {
    console.error(process.stdin.isTTY ? 'nothing skipped' : `steps ${written.join(', ')} hold your code: run skip in a terminal to confirm, or add --yes`);
    return 1;
  }
  writeWorkspace(dir, { folders: chosen.map((entry) => entry.folder), stubbed: () => false });
  const steps = chosen.flatMap((entry) => entry.steps!);
  const { results } = await validate(dir, progress, steps);
  const failing = steps.filter((step) => !results.get(step.id)?.ok);
  // The reference passes its claims (the curriculum test proves it): no need to run them here.
  for (const entry of chosen) if (entry.steps!.every((step) => results.get(step.id)?.ok)) progress.claims[entry.number] = 'skipped';
  saveProgress(dir, progress);
  console.log(`lesson${chosen.length > 1 ? 's' : ''} ${chosen.map((entry) => entry.number).join(', ')}: the reference code, ${steps.length - failing.length}/${steps.length} steps pass`);
  for (const step of failing) console.log(`  ✗ ${step.id} ${step.name}: ${results.get(step.id)?.failure?.message}`);
  return failing.length ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// solution and serve

async function solution(dir: string, progress: Progress, value: string | undefined, reveal: boolean): Promise<number> {
  if (!value) throw new UsageError('solution needs a lesson number');
  const { lesson, step } = parseTarget(value);
  if (step) throw new UsageError(`solution takes a lesson (${lesson.number}): its steps are shown together`);
  const passed = progress.claims[lesson.number] && lesson.steps!.every((one) => progress.solved[one.id]);
  if (!passed && !reveal) {
    console.error(`lesson ${lesson.number} does not pass yet: write it first (npm run learn), or add --reveal to see the reference now`);
    return 1;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'learn-solution-'));
  try {
    for (const one of lesson.steps!) {
      const file = `${lesson.folder}/${one.file}`;
      const mine = readFileSync(join(dir, file), 'utf8');
      const reference = readFileSync(join(lessonsDir, file), 'utf8');
      const body = (source: string) => {
        const marker = findMarkers(source, file).find((m) => m.step === one.id);
        return marker ? `${bodyOf(source, marker)}\n` : '(the @step tag is gone)\n';
      };
      writeFileSync(join(scratch, 'yours'), body(mine));
      writeFileSync(join(scratch, 'reference'), body(reference));
      console.log(paint('bold', `step ${one.id} ${one.name}`) + paint('dim', `  (${file}: yours, then the reference)`));
      const diff = spawnSync('git', ['diff', '--no-index', '--no-prefix', `--color=${color ? 'always' : 'never'}`, '--', 'yours', 'reference'], { cwd: scratch, encoding: 'utf8' });
      if (diff.error) console.log(`--- yours\n${body(mine)}+++ the reference\n${body(reference)}`);
      else console.log(diff.stdout.trim() ? diff.stdout.split('\n').slice(2).join('\n') : '  the same as the reference\n');
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 0;
}

function serve(dir: string, value: string | undefined): Promise<number> {
  if (!value || !/^\d+$/.test(value)) throw new UsageError('serve needs a lesson number: serve 2');
  let entry: Lesson;
  try {
    entry = lessonOf(Number(value));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const server = join(dir, entry.folder, 'server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', server], { cwd: projectRoot, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 0)));
}

// ---------------------------------------------------------------------------------------
// the watch mode

/** What the watch mode is doing: a step, a lesson's claims, or nothing left. */
type Focus = { kind: 'step'; lesson: Lesson; step: Step } | { kind: 'claims'; lesson: Lesson } | { kind: 'done' };

class WatchMode {
  private results = new Map<string, StepResult>();
  private focus: Focus = { kind: 'done' };
  private report: LessonReport | undefined;
  private output = '';
  private message = '';
  private busy: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private savedAt: number | undefined;
  private lastRun = '';
  /** The claims runner, loaded the first time a lesson's claims run (it brings the check runner). */
  private claims: typeof import('./claims.ts') | undefined;

  constructor(
    private readonly dir: string,
    private readonly progress: Progress,
    private readonly tty: boolean,
  ) {}

  async start(created: boolean): Promise<void> {
    this.message = created ? `Your workspace is new: ${shown(this.dir)}/, a copy of lessons/ whose steps are stubs. Write each step there; every save grades it.` : '';
    this.print(`${paint('bold', 'npm run learn')}: checking your workspace (${everyStep.length} steps)…`);
    // Watching from the start: a save during the first check is graded after it, not lost (on
    // Linux, Node 20 sets up a recursive watch folder by folder, after watch() returns).
    this.watcher = watch(this.dir, { recursive: true }, (_event, name) => {
      if (!name || name.includes('.progress.json') || name.includes('node_modules')) return;
      this.savedAt ??= performance.now();
      this.message = '';
      clearTimeout(this.timer);
      // Editors save in several writes: wait for the burst to end.
      this.timer = setTimeout(() => this.queue(() => this.runFocus()), 80);
    });
    // Queued like the saves, so a save during it waits for it.
    this.queue(async () => {
      const { results } = await validate(this.dir, this.progress, everyStep.map(({ step }) => step), true);
      this.results = results;
      this.choose();
      await this.runFocus();
    });
    await this.busy;
    this.listen();
  }

  /** Whether step `step` passes, as last graded. */
  private passes(step: Step): boolean {
    return this.results.get(step.id)?.ok === true;
  }

  /**
   * The focus: the first step that does not pass, in order, or a lesson whose steps all pass
   * but whose claims have not yet; with `after` (the n key), the next step that does not pass.
   */
  private choose(after?: Step): void {
    if (after) {
      const from = everyStep.findIndex(({ step }) => step.id === after.id) + 1;
      const next = [...everyStep.slice(from), ...everyStep.slice(0, from)].find(({ step }) => step !== after && !this.passes(step));
      if (next) this.focus = { kind: 'step', ...next };
      return;
    }
    for (const entry of lessons.filter((one) => one.steps?.length)) {
      const open = entry.steps!.find((step) => !this.passes(step));
      if (open) return void (this.focus = { kind: 'step', lesson: entry, step: open });
      if (!this.progress.claims[entry.number]) return void (this.focus = { kind: 'claims', lesson: entry });
    }
    this.focus = { kind: 'done' };
  }

  private queue(work: () => Promise<void>): void {
    this.busy = this.busy.then(work).catch((error: Error) => {
      this.message = paint('red', `the watch mode itself failed: ${error.stack ?? error.message}`);
      this.render();
    });
  }

  /** Grades what has the focus, then moves on while things pass. */
  private async runFocus(): Promise<void> {
    for (;;) {
      const focus = this.focus;
      if (focus.kind === 'done') break;
      if (focus.kind === 'step') {
        const started = performance.now();
        const { results, output } = await validate(this.dir, this.progress, [focus.step], true);
        this.output = output;
        this.results.set(focus.step.id, results.get(focus.step.id)!);
        this.timing(started);
        if (!this.results.get(focus.step.id)!.ok) break;
        this.message = paint('green', `✓ step ${focus.step.id} ${focus.step.name} passes.`);
        const rest = focus.lesson.steps!.filter((step) => step !== focus.step);
        if (rest.every((step) => this.results.get(step.id)?.ok)) {
          // The lesson's last open step: check all of its steps again, as they are now.
          const again = await validate(this.dir, this.progress, focus.lesson.steps!, true);
          for (const [id, result] of again.results) this.results.set(id, result);
        }
        this.choose();
        continue;
      }
      const steps = await validate(this.dir, this.progress, focus.lesson.steps!, true);
      for (const [id, result] of steps.results) this.results.set(id, result);
      if (focus.lesson.steps!.some((step) => !this.results.get(step.id)?.ok)) {
        this.choose();
        continue;
      }
      this.render(`Every step of lesson ${focus.lesson.number} passes: now its claims, over HTTP, on your server…`);
      const started = performance.now();
      this.claims ??= await import('./claims.ts');
      // The claims on one server first, for a verdict in a second or two; then the slow ones.
      const quick = await this.claims.runWorkspaceClaims(this.dir, focus.lesson.number, 'quick');
      this.timing(started);
      if (quick && quick.counts.fail > 0) {
        this.report = quick;
        break;
      }
      const rest = quick ? `${quick.counts.pass} claims pass; now the ones that restart your server, start a second one or drive a browser…` : undefined;
      if (rest) this.render(rest);
      const slow = await this.claims.runWorkspaceClaims(this.dir, focus.lesson.number, 'rest');
      this.report = quick ? this.claims.mergeReports(quick, slow) : slow!;
      this.timing(started);
      if (this.report.counts.fail > 0) break;
      this.progress.claims[focus.lesson.number] = new Date().toISOString();
      saveProgress(this.dir, this.progress);
      this.message = paint('green', `✓ lesson ${focus.lesson.number} — ${focus.lesson.title} passes: every step, and its ${this.report.counts.pass} claims over HTTP (checked in ${(this.report.durationMs / 1000).toFixed(1)} s).`);
      this.choose();
    }
    this.render();
  }

  private timing(started: number): void {
    const now = performance.now();
    const fromSave = this.savedAt === undefined ? '' : `, ${((now - this.savedAt) / 1000).toFixed(2)} s after your save`;
    this.lastRun = `graded at ${new Date().toLocaleTimeString()} in ${((now - started) / 1000).toFixed(2)} s${fromSave}`;
    this.savedAt = undefined;
  }

  private print(text: string): void {
    if (this.tty) process.stdout.write('\u001b[H\u001b[2J\u001b[3J');
    else process.stdout.write(`\n${'─'.repeat(72)}\n`);
    process.stdout.write(`${text}\n`);
  }

  private render(status?: string): void {
    const solved = everyStep.filter(({ step }) => this.results.get(step.id)?.ok).length;
    const lines = [paint('bold', 'Session auth sandbox — write it yourself'), progressBar(solved, everyStep.length), ''];
    if (this.message) lines.push(this.message, '');
    const focus = this.focus;
    if (focus.kind === 'done') {
      lines.push(paint('green', 'Every step of every lesson passes, and every lesson\'s claims. Well done.'));
      lines.push('Compare with the reference: npm run learn -- solution N. Run a lesson: npm run learn -- serve N.');
    } else if (focus.kind === 'step') {
      const { lesson, step } = focus;
      const index = lesson.steps!.indexOf(step) + 1;
      lines.push(`${paint('bold', `Lesson ${lesson.number} — ${lesson.title}`)}  ·  step ${step.id} (${index} of ${lesson.steps!.length})`);
      lines.push(`  ${paint('bold', step.name)}`, wrap(`  ${step.task}`, '  '));
      lines.push(`  edit  ${whereIs(this.dir, lesson, step)}`);
      lines.push(`  read  ${stepNotes(lesson, step)}`, '');
      const result = this.results.get(step.id);
      if (result?.failure) lines.push(...this.failureLines(result));
      else if (status) lines.push(`  ${status}`);
      const hints = shownHints(this.progress, step);
      if (hints.length) lines.push('', ...hints);
      const printed = this.output.trim().split('\n').filter(Boolean).slice(-8);
      if (printed.length && result?.failure) lines.push('', paint('dim', '  your code printed:'), ...printed.map((line) => paint('dim', `    ${line}`)));
    } else {
      lines.push(`${paint('bold', `Lesson ${focus.lesson.number} — ${focus.lesson.title}`)}  ·  every step passes; its claims, on your server`, '');
      if (status) lines.push(`  ${status}`);
      else if (this.report && this.claims) lines.push(this.claims.formatClaims(this.report, color));
    }
    const keys = this.tty ? 'h hint · n next · l list · r run again · q quit' : 'type h (hint), n (next), l (list), r (run again) or q (quit), then Enter';
    lines.push('', paint('dim', keys), paint('dim', `watching ${shown(this.dir)}/${this.lastRun ? `  ·  ${this.lastRun}` : ''}`));
    this.print(lines.join('\n'));
  }

  private failureLines(result: StepResult): string[] {
    const failure = result.failure!;
    const lines = failure.message.trim().split('\n').map((line, i) => (i === 0 ? `  ${paint('red', '✗')} ${line}` : `    ${line}`));
    if (failure.expected !== undefined) lines.push(`      ${paint('dim', 'expected')}  ${failure.expected.split('\n').join('\n                ')}`);
    if (failure.actual !== undefined) lines.push(`      ${paint('dim', 'got     ')}  ${failure.actual.split('\n').join('\n                ')}`);
    if (failure.at) lines.push(`      ${paint('dim', 'at      ')}  ${failure.at}`);
    return lines;
  }

  private async key(key: string): Promise<void> {
    const focus = this.focus;
    if (key === 'q' || key === '\u0003') return this.quit();
    if (key === 'h' && focus.kind === 'step') {
      nextHint(this.dir, this.progress, focus.step);
      this.render();
    } else if (key === 'n' && focus.kind !== 'done') {
      const from = focus.kind === 'step' ? focus.step : focus.lesson.steps!.at(-1)!;
      this.choose(from);
      this.message = '';
      this.queue(() => this.runFocus());
    } else if (key === 'l') {
      this.print(formatListing(listing(this.dir, this.progress, this.results)) + paint('dim', '\n(any key: back to your step)'));
    } else if (key === 'r') {
      this.queue(() => this.runFocus());
    } else {
      this.render();
    }
  }

  private listen(): void {
    if (this.tty) {
      process.stdin.setRawMode(true);
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (chunk: string) => void this.key(chunk[0] ?? ''));
    } else {
      // Without a terminal: one key per line, and the watch goes on when the input ends.
      createInterface({ input: process.stdin }).on('line', (line) => void this.key(line.trim()[0] ?? ''));
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => this.quit());
  }

  private quit(): void {
    this.watcher?.close();
    stopSpareRunner();
    if (this.tty) process.stdin.setRawMode(false);
    console.log('\nYour progress is saved in the workspace; `npm run learn` takes you back to this step.');
    process.exit(0);
  }
}

// ---------------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      reveal: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, ...args] = positionals;
  const dir = workspaceDir();
  const created = ensureWorkspace(dir);
  const progress = loadProgress(dir);
  switch (command) {
    case undefined:
      await new WatchMode(dir, progress, Boolean(process.stdin.isTTY && process.stdout.isTTY)).start(created);
      return new Promise(() => {});
    case 'list': {
      const { results } = await validate(dir, progress, everyStep.map(({ step }) => step));
      const list = listing(dir, progress, results);
      console.log(values.json ? JSON.stringify(list, null, 2) : formatListing(list));
      return 0;
    }
    case 'hint':
      console.log(nextHint(dir, progress, hintTarget(progress, args[0]).step));
      return 0;
    case 'reset':
      return reset(dir, progress, args, values.yes);
    case 'skip':
      return skip(dir, progress, args, values.yes);
    case 'solution':
      return solution(dir, progress, args[0], values.reveal);
    case 'serve':
      return serve(dir, args[0]);
    default:
      throw new UsageError(`no command "${command}"`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw error;
  console.error(`error: ${(error as Error).message}\n\n${usage}`);
  process.exitCode = 2;
}
