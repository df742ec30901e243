import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addRatios, formatRatio, renderChart, renderMarkdown, resultsTable, type Load, type Report, type Row } from './report.ts';

const load = (rps: number, cpuMicrosPerRequest: number | null = 100): Load => ({ rps, p50Ms: 1, p99Ms: 150, requests: rps * 5, non2xx: 0, errors: 0, cpuMicrosPerRequest, loadAverage: 1.5 });
const goal = (min: number, of?: string) => ({ min, ...(of ? { of } : {}), ratio: null, met: null });

function sampleReport(): Report {
  const rows: Row[] = [
    { name: 'baseline-start', label: 'baseline (start of run)', kind: 'load', status: 'ok', load: load(11_000) },
    { name: 'lesson2', label: 'lesson 2 <in-memory> & co', kind: 'load', status: 'ok', load: load(9_000, 125), goals: [goal(0.8)] },
    { name: 'lesson5-1k', label: 'lesson 5, 1,000', kind: 'load', status: 'ok', load: load(7_000), goals: [goal(0.6)] },
    { name: 'lesson5-1m', label: 'lesson 5, 1,000,000', kind: 'load', status: 'ok', load: load(5_000), note: '1,000,000 sessions seeded in 4.2 s', goals: [goal(0.6), goal(0.8, 'lesson5-1k')] },
    { name: 'lesson6', label: 'lesson 6', kind: 'load', status: 'skipped', note: 'no lessons/06/server.ts | here', goals: [goal(0.5)] },
    { name: 'baseline-end', label: 'baseline (end of run)', kind: 'load', status: 'ok', load: load(9_000) },
    { name: 'check-all', label: 'npm run check', kind: 'command', status: 'ok', wallSeconds: 12.34 },
  ];
  const settings = { durationSeconds: 5, warmupSeconds: 1, connections: 10, smoke: false, profiled: false };
  return { date: '2025-01-02T03:04:05Z', machine: 'Test CPU, 2 cores', cores: 2, settings, loadAverage: { start: 3.5, end: 0.2 }, baselineRps: addRatios(rows), rows };
}

test('addRatios: to the mean of both baselines, by req/s and by CPU time, and the goals', () => {
  const report = sampleReport();
  assert.deepEqual(report.baselineRps, { start: 11_000, end: 9_000, mean: 10_000 });
  const row = (name: string) => report.rows.find((r) => r.name === name)!;
  assert.equal(row('lesson2').ratio, 0.9);
  assert.equal(row('lesson2').cpuRatio, 0.8);
  assert.deepEqual(row('lesson2').goals, [{ min: 0.8, ratio: 0.9, met: true }]);
  const [vsBaseline, vs1k] = row('lesson5-1m').goals!;
  assert.equal(vsBaseline!.met, false);
  assert.ok(Math.abs(vs1k!.ratio! - 5 / 7) < 1e-9);
  assert.equal(vs1k!.met, false);
  assert.deepEqual(row('lesson6').goals, [{ min: 0.5, ratio: null, met: null }]);
  assert.equal(row('lesson6').ratio, undefined);
});

test('formatRatio: two decimals, two significant digits below 0.1', () => {
  assert.equal(formatRatio(0.8349), '0.83');
  assert.equal(formatRatio(0.000812), '0.00081');
  assert.equal(formatRatio(null), '—');
});

test('the results table: goals, notes, escaped pipes, no commands', () => {
  const table = resultsTable(sampleReport());
  assert.match(table, /\| `lesson2` lesson 2 <in-memory> & co \| 9,000 \| 1 \| 150 \| 0\.90 \| 0\.80 \| ≥ 0\.8: met \|/);
  assert.match(table, /≥ 0\.6: \*\*missed\*\* \(0\.50\); ≥ 0\.8 × lesson5-1k: \*\*missed\*\* \(0\.71\); 1,000,000 sessions seeded in 4\.2 s/);
  assert.match(table, /\| `lesson6` lesson 6 \| — \| — \| — \| — \| — \| ≥ 0\.5: not measured; skipped: no lessons\/06\/server\.ts \\\| here \|/);
  assert.doesNotMatch(table, /npm run check/);
  const none = sampleReport();
  none.rows[1]!.load = { ...load(0), requests: 0 };
  addRatios(none.rows);
  assert.match(resultsTable(none), /\| `lesson2` [^|]+ \| 0 \| — \| — \| 0\.00 \|.*no answer within the 5 s measured/);
});

test('the markdown: machine, load, drift, chart, wall times', () => {
  const markdown = renderMarkdown(sampleReport());
  assert.match(markdown, /Machine: Test CPU, 2 cores/);
  assert.match(markdown, /3\.5 at the start, 0\.2 at the end, up to 3\.5, on 2 cores: other processes competed/);
  assert.match(markdown, /drift -18\.2%/);
  assert.match(markdown, /!\[ratios\]\(\.\/benchmarks\.svg\)/);
  assert.match(markdown, /\| `npm run check` \| 12\.3 s \| passed \|/);
});

test('the chart: a bar per measured row, escaped labels, goal ticks, the 1.0 line', () => {
  const svg = renderChart(sampleReport());
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal(svg.match(/<rect x=/g)?.length, 5);
  assert.match(svg, /lesson 2 &lt;in-memory&gt; &amp; co/);
  assert.doesNotMatch(svg, /<in-memory>/);
  // lesson2, lesson5-1k, lesson5-1m ×2 (lesson6 has no ratio): four goal ticks.
  assert.equal(svg.match(/stroke-width="2"/g)?.length, 4);
  assert.match(svg, /fill="#c62828"/);
  assert.match(svg, /stroke-dasharray="5 4"/);
  assert.match(svg, /skipped: no lessons\/06/);
});
