/**
 * The benchmark's outputs, as pure functions of the results: each round's ratio to the
 * baseline and their median and spread, the Markdown page (`benchmarks.md`), the chart
 * (`benchmarks.svg`, plain SVG by hand).
 *
 * @module
 */
import type { Goal } from './targets.ts';

/** What one measurement of one server gave (half a round). */
export interface Load {
  /** 2xx answers per second. */
  rps: number;
  /** Latencies, in whole ms (autocannon's histogram). */
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Answers that were not 2xx: any makes the row invalid. */
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** The server's CPU time per answer; null where there is no /proc. */
  cpuMicrosPerRequest: number | null;
  /** The machine's 1-minute load average when the measurement began. */
  loadAverage: number;
}

/**
 * One round of a row: the baseline loaded, then the row's server, for the same time over the
 * same connections, seconds apart. Rounds alternate baseline, lesson, baseline, lesson (ABAB).
 */
export interface Round {
  baseline: Load;
  lesson: Load;
}

/** The median of some values and their extremes. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** What a row's rounds come to. */
export interface Summary {
  /** The row's req/s, p50 and p99 (null: no answer), and the baseline's req/s: medians over the rounds. */
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  baselineRps: number;
  /** Each round's req/s ÷ the baseline's req/s in the same round: median and extremes. */
  ratio: Spread | null;
  /** Each round's baseline CPU µs per request ÷ the row's: the median. */
  cpuRatio: number | null;
}

/** A goal of the issue and this run's verdict (null: not measured). */
export interface GoalResult extends Goal {
  ratio: number | null;
  met: boolean | null;
}

/** One target's result. */
export interface Row {
  name: string;
  label: string;
  /** A load test on a server, or the wall time of a command. */
  kind: 'load' | 'command';
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped, or what was seeded. */
  note?: string;
  /** For a load test: every round, as measured. */
  rounds?: Round[];
  /** For a load test that passed: its rounds summed up by {@link summarize}. */
  summary?: Summary;
  /** For a command: its wall time. */
  wallSeconds?: number;
  goals?: GoalResult[];
}

/** Everything one run produced: `benchmarks.json`. */
export interface Report {
  date: string;
  machine: string;
  cores: number;
  settings: { rounds: number; durationSeconds: number; warmupSeconds: number; connections: number; smoke: boolean; profiled: boolean };
  /** The 1-minute load average when the run started and when it ended. */
  loadAverage: { start: number; end: number };
  /** The baseline's req/s over every round of the run: how much the machine's speed moved. */
  baselineRps: Spread | null;
  /** How long the whole run took. */
  elapsedSeconds: number;
  rows: Row[];
}

/**
 * The median and the extremes of `values`; null when there are none.
 *
 * @example
 * spread([2, 0.25, 4, 1]); // { median: 1.5, min: 0.25, max: 4 }
 */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  // An even count has two middle values: the median is halfway between them.
  const median = sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

/** `part ÷ whole`, or null when either is unknown or `whole` is 0. */
const divide = (part: number | null, whole: number | null) => (part === null || !whole ? null : part / whole);

/** The median of the values that are known. */
const median = (values: (number | null)[]) => spread(values.filter((v): v is number => v !== null))?.median ?? null;

/**
 * Sums up a row's rounds. A round's ratio divides by the baseline of the same round, measured
 * just before: whatever slowed the machine then slowed both.
 *
 * @example
 * summarizeRounds(row.rounds).ratio; // { median: 0.83, min: 0.79, max: 0.88 }
 */
export function summarizeRounds(rounds: readonly Round[]): Summary {
  // A latency means nothing for a round that got no answer (scrypt on a busy machine).
  const answered = rounds.map((round) => round.lesson).filter((load) => load.requests > 0);
  return {
    rps: median(rounds.map((round) => round.lesson.rps)) ?? 0,
    p50Ms: median(answered.map((load) => load.p50Ms)),
    p99Ms: median(answered.map((load) => load.p99Ms)),
    baselineRps: median(rounds.map((round) => round.baseline.rps)) ?? 0,
    ratio: spread(rounds.map((round) => divide(round.lesson.rps, round.baseline.rps)).filter((r): r is number => r !== null)),
    cpuRatio: median(rounds.map((round) => divide(round.baseline.cpuMicrosPerRequest, round.lesson.cpuMicrosPerRequest))),
  };
}

/**
 * Sums up the rounds of every row that passed and judges its goals on the median ratio (a
 * goal `of` another row divides by that row's median ratio); returns the baseline's req/s
 * over the whole run.
 *
 * @example
 * summarize(rows); // { median: 9500, min: 4414, max: 11000 }
 */
export function summarize(rows: Row[]): Spread | null {
  for (const row of rows) if (row.status === 'ok' && row.rounds?.length) row.summary = summarizeRounds(row.rounds);
  const medianRatio = (name: string | undefined) => rows.find((r) => r.name === name)?.summary?.ratio?.median ?? null;
  for (const row of rows) {
    row.goals = row.goals?.map((goal) => {
      const ratio = divide(medianRatio(row.name), goal.of ? medianRatio(goal.of) : 1);
      return { ...goal, ratio, met: ratio === null ? null : ratio >= goal.min };
    });
  }
  return spread(rows.filter((row) => row.summary).flatMap((row) => row.rounds!.map((round) => round.baseline.rps)));
}

const integer = (n: number) => Math.round(n).toLocaleString('en-US');
/** req/s as a whole number, or two significant digits below 10 (scrypt rows): `0.65`, not `1`. */
export const formatRps = (rps: number) => (rps > 0 && rps < 10 ? rps.toPrecision(2) : integer(rps));

/**
 * A ratio with two decimals, or two significant digits when tiny (Basic auth).
 *
 * @example
 * formatRatio(0.000812); // '0.00081'
 */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio == null) return '—';
  return ratio >= 0.1 || ratio === 0 ? ratio.toFixed(2) : ratio.toPrecision(2);
}

function describeGoal(goal: GoalResult): string {
  const verdict = goal.met === null ? 'not measured' : goal.met ? 'met' : `**missed** (${formatRatio(goal.ratio)})`;
  return `≥ ${goal.min}${goal.of ? ` × ${goal.of}` : ''}: ${verdict}`;
}

/** A spread of ratios as `min–max`. */
const formatRange = (ratio: Spread | null | undefined) => (ratio ? `${formatRatio(ratio.min)}–${formatRatio(ratio.max)}` : '—');

/** The results table (Markdown): one line per load test, medians over its rounds. */
export function resultsTable(report: Report): string {
  const lines = [
    '| Target | req/s | p50 ms | p99 ms | baseline req/s | × baseline (median) | min–max | × baseline by CPU | Goals and notes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of report.rows.filter((r) => r.kind === 'load')) {
    const summary = row.summary;
    const notes = [...(row.goals ?? []).map(describeGoal), ...(row.note ? [row.status === 'ok' ? row.note : `${row.status}: ${row.note}`] : [])];
    // Under heavy load a scrypt row may finish no request in a round: that round has no latency.
    const silent = row.rounds?.filter((round) => round.lesson.requests === 0).length ?? 0;
    if (silent) notes.push(`${silent} of ${row.rounds!.length} rounds got no answer within their ${report.settings.durationSeconds} s`);
    const rounded = (n: number | null | undefined, format = integer) => (n == null ? '—' : format(n));
    const cells = [`\`${row.name}\` ${row.label}`, rounded(summary?.rps, formatRps), rounded(summary?.p50Ms), rounded(summary?.p99Ms), rounded(summary?.baselineRps)];
    cells.push(formatRatio(summary?.ratio?.median), formatRange(summary?.ratio), formatRatio(summary?.cpuRatio), notes.join('; ').replaceAll('|', '\\|'));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The wall-time table (Markdown) of the commands. */
export function wallTimeTable(report: Report): string {
  const lines = ['| Command | Wall time | Result |', '| --- | ---: | --- |'];
  for (const row of report.rows.filter((r) => r.kind === 'command')) {
    const result = row.status === 'ok' ? 'passed' : `${row.status}: ${row.note ?? ''}`;
    lines.push(`| \`${row.label}\` | ${row.wallSeconds === undefined ? '—' : `${row.wallSeconds.toFixed(1)} s`} | ${result.replaceAll('|', '\\|')} |`);
  }
  return lines.join('\n');
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The chart: a bar per load test, as long as its median ratio to the baseline, with a whisker
 * from the lowest round's ratio to the highest; a dashed line at 1.0; a black tick at each goal.
 * Green: goals met; red: one missed; blue: no goal.
 */
export function renderChart(report: Report): string {
  const rows = report.rows.filter((r) => r.kind === 'load');
  const [left, width, top, rowHeight] = [340, 420, 56, 24];
  const scale = Math.ceil(Math.max(1.2, ...rows.map((r) => r.summary?.ratio?.max ?? 0)) * 5) / 5;
  const x = (ratio: number) => (left + (Math.min(ratio, scale) / scale) * width).toFixed(1);
  const bottom = top + rows.length * rowHeight;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 130}" height="${bottom + 40}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="600">Requests per second ÷ baseline of the same round (median of ${report.settings.rounds} rounds)</text>`,
    `<text x="8" y="38" fill="#555">${escapeXml(`${report.date.slice(0, 10)} · ${report.machine}`)}</text>`,
  ];
  for (let tick = 0; tick <= scale + 1e-9; tick += 0.2) {
    out.push(`<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x(tick)}" y="${bottom + 14}" text-anchor="middle" fill="#666">${tick.toFixed(1)}</text>`);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const goals = row.goals ?? [];
    const color = goals.some((g) => g.met === false) ? '#c62828' : goals.length ? '#2e7d32' : '#5c7cfa';
    out.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escapeXml(row.label)}</text>`);
    const ratio = row.summary?.ratio;
    if (!ratio) {
      out.push(`<text x="${left + 4}" y="${y + 16}" fill="#888">${escapeXml(`${row.status}: ${row.note ?? 'no ratio'}`.slice(0, 70))}</text>`);
      return;
    }
    out.push(`<rect x="${left}" y="${y + 5}" width="${Math.max(1, Number(x(ratio.median)) - left)}" height="14" fill="${color}"/>`);
    // The whisker: how far the rounds spread around the median.
    out.push(`<path d="M${x(ratio.min)} ${y + 12}H${x(ratio.max)}M${x(ratio.min)} ${y + 8}v8M${x(ratio.max)} ${y + 8}v8" stroke="#444" fill="none"/>`);
    out.push(`<text x="${left + width + 8}" y="${y + 16}">${formatRatio(ratio.median)} (${formatRange(ratio)})</text>`);
    for (const goal of goals) {
      // A goal relative to another row sits at that row's median ratio times the minimum.
      const reference = goal.of ? rows.find((r) => r.name === goal.of)?.summary?.ratio?.median : 1;
      if (reference) out.push(`<line x1="${x(goal.min * reference)}" y1="${y + 1}" x2="${x(goal.min * reference)}" y2="${y + 23}" stroke="#111" stroke-width="2"/>`);
    }
  });
  out.push(`<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${bottom}" stroke="#333" stroke-dasharray="5 4"/>`);
  out.push(`<text x="8" y="${bottom + 32}" fill="#555">bar: median · whisker: lowest to highest round · green: goals met · red: a goal missed · blue: no goal · black tick: a goal · dashed: 1.0</text>`);
  return [...out, '</svg>', ''].join('\n');
}

const howToRead = `## How to read it

Each load row has two servers up side by side: the bare baseline (Express 5, the same user
JSON, no authentication) and the row's server. They take turns in **rounds**: the baseline
under load for a few seconds, then the row's server for as long over the same connections,
then the baseline again (baseline, lesson, baseline, lesson...). Only one is loaded at a time.

- **× baseline (median)**: each round gives one ratio, the row's req/s ÷ the baseline's req/s
  in the same round, measured seconds before. Whatever slowed the machine then (another
  process, a hotter CPU) slowed both, so the ratio carries over to another machine and the raw
  req/s do not. We divide by the round's own baseline rather than the mean of its two
  neighbours: each baseline then belongs to one ratio, so the rounds stay independent and
  their spread means what it says. The **median** of the rounds is the figure: one slow round
  moves it little. The goals are judged on it.
- **min–max**: the lowest and the highest round. Narrow (a few hundredths): the rounds agree.
  Wide: the machine was busy; compare the medians of one run only, or rerun on a quiet machine.
- **req/s**, **p50/p99** (latencies) and **baseline req/s**: medians over the row's rounds.
  The baseline column shows how the machine's speed moved during the run; the ratios already
  make up for it.
- **× baseline by CPU**: per round, the baseline's CPU time per request ÷ the row's (from
  \`/proc\`), then the median. Waiting for a core costs req/s but no CPU time, so it is steadier
  when the load average is above the core count.
- **1,000,000 vs 1,000 sessions**: these two rows are not interleaved with each other. Each is
  interleaved with the baseline, and the goal divides one median ratio by the other: both are
  already corrected for the drift of their own rounds.

What each design costs:

- **Basic auth (lesson 1)** runs scrypt, a deliberately slow hash, on every request: a few
  requests per second. Sessions exist to pay it once, at login (\`login-lesson3\`).
- **In-memory sessions (lessons 2–4)**: a \`Map\` lookup, then the user by primary key.
- **SQLite sessions (lesson 5)**: SHA-256 of the cookie and one indexed read; a B-tree's depth
  grows with the logarithm of the rows, so 1,000,000 sessions cost about what 1,000 do.
- **express-session (lesson 6)**: a signed cookie (HMAC), the store's read and \`JSON.parse\`,
  and now and then a write that slides the session's expiry.

What remains below the goals, and why. CPU profiles of the servers (\`--profile-dir\`) put the
difference from the baseline in work the lessons do on purpose, spread thin, not in one hot
spot to fix:

- **The user is read on every request**, as in the course: a user deleted or changed by another
  process counts at once. One \`User.get\` is an indexed SQLite read of about 10 to 13 µs
  (timed in a loop, in one process), which the baseline never makes. The in-memory lessons pay
  it too.
- **The app's layers**: the playground's routes and its header test, cookie-parser, the guard
  (excluded paths, then the session), the JSON parser's look at the request, and four routers
  under \`/api/v1\` before \`usersRouter\` matches. Each is small; together they are a few
  tenths of the baseline's cost. They are what the lessons teach, so they stay.
- **Lesson 5** adds SHA-256 of the cookie and a second indexed read, the session by its hash.
- **Lesson 6** adds express-session's own work on top: the cookie's HMAC, a \`Session\` object, a
  hash of the session's JSON to see whether it changed, \`on-headers\` around \`writeHead\`,
  \`JSON.parse\` of the stored row, and the store's \`touch\` statement, which writes only when
  the expiry moves by a tenth but takes SQLite's write lock every time; the allocations of all
  that show as more garbage collection (about 12% of samples, against 10% for the baseline).

What would reach the goals, and why we don't: caching users or sessions in the process (a
logout or a deleted user in another process would go unnoticed: \`L5-shared-logout\`), or
fewer layers than the lessons teach.
`;

/** `125` → `2 min 5 s`. */
const minutes = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`);

/** The whole `benchmarks.md`. */
export function renderMarkdown(report: Report): string {
  const { settings, baselineRps: b, loadAverage } = report;
  const measured = report.rows.flatMap((row) => row.rounds ?? []).flatMap((round) => [round.baseline.loadAverage, round.lesson.loadAverage]);
  const highest = Math.max(loadAverage.start, loadAverage.end, ...measured);
  const busy = highest > report.cores ? ': other processes competed for the CPU' : '';
  const drift = b ? ` (the slowest ${(((b.max - b.min) / b.max) * 100).toFixed(0)}% below the fastest)` : '';
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${report.date}; \`bench/README.md\` says what each row measures and how to shorten the run.`,
    ...(settings.smoke ? ['', '> Smoke run (`--smoke`): shortest settings, the numbers mean nothing.'] : []),
    ...(settings.profiled ? ['', '> Profiled run (`--profile-dir`): the servers ran under `--cpu-prof`, slower than usual.'] : []),
    ...(settings.rounds < 5 && !settings.smoke ? ['', `> ${settings.rounds} rounds per row: the goals ask for the median of at least 5.`] : []),
    '',
    `- Machine: ${report.machine}`,
    `- ${settings.rounds} rounds per row, each ${settings.durationSeconds} s of the baseline then ${settings.durationSeconds} s of the row, ${settings.connections} connections; ${settings.warmupSeconds} s of warm-up for each server first; each server a child process on 127.0.0.1`,
    `- 1-minute load average: ${loadAverage.start.toFixed(1)} at the start, ${loadAverage.end.toFixed(1)} at the end, up to ${highest.toFixed(1)}, on ${report.cores} cores${busy}`,
    `- Baseline: ${b ? `${integer(b.min)} to ${integer(b.max)} req/s over the run's rounds, median ${integer(b.median)}${drift}` : '—'}`,
    `- The whole run took ${minutes(report.elapsedSeconds)}`,
    '',
    resultsTable(report),
    '',
    '![ratios](./benchmarks.svg)',
    '',
    wallTimeTable(report),
    '',
    howToRead,
  ].join('\n');
}
