/**
 * The benchmark's outputs, as pure functions of the results: the ratios to the baseline, the
 * Markdown page (`benchmarks.md`), the chart (`benchmarks.svg`, plain SVG by hand).
 *
 * @module
 */
import type { Goal } from './targets.ts';

/** What one load test measured. */
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
  load?: Load;
  /** For a command: its wall time. */
  wallSeconds?: number;
  /** req/s ÷ the baselines' mean req/s. */
  ratio?: number | null;
  /** The baselines' CPU µs per request ÷ this row's: the same ratio, less disturbed by a busy machine. */
  cpuRatio?: number | null;
  goals?: GoalResult[];
}

/** Everything one run produced: `benchmarks.json`. */
export interface Report {
  date: string;
  machine: string;
  cores: number;
  settings: { durationSeconds: number; warmupSeconds: number; connections: number; smoke: boolean; profiled: boolean };
  /** The 1-minute load average when the run started and when it ended. */
  loadAverage: { start: number; end: number };
  baselineRps: { start: number | null; end: number | null; mean: number | null };
  rows: Row[];
}

const mean = (values: (number | null | undefined)[]): number | null => {
  const known = values.filter((v): v is number => typeof v === 'number' && v > 0);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
};

/**
 * Sets every row's ratios to the mean of the two baselines (`baseline-start`, `baseline-end`)
 * of the same run, and its goals' verdicts; returns the baselines' req/s.
 *
 * @example
 * addRatios(rows).mean; // 9500
 */
export function addRatios(rows: Row[]): Report['baselineRps'] {
  const byName = new Map(rows.map((row) => [row.name, row]));
  const rps = (name: string) => (byName.get(name)?.status === 'ok' ? byName.get(name)!.load?.rps ?? null : null);
  const baseline = { start: rps('baseline-start'), end: rps('baseline-end'), mean: mean([rps('baseline-start'), rps('baseline-end')]) };
  const baselineCpu = mean(['baseline-start', 'baseline-end'].map((name) => byName.get(name)?.load?.cpuMicrosPerRequest));
  for (const row of rows.filter((r) => r.load)) {
    row.ratio = row.status === 'ok' && baseline.mean ? row.load!.rps / baseline.mean : null;
    const cpu = row.load!.cpuMicrosPerRequest;
    row.cpuRatio = row.status === 'ok' && baselineCpu && cpu ? baselineCpu / cpu : null;
  }
  for (const row of rows) {
    row.goals = row.goals?.map((goal) => {
      const reference = goal.of ? byName.get(goal.of)?.ratio : 1;
      const ratio = row.ratio != null && reference ? row.ratio / reference : null;
      return { ...goal, ratio, met: ratio === null ? null : ratio >= goal.min };
    });
  }
  return baseline;
}

const integer = (n: number) => Math.round(n).toLocaleString('en-US');

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

/** The results table (Markdown): one line per load test. */
export function resultsTable(report: Report): string {
  const lines = ['| Target | req/s | p50 ms | p99 ms | × baseline | × baseline by CPU | Goals and notes |', '| --- | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const row of report.rows.filter((r) => r.kind === 'load')) {
    const load = row.load;
    const notes = [...(row.goals ?? []).map(describeGoal), ...(row.note ? [row.status === 'ok' ? row.note : `${row.status}: ${row.note}`] : [])];
    // Under heavy load a scrypt row may finish no request in time: then it has no latency either.
    if (load?.requests === 0) notes.push(`no answer within the ${report.settings.durationSeconds} s measured`);
    const latency = (ms: number | undefined) => (ms === undefined || load?.requests === 0 ? '—' : integer(ms));
    const cells = [`\`${row.name}\` ${row.label}`, load ? integer(load.rps) : '—', latency(load?.p50Ms), latency(load?.p99Ms)];
    cells.push(formatRatio(row.ratio), formatRatio(row.cpuRatio), notes.join('; ').replaceAll('|', '\\|'));
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
 * The chart: a bar per load test, as long as its ratio to the baseline; a dashed line at 1.0;
 * a black tick at each goal. Green: goals met; red: one missed; blue: no goal; grey: baseline.
 */
export function renderChart(report: Report): string {
  const rows = report.rows.filter((r) => r.kind === 'load');
  const [left, width, top, rowHeight] = [340, 420, 56, 24];
  const scale = Math.ceil(Math.max(1.2, ...rows.map((r) => r.ratio ?? 0)) * 5) / 5;
  const x = (ratio: number) => (left + (Math.min(ratio, scale) / scale) * width).toFixed(1);
  const bottom = top + rows.length * rowHeight;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 120}" height="${bottom + 40}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="600">Requests per second ÷ baseline (same run)</text>`,
    `<text x="8" y="38" fill="#555">${escapeXml(`${report.date.slice(0, 10)} · ${report.machine}`)}</text>`,
  ];
  for (let tick = 0; tick <= scale + 1e-9; tick += 0.2) {
    out.push(`<line x1="${x(tick)}" y1="${top - 4}" x2="${x(tick)}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x(tick)}" y="${bottom + 14}" text-anchor="middle" fill="#666">${tick.toFixed(1)}</text>`);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const goals = row.goals ?? [];
    const color = row.name.startsWith('baseline') ? '#9e9e9e' : goals.some((g) => g.met === false) ? '#c62828' : goals.length ? '#2e7d32' : '#5c7cfa';
    out.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escapeXml(row.label)}</text>`);
    if (row.ratio == null) {
      out.push(`<text x="${left + 4}" y="${y + 16}" fill="#888">${escapeXml(`${row.status}: ${row.note ?? 'no ratio'}`.slice(0, 70))}</text>`);
      return;
    }
    out.push(`<rect x="${left}" y="${y + 5}" width="${Math.max(1, Number(x(row.ratio)) - left)}" height="14" fill="${color}"/>`);
    out.push(`<text x="${left + width + 8}" y="${y + 16}">${formatRatio(row.ratio)}</text>`);
    for (const goal of goals) {
      // A goal relative to another row sits at that row's ratio times the minimum.
      const reference = goal.of ? rows.find((r) => r.name === goal.of)?.ratio : 1;
      if (reference) out.push(`<line x1="${x(goal.min * reference)}" y1="${y + 1}" x2="${x(goal.min * reference)}" y2="${y + 23}" stroke="#111" stroke-width="2"/>`);
    }
  });
  out.push(`<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${bottom}" stroke="#333" stroke-dasharray="5 4"/>`);
  out.push(`<text x="8" y="${bottom + 32}" fill="#555">green: goals met · red: a goal missed · blue: no goal · grey: baseline · black tick: a goal · dashed line: 1.0</text>`);
  return [...out, '</svg>', ''].join('\n');
}

const howToRead = `## How to read it

Each row is autocannon loading one server, alone, for the same time over the same connections.
**req/s** counts 2xx answers; **p50/p99** are latencies. **× baseline** divides req/s by the
mean of the two baseline runs of this run (bare Express 5, the same user JSON, no
authentication): the ratio, not the raw number, carries over to another machine. **× baseline
by CPU** compares the server's CPU time per request instead; waiting for a core costs req/s but
no CPU time, so it is steadier when the load average is above the core count. The goals are
judged on req/s.

- **Basic auth (lesson 1)** runs scrypt, a deliberately slow hash, on every request: a few
  requests per second. Sessions exist to pay it once, at login (\`login-lesson3\`).
- **In-memory sessions (lessons 2–4)**: a \`Map\` lookup, then the user by primary key.
- **SQLite sessions (lesson 5)**: SHA-256 of the cookie and one indexed read; a B-tree's depth
  grows with the logarithm of the rows, so 1,000,000 sessions cost about what 1,000 do.
- **express-session (lesson 6)**: a signed cookie (HMAC), the store's read and \`JSON.parse\`,
  and now and then a write that slides the session's expiry.
`;

/** The whole `benchmarks.md`. */
export function renderMarkdown(report: Report): string {
  const { settings, baselineRps: b, loadAverage } = report;
  const highest = Math.max(loadAverage.start, loadAverage.end, ...report.rows.map((row) => row.load?.loadAverage ?? 0));
  const busy = highest > report.cores ? ': other processes competed for the CPU' : '';
  const drift = b.start && b.end ? ` (drift ${(((b.end - b.start) / b.start) * 100).toFixed(1)}%)` : '';
  return [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench\` on ${report.date}; \`bench/README.md\` says what each row measures and how to shorten the run.`,
    ...(settings.smoke ? ['', '> Smoke run (`--smoke`): shortest settings, the numbers mean nothing.'] : []),
    ...(settings.profiled ? ['', '> Profiled run (`--profile-dir`): the servers ran under `--cpu-prof`, slower than usual.'] : []),
    '',
    `- Machine: ${report.machine}`,
    `- ${settings.durationSeconds} s measured per row after ${settings.warmupSeconds} s of warm-up, ${settings.connections} connections; each server a child process on 127.0.0.1`,
    `- 1-minute load average: ${loadAverage.start.toFixed(1)} at the start, ${loadAverage.end.toFixed(1)} at the end, up to ${highest.toFixed(1)}, on ${report.cores} cores${busy}`,
    `- Baseline: ${b.start ? integer(b.start) : '—'} req/s at the start, ${b.end ? integer(b.end) : '—'} at the end${drift}`,
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
