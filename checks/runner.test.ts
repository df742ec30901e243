/**
 * The runner itself: each fixture server breaks one claim on purpose and must be caught by
 * exactly that claim; `--url` mode, restarts, variants, the replay, the CLI and the cleanup
 * of child processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { basicHeader } from './auth.ts';
import { expectJson, expectStatus, expectThat } from './expect.ts';
import { CookieJar, parseSetCookie } from './http.ts';
import { curlCommand, curlSequence, shellQuote } from './replay.ts';
import { lessonEntry } from './lessons.ts';
import { lessonSummary } from './report.ts';
import { runChecks } from './runner.ts';
import { LessonServer, makeTempDir, projectRoot, removeTempDir, runningServerPids } from './server.ts';
import { createDatabase, prepareUsers, seedDatabase } from './users.ts';
import { COURSE, type Check, type RunReport, type Status } from './types.ts';

// Hashing is slow on purpose: one set of random users for every run of this file.
const users = prepareUsers();

/** The ids of the claims that did not pass, with their status. */
function broken(report: RunReport): Record<string, Status> {
  return Object.fromEntries(report.lessons.flatMap((lesson) => lesson.results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status])));
}

const fixtures: [file: string, lesson: number, claim: string, status: Status][] = [
  ['l0-html-405.ts', 0, 'L0-method-not-allowed', 'fail'],
  ['l0-stats-off-by-one.ts', 0, 'L0-stats', 'fail'],
  ['l0-password-in-json.ts', 0, 'L0-user-json', 'fail'],
  ['l0-html-bad-json.ts', 0, 'L0-malformed-json', 'fail'],
  ['l0-array-body-500.ts', 0, 'L0-no-server-errors', 'fail'],
  ['l0-powered-by.ts', 0, 'L0-no-powered-by', 'warn'],
  ['l1-no-challenge.ts', 1, 'L1-basic-challenge', 'fail'],
  ['l1-bad-base64-500.ts', 1, 'L1-bad-base64', 'fail'],
  ['l1-unautorized-typo.ts', 1, 'L1-missing-credentials', 'fail'],
  ['l1-wrong-password-401.ts', 1, 'L1-wrong-password', 'fail'],
  ['l1-colon-split-last.ts', 1, 'L1-password-colon', 'fail'],
  ['l1-email-case-sensitive.ts', 1, 'L1-email-any-case', 'fail'],
  ['l1-bearer-401.ts', 1, 'L1-other-scheme', 'fail'],
  ['l1-excluded-exact.ts', 1, 'L1-excluded-paths', 'fail'],
  ['l3-cookie-not-httponly.ts', 3, 'L3-cookie-httponly', 'fail'],
  ['l3-adopts-planted-id.ts', 3, 'L3-fresh-id-at-login', 'fail'],
  ['l3-relogin-keeps-old.ts', 3, 'L3-old-id-dead-after-relogin', 'fail'],
  ['l3-logout-keeps-cookie.ts', 3, 'L3-logout-clears-cookie', 'warn'],
  ['l4-sliding-lifetime.ts', 4, 'L4-absolute-expiry', 'fail'],
  ['l4-max-age-rounded-down.ts', 4, 'L4-max-age', 'warn'],
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
];

describe('each fixture is caught by exactly the claim it breaks', { concurrency: 4 }, () => {
  for (const [file, lesson, claim, status] of fixtures) {
    test(`${file} → ${claim}`, async () => {
      const entry = `checks/fixtures/${file}`;
      // The browser checks prove some claims a second time, in Chromium (L3-cookie-httponly and
      // L3-browser-httponly): a fixture is caught by exactly one claim of its own kind.
      const inBrowser = (check: Check) => check.needs?.includes('browser') ?? false;
      const checks = lessonEntry(lesson)!.checks;
      const kind = inBrowser(checks.find((check) => check.id === claim)!);
      const only = checks.filter((check) => inBrowser(check) === kind).map((check) => check.id);
      const report = await runChecks({ lessons: [lesson], server: { lesson, entry }, users, only });
      assert.deepEqual(broken(report), { [claim]: status });
      assert.equal(report.ok, status === 'warn', 'a failure fails the run, a warning does not');
      const result = report.lessons[0]!.results.find((r) => r.id === claim)!;
      assert.equal(report.lessons[0]!.server, entry);
      assert.ok(result.expected && result.actual && result.message, 'a failure says what was expected and what came back');
      assert.match(result.notes, new RegExp(`^lessons/0${lesson}-[a-z-]+/README\\.md#[a-z-]+$`));
      // One jar per client; a story with a restart or a second server also has comment lines,
      // and a cookie sent by hand a line of the jar file.
      assert.match(result.curl?.[0] ?? '', /^rm -f jar( jar\d+)*$/);
      const replayLine = /^(?:curl -i -c (jar\d*) -b \1 |# |printf '%s(?:\\t%s){6}\\n' .* >> jar\d*$)/;
      assert.ok(result.curl?.slice(1).every((line) => replayLine.test(line)), result.curl?.join('\n'));
      assert.ok(result.setup?.some((line) => line.endsWith(`npx tsx ${entry}`)), result.setup?.join('\n'));
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
      const only = ['L0-status', 'L0-stats', 'L0-user-show', 'L0-password-hashed', 'L1-basic-challenge', 'L1-password-colon', 'L1-users-me'];
      const report = await runChecks({ lessons: [0, 1], url: server.url, user: `${user.email}:${user.password}`, only });
      assert.equal(report.mode, 'url');
      assert.deepEqual(broken(report), { 'L0-password-hashed': 'skip' });
      const skip = report.lessons[0]!.results.find((r) => r.id === 'L0-password-hashed')!;
      assert.match(skip.message, /database.*only works on a server the runner starts/);
      assert.ok(report.ok);

      // Lesson 0's claims alone: say which lesson the server is, so that the runner logs in.
      const asLesson1 = await runChecks({ lessons: [0], url: server.url, user: `${user.email}:${user.password}`, server: { lesson: 1 }, only: ['L0-users-list'] });
      assert.deepEqual(broken(asLesson1), {});
      const asLesson0 = await runChecks({ lessons: [0], url: server.url, only: ['L0-users-list'] });
      assert.match(asLesson0.lessons[0]!.results[0]!.message, /401.*--server-lesson/);

      // Without --user, what needs a user is skipped and says how to give one.
      const anonymous = await runChecks({ lessons: [1], url: server.url, only: ['L1-basic-challenge', 'L1-users-me'] });
      assert.deepEqual(broken(anonymous), { 'L1-users-me': 'skip' });
      assert.match(anonymous.lessons[0]!.results[1]!.message, /--user email:password/);
    } finally {
      await server.stop();
      removeTempDir(dir);
    }
  });

  test('restart keeps the database, variants get their own environment, stdout is readable', async () => {
    const checks: Check[] = [
      {
        id: 'L0-test-restart',
        lesson: 0,
        claim: 'A user survives a restart.',
        reference: 'course',
        section: 'the-routes',
        profiles: COURSE,
        needs: ['restart', 'stdout'],
        async run(ctx) {
          const user = await ctx.createUser();
          const before = ctx.url;
          await ctx.restart();
          expectThat(ctx.stdout().filter((line) => line.includes('listening on')).length === 2, 'two banners');
          expectStatus(await ctx.client().get(`/api/v1/users/${user.id}`), 200, `after a restart (${before} → ${ctx.url})`);
        },
      },
      {
        id: 'L0-test-variant',
        lesson: 0,
        claim: 'Variants share the database or not.',
        reference: 'course',
        section: 'the-routes',
        profiles: COURSE,
        needs: ['variant'],
        async run(ctx) {
          const user = await ctx.createUser();
          const [shared, fresh] = await Promise.all([ctx.startVariant({ SESSION_NAME: 'other' }, { shareDatabase: true }), ctx.startVariant({})]);
          expectThat(shared.env.SESSION_NAME === 'other' && shared.url !== ctx.url, 'a second server with its own environment');
          expectStatus(await shared.client().get(`/api/v1/users/${user.id}`), 200, 'same database');
          expectStatus(await fresh.client().get(`/api/v1/users/${user.id}`), 404, 'fresh database');
          expectStatus(await fresh.client().get(`/api/v1/users/${ctx.users[0]!.id}`), 200, 'seeded');
        },
      },
      {
        id: 'L0-test-failure',
        lesson: 0,
        claim: 'A failure records its story.',
        reference: 'course',
        section: 'the-routes',
        profiles: COURSE,
        async run(ctx) {
          const client = ctx.client();
          client.setCookie('_my_session_id', "it's");
          ctx.note('then ask for the status');
          expectJson(await client.get('/api/v1/status', { headers: { Authorization: basicHeader(ctx.users[1]!.email, ctx.users[1]!.password) } }), 200, { status: 'KO' });
        },
      },
    ];
    const report = await runChecks({ lessons: [0], checks, users });
    assert.deepEqual(broken(report), { 'L0-test-failure': 'fail' });
    const failure = report.lessons[0]!.results[2]!;
    assert.deepEqual(failure.curl?.slice(0, 3), [
      'rm -f jar',
      `printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' 127.0.0.1 FALSE / FALSE 0 _my_session_id 'it'\\''s' >> jar`,
      '# then ask for the status',
    ]);
    // The replay adds the user whose credentials it sends, and only that one.
    const seeded = await users;
    assert.deepEqual(failure.setup, [
      'export DB_PATH="$(mktemp -d)/replay.db"',
      `npm run user:add -- ${shellQuote(seeded[1]!.email)} ${shellQuote(seeded[1]!.password)}`,
      'npm run lesson:0',
    ]);
    assert.match(failure.message, /expected 200 \{"status": "KO"\}, got 200 \{"status": "OK"\}/);
  });

  test('the course profile leaves out the secure claims; unknown lessons are a usage error', async () => {
    const report = await runChecks({ lessons: [1], profile: 'course', users, only: ['L1-basic-challenge', 'L1-basic-test'] });
    assert.deepEqual(
      report.lessons[0]!.results.map((r) => r.id),
      ['L1-basic-test'],
    );
    await assert.rejects(runChecks({ lessons: [42] }), /no lesson 42/);
    await assert.rejects(runChecks({ lessons: [1], url: 'ftp://x' }), /--url must be/);
  });
});

describe('the CLI', { concurrency: true }, () => {
  // Asynchronous, so that the CLI runs side by side (and never blocks this process's loop).
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'checks/cli.ts', ...args], {
        cwd: projectRoot,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.resume();
      child.once('close', (status) => resolve({ status, stdout }));
    });

  test('--json prints one document, exit status 0 when nothing failed', async () => {
    const { status, stdout } = await cli(['0', '--only', 'L0-status', '--json']);
    assert.equal(status, 0);
    const report = JSON.parse(stdout) as RunReport;
    const [result] = report.lessons[0]!.results;
    assert.deepEqual(Object.keys(result!).sort(), ['claim', 'durationMs', 'id', 'lesson', 'message', 'notes', 'reference', 'status']);
    assert.equal(result!.status, 'pass');
  });

  test('a failure prints the claim, expected, got, reference, notes and replay, exit status 1', async () => {
    const { status, stdout } = await cli(['0', '--server', 'checks/fixtures/l0-stats-off-by-one.ts', '--only', 'L0-stats']);
    assert.equal(status, 1);
    for (const text of ['FAIL  L0-stats', 'expected', 'got', 'reference  course', 'read       lessons/00-users-api/README.md#the-routes', 'curl -i -c jar -b jar']) {
      assert.ok(stdout.includes(text), `${text} in:\n${stdout}`);
    }
    assert.match(stdout, /Lesson 0 — The users API: 0\/1 \(1 failed\)/);
    assert.ok(!stdout.includes('\u001b['), 'no colours with NO_COLOR');
  });

  test('a warning does not change the exit status', async () => {
    const { status, stdout } = await cli(['0', '--server', 'checks/fixtures/l0-powered-by.ts', '--only', 'L0-no-powered-by']);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /warn {2}L0-no-powered-by/);
  });

  test('usage errors exit with 2', async () => {
    const runs = await Promise.all([['--profile', 'paranoid'], ['one'], ['--no-such-option'], ['--user', 'a:b'], ['42']].map(cli));
    assert.deepEqual(
      runs.map((run) => run.status),
      [2, 2, 2, 2, 2],
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

  test('shellQuote and curlCommand give lines a shell runs as they were sent', () => {
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote('http://127.0.0.1:5000/api/v1/users'), 'http://127.0.0.1:5000/api/v1/users');
    assert.equal(shellQuote(''), "''");
    const base = { kind: 'exchange' as const, jar: 'jar', url: 'http://127.0.0.1:5000/api/v1/users', headers: [] as [string, string][] };
    assert.equal(
      curlCommand({ ...base, method: 'POST', headers: [['Content-Type', 'application/json']], body: '{"email":"a@b"}' }),
      `curl -i -c jar -b jar -H 'Content-Type: application/json' --data-raw '{"email":"a@b"}' http://127.0.0.1:5000/api/v1/users`,
    );
    assert.equal(curlCommand({ ...base, method: 'PUT', body: 'x' }), `curl -i -c jar -b jar -X PUT -H Content-Type: --data-raw x http://127.0.0.1:5000/api/v1/users`);
    assert.equal(curlCommand({ ...base, method: 'DELETE' }), 'curl -i -c jar -b jar -X DELETE http://127.0.0.1:5000/api/v1/users');
    assert.deepEqual(curlSequence([{ ...base, method: 'GET', jar: 'jar2' }, { kind: 'note', text: 'restart' }]), [
      'rm -f jar2',
      'curl -i -c jar2 -b jar2 http://127.0.0.1:5000/api/v1/users',
      '# restart',
    ]);
  });

  test('a replayed curl line sends what the client sent', async () => {
    const exchange = {
      kind: 'exchange' as const,
      jar: 'jar',
      method: 'POST',
      url: 'http://127.0.0.1:PORT/echo',
      headers: [['Authorization', basicHeader('a@b', "p'w:!$x")]] as [string, string][],
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
      // The echo server runs in this process: curl must run asynchronously (never spawnSync).
      const line = curlCommand({ ...exchange, url: `http://127.0.0.1:${port}/echo` }).replace('curl -i ', 'curl -s --max-time 10 ');
      const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn('sh', ['-c', line], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.once('close', (code) => resolve({ code, stdout }));
      });
      assert.equal(run.code, 0);
      assert.deepEqual(JSON.parse(run.stdout), { method: 'POST', auth: exchange.headers[0]![1], type: null, body: exchange.body });
    } finally {
      server.close();
      removeTempDir(dir);
    }
  });

  test('lessonSummary reads "Lesson N — title: passed/ran"', () => {
    const counts = { pass: 14, fail: 1, warn: 0, skip: 2 };
    assert.equal(lessonSummary({ lesson: 1, title: 'Basic auth', server: '', results: [], durationMs: 930, counts }), 'Lesson 1 — Basic auth: 14/15 (1 failed, 2 skipped) in 0.9 s');
  });
});
