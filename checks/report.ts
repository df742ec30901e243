/**
 * The runner's output for people: a header per lesson, one line per claim, the failures in
 * detail (expected, got, reference, notes, curl replay), a summary per lesson and overall.
 *
 * @module
 */
import type { ClaimResult, LessonReport, RunReport, Status } from './types.ts';

/** How to print. */
export interface FormatOptions {
  /** ANSI colours (only for a terminal, and never with NO_COLOR). */
  color: boolean;
}

const COLORS = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

function paint(options: FormatOptions, color: keyof typeof COLORS, text: string): string {
  return options.color ? `\u001b[${COLORS[color]}m${text}\u001b[0m` : text;
}

const LABELS: Record<Status, [string, keyof typeof COLORS]> = {
  pass: ['pass', 'green'],
  fail: ['FAIL', 'red'],
  warn: ['warn', 'yellow'],
  skip: ['skip', 'dim'],
  timeout: ['TIME', 'yellow'],
};

/** Whether stdout should get colours: a terminal, and NO_COLOR not set (no-color.org). */
export function wantsColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * `Lesson 1 — Basic auth: 15/15`, with what was not a pass in parentheses.
 *
 * @example
 * lessonSummary(report); // 'Lesson 1 — Basic auth: 14/15 (1 failed) in 0.9 s'
 */
export function lessonSummary(report: LessonReport): string {
  return `Lesson ${report.lesson} — ${report.title}: ${tally(report.counts)} in ${seconds(report.durationMs)}`;
}

function tally(counts: Record<Status, number>): string {
  const ran = counts.pass + counts.fail + counts.warn;
  const extra = [
    counts.fail && `${counts.fail} failed`,
    counts.warn && `${counts.warn} warning${counts.warn > 1 ? 's' : ''}`,
    counts.timeout && `${counts.timeout} timed out`,
    counts.skip && `${counts.skip} skipped`,
  ].filter(Boolean);
  return `${counts.pass}/${ran}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

function indent(lines: readonly string[], prefix: string, first = prefix): string[] {
  return lines.map((line, i) => (i === 0 ? first : prefix) + line);
}

function failureDetails(result: ClaimResult, options: FormatOptions): string[] {
  const pad = ' '.repeat(8);
  const field = (name: string, lines: readonly string[]) => indent(lines, `${pad}${' '.repeat(11)}`, `${pad}${paint(options, 'dim', name.padEnd(11))}`);
  const out = indent(result.message.split('\n'), pad);
  if (result.expected) out.push(...field('expected', result.expected.split('\n')));
  if (result.actual) out.push(...field('got', result.actual.split('\n')));
  out.push(...field('reference', [result.reference]));
  out.push(...field('read', [result.notes]));
  if (result.curl) {
    const replay = result.setup?.length
      ? [
          'start the server in one terminal:',
          ...result.setup.map((line) => `  ${line}`),
          'then, in another terminal:',
          ...result.curl.map((line) => `  ${line}`),
        ]
      : result.curl;
    out.push(...field('replay', replay));
  }
  return out;
}

/** One lesson's block: header, a line per claim, details of failures and warnings, summary. */
export function formatLesson(report: LessonReport, options: FormatOptions): string {
  const width = Math.max(0, ...report.results.map((result) => result.id.length));
  const lines = [paint(options, 'bold', `Lesson ${report.lesson} — ${report.title}`) + paint(options, 'dim', `  (${report.server})`)];
  for (const result of report.results) {
    const [label, color] = LABELS[result.status];
    lines.push(`  ${paint(options, color, label)}  ${result.id.padEnd(width)}  ${result.claim}`);
    if (result.status === 'fail' || result.status === 'warn') lines.push(...failureDetails(result, options));
    if (result.status === 'skip') lines.push(paint(options, 'dim', `        ${result.message}`));
    if (result.status === 'timeout') lines.push(paint(options, 'yellow', `        ${result.message}: not a verdict on the claim`));
  }
  const summary = lessonSummary(report);
  lines.push(report.counts.fail ? paint(options, 'red', summary) : summary, '');
  return lines.join('\n');
}

/**
 * The last lines: every lesson together, and what the run could not judge: a run that
 * could not start, a run that judged no claim at all, the checks that ran out of time.
 */
export function formatTotal(run: RunReport, options: FormatOptions): string {
  if (run.error) return paint(options, 'red', `error: ${run.error}`);
  const lessons = `${run.lessons.length} lesson${run.lessons.length === 1 ? '' : 's'}`;
  const where = run.url ? `, ${run.url}` : run.start ? `, ${run.start.command}` : '';
  const lines = [paint(options, run.ok ? 'green' : 'red', `All ${lessons} (profile ${run.profile}${where}): ${tally(run.counts)} in ${seconds(run.durationMs)}`)];
  const verdicts = run.counts.pass + run.counts.fail + run.counts.warn;
  if (verdicts === 0) {
    const why = run.counts.timeout ? 'every claim was skipped or ran out of time' : 'every claim was skipped';
    lines.push(paint(options, 'red', `nothing was checked: ${why} (the reasons are above); this is not a pass`));
  }
  if (run.counts.timeout) {
    lines.push(
      paint(options, 'yellow', `${run.counts.timeout} check${run.counts.timeout > 1 ? 's' : ''} ran out of time: not verdicts. ` +
        'On a busy machine run them again, or give more time with --timeout SECONDS.'),
    );
  }
  return lines.join('\n');
}

/** The whole report as text. */
export function formatRun(run: RunReport, options: FormatOptions): string {
  return [...run.lessons.map((report) => formatLesson(report, options)), formatTotal(run, options)].join('\n');
}
