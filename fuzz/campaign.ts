/**
 * One fuzzing campaign against one lesson: start its server (the check runner's launcher, a
 * temporary database, seeded users), make a few valid users and sessions, send the hostile
 * requests with valid ones interleaved, judge every answer and ask `/api/v1/status` after
 * each, then prove that nothing valid was lost and that the database is sound.
 *
 * @module
 */
import Database from 'better-sqlite3';
import http from 'node:http';
import { join } from 'node:path';
import { LessonServer, makeTempDir, removeTempDir } from '../checks/server.ts';
import { createDatabase, seedDatabase, type PreparedUser } from '../checks/users.ts';
import {
  generate,
  seededSession,
  validCreateUser,
  validCredentials,
  validLogin,
  type LiveState,
  type Probe,
  type SessionPool,
} from './families.ts';
import { judge, leakIn } from './oracle.ts';
import { mixSeed, Random } from './random.ts';
import { sendRaw, serialize, withDefaults, type RawRequest, type RawResponse } from './raw-http.ts';
import { target as fuzzTarget, type FuzzTarget } from './targets.ts';
import { lowCostEnv } from '../shared/password.ts';
import { lowCostUsers } from './users.ts';

/** How answers are counted: by status class, or `none` when there was no answer. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'none';

/** Counts per status class. */
export type ClassCounts = Record<StatusClass, number>;

const emptyCounts = (): ClassCounts => ({ '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, none: 0 });

/** One thing the run found wrong. */
export interface Problem {
  /** The request's index (replay it with `--only`), or -1 for the setup and the final checks. */
  index: number;
  family: string;
  message: string;
  /** The request as sent (escaped, shortened). */
  request?: string;
}

/** How to run a campaign. */
export interface CampaignOptions {
  lesson: number;
  /** Another server file to start instead of the lesson's own (a variant broken on purpose). */
  entry?: string;
  seed: number;
  /** Hostile and valid requests to send (the status probes come on top). */
  requests: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Only these request indexes (to replay a failure). */
  only?: readonly number[];
  /** Give up on one request after this long. */
  timeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What a campaign did and found. */
export interface CampaignReport {
  lesson: number;
  seed: number;
  /** Requests sent (hostile and valid, not the status probes). */
  sent: number;
  byClass: ClassCounts;
  byFamily: Record<string, ClassCounts>;
  /** `/api/v1/status` probes sent after the requests. */
  statusProbes: number;
  /** Valid requests sent during the run, and how many got the expected answer. */
  valid: { sent: number; ok: number };
  /** Requests that may have cost a password hash (sent at most {@link costlyInFlight} at a time). */
  costly: number;
  /** What the final checks covered. */
  verified: { users: number; keptSessions: number; loggedOutSessions: number; unknownUsers: number; integrity: string };
  problems: Problem[];
  /** All problems, counted (only the first 50 are kept). */
  problemCount: number;
  elapsedMs: number;
}

/** The seed when none is given: a fixed one, so two runs send the same requests. */
export const defaultSeed = 20240601;

const MAX_PROBLEMS_KEPT = 50;

/**
 * Requests that may cost a password hash in flight at once. The server hashes on libuv's
 * four threads; at the lessons' own cost more would queue there, and every request that needs
 * a thread (a gzip body) would wait behind them. (The campaigns' servers hash cheaply,
 * `PASSWORD_HASH_COST=low`, so this matters little now.)
 */
export const costlyInFlight = 2;

/** A counting semaphore: `run` waits while `limit` tasks are running. */
function semaphore(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}


/** The status class of a status code. */
export function statusClass(status: number | null): StatusClass {
  if (status === null || status < 100 || status > 599) return 'none';
  return `${Math.floor(status / 100)}xx` as StatusClass;
}

/** A request, escaped and cut short, for a report. */
export function describeRequest(bytes: Buffer, max = 600): string {
  const text = bytes.toString('latin1');
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…(${text.length} bytes)` : text);
}

/**
 * Generates request `index` of a run: its own random stream, drawn again (next attempt)
 * while its bytes contain a leak pattern, so that a leak in an answer is never an echo.
 */
export function generateProbe(seed: number, live: LiveState, index: number, host: string): { probe: Probe; bytes: Buffer } {
  for (let attempt = 0; ; attempt++) {
    const rng = new Random(mixSeed(seed, live.target.lesson, index, attempt));
    const probe = generate({ rng, live }, index);
    const bytes = serialize(withDefaults(probe.request, host, probe.omit));
    if (!leakIn(bytes.toString('latin1'))) return { probe, bytes };
  }
}

function parseJsonBody(response: RawResponse): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(response.body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `GET /api/v1/status` on a new connection: null for 200 `{"status":"OK"}`, else what went wrong. */
function statusAnswers(port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    // A new connection each time: a kept-alive one may be closing (keepAliveTimeout) just as it is reused.
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/status', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve(res.statusCode === 200 && body === '{"status":"OK"}' ? null : `/api/v1/status answered ${res.statusCode} ${body.slice(0, 100)}`);
      });
      res.on('error', (error) => resolve(`/api/v1/status: ${error.message}`));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve(`/api/v1/status: ${error.message}`));
  });
}

/**
 * Runs one campaign and returns its report; never throws for what it finds (a failure to
 * start the server is a problem in the report too).
 *
 * @example
 * const report = await runCampaign({ lesson: 3, seed: 42, requests: 500, concurrency: 8 });
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const log = options.log ?? (() => {});
  const target = fuzzTarget(options.lesson);
  const report: CampaignReport = {
    lesson: target.lesson,
    seed: options.seed,
    sent: 0,
    byClass: emptyCounts(),
    byFamily: {},
    statusProbes: 0,
    valid: { sent: 0, ok: 0 },
    costly: 0,
    verified: { users: 0, keptSessions: 0, loggedOutSessions: 0, unknownUsers: 0, integrity: 'not checked' },
    problems: [],
    problemCount: 0,
    elapsedMs: 0,
  };
  const problem = (p: Problem) => {
    report.problemCount++;
    if (report.problems.length < MAX_PROBLEMS_KEPT) report.problems.push(p);
  };

  const dir = makeTempDir();
  const dbPath = join(dir, 'fuzz.db');
  // Checking their passwords is cheap (see users.ts): logins and Basic headers cost no scrypt time.
  const seeded = lowCostUsers();
  createDatabase(dbPath);
  // Where there are roles (lesson 7 on), the seeded users are admins: the valid requests keep the course's rights.
  seedDatabase(dbPath, seeded, { admins: target.adminRole ? seeded.length : 0 });
  let server: LessonServer | undefined;
  const costlySlot = semaphore(costlyInFlight);
  try {
    // Cheap hashes for the users the API creates too: the fuzzer looks for wrong answers, not slow
    // ones, and at the lessons' own cost those few hundred hashes were most of the servers' time.
    server = await LessonServer.start({ entry: options.entry ?? target.entry, env: { ...target.env, ...lowCostEnv }, dbPath });
    const port = Number(new URL(server.url).port);
    const host = `127.0.0.1:${port}`;
    const live: LiveState = {
      target,
      users: seeded.map(({ id, email, password }) => ({ id, email, password, seeded: true })),
      keptSessions: [],
      spareSessions: [],
      retiringSessions: [],
      loggedOutSessions: [],
      disposableUserIds: [],
      created: 0,
    };
    // Every user any answer said it created: the only users the database may hold besides the seeded ones.
    const createdIds = new Set<string>();
    const send = (probe: Probe) => sendRaw(port, withDefaults(probe.request, host, probe.omit), timeoutMs);

    // A few valid users and sessions before the storm, so the final checks always have work.
    if (target.auth === 'printed') {
      const [, userId, sessionId] = await server.waitForLine(/^User with ID: (\S+) has a Session ID: (\S+)/);
      live.keptSessions.push({ cookie: sessionId as string, userId: userId as string });
    }
    const setupRng = new Random(mixSeed(options.seed, target.lesson, 0xfeed));
    const setup: (() => Probe)[] = [() => validCreateUser(live, setupRng)];
    if (target.auth === 'none') setup.push(() => validCreateUser(live, setupRng));
    if (target.auth === 'login') {
      const pools: SessionPool[] = ['keptSessions', 'keptSessions', 'spareSessions', 'retiringSessions', 'retiringSessions'];
      setup.unshift(...pools.map((pool, i) => () => validLogin(live, setupRng, pool, live.users[i % 2])));
      setup.push(() => validLogin(live, setupRng, 'keptSessions', live.users[live.users.length - 1]));
    }
    for (const make of setup) {
      const probe = make();
      const outcome = await send(probe);
      const status = 'response' in outcome ? outcome.response.status : null;
      if (status !== probe.valid!.expect || !('response' in outcome)) {
        const detail = 'response' in outcome ? `${status} ${outcome.response.body.toString('utf8').slice(0, 200)}` : outcome.error;
        throw new Error(`setup: ${probe.valid!.name} got ${detail}`);
      }
      const trouble = probe.valid!.record?.(outcome.response, live);
      if (trouble) throw new Error(`setup: ${probe.valid!.name}: ${trouble}`);
      if (outcome.response.status === 201) createdIds.add(live.users[live.users.length - 1]!.id);
    }
    log(`lesson ${target.lesson}: ${server.url}, seed ${options.seed}, ${options.only ? `requests ${options.only.join(',')}` : `${options.requests} requests`}`);

    const indexes = options.only ?? Array.from({ length: options.requests }, (_, i) => i);
    let next = 0;
    let stopped = false;
    const progressEvery = Math.max(1000, Math.ceil(indexes.length / 10));
    const worker = async () => {
      while (!stopped && next < indexes.length) {
        const index = indexes[next++]!;
        let generated: ReturnType<typeof generateProbe>;
        try {
          generated = generateProbe(options.seed, live, index, host);
        } catch (error) {
          problem({ index, family: 'generator', message: `the generator failed: ${error instanceof Error ? error.stack : String(error)}` });
          continue;
        }
        const { probe, bytes } = generated;
        const family = probe.family;
        if (probe.costly) report.costly++;
        const outcome = probe.costly ? await costlySlot(() => send(probe)) : await send(probe);
        const response = 'response' in outcome ? outcome.response : null;
        const cls = statusClass(response?.status ?? null);
        report.sent++;
        report.byClass[cls]++;
        (report.byFamily[family] ??= emptyCounts())[cls]++;
        if (report.sent % progressEvery === 0) log(`lesson ${target.lesson}: ${report.sent}/${indexes.length} sent, ${report.problemCount} problems`);
        const where = { index, family, request: describeRequest(bytes) };
        const method = probe.request.raw ? '' : probe.request.method;
        if (!response) {
          problem({ ...where, message: `no answer: ${'error' in outcome ? outcome.error : ''}` });
        } else {
          for (const message of judge(response, { method, authorized: probe.authorized, guarded: target.auth !== 'none' })) {
            problem({ ...where, message: `${message} (answer ${response.status})` });
          }
          const body = response.status === 201 ? parseJsonBody(response) : null;
          if (typeof body?.id === 'string') {
            createdIds.add(body.id);
            if (!probe.valid) live.disposableUserIds.push(body.id);
          }
        }
        if (probe.valid) {
          report.valid.sent++;
          if (response?.status !== probe.valid.expect) {
            const got = response ? `${response.status} ${response.body.toString('utf8').slice(0, 200)}` : 'no answer';
            problem({ ...where, message: `valid request "${probe.valid.name}" got ${got}, expected ${probe.valid.expect}` });
          } else {
            const trouble = probe.valid.record?.(response, live);
            if (trouble) problem({ ...where, message: `valid request "${probe.valid.name}": ${trouble}` });
            else report.valid.ok++;
          }
        }
        // Still alive? Every request is followed by a status probe.
        report.statusProbes++;
        const down = await statusAnswers(port, timeoutMs);
        if (down) {
          problem({ ...where, message: `after this request, ${down}${server!.hasExited ? `; ${server!.describeExit()}` : ''}` });
          stopped = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, indexes.length) }, worker));

    if (!stopped) await verify(report, problem, live, createdIds, seeded, port, host, dbPath, timeoutMs);
  } catch (error) {
    problem({ index: -1, family: 'setup', message: error instanceof Error ? error.message : String(error) });
  } finally {
    await server?.stop();
    removeTempDir(dir);
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** The final checks: valid users and sessions still there, logouts stuck, the database sound. */
async function verify(
  report: CampaignReport,
  problem: (p: Problem) => void,
  live: LiveState,
  createdIds: ReadonlySet<string>,
  seeded: readonly PreparedUser[],
  port: number,
  host: string,
  dbPath: string,
  timeoutMs: number,
): Promise<void> {
  const fail = (message: string) => problem({ index: -1, family: 'final check', message });
  const rng = new Random(1);
  const get = async (path: string, headers: [string, string][]) => {
    const outcome = await sendRaw(port, withDefaults({ method: 'GET', target: path, headers }, host), timeoutMs);
    return 'response' in outcome ? outcome.response : null;
  };
  const target: FuzzTarget = live.target;

  // Every session a valid login created and nothing ended: still the same user's.
  for (const session of live.keptSessions) {
    const response = await get('/api/v1/users/me', validCredentials(live, rng, session));
    const body = response ? parseJsonBody(response) : null;
    if (response?.status !== 200 || body?.id !== session.userId) {
      fail(`a kept session no longer authenticates: /users/me answered ${response?.status ?? 'nothing'} ${response?.body.toString('utf8').slice(0, 100) ?? ''}`);
    }
    report.verified.keptSessions++;
  }
  // Every session a valid logout ended: dead for good.
  for (const session of live.loggedOutSessions) {
    const response = await get('/api/v1/users/me', [['Cookie', `${target.sessionName}=${session.cookie}`]]);
    if (response?.status === 200) fail('a logged-out session still authenticates');
    report.verified.loggedOutSessions++;
  }
  // Every user a valid request created (and the seeded ones): there, with the same email.
  for (const user of live.users) {
    // As a seeded user: from lesson 7 on only an admin may read another user's account.
    const response = await get(`/api/v1/users/${user.id}`, validCredentials(live, rng, seededSession(live, rng)));
    const body = response ? parseJsonBody(response) : null;
    if (response?.status !== 200 || body?.email !== user.email) {
      fail(`user ${user.email} is gone or changed: GET /users/${user.id} answered ${response?.status ?? 'nothing'} ${JSON.stringify(body)}`);
    }
  }

  const db = new Database(dbPath, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    report.verified.integrity = integrity;
    if (integrity !== 'ok') fail(`PRAGMA integrity_check: ${integrity}`);
    const orphans = db.pragma('foreign_key_check') as unknown[];
    if (orphans.length) fail(`PRAGMA foreign_key_check: ${orphans.length} rows point nowhere`);
    const row = db.prepare('SELECT email FROM users WHERE id = ?');
    for (const user of live.users) {
      const stored = row.get(user.id) as { email: string } | undefined;
      if (stored?.email !== user.email) fail(`user ${user.email} is not in the database as created (found ${JSON.stringify(stored)})`);
      report.verified.users++;
    }
    // A row nobody's answer announced would mean a request wrote what it should not have.
    const known = new Set([...seeded.map((u) => u.id), ...createdIds]);
    const ids = (db.prepare('SELECT id FROM users').all() as { id: string }[]).map((r) => r.id);
    const unknown = ids.filter((id) => !known.has(id));
    report.verified.unknownUsers = unknown.length;
    if (unknown.length) fail(`${unknown.length} users in the database that no answer created: ${unknown.slice(0, 3).join(', ')}`);
  } finally {
    db.close();
  }
}
