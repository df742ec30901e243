/**
 * `npm run bench`: each lesson's authenticated throughput next to a bare Express route's, one
 * server at a time on 127.0.0.1; writes `benchmarks.md`, `.svg` and `.json`. See bench/README.md.
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
import { addRatios, renderChart, renderMarkdown, resultsTable, wallTimeTable, type Load, type Report, type Row } from './report.ts';
import { credentialFor, seedSessions, selectTargets, type Target } from './targets.ts';

const usage = `usage: npm run bench -- [options]
  --duration <s>       measured seconds per row (default 5)
  --warmup <s>         unmeasured seconds before each (default 1)
  --connections <n>    concurrent connections (default 10)
  --only <names>       comma-separated rows, a trailing * matches a prefix (the baselines always run)
  --smoke              1 s per row, no warm-up, no 1,000,000 sessions, no checks, output to a temporary folder
  --out <dir>          where to write benchmarks.{md,svg,json} (default docs)
  --profile-dir <dir>  run each server under node --cpu-prof, one folder per row`;

const { values: flags } = parseArgs({
  options: {
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

function seconds(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number of seconds, not "${value}"`);
  return n;
}

const settings = {
  durationSeconds: Math.max(1, seconds('duration', flags.duration ?? (flags.smoke ? '1' : '5'))),
  warmupSeconds: seconds('warmup', flags.warmup ?? (flags.smoke ? '0' : '1')),
  connections: Math.max(1, Math.round(seconds('connections', flags.connections!))),
  smoke: flags.smoke!,
  profiled: flags['profile-dir'] !== undefined,
};
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

/** autocannon on `url`: a warm-up that is thrown away (V8 optimizes the hot path), then the measurement. */
async function measure(url: string, request: Partial<autocannon.Options>, pid: number | undefined): Promise<Load> {
  // A request slower than 10 s counts as an error: the run still ends on time.
  const run = (duration: number) => autocannon({ url, connections: settings.connections, duration, timeout: 10, ...request });
  if (settings.warmupSeconds > 0) await run(settings.warmupSeconds);
  const loadAverage = os.loadavg()[0]!;
  const cpuBefore = cpuSeconds(pid);
  const result = await run(settings.durationSeconds);
  const cpuAfter = cpuSeconds(pid);
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

/** Starts the target's server on a fresh database with the run's users, authenticates, seeds, measures. */
async function loadTest(target: Target, row: Row): Promise<void> {
  const dir = makeTempDir();
  const dbPath = join(dir, 'bench.db');
  // Before the start: lesson 2 prints a session for the first user it finds then.
  createDatabase(dbPath);
  seedDatabase(dbPath, [user, other]);
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, target.name)] : [];
  const server = await LessonServer.start({ entry: target.entry!, env: {}, dbPath, nodeArgs });
  try {
    const headers = await credentialFor(target, server, user);
    if (target.sessions) {
      const started = performance.now();
      const rows = seedSessions(dbPath, target.sessions.table, target.sessions.count, { user: user.id, owner: other.id });
      row.note = `${rows.toLocaleString('en-US')} sessions seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    }
    if (target.login) {
      const body = new URLSearchParams({ email: user.email, password: user.password }).toString();
      const form = { method: 'POST' as const, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      row.load = await measure(`${server.url}/api/v1/auth_session/login`, form, server.pid);
    } else {
      await expectUser(server.url, headers, user.email);
      row.load = await measure(`${server.url}/api/v1/users/me`, { headers }, server.pid);
    }
    if (row.load.non2xx > 0) Object.assign(row, { status: 'failed', note: `${row.load.non2xx} of ${row.load.requests} answers were not 2xx` });
  } finally {
    await server.stop();
    removeTempDir(dir);
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

const startLoad = os.loadavg()[0]!;
console.log(`bench: ${settings.durationSeconds} s per row, ${settings.connections} connections; load average ${startLoad.toFixed(1)} on ${os.cpus().length} cores`);
const rows: Row[] = [];
for (const target of selectTargets(flags.only)) {
  const row = await runTarget(target);
  const result = row.load ? `${Math.round(row.load.rps).toLocaleString('en-US')} req/s, p99 ${row.load.p99Ms} ms` : row.wallSeconds ? `${row.wallSeconds.toFixed(1)} s` : '';
  console.log(`  ${target.name}: ${[row.status === 'ok' ? '' : row.status, result, row.note].filter(Boolean).join(', ')}`);
  rows.push(row);
}

const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const report: Report = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  machine: `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()} ${os.arch()}, Node ${process.version}`,
  cores: os.cpus().length,
  settings,
  loadAverage: { start: startLoad, end: os.loadavg()[0]! },
  baselineRps: addRatios(rows),
  rows,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'benchmarks.md'), renderMarkdown(report));
writeFileSync(join(outDir, 'benchmarks.svg'), renderChart(report));
writeFileSync(join(outDir, 'benchmarks.json'), JSON.stringify(report, null, 2) + '\n');
console.log(`\n${resultsTable(report)}\n\n${wallTimeTable(report)}\n\nwrote ${join(outDir, 'benchmarks.md')}, .svg and .json`);
// Thread 0 is the server's main thread; the other profile is tsx's loader thread.
if (profileDir) console.log(`profiles: ${profileDir}/<row>/CPU.*.0.*.cpuprofile; open one in Chrome DevTools (Performance → Load profile)`);
process.exit(rows.some((row) => row.status === 'failed') ? 1 : 0);
