import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRatio, renderChart, renderMarkdown, resultsTable, spread, summarize, summarizeRounds, type Load, type Report, type Round, type Row } from './report.ts';

const load = (rps: number, cpuMicrosPerRequest: number | null = 100, latency = { p50Ms: 1, p99Ms: 150 }): Load => ({
  rps,
  ...latency,
  requests: rps * 3,
  non2xx: 0,
  errors: 0,
  cpuMicrosPerRequest,
  loadAverage: 1.5,
});
/** Rounds whose baselines give `baselines` req/s and the lesson `ratios` of them. */
const rounds = (baselines: number[], ratios: number[]): Round[] => baselines.map((rps, i) => ({ baseline: load(rps), lesson: load(rps * ratios[i]!) }));
const goal = (min: number, of?: string) => ({ min, ...(of ? { of } : {}), ratio: null, met: null });

function sampleReport(): Report {
  const rows: Row[] = [
    { name: 'lesson2', label: 'lesson 2 <in-memory> & co', kind: 'load', status: 'ok', rounds: rounds([10_000, 11_000, 9_000], [0.9, 0.8, 0.95]), goals: [goal(0.85)] },
    { name: 'lesson5-1k', label: 'lesson 5, 1,000', kind: 'load', status: 'ok', rounds: rounds([8_000, 8_000, 8_000], [0.7, 0.7, 0.7]), goals: [goal(0.8)] },
    {
      name: 'lesson5-1m',
      label: 'lesson 5, 1,000,000',
      kind: 'load',
      status: 'ok',
      rounds: rounds([4_414, 8_139, 6_000], [0.5, 0.5, 0.5]),
      note: '1,000,000 sessions seeded in 4.2 s',
      goals: [goal(0.8), goal(0.8, 'lesson5-1k')],
    },
    { name: 'lesson6', label: 'lesson 6', kind: 'load', status: 'skipped', note: 'no lessons/06/server.ts | here', goals: [goal(0.6)] },
    { name: 'check-all', label: 'npm run check', kind: 'command', status: 'ok', wallSeconds: 12.34 },
  ];
  const settings = { rounds: 3, durationSeconds: 3, warmupSeconds: 1, connections: 10, smoke: false, profiled: false };
  const loadAverage = { start: 3.5, end: 0.2 };
  return { date: '2025-01-02T03:04:05Z', machine: 'Test CPU, 2 cores', cores: 2, settings, loadAverage, baselineRps: summarize(rows), elapsedSeconds: 385, rows };
}

const row = (report: Report, name: string) => report.rows.find((r) => r.name === name)!;

test('spread: the median (halfway between the middle two of an even count) and the extremes', () => {
  assert.deepEqual(spread([0.9, 0.7, 1.2]), { median: 0.9, min: 0.7, max: 1.2 });
  assert.deepEqual(spread([2, 0.25, 4, 1]), { median: 1.5, min: 0.25, max: 4 });
  assert.deepEqual(spread([3]), { median: 3, min: 3, max: 3 });
  assert.equal(spread([]), null);
  const values = [3, 1, 2];
  spread(values);
  assert.deepEqual(values, [3, 1, 2], 'the caller keeps its order');
});

test('summarizeRounds: each ratio divides by the baseline of its own round, so drift cancels', () => {
  // The machine's speed almost doubles between rounds; the lesson always serves 0.8 of the baseline.
  const summary = summarizeRounds(rounds([4_414, 8_139, 6_000, 5_000, 7_000], [0.8, 0.8, 0.8, 0.8, 0.8]));
  assert.ok(Math.abs(summary.ratio!.median - 0.8) < 1e-12);
  assert.ok(summary.ratio!.max - summary.ratio!.min < 1e-12);
  assert.equal(summary.baselineRps, 6_000);
  assert.equal(summary.rps, 6_000 * 0.8);
});

test('summarizeRounds: one slow round moves the median little; the spread shows it', () => {
  const summary = summarizeRounds(rounds([10_000, 10_000, 10_000, 10_000, 10_000], [0.86, 0.88, 0.4, 0.87, 0.9]));
  assert.deepEqual(summary.ratio, { median: 0.87, min: 0.4, max: 0.9 });
});

test('summarizeRounds: latencies only from rounds that got answers, CPU ratio per round', () => {
  const silent: Load = { ...load(0, null), requests: 0, p50Ms: 0, p99Ms: 0 };
  const summary = summarizeRounds([
    { baseline: load(10_000, 100), lesson: load(5, 200_000, { p50Ms: 1_300, p99Ms: 2_400 }) },
    { baseline: load(10_000, 100), lesson: silent },
    { baseline: load(10_000, 300), lesson: load(6, 200_000, { p50Ms: 1_100, p99Ms: 2_000 }) },
  ]);
  assert.equal(summary.p50Ms, 1_200);
  assert.equal(summary.p99Ms, 2_200);
  assert.equal(summary.rps, 5);
  assert.deepEqual(summary.ratio, { median: 0.0005, min: 0, max: 0.0006 });
  // 100/200,000 and 300/200,000; the silent round has no CPU time per request.
  assert.equal(summary.cpuRatio, 0.001);
  // A baseline with no answer gives its round no ratio at all.
  assert.equal(summarizeRounds([{ baseline: load(0), lesson: load(10) }]).ratio, null);
});

test('summarize: rows that passed, goals judged on the median ratio, the baseline over the run', () => {
  const report = sampleReport();
  assert.deepEqual(row(report, 'lesson2').summary!.ratio, { median: 0.9, min: 0.8, max: 0.95 });
  assert.deepEqual(row(report, 'lesson2').goals, [{ min: 0.85, ratio: 0.9, met: true }]);
  const [vsBaseline, vs1k] = row(report, 'lesson5-1m').goals!;
  assert.deepEqual(vsBaseline, { min: 0.8, ratio: 0.5, met: false });
  // 1,000,000 vs 1,000: one median ratio divided by the other.
  assert.ok(Math.abs(vs1k!.ratio! - 0.5 / 0.7) < 1e-9);
  assert.equal(vs1k!.met, false);
  assert.equal(row(report, 'lesson6').summary, undefined);
  assert.deepEqual(row(report, 'lesson6').goals, [{ min: 0.6, ratio: null, met: null }]);
  assert.deepEqual(report.baselineRps, { median: 8_000, min: 4_414, max: 11_000 });

  const failed: Row = { name: 'lesson3', label: 'lesson 3', kind: 'load', status: 'failed', rounds: rounds([10_000], [0.9]), goals: [goal(0.85)] };
  assert.equal(summarize([failed]), null, 'a failed row counts for nothing');
  assert.deepEqual(failed.goals, [{ min: 0.85, ratio: null, met: null }]);
});

test('formatRatio: two decimals, two significant digits below 0.1', () => {
  assert.equal(formatRatio(0.8349), '0.83');
  assert.equal(formatRatio(0.000812), '0.00081');
  assert.equal(formatRatio(null), '—');
});

test('the results table: medians, spread, goals, notes, escaped pipes, no commands', () => {
  const table = resultsTable(sampleReport());
  assert.match(table, /\| baseline req\/s \| × baseline \(median\) \| min–max \| × baseline by CPU \|/);
  assert.match(table, /\| `lesson2` lesson 2 <in-memory> & co \| 8,800 \| 1 \| 150 \| 10,000 \| 0\.90 \| 0\.80–0\.95 \| 1\.00 \| ≥ 0\.85: met \|/);
  assert.match(table, /≥ 0\.8: \*\*missed\*\* \(0\.50\); ≥ 0\.8 × lesson5-1k: \*\*missed\*\* \(0\.71\); 1,000,000 sessions seeded in 4\.2 s/);
  assert.match(table, /\| `lesson6` lesson 6 \| — \| — \| — \| — \| — \| — \| — \| ≥ 0\.6: not measured; skipped: no lessons\/06\/server\.ts \\\| here \|/);
  assert.doesNotMatch(table, /npm run check/);

  const quiet = sampleReport();
  row(quiet, 'lesson2').rounds![1]!.lesson = { ...load(0), requests: 0 };
  summarize(quiet.rows);
  assert.match(resultsTable(quiet), /\| `lesson2` .*1 of 3 rounds got no answer within their 3 s/);

  // scrypt: a few requests a second, not rounded to 0 or 1.
  const scrypt = sampleReport();
  row(scrypt, 'lesson2').rounds = rounds([10_000, 10_000, 10_000], [0.000065, 0.00007, 0.00006]);
  summarize(scrypt.rows);
  assert.match(resultsTable(scrypt), /\| `lesson2` [^|]+ \| 0\.65 \| 1 \| 150 \| 10,000 \| 0\.000065 \|/);
});

test('the markdown: machine, rounds, load, the baseline over the run, run time, chart, wall times', () => {
  const markdown = renderMarkdown(sampleReport());
  assert.match(markdown, /Machine: Test CPU, 2 cores/);
  assert.match(markdown, /3 rounds per row, each 3 s of the baseline then 3 s of the row, 10 connections/);
  assert.match(markdown, /> 3 rounds per row: the goals ask for the median of at least 5\./);
  assert.match(markdown, /3\.5 at the start, 0\.2 at the end, up to 3\.5, on 2 cores: other processes competed/);
  assert.match(markdown, /Baseline: 4,414 to 11,000 req\/s over the run's rounds, median 8,000 \(the slowest 60% below the fastest\)/);
  assert.match(markdown, /The whole run took 6 min 25 s/);
  assert.match(markdown, /!\[ratios\]\(\.\/benchmarks\.svg\)/);
  assert.match(markdown, /\| `npm run check` \| 12\.3 s \| passed \|/);
  assert.match(markdown, /## How to read it/);
  const five = sampleReport();
  five.settings.rounds = 5;
  assert.doesNotMatch(renderMarkdown(five), /at least 5/);
});

test('the chart: a bar and a whisker per summarized row, escaped labels, goal ticks, the 1.0 line', () => {
  const svg = renderChart(sampleReport());
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  // The background and three bars; lesson6 has none.
  assert.equal(svg.match(/<rect /g)?.length, 4);
  assert.equal(svg.match(/<path d="M/g)?.length, 3);
  assert.match(svg, />0\.90 \(0\.80–0\.95\)</);
  assert.match(svg, /lesson 2 &lt;in-memory&gt; &amp; co/);
  assert.doesNotMatch(svg, /<in-memory>/);
  // lesson2, lesson5-1k, lesson5-1m ×2 (lesson6 has no ratio): four goal ticks.
  assert.equal(svg.match(/stroke-width="2"/g)?.length, 4);
  assert.match(svg, /fill="#c62828"/);
  assert.match(svg, /stroke-dasharray="5 4"/);
  assert.match(svg, /skipped: no lessons\/06/);
});
