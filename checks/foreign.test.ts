/**
 * The checks on a server from outside this project, started by the runner (`--start`): the
 * course's projects ported to Python's standard library (checks/foreign/course_server.py),
 * quirks included, and variants of it that each get one thing wrong.
 *
 * What this proves: a faithful course server passes every course claim of lessons 0 to 5
 * (no false failure), and each broken variant fails exactly the claim it breaks, beside what
 * the faithful server fails already (no false pass); lessons 4 and 5 included, because the
 * runner sets `SESSION_DURATION`, restarts the server and starts a second one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runChecks } from './runner.ts';
import { makeTempDir, projectRoot, removeTempDir } from './server.ts';
import type { Profile, RunReport, Status } from './types.ts';

const courseServer = join(projectRoot, 'checks', 'foreign', 'course_server.py');

/** `--start` for the course server with these bugs, in a folder of its own. */
function course(...bugs: string[]): { command: string; cwd: string } {
  return { command: ['python3', courseServer, ...bugs.flatMap((bug) => ['--bug', bug])].join(' '), cwd: makeTempDir() };
}

/** The claims that were not judged a pass (a claim resting on a broken one aside), with their status. */
function broken(report: RunReport): Record<string, Status> {
  const results = report.lessons.flatMap((lesson) => lesson.results);
  return Object.fromEntries(results.filter((r) => r.status !== 'pass' && !r.restsOn).map((r) => [r.id, r.status]));
}

function explain(report: RunReport): string {
  return [report.error ?? '', ...report.lessons.flatMap((l) => l.results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.message}`))].join('\n');
}

/** Runs lesson `lesson`'s checks on the course server with `bugs`. */
async function check(lesson: number, profile: Profile, ...bugs: string[]): Promise<RunReport> {
  const start = course(...bugs);
  try {
    return await runChecks({ lessons: [lesson], start, profile, browser: false });
  } finally {
    removeTempDir(start.cwd);
  }
}

/** What `variant` breaks that the faithful server does not: claim → status. */
function added(faithful: RunReport, variant: RunReport): Record<string, Status> {
  const before = broken(faithful);
  return Object.fromEntries(Object.entries(broken(variant)).filter(([id, status]) => before[id] !== status));
}

describe('a faithful port of the course passes every course claim', { concurrency: true }, () => {
  for (const lesson of [0, 1, 2, 3, 4, 5]) {
    test(`lesson ${lesson}`, async () => {
      const report = await check(lesson, 'course');
      assert.deepEqual(broken(report), {}, explain(report));
      assert.ok(report.ok && report.counts.pass > 0, explain(report));
    });
  }
});

describe('each mistake is caught by the claim it breaks, and only that one', { concurrency: true }, () => {
  // [bug, lesson, profile, what it adds to the faithful server's result, the claims left resting on it]
  const mistakes: [bug: string, lesson: number, profile: Profile, breaks: Record<string, Status>, resting?: string[]][] = [
    ['basic-project', 1, 'course', {}],
    ['basic-project', 2, 'course', { 'L2-users-me': 'fail' }, ['L2-session-cookie-auth', 'L2-no-credentials-401', 'L2-forged-id-403', 'L2-other-cookie-name', 'L2-basic-alone-403']],
    ['prefix-excluded', 1, 'course', { 'L1-near-miss-paths': 'fail' }],
    ['truthy-cookie', 3, 'course', {}],
    ['truthy-cookie', 2, 'secure', { 'L2-hostile-cookie': 'fail' }],
    ['second-login-refused', 3, 'course', { 'L3-relogin-new-cookie': 'fail' }],
    ['second-login-refused', 3, 'secure', { 'L3-relogin-new-cookie': 'fail' }, ['L3-old-id-dead-after-relogin']],
    ['instant-expiry', 4, 'course', { 'L4-session-duration': 'fail' }],
    ['instant-expiry', 4, 'secure', { 'L4-session-duration': 'fail' }, ['L4-absolute-expiry', 'L4-expired-replay']],
    ['expired-kept', 4, 'course', { 'L4-session-duration': 'fail' }],
    ['lost-at-restart', 5, 'course', { 'L5-session-survives-restart': 'fail' }, ['L5-login-survives-crash']],
  ];
  const faithful = new Map<string, Promise<RunReport>>();
  const faithfulRun = (lesson: number, profile: Profile) => {
    const key = `${lesson} ${profile}`;
    if (!faithful.has(key)) faithful.set(key, check(lesson, profile));
    return faithful.get(key) as Promise<RunReport>;
  };
  for (const [bug, lesson, profile, breaks, rests = []] of mistakes) {
    test(`${bug}: lesson ${lesson}, ${profile} profile`, async () => {
      const [before, after] = await Promise.all([faithfulRun(lesson, profile), check(lesson, profile, bug)]);
      assert.deepEqual(added(before, after), breaks, explain(after));
      const resting = after.lessons.flatMap((l) => l.results.filter((r) => r.restsOn).map((r) => r.id));
      assert.deepEqual(resting, rests);
    });
  }
});

test("the secure profile fails a faithful course server where the course is insecure (lesson 3)", async () => {
  const report = await check(3, 'secure');
  const failures = Object.entries(broken(report)).filter(([, status]) => status === 'fail').map(([id]) => id);
  // uuid4 ids (122 bits), cookies without HttpOnly or SameSite, the old session kept at a new
  // login, a logout that leaves the cookie, Flask's HTML 405, no Cache-Control on login.
  assert.deepEqual(failures.sort(), [
    'L3-cookie-httponly',
    'L3-cookie-samesite',
    'L3-id-entropy',
    'L3-login-no-store',
    'L3-logout-clears-cookie',
    'L3-logout-get-405',
    'L3-old-id-dead-after-relogin',
  ]);
});

test('users are created the way a course server allows; a server that refuses says what it must accept', async () => {
  const start = course('auth-by-default');
  try {
    const report = await runChecks({ lessons: [1], start });
    assert.match(report.error ?? '', /started without AUTH_TYPE, your server answered POST \/api\/v1\/users with 401/);
    assert.deepEqual([report.ok, report.lessons], [false, []]);
  } finally {
    removeTempDir(start.cwd);
  }
  const broken = { command: 'echo no server here >&2; exit 3', cwd: makeTempDir() };
  try {
    const report = await runChecks({ lessons: [0], start: broken });
    assert.match(report.error ?? '', /started no server that answers GET \/api\/v1\/status: the server exited \(code 3\); its last error lines:\nno server here/);
  } finally {
    removeTempDir(broken.cwd);
  }
});

describe('the CLI', { concurrency: true }, () => {
  const cli = (args: string[], cwd: string) =>
    new Promise<{ status: number | null; stdout: string }>((resolve) => {
      // From another folder, as a learner would type it: --cwd is read from there.
      const child = spawn(process.execPath, ['--import', join(projectRoot, 'checks', 'ts-loader.mjs'), join(projectRoot, 'checks', 'cli.ts'), ...args], {
        cwd,
        // npm sets INIT_CWD to where it was typed: not here, where the CLI runs by itself.
        env: { ...process.env, NO_COLOR: '1', INIT_CWD: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('close', (status) => resolve({ status, stdout }));
    });

  test('npm run check -- 4 --start … --cwd …: exit 1 and the broken claim for a server whose sessions never expire', async () => {
    const { command, cwd } = course('expired-kept');
    try {
      const { status, stdout } = await cli(['4', '--start', command, '--cwd', '.', '--profile', 'course'], cwd);
      assert.equal(status, 1, stdout);
      assert.match(stdout, /FAIL {2}L4-session-duration/);
      assert.match(stdout, /Lesson 4 — Session expiry {2}\(python3 .*course_server\.py --bug expired-kept \(in .*\)\)/);
      assert.ok(existsSync(join(cwd, '.db_User.json')), 'the users live in the server\'s own folder');
    } finally {
      removeTempDir(cwd);
    }
  });

  test('npm run check -- 5 --start …: exit 0 for a faithful server in the course profile', async () => {
    const { command, cwd } = course();
    try {
      const { status, stdout } = await cli(['5', '--start', command, '--profile', 'course'], cwd);
      assert.equal(status, 0, stdout);
      assert.match(stdout, /pass {2}L5-session-survives-restart/);
      assert.match(stdout, /pass {2}L5-login-survives-crash/);
    } finally {
      removeTempDir(cwd);
    }
  });
});

test('a server started with --start outlives neither its run nor a runner killed with SIGKILL', async () => {
  const { command, cwd } = course();
  const script = [
    `import { CommandServer } from ${JSON.stringify(join(projectRoot, 'checks', 'server.ts'))};`,
    `const server = await CommandServer.start({ command: ${JSON.stringify(command)}, cwd: ${JSON.stringify(cwd)}, env: {} });`,
    'console.log(`up ${server.url}`);',
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const runner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      runner.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /up (\S+)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      runner.once('exit', () => reject(new Error(`the runner exited: ${out}`)));
    });
    const answers = async () => {
      try {
        return (await fetch(`${url}/api/v1/status`)).ok;
      } catch {
        return false;
      }
    };
    assert.ok(await answers());
    runner.kill('SIGKILL');
    // The watchdog looks every second.
    const deadline = Date.now() + 5000;
    while ((await answers()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(!(await answers()), `the server at ${url} still answers after its runner was killed`);
  } finally {
    runner.kill('SIGKILL');
    removeTempDir(cwd);
  }
});
