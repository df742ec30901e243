/**
 * `npm run bench`: each lesson's authenticated throughput next to a bare Express route's, in
 * rounds that take turns (baseline, lesson, baseline, lesson...) on 127.0.0.1; writes
 * `benchmarks.md`, `.svg` and `.json`. See bench/README.md.
 *
 * @module
 */
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LessonServer, makeTempDir, projectRoot, removeTempDir } from '../checks/server.ts';
import { createDatabase, prepareUsers, seedDatabase } from '../checks/users.ts';
import { formatRatio, formatRps, renderChart, renderMarkdown, resultsTable, summarize, summarizeRounds, wallTimeTable, type Load, type Report, type Row } from './report.ts';
import { baselineEntry, credentialFor, seedSessions, selectTargets, type Target } from './targets.ts';

const usage = `usage: npm run bench -- [options]
  --rounds <n>         rounds per row, each the baseline then the row (default 5)
  --duration <s>       measured seconds of each server in each round (default 3)
  --warmup <s>         unmeasured seconds for each server when it starts (default 2)
  --connections <n>    concurrent connections (default 10)
  --only <names>       comma-separated rows, a trailing * matches a prefix
  --smoke              2 rounds of 1 s, no warm-up, no 1,000,000 sessions, no checks, output to a temporary folder
  --out <dir>          where to write benchmarks.{md,svg,json} (default docs)
  --profile-dir <dir>  run each server under node --cpu-prof, one folder per row (and baseline/)`;

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    'profile-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(usage);
  process.exit(0);
}

function parseNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number ≥ 0, not "${value}"`);
  return n;
}

const settings = {
  rounds: Math.max(1, Math.round(parseNumber('rounds', flags.rounds ?? (flags.smoke ? '2' : '5')))),
  durationSeconds: Math.max(1, parseNumber('duration', flags.duration ?? (flags.smoke ? '1' : '3'))),
  warmupSeconds: parseNumber('warmup', flags.warmup ?? (flags.smoke ? '0' : '2')),
  connections: Math.max(1, Math.round(parseNumber('connections', flags.connections!))),
  smoke: flags.smoke!,
  profiled: flags['profile-dir'] !== undefined,
};
const runStarted = performance.now();
// A smoke run never overwrites the committed docs by accident.
const outDir = resolve(flags.out ?? (flags.smoke ? mkdtempSync(join(os.tmpdir(), 'bench-smoke-')) : join(projectRoot, 'docs')));
const profileDir = flags['profile-dir'] && resolve(flags['profile-dir']);
// Ctrl-C: exit through process.exit, so that the launcher's exit hook kills the server still running.
process.once('SIGINT', () => process.exit(130));

// The checks' users, hashed once (scrypt is slow on purpose) and inserted into every server's
// database: `user` authenticates, `other` owns the seeded sessions.
const [user, other] = await prepareUsers();
if (!user || !other) throw new Error('prepareUsers() gave fewer than two users');

/** CPU seconds a process has used so far (user + system), from /proc; null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime and stime are fields 14 and 15; the name before them, in parentheses, may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks: 100 a second on Linux
  } catch {
    return null;
  }
}

/** What to load: a server's URL and request, and its pid to read its CPU time. */
interface LoadSpec {
  url: string;
  request: Partial<autocannon.Options>;
  pid: number | undefined;
}

/** Runs autocannon on `spec` for `duration` seconds. A request slower than 10 s counts as an error: the run still ends on time. */
function hammer(spec: LoadSpec, duration: number) {
  return autocannon({ url: spec.url, connections: settings.connections, duration, timeout: 10, ...spec.request });
}

/** One measurement: autocannon for `--duration` seconds, and the server's CPU time meanwhile. */
async function measure(spec: LoadSpec): Promise<Load> {
  const loadAverage = os.loadavg()[0]!;
  const cpuBefore = cpuSeconds(spec.pid);
  const result = await hammer(spec, settings.durationSeconds);
  const cpuAfter = cpuSeconds(spec.pid);
  const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMicrosPerRequest: cpu === null || result.requests.total === 0 ? null : (cpu * 1e6) / result.requests.total,
    loadAverage,
  };
}

/** Several servers measured at once, each with its own load: the rate per server, the slowest latencies. */
async function measureTogether(specs: readonly LoadSpec[]): Promise<Load> {
  if (specs.length === 1) return measure(specs[0]!);
  const loads = await Promise.all(specs.map(measure));
  const sum = (field: 'rps' | 'requests' | 'non2xx' | 'errors') => loads.reduce((total, load) => total + load[field], 0);
  const cpu = loads.map((load) => load.cpuMicrosPerRequest);
  return {
    rps: sum('rps') / loads.length,
    p50Ms: Math.max(...loads.map((load) => load.p50Ms)),
    p99Ms: Math.max(...loads.map((load) => load.p99Ms)),
    requests: sum('requests'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    cpuMicrosPerRequest: cpu.includes(null) ? null : (cpu as number[]).reduce((a, b) => a + b, 0) / cpu.length,
    loadAverage: loads[0]!.loadAverage,
  };
}

/** Load that is thrown away, so that V8 has optimized a fresh server's hot path before anything counts. */
async function warmUp(spec: LoadSpec): Promise<void> {
  if (settings.warmupSeconds > 0) await hammer(spec, settings.warmupSeconds);
}

/** A server started on a fresh database holding the run's two users. */
interface Started {
  server: LessonServer;
  dbPath: string;
  stop(): Promise<void>;
}

/** Starts `entry`; under `--profile-dir`, its CPU profile goes to `<dir>/<profileName>/`. */
async function startServer(entry: string, profileName: string): Promise<Started> {
  const dir = makeTempDir();
  const dbPath = join(dir, 'bench.db');
  // Before the start: lesson 2 prints a session for the first user it finds then.
  createDatabase(dbPath);
  seedDatabase(dbPath, [user, other]);
  const server = await LessonServer.start({ entry, env: {}, dbPath, nodeArgs: profileArgs(profileName) });
  const stop = async () => {
    await server.stop();
    removeTempDir(dir);
  };
  return { server, dbPath, stop };
}

/** Under `--profile-dir`, node's flags that write a CPU profile to `<dir>/<profileName>/`. */
function profileArgs(profileName: string): string[] {
  return profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, profileName)] : [];
}

/**
 * More instances of lesson 8's `first` server: same database, and the Redis it started
 * (which it names at start).
 */
async function moreInstances(target: Target, first: Started, count: number): Promise<LessonServer[]> {
  if (count <= 0) return [];
  const [, redisUrl] = await first.server.waitForLine(/redis-server of this process at (redis:\/\/[\d.]+:\d+)/);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      LessonServer.start({ entry: target.entry!, env: { REDIS_URL: redisUrl!, DEMO_USER: 'false' }, dbPath: first.dbPath, nodeArgs: profileArgs(`${target.name}-${i + 2}`) }),
    ),
  );
}

/** The baseline server: started by the first load row, warmed up once, up until the run ends. */
let baseline: { started: Started; spec: LoadSpec } | undefined;

async function startBaseline(): Promise<NonNullable<typeof baseline>> {
  const started = await startServer(baselineEntry, 'baseline');
  const spec = { url: `${started.server.url}/api/v1/users/me`, request: {}, pid: started.server.pid };
  await warmUp(spec);
  return { started, spec };
}

/** Starts the target's server, authenticates, seeds, then measures it in rounds against the baseline. */
async function loadTest(target: Target, row: Row): Promise<void> {
  baseline ??= await startBaseline();
  const lesson = await startServer(target.entry!, target.name);
  const others: LessonServer[] = [];
  try {
    const { server } = lesson;
    others.push(...(await moreInstances(target, lesson, (target.instances ?? 1) - 1)));
    const headers = await credentialFor(target, server, user);
    if (target.sessions) {
      const started = performance.now();
      const rows = seedSessions(lesson.dbPath, target.sessions.table, target.sessions.count, { user: user.id, owner: other.id });
      row.note = `${rows.toLocaleString('en-US')} sessions seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    }
    const specs: LoadSpec[] = [];
    for (const one of [server, ...others]) {
      if (target.login) {
        const body = new URLSearchParams({ email: user.email, password: user.password }).toString();
        const form = { method: 'POST' as const, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
        specs.push({ url: `${one.url}/api/v1/auth_session/login`, request: form, pid: one.pid });
      } else {
        // The cookie of the first instance's login, on every instance.
        await expectUser(one.url, headers, user.email);
        specs.push({ url: `${one.url}/api/v1/users/me`, request: { headers }, pid: one.pid });
      }
    }
    await Promise.all(specs.map(warmUp));
    row.rounds = [];
    for (let round = 0; round < settings.rounds; round++) {
      // The baseline, then the lesson, seconds apart: what slows the machine now slows both.
      row.rounds.push({ baseline: await measure(baseline.spec), lesson: await measureTogether(specs) });
    }
    const loads = row.rounds.flatMap((round) => [round.baseline, round.lesson]);
    const non2xx = loads.reduce((sum, load) => sum + load.non2xx, 0);
    const requests = loads.reduce((sum, load) => sum + load.requests, 0);
    if (non2xx > 0) Object.assign(row, { status: 'failed', note: `${non2xx} of ${requests} answers were not 2xx` });
  } finally {
    await Promise.all(others.map((one) => one.stop()));
    await lesson.stop();
  }
}

/** A benchmark of 401s would measure nothing: the credential must get the user first. */
async function expectUser(url: string, headers: Record<string, string>, email: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/users/me`, { headers });
  const body = await response.text();
  if (response.status !== 200 || !body.includes(email)) throw new Error(`GET /api/v1/users/me answered ${response.status}: ${body.slice(0, 100)}`);
}

/** Times `npm run <command>` as a learner runs it; its output is kept only to explain a failure. */
function timeCommand(target: Target, row: Row): void {
  const started = performance.now();
  const result = spawnSync('npm', ['run', '--silent', ...target.command!], { cwd: projectRoot, encoding: 'utf8', timeout: 300_000 });
  row.wallSeconds = (performance.now() - started) / 1000;
  const tail = (result.stdout + result.stderr).split('\n').filter((line) => line.trim()).slice(-2).join(' / ');
  if (result.status !== 0) Object.assign(row, { status: 'failed', note: `exit ${result.status ?? result.signal}: ${tail}` });
}

async function runTarget(target: Target): Promise<Row> {
  const row: Row = { name: target.name, label: target.label, kind: target.command ? 'command' : 'load', status: 'ok' };
  row.goals = target.goals?.map((goal) => ({ ...goal, ratio: null, met: null }));
  if (target.entry && !existsSync(join(projectRoot, target.entry))) return { ...row, status: 'skipped', note: `no ${target.entry} in this checkout` };
  if (settings.smoke && (target.command || (target.sessions?.count ?? 0) >= 1_000_000)) return { ...row, status: 'skipped', note: 'not in a --smoke run' };
  try {
    if (target.command) timeCommand(target, row);
    else await loadTest(target, row);
  } catch (error) {
    Object.assign(row, { status: 'failed', note: (error instanceof Error ? error.message : String(error)).split('\n')[0] });
  }
  return row;
}

/** One line on a finished row: its median ratio and spread, or its wall time. */
function describeRow(row: Row): string {
  const summary = row.status === 'ok' && row.rounds?.length ? summarizeRounds(row.rounds) : null;
  const ratio = summary?.ratio;
  const result = ratio
    ? `${formatRatio(ratio.median)} × baseline (${formatRatio(ratio.min)}–${formatRatio(ratio.max)}), ${formatRps(summary.rps)} req/s, p99 ${summary.p99Ms ?? '—'} ms`
    : row.wallSeconds ? `${row.wallSeconds.toFixed(1)} s` : '';
  return [row.status === 'ok' ? '' : row.status, result, row.note].filter(Boolean).join(', ');
}

const startLoad = os.loadavg()[0]!;
const { rounds, durationSeconds, connections } = settings;
console.log(`bench: ${rounds} rounds of ${durationSeconds} s + ${durationSeconds} s per row, ${connections} connections; load average ${startLoad.toFixed(1)} on ${os.cpus().length} cores`);
const rows: Row[] = [];
for (const target of selectTargets(flags.only)) {
  const row = await runTarget(target);
  console.log(`  ${target.name}: ${describeRow(row)}`);
  rows.push(row);
}
// SIGTERM, not the exit hook's SIGKILL: under --cpu-prof the baseline writes its profile on the way out.
await baseline?.started.stop();

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const report: Report = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  machine: `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}`,
  cores: os.cpus().length,
  settings,
  loadAverage: { start: startLoad, end: os.loadavg()[0]! },
  baselineRps: summarize(rows),
  elapsedSeconds: (performance.now() - runStarted) / 1000,
  rows,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'benchmarks.md'), renderMarkdown(report));
writeFileSync(join(outDir, 'benchmarks.svg'), renderChart(report));
writeFileSync(join(outDir, 'benchmarks.json'), JSON.stringify(report, null, 2) + '\n');
console.log(`\n${resultsTable(report)}\n\n${wallTimeTable(report)}\n\nwrote ${join(outDir, 'benchmarks.md')}, .svg and .json`);
// Thread 0 is the server's main thread; the other profile is tsx's loader thread.
if (profileDir) console.log(`profiles: ${profileDir}/<row or baseline>/CPU.*.0.*.cpuprofile; open one in Chrome DevTools (Performance → Load profile)`);
process.exit(rows.some((row) => row.status === 'failed') ? 1 : 0);
