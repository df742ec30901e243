/**
 * The runner itself: each fixture server breaks one claim on purpose and must be caught by
 * exactly that claim; `--url` mode, restarts, variants, time limits, claims that rest on
 * others, the replay, the CLI and the cleanup of child processes. (A learner's server started
 * with `--start` is foreign.test.ts's.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { basicHeader } from './auth.ts';
import { expectJson, expectStatus, expectThat, fail } from './expect.ts';
import { CookieJar, parseSetCookie, type Exchange } from './http.ts';
import { curlCommand, curlSequence, shellQuote } from './replay.ts';
import { lessonEntry } from './lessons.ts';
import { lessonSummary } from './report.ts';
import { runChecks } from './runner.ts';
import { LessonServer, makeTempDir, projectRoot, removeTempDir, runningServerPids } from './server.ts';
import { lowScryptParams } from '../shared/password.ts';
import { createDatabase, prepareUsers, seedDatabase } from './users.ts';
import { COURSE, SECURE, type Check, type ClaimResult, type RunReport, type Status } from './types.ts';

// One set of random users for every run of this file.
const users = prepareUsers(lowScryptParams);

/** The ids of the claims that did not pass, with their status (a claim resting on a broken one aside). */
function broken(report: RunReport): Record<string, Status> {
  const results = report.lessons.flatMap((lesson) => lesson.results);
  return Object.fromEntries(results.filter((r) => r.status !== 'pass' && !r.restsOn).map((r) => [r.id, r.status]));
}

/** The claims left unjudged because the claim they rest on is broken. */
function resting(report: RunReport): string[] {
  return report.lessons.flatMap((lesson) => lesson.results.filter((r) => r.restsOn).map((r) => r.id));
}

/** What the claims other than `claim` that did not pass said: a failing test shows why. */
function unexpected(report: RunReport, claim: string): string {
  const others = Object.keys(broken(report)).filter((id) => id !== claim).map((id) => result(report, id));
  return others.map((r) => `${r.id} (${r.status}): ${r.message}\n  actual: ${r.actual ?? ''}`).join('\n') || 'no other claim broke';
}

function result(report: RunReport, id: string): ClaimResult {
  const found = report.lessons.flatMap((lesson) => lesson.results).find((r) => r.id === id);
  assert.ok(found, `no result for ${id}`);
  return found;
}

/** A short check for the tests below. */
function check(id: string, run: Check['run'], more: Partial<Check> = {}): Check {
  return { id, lesson: 0, claim: `${id}.`, reference: 'course', section: 'the-routes', profiles: COURSE, run, ...more };
}

// [fixture, lesson of the checks, claim, status, the claims that rest on it, the server's lesson if not the same]
const fixtures: [file: string, lesson: number, claim: string, status: Status, resting?: string[], serverLesson?: number][] = [
  ['l0-html-405.ts', 0, 'L0-method-not-allowed', 'fail'],
  ['l0-stats-off-by-one.ts', 0, 'L0-stats', 'fail'],
  ['l0-password-in-json.ts', 0, 'L0-user-json', 'fail'],
  ['l0-html-bad-json.ts', 0, 'L0-malformed-json', 'fail'],
  ['l0-array-body-500.ts', 0, 'L0-no-server-errors', 'fail'],
  ['l0-powered-by.ts', 0, 'L0-no-powered-by', 'warn'],
  ['l0-low-default-cost.ts', 0, 'L0-password-cost', 'fail'],
  ['l1-no-challenge.ts', 1, 'L1-basic-challenge', 'fail'],
  ['l1-bad-base64-500.ts', 1, 'L1-bad-base64', 'fail'],
  ['l1-unautorized-typo.ts', 1, 'L1-missing-credentials', 'fail'],
  ['l1-wrong-password-401.ts', 1, 'L1-wrong-password', 'fail'],
  ['l1-colon-split-last.ts', 1, 'L1-password-colon', 'fail'],
  ['l1-email-case-sensitive.ts', 1, 'L1-email-any-case', 'fail'],
  ['l1-bearer-401.ts', 1, 'L1-other-scheme', 'fail'],
  ['l1-excluded-exact.ts', 1, 'L1-excluded-paths', 'fail'],
  ['l1-excluded-prefix.ts', 1, 'L1-near-miss-paths', 'fail'],
  ['l2-empty-cookie-401.ts', 2, 'L2-hostile-cookie', 'fail', [], 3],
  ['l3-cookie-not-httponly.ts', 3, 'L3-cookie-httponly', 'fail'],
  ['l3-adopts-planted-id.ts', 3, 'L3-fresh-id-at-login', 'fail'],
  ['l3-relogin-keeps-old.ts', 3, 'L3-old-id-dead-after-relogin', 'fail'],
  ['l3-second-login-refused.ts', 3, 'L3-relogin-new-cookie', 'fail', ['L3-old-id-dead-after-relogin']],
  ['l3-logout-keeps-cookie.ts', 3, 'L3-logout-clears-cookie', 'fail'],
  ['l4-sliding-lifetime.ts', 4, 'L4-absolute-expiry', 'fail'],
  ['l5-raw-id-at-rest.ts', 5, 'L5-no-raw-id-at-rest', 'fail'],
  ['l5-cached-sessions.ts', 5, 'L5-shared-logout', 'fail'],
  ['l5-clock-in-memory.ts', 5, 'L5-expiry-after-restart', 'fail'],
  ['l6-connect-sid.ts', 6, 'L6-signed-cookie', 'fail'],
  ['l6-session-before-login.ts', 6, 'L6-no-cookie-before-login', 'fail'],
  ['l6-no-absolute-limit.ts', 6, 'L6-absolute-limit', 'fail'],
  ['l6-logout-keeps-cookie.ts', 6, 'L6-framework-logout', 'fail'],
  ['l6-one-secret.ts', 6, 'L6-secret-rotation', 'fail'],
  ['l7-any-id.ts', 7, 'L7-own-account-only', 'fail'],
  ['l7-admin-field.ts', 7, 'L7-admin-manages-everyone', 'fail'],
  ['l7-no-cross-origin-check.ts', 7, 'L7-cross-origin-refused', 'fail'],
  ['l7-login-skips-scrypt.ts', 7, 'L7-login-same-answer', 'fail'],
  ['l7-basic-unhardened.ts', 7, 'L7-basic-auth-hardened', 'fail'],
  ['l7-no-account-limit.ts', 7, 'L7-throttle-account', 'fail'],
  ['l7-counts-after-check.ts', 7, 'L7-throttle-account', 'fail'],
  ['l7-no-address-limit.ts', 7, 'L7-throttle-address', 'fail'],
  ['l7-no-host-prefix.ts', 7, 'L7-host-cookie', 'fail'],
  ['l7-plain-http-secure.ts', 7, 'L7-tls-or-trusted-proxy', 'fail'],
  ['l7-two-cookies.ts', 7, 'L7-two-cookies-refused', 'fail'],
  ['l7-password-change-keeps-others.ts', 7, 'L7-password-change', 'fail'],
  ['l7-logout-everywhere-here.ts', 7, 'L7-logout-everywhere', 'fail'],
  ['l7-delete-keeps-sessions.ts', 7, 'L7-user-delete-ends-sessions', 'fail'],
  ['l7-no-session-cap.ts', 7, 'L7-session-cap', 'fail'],
  ['l7-no-helmet.ts', 7, 'L7-security-headers', 'fail'],
  ['l7-cacheable.ts', 7, 'L7-no-store', 'fail'],
  ['l7-any-host.ts', 7, 'L7-host-allow-list', 'fail'],
  ['l7-production-secret-only.ts', 7, 'L7-production-settings', 'fail'],
  ['l8-cached-sessions.ts', 8, 'L8-shared-sessions', 'fail'],
  ['l8-flush-at-start.ts', 8, 'L8-instance-crash', 'fail'],
  ['l8-memory-throttle.ts', 8, 'L8-throttle-shared', 'fail'],
  ['l8-redis-error-500.ts', 8, 'L8-outage-503', 'fail', ['L8-outage-recovers']],
  ['l8-no-deadline.ts', 8, 'L8-outage-503', 'fail'],
  ['l8-no-reconnect.ts', 8, 'L8-outage-recovers', 'fail'],
  ['l8-raw-id-keys.ts', 8, 'L8-no-raw-id', 'fail'],
  ['l8-no-ttl.ts', 8, 'L8-ttl', 'fail'],
  ['l8-delete-keeps-sessions.ts', 8, 'L8-user-delete-ends-sessions', 'fail'],
];

/** The notes section of lesson 8's outage claims. */
const outageSection = 'when-redis-stops';

/** What every line of a replay's story looks like. */
const REPLAY_LINE = /^(?:curl -i -c "\$jar\d*" (?:-b "\$jar\d*" )?|# |printf '%s(?:\\t%s){6}\\n' .* >> "\$jar\d*"$|sid\d+=\$\(awk )/;

describe('each fixture is caught by exactly the claim it breaks', { concurrency: 4 }, () => {
  for (const [file, lesson, claim, status, rests = [], serverLesson = lesson] of fixtures) {
    test(`${file} → ${claim}`, async () => {
      const entry = `checks/fixtures/${file}`;
      // The browser checks prove some claims a second time, in Chromium (L3-cookie-httponly and
      // L3-browser-httponly): a fixture is caught by exactly one claim of its own kind.
      // On a later lesson's server (a fixture of lesson 3 for lesson 2's claims), the claims that
      // need another AUTH_TYPE are left out: a fixture serves one auth, whatever AUTH_TYPE says.
      // The claims timed at the real password cost (lesson 7's no-enumeration pair, about two
      // thirds of a lesson 7 run) only on the fixtures of their own section, the ones that
      // change how a password is checked; and so the claims that stop Redis (lesson 8's outage
      // pair, each with a Redis and servers of its own), on the fixtures that break them.
      const checks = lessonEntry(lesson)!.checks;
      const section = checks.find((one) => one.id === claim)!.section;
      const only = checks
        .filter((one) => !one.needs?.includes('browser') && (serverLesson === lesson || !one.env?.AUTH_TYPE))
        .filter((one) => !(one.env && 'PASSWORD_HASH_COST' in one.env) || one.section === section)
        .filter((one) => one.section !== outageSection || one.section === section)
        .map((one) => one.id);
      const report = await runChecks({ lessons: [lesson], server: { lesson: serverLesson, entry }, users, only });
      assert.deepEqual(broken(report), { [claim]: status }, unexpected(report, claim));
      assert.deepEqual(resting(report), rests);
      assert.equal(report.ok, status === 'warn', 'a failure fails the run, a warning does not');
      const failed = result(report, claim);
      assert.equal(report.lessons[0]!.server, entry);
      assert.ok(failed.expected && failed.actual && failed.message, 'a failure says what was expected and what came back');
      assert.match(failed.notes, new RegExp(`^lessons/0${lesson}-[a-z-]+/README\\.md#[a-z-]+$`));
      // Variables first (the server's address, fresh jar files), then the story.
      assert.match(failed.curl?.[0] ?? '', /^(base\d*=http:\/\/127\.0\.0\.1:\d+ )+jar\d*=\$\(mktemp\)( jar\d+=\$\(mktemp\))*$/);
      assert.ok(failed.curl?.slice(1).every((line) => REPLAY_LINE.test(line) || line.startsWith('#   ')), failed.curl?.join('\n'));
      assert.match(failed.setup?.at(-1) ?? '', new RegExp(`API_PORT=\\d+ npx tsx ${entry}$`));
    });
  }
});

describe('runChecks', { concurrency: true }, () => {
  test('--url checks a server it did not start: what needs a restart or the database is skipped', async () => {
    const dir = makeTempDir();
    const dbPath = join(dir, 'url.db');
    const seeded = await users;
    createDatabase(dbPath);
    seedDatabase(dbPath, seeded);
    const server = await LessonServer.start({ entry: 'lessons/01-basic-auth/server.ts', env: {}, dbPath });
    try {
      const user = seeded[1]!;
      const only = ['L0-status', 'L0-stats', 'L0-user-show', 'L0-password-hashed', 'L1-basic-challenge', 'L1-password-colon'];
      const report = await runChecks({ lessons: [0, 1], url: server.url, user: `${user.email}:${user.password}`, only });
      assert.equal(report.mode, 'url');
      assert.deepEqual(broken(report), { 'L0-password-hashed': 'skip' });
      assert.match(result(report, 'L0-password-hashed').message, /database.*only works on this project's own servers/);
      assert.ok(report.ok);

      // Lesson 0's claims alone: say which lesson the server is, so that the runner logs in;
      // the hint asks for what is missing, and only that.
      const asLesson1 = await runChecks({ lessons: [0], url: server.url, user: `${user.email}:${user.password}`, server: { lesson: 1 }, only: ['L0-users-list'] });
      assert.deepEqual(broken(asLesson1), {});
      const asLesson0 = await runChecks({ lessons: [0], url: server.url, only: ['L0-users-list'] });
      assert.match(result(asLesson0, 'L0-users-list').message, /401.*add --user email:password and --server-lesson N/);
      const withUser = await runChecks({ lessons: [0], url: server.url, user: `${user.email}:${user.password}`, only: ['L0-users-list'] });
      assert.match(result(withUser, 'L0-users-list').message, /401.*add --server-lesson N, the lesson it implements\)$/);

      // Without --user, what needs a user is skipped and says how to give one.
      const anonymous = await runChecks({ lessons: [1], url: server.url, only: ['L1-basic-challenge', 'L1-password-colon'] });
      assert.deepEqual(broken(anonymous), { 'L1-password-colon': 'skip' });
      assert.match(result(anonymous, 'L1-password-colon').message, /--user email:password/);
    } finally {
      await server.stop();
      removeTempDir(dir);
    }
  });

  test('--url with --env: the checks that need that environment run, the others say which --env they need', async () => {
    const dir = makeTempDir();
    const dbPath = join(dir, 'env.db');
    const seeded = await users;
    createDatabase(dbPath);
    seedDatabase(dbPath, seeded);
    const server = await LessonServer.start({ entry: 'lessons/04-session-expiry/server.ts', env: { SESSION_DURATION: '1' }, dbPath });
    try {
      const user = `${seeded[0]!.email}:${seeded[0]!.password}`;
      const only = ['L4-session-duration', 'L4-idle-expiry'];
      const blind = await runChecks({ lessons: [4], url: server.url, user, only });
      assert.deepEqual(broken(blind), { 'L4-session-duration': 'skip', 'L4-idle-expiry': 'skip' });
      assert.match(result(blind, 'L4-session-duration').message, /started with SESSION_DURATION=1: start yours so and add --env SESSION_DURATION=1/);
      assert.equal(blind.ok, false, 'a run that judged nothing is not a success');
      const declared = await runChecks({ lessons: [4], url: server.url, user, only, env: { SESSION_DURATION: '1' } });
      assert.deepEqual(broken(declared), { 'L4-idle-expiry': 'skip' });
      assert.ok(declared.ok);
    } finally {
      await server.stop();
      removeTempDir(dir);
    }
  });

  test('nothing answering at --url is one error, not a failure per claim', async () => {
    const report = await runChecks({ lessons: [0, 1], url: 'http://127.0.0.1:9' });
    assert.equal(report.error, 'nothing answers at http://127.0.0.1:9: is your server running?');
    assert.deepEqual([report.ok, report.lessons], [false, []]);
  });

  test('restart keeps the database, variants get their own environment and are shared, stdout is readable', async () => {
    const pidsOf = new Map<string, string>();
    const sharedVariant = (id: string) =>
      check(id, async (ctx) => {
        const variant = await ctx.startVariant({ SESSION_NAME: 'other' }, { shareDatabase: true });
        pidsOf.set(id, variant.url);
      }, { needs: ['variant'] });
    const checks: Check[] = [
      check('L0-test-restart', async (ctx) => {
        const user = await ctx.createUser();
        const before = ctx.url;
        await ctx.restart();
        expectThat(ctx.stdout().filter((line) => line.includes('listening on')).length === 2, 'two banners');
        expectStatus(await ctx.client().get(`/api/v1/users/${user.id}`), 200, `after a restart (${before} → ${ctx.url})`);
      }, { needs: ['restart', 'stdout'] }),
      check('L0-test-variant', async (ctx) => {
        const user = await ctx.createUser();
        const [shared, fresh] = await Promise.all([ctx.startVariant({ SESSION_NAME: 'other' }, { shareDatabase: true }), ctx.startVariant({})]);
        expectThat(shared.env.SESSION_NAME === 'other' && shared.url !== ctx.url && fresh.url !== shared.url, 'second servers of their own');
        expectStatus(await shared.client().get(`/api/v1/users/${user.id}`), 200, 'same database');
        expectStatus(await fresh.client().get(`/api/v1/users/${user.id}`), 404, 'fresh database');
        expectStatus(await fresh.client().get(`/api/v1/users/${ctx.users[0]!.id}`), 200, 'seeded');
      }, { needs: ['variant'] }),
      sharedVariant('L0-test-shared-a'),
      sharedVariant('L0-test-shared-b'),
      check('L0-test-failure', async (ctx) => {
        const client = ctx.client();
        client.setCookie('_my_session_id', "it's");
        ctx.note('then ask for the status');
        const auth = basicHeader(ctx.users[1]!.email, ctx.users[1]!.password);
        expectJson(await client.get('/api/v1/status', { headers: { Authorization: auth } }), 200, { status: 'KO' });
      }),
    ];
    const report = await runChecks({ lessons: [0], checks, users });
    assert.deepEqual(broken(report), { 'L0-test-failure': 'fail' });
    assert.equal(pidsOf.get('L0-test-shared-a'), pidsOf.get('L0-test-shared-b'), 'one second server for both checks');
    const failure = result(report, 'L0-test-failure');
    assert.match(failure.curl![0]!, /^base=http:\/\/127\.0\.0\.1:\d+ jar=\$\(mktemp\)$/);
    assert.deepEqual(failure.curl?.slice(1, 3), [
      `printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' 127.0.0.1 FALSE / FALSE 0 _my_session_id 'it'\\''s' >> "$jar"`,
      '# then ask for the status',
    ]);
    // The replay adds the user whose credentials it sends, and only that one, on a database of its own.
    const seeded = await users;
    assert.match(failure.setup![0]!, /^export DB_PATH=\/tmp\/sandbox-replay-[0-9a-f]{8}\/sandbox\.db$/);
    assert.deepEqual(failure.setup?.slice(1), [
      `npm run user:add -- ${shellQuote(seeded[1]!.email)} ${shellQuote(seeded[1]!.password)}`,
      `API_PORT=${failure.curl![0]!.match(/:(\d+) /)![1]} npm run lesson:0`,
    ]);
    assert.match(failure.message, /expected 200 \{"status": "KO"\}, got 200 \{"status": "OK"\}/);
  });

  test('a check that runs out of time is a timeout, with the load average, not a failure', async () => {
    const checks = [
      check('L0-test-hangs', () => new Promise(() => {})),
      check('L0-test-fine', async (ctx) => expectStatus(await ctx.client().get('/api/v1/status'), 200)),
    ];
    const report = await runChecks({ lessons: [0], checks, users, timeoutSeconds: 0.5 });
    assert.deepEqual(broken(report), { 'L0-test-hangs': 'timeout' });
    assert.match(result(report, 'L0-test-hangs').message, /^the check: no answer within 0\.5 s \(load average \d+\.\d\)$/);
    assert.deepEqual([report.ok, report.counts.timeout, report.counts.fail], [true, 1, 0]);
    const alone = await runChecks({ lessons: [0], checks: checks.slice(0, 1), users, timeoutSeconds: 0.5 });
    assert.equal(alone.ok, false, 'a run whose only check ran out of time judged nothing');
  });

  test('a claim that rests on a broken one is not judged; on a sound one it is', async () => {
    const base = (ok: boolean) => check('L0-test-base', async () => (ok ? undefined : fail('the base is broken')));
    const dependent = check('L0-test-dependent', async () => fail('broken too'), { restsOn: 'L0-test-base', profiles: SECURE, reference: 'RFC 1' });
    const onBroken = await runChecks({ lessons: [0], checks: [base(false), dependent], users });
    assert.deepEqual([broken(onBroken), resting(onBroken)], [{ 'L0-test-base': 'fail' }, ['L0-test-dependent']]);
    assert.match(result(onBroken, 'L0-test-dependent').message, /^skipped: it rests on L0-test-base, which this server breaks \(this check said: broken too\)$/);
    const onSound = await runChecks({ lessons: [0], checks: [base(true), dependent], users });
    assert.deepEqual([broken(onSound), resting(onSound)], [{ 'L0-test-dependent': 'fail' }, []]);
  });

  test('the course profile leaves out the secure claims; unknown lessons are a usage error', async () => {
    const report = await runChecks({ lessons: [1], profile: 'course', users, only: ['L1-basic-challenge', 'L1-basic-test'] });
    assert.deepEqual(
      report.lessons[0]!.results.map((r) => r.id),
      ['L1-basic-test'],
    );
    await assert.rejects(runChecks({ lessons: [42] }), /no lesson 42/);
    await assert.rejects(runChecks({ lessons: [1], url: 'ftp://x' }), /--url must be/);
    await assert.rejects(runChecks({ lessons: [1], url: 'http://x', start: { command: 'x', cwd: '/' } }), /do not go together/);
  });
});

describe('the replay', () => {
  /** Runs `script` with sh in `cwd`; stdout. */
  const sh = (script: string, cwd: string) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      // The servers run in this process's children: sh must run asynchronously (never spawnSync).
      const child = spawn('sh', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('close', (code) => resolve({ code, stdout }));
    });

  test('shellQuote and curlCommand give lines a shell runs as they were sent', () => {
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote('http://127.0.0.1:5000/api/v1/users'), 'http://127.0.0.1:5000/api/v1/users');
    assert.equal(shellQuote(''), "''");
    const base: Exchange = { kind: 'exchange', jar: 'jar', base: 'base', baseUrl: 'http://127.0.0.1:5000', method: 'GET', path: '/api/v1/users', headers: [] };
    assert.equal(
      curlCommand({ ...base, method: 'POST', headers: [['Content-Type', 'application/json']], body: '{"email":"a@b"}' }),
      `curl -i -c "$jar" -b "$jar" -H 'Content-Type: application/json' --data-raw '{"email":"a@b"}' "$base"/api/v1/users`,
    );
    assert.equal(curlCommand({ ...base, method: 'PUT', body: 'x' }), `curl -i -c "$jar" -b "$jar" -X PUT -H Content-Type: --data-raw x "$base"/api/v1/users`);
    assert.equal(curlCommand({ ...base, method: 'DELETE' }), 'curl -i -c "$jar" -b "$jar" -X DELETE "$base"/api/v1/users');
    // A Cookie header of its own: the jar's cookies stay home, the answer's still go in.
    assert.equal(curlCommand({ ...base, headers: [['Cookie', 'a=b']] }), `curl -i -c "$jar" -H 'Cookie: a=b' "$base"/api/v1/users`);
    assert.deepEqual(curlSequence([{ ...base, jar: 'jar2' }, { kind: 'note', text: 'restart' }]), [
      'base=http://127.0.0.1:5000 jar2=$(mktemp)',
      'curl -i -c "$jar2" -b "$jar2" "$base"/api/v1/users',
      '# restart',
    ]);
  });

  test('an id the server issued and the check sent by hand is read back from the jar, never pasted', () => {
    const base: Exchange = { kind: 'exchange', jar: 'jar', base: 'base', baseUrl: 'http://127.0.0.1:5000', method: 'GET', path: '/x', headers: [] };
    const id = 'q3Zt0y-_xAbCdEfGh';
    const lines = curlSequence([
      { ...base, method: 'POST', path: '/login', setCookies: [{ name: 'sid', value: id }, { name: 'short', value: 'abc' }] },
      { ...base, headers: [['Cookie', `sid=${id}`]] },
      { kind: 'cookie', jar: 'jar2', host: '127.0.0.1', name: 'sid', value: id, path: '/' },
    ]);
    assert.deepEqual(lines, [
      'base=http://127.0.0.1:5000 jar=$(mktemp) jar2=$(mktemp)',
      'curl -i -c "$jar" -b "$jar" -X POST "$base"/login',
      `sid1=$(awk -v n=sid '$6 == n { v = $7 } END { print v }' "$jar")`,
      `curl -i -c "$jar" -H 'Cookie: sid='"$sid1" "$base"/x`,
      `printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' 127.0.0.1 FALSE / FALSE 0 sid "$sid1" >> "$jar2"`,
    ]);
  });

  test('a failure replayed with curl shows the same mistake, and writes nothing where it runs', async () => {
    // L3-old-id-dead-after-relogin on the fixture that keeps the old session: its replay sends
    // the first login's id by hand after the second login.
    const entry = 'checks/fixtures/l3-relogin-keeps-old.ts';
    const report = await runChecks({ lessons: [3], server: { lesson: 3, entry }, users, only: ['L3-old-id-dead-after-relogin'] });
    const failure = result(report, 'L3-old-id-dead-after-relogin');
    assert.ok(failure.curl?.some((line) => line.includes('"$sid1"')), failure.curl?.join('\n'));
    const dir = makeTempDir();
    const dbPath = join(dir, 'replay.db');
    createDatabase(dbPath);
    seedDatabase(dbPath, await users);
    const server = await LessonServer.start({ entry, env: {}, dbPath });
    const cwd = makeTempDir();
    try {
      const script = [`${failure.curl![0]!.replace(/^base=\S+/, `base=${server.url}`)}`, ...failure.curl!.slice(1)]
        .join('\n')
        .replaceAll('curl -i ', 'curl -s -i --max-time 10 ');
      const run = await sh(script, cwd);
      assert.equal(run.code, 0);
      // The last answer: the first id still works (200), which is the mistake the check reported.
      const statuses = [...run.stdout.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
      assert.deepEqual(statuses, [200, 200, 200], run.stdout);
      assert.deepEqual(readdirSync(cwd), [], 'no jar file where the replay ran');
    } finally {
      await server.stop();
      removeTempDir(dir);
      removeTempDir(cwd);
    }
  });

  test('a replayed curl line sends what the client sent', async () => {
    const exchange: Exchange = {
      kind: 'exchange',
      jar: 'jar',
      base: 'base',
      baseUrl: '',
      method: 'POST',
      path: '/echo',
      headers: [['Authorization', basicHeader('a@b', "p'w:!$x")]],
      body: `{"q": "it's $HOME \\n"}`,
    };
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, type: req.headers['content-type'] ?? null, body })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = makeTempDir();
    try {
      const script = curlSequence([{ ...exchange, baseUrl: `http://127.0.0.1:${port}` }]).join('\n').replace('curl -i ', 'curl -s --max-time 10 ');
      const run = await sh(script, dir);
      assert.equal(run.code, 0);
      assert.deepEqual(JSON.parse(run.stdout), { method: 'POST', auth: exchange.headers[0]![1], type: null, body: exchange.body });
    } finally {
      server.close();
      removeTempDir(dir);
    }
  });
});

describe('the CLI', { concurrency: true }, () => {
  // Asynchronous, so that the CLI runs side by side (and never blocks this process's loop).
  const run = (command: string, args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(command, args, { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });
  const cli = (args: string[]) => run(process.execPath, ['--import', './checks/ts-loader.mjs', 'checks/cli.ts', ...args]);

  test('npm run --silent check -- --json prints one JSON document and nothing else, exit status 0', async () => {
    const { status, stdout } = await run('npm', ['run', '--silent', 'check', '--', '0', '--only', 'L0-status', '--json']);
    assert.equal(status, 0);
    const report = JSON.parse(stdout) as RunReport;
    const [only] = report.lessons[0]!.results;
    assert.deepEqual(Object.keys(only!).sort(), ['claim', 'durationMs', 'id', 'lesson', 'message', 'notes', 'reference', 'status']);
    assert.equal(only!.status, 'pass');
  });

  test('a failure prints the claim, expected, got, reference, notes and replay, exit status 1', async () => {
    const { status, stdout } = await cli(['0', '--server', 'checks/fixtures/l0-stats-off-by-one.ts', '--only', 'L0-stats']);
    assert.equal(status, 1);
    const texts = ['FAIL  L0-stats', 'expected', 'got', 'reference  course', 'read       lessons/00-users-api/README.md#the-routes', 'curl -i -c "$jar" -b "$jar"'];
    for (const text of texts) assert.ok(stdout.includes(text), `${text} in:\n${stdout}`);
    assert.match(stdout, /Lesson 0 — The users API: 0\/1 \(1 failed\)/);
    assert.ok(!stdout.includes('\u001b['), 'no colours with NO_COLOR');
  });

  test('a warning does not change the exit status', async () => {
    const { status, stdout } = await cli(['0', '--server', 'checks/fixtures/l0-powered-by.ts', '--only', 'L0-no-powered-by']);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /warn {2}L0-no-powered-by/);
  });

  test('a run that checks nothing fails, and says so', async () => {
    // Lesson 0's database claim on a server someone else runs: skipped, the only claim of the run.
    const dir = makeTempDir();
    const dbPath = join(dir, 'skip.db');
    createDatabase(dbPath);
    const server = await LessonServer.start({ entry: 'lessons/00-users-api/server.ts', env: {}, dbPath });
    try {
      const { status, stdout } = await cli(['0', '--url', server.url, '--only', 'L0-password-hashed']);
      assert.equal(status, 1, stdout);
      assert.match(stdout, /nothing was checked: every claim was skipped \(the reasons are above\); this is not a pass/);
    } finally {
      await server.stop();
      removeTempDir(dir);
    }
  });

  test('a server that is not there: one line, exit status 1', async () => {
    const { status, stdout } = await cli(['0', '1', '--url', 'http://127.0.0.1:9']);
    assert.equal(status, 1);
    assert.equal(stdout.trim(), 'error: nothing answers at http://127.0.0.1:9: is your server running?');
  });

  test('usage errors exit with 2', async () => {
    const mistakes = [['--profile', 'paranoid'], ['one'], ['--no-such-option'], ['--user', 'a:b'], ['42'], ['--env', 'A=1'], ['--cwd', '/tmp'], ['--timeout', '0']];
    const runs = await Promise.all(mistakes.map(cli));
    assert.deepEqual(
      runs.map((one) => one.status),
      mistakes.map(() => 2),
    );
  });
});

test('a server outlives neither a run nor a runner killed with SIGKILL', async () => {
  assert.deepEqual(runningServerPids(), []);
  const runner = spawn(process.execPath, ['--import', 'tsx', 'checks/fixtures/hang.ts'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const [pid, dir] = await new Promise<[number, string]>((resolve, reject) => {
    let out = '';
    runner.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /server pid (\d+) dir (\S+)/.exec(out);
      if (match) resolve([Number(match[1]), match[2] as string]);
    });
    runner.once('exit', () => reject(new Error(`the runner exited: ${out}`)));
  });
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(alive());
  runner.kill('SIGKILL');
  const deadline = Date.now() + 5000;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  removeTempDir(dir);
  assert.ok(!alive(), `server ${pid} still runs after its runner was killed`);
});

describe('HTTP client pieces', () => {
  test('parseSetCookie reads attributes, case-insensitively', () => {
    assert.deepEqual(parseSetCookie('sid=a=b; Path=/; HttpOnly; SameSite=Lax; Max-Age=60'), {
      name: 'sid',
      value: 'a=b',
      attributes: { path: '/', httponly: true, samesite: 'Lax', 'max-age': '60' },
      raw: 'sid=a=b; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
    });
    assert.equal(parseSetCookie('no-equals-sign'), null);
  });

  test('the cookie jar expires, clears, matches paths and keeps Secure cookies off http', () => {
    const jar = new CookieJar();
    jar.store(['a=1; Path=/', 'b=2; Path=/api/v1/auth_session', 'c=3; Secure', 'd=4; Max-Age=1'], '/api/v1/x', 1_000);
    // c and d have no Path: they get the request's directory, /api/v1, and go before a (/).
    assert.equal(jar.header('/api/v1/users', false, 1_500), 'd=4; a=1');
    assert.equal(jar.header('/api/v1/auth_session/logout', false, 1_500), 'b=2; d=4; a=1');
    assert.equal(jar.header('/api/v1/users', true, 1_500), 'c=3; d=4; a=1');
    assert.equal(jar.header('/', false, 2_500), 'a=1', 'd expired');
    jar.store(['a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], '/');
    assert.equal(jar.get('a'), undefined, 'cleared by an expiry in the past');
  });

  test('lessonSummary reads "Lesson N — title: passed/ran"', () => {
    const counts = { pass: 14, fail: 1, warn: 0, skip: 2, timeout: 1 };
    const report = { lesson: 1, title: 'Basic auth', server: '', results: [], durationMs: 930, counts };
    assert.equal(lessonSummary(report), 'Lesson 1 — Basic auth: 14/15 (1 failed, 1 timed out, 2 skipped) in 0.9 s');
  });
});
