/**
 * `npm run fuzz`: the hostile-input suite at full size against every lesson's server, then
 * the crash-safety and concurrency scenarios of lessons 5 and 6, and lesson 8's over three
 * instances.
 *
 * ```
 * npm run fuzz                                   # seed 20240601, 20,000 requests per lesson
 * npm run fuzz -- --seed 7 --lessons 3,5 --requests 2000
 * npm run fuzz -- --seed 7 --lessons 5 --only 1234   # replay one request
 * ```
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { killAllServers } from '../checks/server.ts';
import { defaultSeed, runCampaign } from './campaign.ts';
import { formatReport, formatSessionReport } from './report.ts';
import { runConcurrency, runCrashSafety, runSharedConcurrency } from './sessions.ts';
import { targets } from './targets.ts';

const usage = `usage: npm run fuzz -- [--seed N] [--requests N] [--lessons 0,1,..] [--concurrency N]
                        [--parallel N] [--only i,j] [--logins N] [--crash-logins N] [--no-sessions]`;

function parseList(value: string | undefined, name: string): number[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => !/^\d+$/.test(item))) throw new Error(`--${name} takes numbers separated by commas, got "${value}"`);
  return items.map(Number);
}

function parseCount(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} takes a whole number, got "${value}"`);
  return Number(value);
}

/** Runs `jobs` with at most `parallel` at a time, in order of start. */
async function inParallel<T>(jobs: (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      requests: { type: 'string' },
      lessons: { type: 'string' },
      concurrency: { type: 'string' },
      parallel: { type: 'string' },
      only: { type: 'string' },
      logins: { type: 'string' },
      'crash-logins': { type: 'string' },
      'no-sessions': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const seed = parseCount(values.seed, 'seed', defaultSeed);
  const requests = parseCount(values.requests, 'requests', 20_000);
  const concurrency = parseCount(values.concurrency, 'concurrency', 16);
  const parallel = parseCount(values.parallel, 'parallel', 2);
  const only = parseList(values.only, 'only');
  const lessons = parseList(values.lessons, 'lessons') ?? targets.map((t) => t.lesson);
  const logins = parseCount(values.logins, 'logins', 500);
  const crashLogins = parseCount(values['crash-logins'], 'crash-logins', 200);
  for (const lesson of lessons) {
    if (!targets.some((t) => t.lesson === lesson)) throw new Error(`no lesson ${lesson}: the fuzzer knows ${targets.map((t) => t.lesson).join(', ')}`);
  }

  // The seed first: with it, any failure below can be sent again.
  console.log(`fuzz: seed ${seed}, ${only ? `requests ${only.join(',')}` : `${requests} requests`} per lesson, lessons ${lessons.join(',')}, ${concurrency} in flight, ${parallel} lessons at a time`);
  const started = Date.now();
  let failed = false;
  const reports = await inParallel(
    lessons.map((lesson) => async () => {
      const report = await runCampaign({ lesson, seed, requests, concurrency, ...(only && { only }), log: (line) => console.log(line) });
      console.log(formatReport(report));
      return report;
    }),
    parallel,
  );
  if (reports.some((r) => r.problemCount > 0)) failed = true;

  if (!values['no-sessions'] && !only) {
    for (const lesson of lessons.filter((n) => n === 5 || n === 6)) {
      for (const scenario of [
        // At the lessons' own cost, logins take long enough that the kill always lands among them.
        () => runCrashSafety({ lesson, logins: crashLogins, cost: 'lesson' }),
        // Cheap hashes: 500 logins are as concurrent at any cost, and at the lessons' they
        // were 500 scrypt hashes, about 150 s of CPU per lesson.
        () => runConcurrency({ lesson, logins, cost: 'low' }),
      ]) {
        const report = await scenario();
        console.log(formatSessionReport(report));
        if (report.problems.length) failed = true;
      }
    }
    if (lessons.includes(8)) {
      const report = await runSharedConcurrency({ logins, instances: 3, cost: 'low' });
      console.log(formatSessionReport(report));
      if (report.problems.length) failed = true;
    }
  }

  const total = reports.reduce((sum, r) => sum + r.sent, 0);
  console.log(`fuzz: ${total} requests to ${reports.length} lessons in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}: ${failed ? 'FAILED' : 'passed'}`);
  return failed ? 1 : 0;
}

process.on('SIGINT', () => {
  killAllServers();
  process.exit(130);
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`fuzz: ${error instanceof Error ? error.message : String(error)}`);
    console.error(usage);
    process.exit(2);
  },
);
