/**
 * Crash safety and concurrency of the stored sessions (lessons 5, 6 and 8):
 *
 * - crash: SIGKILL the server while logins are in flight, start it again on the same
 *   database: every login that got its 200 still authenticates;
 * - concurrency: many logins at once for one user give as many distinct, valid sessions,
 *   and as many logouts at once leave none;
 * - shared concurrency (lesson 8): the same, spread over several instances that share one
 *   Redis, each session valid on every instance.
 *
 * @module
 */
import Database from 'better-sqlite3';
import http from 'node:http';
import { join } from 'node:path';
import { createClient } from 'redis';
import { LessonServer, makeTempDir, removeTempDir } from '../checks/server.ts';
import { RedisServer } from '../shared/redis-server.ts';
import { createDatabase, prepareUsers, seedDatabase, type PreparedUser } from '../checks/users.ts';
import { target as fuzzTarget } from './targets.ts';
import { lowCostUsers } from './users.ts';

/**
 * What a password check costs: `lesson`, the lessons' own scrypt parameters (about 0.2 s
 * each); `low`, a hash stored with N=2^10, p=1 (about 1 ms), which the lessons verify just
 * the same, since they read the parameters from the stored hash. `npm test` uses `low`.
 */
export type PasswordCost = 'lesson' | 'low';

/** What a scenario did and found. */
export interface SessionReport {
  lesson: number;
  scenario: 'crash' | 'concurrency' | 'shared concurrency';
  /** One line: what happened. */
  summary: string;
  problems: string[];
  elapsedMs: number;
}

async function makeUser(cost: PasswordCost): Promise<PreparedUser> {
  return cost === 'lesson' ? (await prepareUsers())[0]! : lowCostUsers()[0]!;
}

interface Answer {
  status: number;
  setCookie: string[];
  body: string;
}

/** One request on its own connection; rejects on a network error or after `timeoutMs`. */
function call(url: string, method: string, path: string, headers: Record<string, string>, body?: string, timeoutMs = 300_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [], body: Buffer.concat(chunks).toString('utf8') }));
      // The headers arrived, the body did not (the server was killed): the status still counts.
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [], body: '' }));
      res.on('error', () => {});
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The session cookie's value in `Set-Cookie` headers, as sent (lesson 6's is `s%3A…`). */
function cookieValue(setCookie: readonly string[], name: string): string | null {
  for (const header of setCookie) {
    const pair = header.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name && pair.slice(eq + 1).trim() !== '') return pair.slice(eq + 1).trim();
  }
  return null;
}

const sessionName = '_my_session_id';

function login(url: string, user: PreparedUser): Promise<Answer> {
  const body = new URLSearchParams({ email: user.email, password: user.password }).toString();
  return call(url, 'POST', '/api/v1/auth_session/login', { 'content-type': 'application/x-www-form-urlencoded' }, body);
}

function whoAmI(url: string, cookie: string, name = sessionName): Promise<Answer> {
  return call(url, 'GET', '/api/v1/users/me', { cookie: `${name}=${cookie}` });
}

/** Runs `tasks` with at most `limit` at a time. */
async function limited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/** Which cookies do not authenticate as `userId` (checked 50 at a time). */
async function notAuthenticating(url: string, cookies: readonly string[], userId: string, name = sessionName): Promise<string[]> {
  const bad: string[] = [];
  await limited(cookies, 50, async (cookie) => {
    const answer = await whoAmI(url, cookie, name).catch((error: Error) => ({ status: 0, body: error.message, setCookie: [] }));
    if (answer.status !== 200 || !answer.body.includes(`"id":"${userId}"`)) bad.push(`${answer.status} ${answer.body.slice(0, 80)}`);
  });
  return bad;
}

async function startServer(lesson: number, cost: PasswordCost) {
  const target = fuzzTarget(lesson);
  const dir = makeTempDir();
  const dbPath = join(dir, 'sessions.db');
  const user = await makeUser(cost);
  createDatabase(dbPath);
  seedDatabase(dbPath, [user]);
  const server = await LessonServer.start({ entry: target.entry, env: {}, dbPath });
  return { server, user, dir, dbPath, table: target.sessionTable! };
}

/** One crash: how many logins got a 200, how many did not, and which 200s no longer authenticate. */
async function crashOnce(lesson: number, logins: number, cost: PasswordCost) {
  const { server, user, dir } = await startServer(lesson, cost);
  try {
    const cookies: string[] = [];
    let failed = 0;
    let kill: Promise<void> | undefined;
    const killAt = Math.max(1, Math.floor(logins / 2));
    await Promise.all(
      Array.from({ length: logins }, () =>
        login(server.url, user).then(
          (answer) => {
            const cookie = cookieValue(answer.setCookie, sessionName);
            if (answer.status !== 200 || !cookie) return void failed++;
            cookies.push(cookie);
            // The crash: no chance to finish the logins still in flight.
            if (cookies.length === killAt) kill = server.stop('SIGKILL');
          },
          () => void failed++,
        ),
      ),
    );
    await kill;
    await server.start();
    const bad = await notAuthenticating(server.url, cookies, user.id);
    return { killed: kill !== undefined, ok: cookies.length, failed, bad };
  } finally {
    await server.stop();
    removeTempDir(dir);
  }
}

/**
 * Kills the server (SIGKILL) once half of `logins` concurrent logins have their 200, starts it
 * again on the same database, and checks that every login that got a 200 still authenticates.
 * When every login had answered before the kill took effect (a busy machine), the crash was
 * not in the middle: it is tried again, up to three times.
 *
 * @example
 * const report = await runCrashSafety({ lesson: 5, logins: 200, cost: 'low' });
 */
export async function runCrashSafety(options: { lesson: number; logins: number; cost: PasswordCost }): Promise<SessionReport> {
  const started = Date.now();
  const problems: string[] = [];
  let summary = '';
  try {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { killed, ok, failed, bad } = await crashOnce(options.lesson, options.logins, options.cost);
      if (!killed) problems.push(`only ${ok} of ${options.logins} logins got a 200: the server was never killed`);
      if (bad.length) problems.push(`${bad.length} of the ${ok} sessions whose login got a 200 no longer authenticate after the crash: ${bad.slice(0, 3).join('; ')}`);
      summary =
        `SIGKILL after ${Math.floor(options.logins / 2)} of ${options.logins} concurrent logins had their 200 (attempt ${attempt}); ` +
        `${ok} got a 200, ${failed} did not; after restart ${ok - bad.length}/${ok} authenticate`;
      if (failed > 0 || problems.length) break;
      if (attempt === 3) problems.push(`three times, all ${options.logins} logins answered before the kill took effect: never in the middle`);
    }
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  return { lesson: options.lesson, scenario: 'crash', summary, problems, elapsedMs: Date.now() - started };
}

/**
 * `logins` concurrent logins for one user must give as many distinct, valid sessions; then
 * as many concurrent logouts must all succeed and leave no session, in the API or the table.
 *
 * @example
 * const report = await runConcurrency({ lesson: 6, logins: 500, cost: 'low' });
 */
export async function runConcurrency(options: { lesson: number; logins: number; cost: PasswordCost }): Promise<SessionReport> {
  const started = Date.now();
  const problems: string[] = [];
  const { server, user, dir, dbPath, table } = await startServer(options.lesson, options.cost);
  let summary = '';
  const stored = () => {
    const db = new Database(dbPath, { fileMustExist: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  try {
    const url = server.url;
    const answers = await Promise.all(Array.from({ length: options.logins }, () => login(url, user).catch((error: Error) => ({ status: 0, body: error.message, setCookie: [] }))));
    const cookies = answers.map((a) => (a.status === 200 ? cookieValue(a.setCookie, sessionName) : null)).filter((c): c is string => c !== null);
    if (cookies.length !== options.logins) {
      const other = answers.find((a) => a.status !== 200);
      problems.push(`${cookies.length} of ${options.logins} concurrent logins got a 200 and a cookie (one other: ${other?.status} ${other?.body.slice(0, 80)})`);
    }
    const distinct = new Set(cookies).size;
    if (distinct !== cookies.length) problems.push(`${cookies.length} logins gave only ${distinct} distinct sessions`);
    const invalid = await notAuthenticating(url, cookies, user.id);
    if (invalid.length) problems.push(`${invalid.length} of ${cookies.length} new sessions do not authenticate: ${invalid.slice(0, 3).join('; ')}`);
    const rowsAfterLogins = stored();
    if (rowsAfterLogins !== distinct) problems.push(`${rowsAfterLogins} rows in ${table} for ${distinct} sessions`);

    const logouts = await Promise.all(
      cookies.map((cookie) =>
        call(url, 'DELETE', '/api/v1/auth_session/logout', { cookie: `${sessionName}=${cookie}` }).catch((error: Error) => ({ status: 0, body: error.message, setCookie: [] })),
      ),
    );
    const loggedOut = logouts.filter((a) => a.status === 200).length;
    if (loggedOut !== cookies.length) {
      const other = logouts.find((a) => a.status !== 200);
      problems.push(`${loggedOut} of ${cookies.length} concurrent logouts got a 200 (one other: ${other?.status} ${other?.body.slice(0, 80)})`);
    }
    const stillValid = cookies.length - (await notAuthenticating(url, cookies, user.id)).length;
    if (stillValid) problems.push(`${stillValid} sessions still authenticate after their logout`);
    const rowsAfterLogouts = stored();
    if (rowsAfterLogouts !== 0) problems.push(`${rowsAfterLogouts} rows left in ${table} after every logout`);
    summary = `${options.logins} concurrent logins: ${cookies.length} sessions, ${distinct} distinct, ${cookies.length - invalid.length} valid, ${rowsAfterLogins} rows; ${loggedOut} concurrent logouts: ${stillValid} still valid, ${rowsAfterLogouts} rows left`;
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await server.stop();
    removeTempDir(dir);
  }
  return { lesson: options.lesson, scenario: 'concurrency', summary, problems, elapsedMs: Date.now() - started };
}

/** An answer for a request that got none. */
const noAnswer = (error: Error): Answer => ({ status: 0, body: error.message, setCookie: [] });

/**
 * Lesson 8: `logins` concurrent logins of one user, spread over `instances` instances that
 * share one Redis and one database, give as many distinct sessions, each valid on every
 * instance; as many concurrent logouts, each on another instance than its login, leave no
 * session valid and no session key in Redis.
 *
 * @example
 * const report = await runSharedConcurrency({ logins: 500, instances: 3, cost: 'low' });
 */
export async function runSharedConcurrency(options: { logins: number; instances: number; cost: PasswordCost }): Promise<SessionReport> {
  const started = Date.now();
  const problems: string[] = [];
  const target = fuzzTarget(8);
  const dir = makeTempDir();
  const dbPath = join(dir, 'sessions.db');
  const user = await makeUser(options.cost);
  createDatabase(dbPath);
  seedDatabase(dbPath, [user]);
  const redis = await RedisServer.start({ dir: join(dir, 'redis') });
  const servers: LessonServer[] = [];
  const client = createClient({ url: redis.url });
  client.on('error', () => {});
  let summary = '';
  try {
    // The manifest's environment: room for 500 sessions of one user (SESSIONS_PER_USER).
    const env = { ...target.env, REDIS_URL: redis.url };
    servers.push(...(await Promise.all(Array.from({ length: options.instances }, () => LessonServer.start({ entry: target.entry, env, dbPath })))));
    await client.connect();
    const urls = servers.map((server) => server.url);
    const name = target.sessionName;
    const sessionKeys = async () => {
      let count = 0;
      for await (const keys of client.scanIterator({ MATCH: 'sess:*', COUNT: 1000 })) count += keys.length;
      return count;
    };
    const answers = await Promise.all(Array.from({ length: options.logins }, (_, i) => login(urls[i % urls.length]!, user).catch(noAnswer)));
    const cookies = answers.map((a) => (a.status === 200 ? cookieValue(a.setCookie, name) : null)).filter((c): c is string => c !== null);
    if (cookies.length !== options.logins) {
      const other = answers.find((a) => a.status !== 200);
      problems.push(`${cookies.length} of ${options.logins} concurrent logins got a 200 and a cookie (one other: ${other?.status} ${other?.body.slice(0, 80)})`);
    }
    const distinct = new Set(cookies).size;
    if (distinct !== cookies.length) problems.push(`${cookies.length} logins gave only ${distinct} distinct sessions`);
    for (const [i, url] of urls.entries()) {
      const invalid = await notAuthenticating(url, cookies, user.id, name);
      if (invalid.length) problems.push(`${invalid.length} of ${cookies.length} sessions do not authenticate on instance ${i + 1}: ${invalid.slice(0, 3).join('; ')}`);
    }
    const keysAfterLogins = await sessionKeys();
    if (keysAfterLogins !== distinct) problems.push(`${keysAfterLogins} session keys in Redis for ${distinct} sessions`);

    const logouts = await Promise.all(
      cookies.map((cookie, i) => call(urls[(i + 1) % urls.length]!, 'DELETE', '/api/v1/auth_session/logout', { cookie: `${name}=${cookie}` }).catch(noAnswer)),
    );
    const loggedOut = logouts.filter((a) => a.status === 200).length;
    if (loggedOut !== cookies.length) {
      const other = logouts.find((a) => a.status !== 200);
      problems.push(`${loggedOut} of ${cookies.length} concurrent logouts got a 200 (one other: ${other?.status} ${other?.body.slice(0, 80)})`);
    }
    let stillValid = 0;
    for (const url of urls) stillValid += cookies.length - (await notAuthenticating(url, cookies, user.id, name)).length;
    if (stillValid) problems.push(`${stillValid} times a session still authenticated on an instance after its logout`);
    const keysAfterLogouts = await sessionKeys();
    if (keysAfterLogouts !== 0) problems.push(`${keysAfterLogouts} session keys left in Redis after every logout`);
    summary = `${options.logins} concurrent logins over ${urls.length} instances: ${cookies.length} sessions, ${distinct} distinct, ${keysAfterLogins} keys in Redis; ${loggedOut} concurrent logouts: ${stillValid} still valid, ${keysAfterLogouts} keys left`;
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    client.destroy();
    await Promise.all(servers.map((server) => server.stop()));
    await redis.stop();
    removeTempDir(dir);
  }
  return { lesson: 8, scenario: 'shared concurrency', summary, problems, elapsedMs: Date.now() - started };
}
