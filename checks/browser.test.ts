/**
 * The browser checks (checks/browser-checks.ts) in Chromium: each fixture breaks one thing a
 * browser notices and is caught by exactly that browser claim; `--url` runs them against a
 * server the runner did not start; without Chromium they are skipped with the command that
 * installs it, and the other checks still run. (That they pass on lessons 3 to 6 and fail
 * on the lesson before is curriculum.test.ts's job, as for every claim.)
 *
 * Only the browser checks run here (`browser: true`): the HTTP checks have their own fixture
 * table in runner.test.ts. A fixture that removes HttpOnly breaks two claims by design, the
 * HTTP one (`L3-cookie-httponly`, the `Set-Cookie` attribute) and the browser one
 * (`L3-browser-httponly`, what a page script sees); each table checks its own.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { browserChecks } from './browser-checks.ts';
import { chromiumMissing, otherSiteHost } from './browser.ts';
import { lessonEntry } from './lessons.ts';
import { runChecks } from './runner.ts';
import { LessonServer, makeTempDir, projectRoot, removeTempDir } from './server.ts';
import { lowScryptParams } from '../shared/password.ts';
import { createDatabase, prepareUsers, seedDatabase } from './users.ts';
import type { RunReport, Status } from './types.ts';

const users = prepareUsers(lowScryptParams);
// Without Chromium the tests that need it are skipped, with the reason, like the checks.
const noChromium = chromiumMissing() ?? false;

/** The ids of the claims that did not pass, with their status. */
function broken(report: RunReport): Record<string, Status> {
  return Object.fromEntries(report.lessons.flatMap((lesson) => lesson.results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status])));
}

function explain(report: RunReport): string {
  return report.lessons.flatMap((lesson) => lesson.results.map((r) => `${r.id} ${r.status}: ${r.message}`)).join('\n');
}

/**
 * Each browser claim and the fixtures that break it (the HTTP table shares two of them). The
 * first fixture of a claim runs every browser check of its lesson (exactly one must fail);
 * a second way to break the same claim (`alone`) runs that claim only, to keep the suite fast.
 */
const fixtures: [file: string, lesson: 3 | 6, claim: string, alone?: 'alone'][] = [
  ['l3-cookie-not-httponly.ts', 3, 'L3-browser-httponly'],
  ['l3-cookie-no-samesite.ts', 3, 'L3-browser-samesite-cross-site'],
  ['l3-cookie-samesite-none.ts', 3, 'L3-browser-samesite-cross-site', 'alone'],
  ['l3-logout-keeps-cookie.ts', 3, 'L3-browser-logout-clears'],
  ['l3-no-playground.ts', 3, 'L3-browser-playground'],
  ['l3-playground-too-wide.ts', 3, 'L3-browser-playground', 'alone'],
  ['l6-cookie-no-samesite.ts', 6, 'L6-browser-samesite-framework'],
  ['l6-no-framework-buttons.ts', 6, 'L6-browser-framework-example'],
];

test('every browser claim has a fixture that breaks it, and every check is registered under its lesson', () => {
  assert.deepEqual(new Set(fixtures.map(([, , claim]) => claim)), new Set(browserChecks.map((check) => check.id)));
  for (const check of browserChecks) {
    assert.ok(check.needs?.includes('browser'), `${check.id} needs the browser`);
    assert.ok(lessonEntry(check.lesson)?.checks.includes(check), `${check.id} is in lesson ${check.lesson}'s list`);
  }
});

// One describe, so that everything runs side by side (one Chromium, shared).
describe('the browser checks', { concurrency: 4 }, () => {
  for (const [file, lesson, claim, alone] of fixtures) {
    test(`the fixture ${file} is caught by ${alone ? '' : 'exactly '}${claim}`, { skip: noChromium }, async () => {
      const entry = `checks/fixtures/${file}`;
      const report = await runChecks({ lessons: [lesson], server: { lesson, entry }, users, browser: true, ...(alone && { only: [claim] }) });
      assert.deepEqual(broken(report), { [claim]: 'fail' }, explain(report));
      assert.equal(report.ok, false);
      const result = report.lessons[0]!.results.find((r) => r.id === claim)!;
      assert.ok(result.expected && result.actual && result.message, 'a failure says what was expected and what came back');
      assert.match(result.notes, new RegExp(`^lessons/0${lesson}-[a-z-]+/README\\.md#[a-z-]+$`));
      assert.ok(result.setup?.some((line) => line.endsWith(`npx tsx ${entry}`)), result.setup?.join('\n'));
      assert.ok(result.curl?.some((line) => line.startsWith('# in a browser')), 'the replay tells the browser steps');
    });
  }

  // On each lesson's own server, and on the lesson before, they run in curriculum.test.ts.
  test('--url: they run against a server the runner did not start', { skip: noChromium }, async () => {
    const dir = makeTempDir();
    const dbPath = join(dir, 'url.db');
    const seeded = await users;
    createDatabase(dbPath);
    seedDatabase(dbPath, seeded);
    const server = await LessonServer.start({ entry: 'lessons/04-session-expiry/server.ts', env: {}, dbPath });
    try {
      const user = seeded[1]!;
      // The other site is then localhost, the server 127.0.0.1; the page is found at its URL.
      const only = ['L3-browser-samesite-cross-site', 'L3-browser-playground'];
      const report = await runChecks({ lessons: [3], url: server.url, user: `${user.email}:${user.password}`, server: { lesson: 4 }, only });
      assert.deepEqual(broken(report), {}, explain(report));
      assert.equal(report.lessons[0]!.results.length, only.length);
    } finally {
      await server.stop();
      removeTempDir(dir);
    }
  });
});

// After the others (top-level tests run one at a time): it changes CHROMIUM_PATH for a moment.
test('without Chromium the browser checks are skipped with the command that installs it, and the rest runs', async () => {
  const saved = process.env.CHROMIUM_PATH;
  process.env.CHROMIUM_PATH = join(projectRoot, 'no-such-chromium');
  try {
    const status = lessonEntry(0)!.checks.find((check) => check.id === 'L0-status')!;
    const report = await runChecks({ lessons: [0], checks: [status, ...browserChecks], users });
    assert.deepEqual(broken(report), Object.fromEntries(browserChecks.map((check) => [check.id, 'skip'])));
    assert.ok(report.ok, 'skips do not fail the run');
    for (const result of report.lessons[0]!.results.slice(1)) assert.match(result.message, /^skipped: Chromium is not installed .*: sudo apt-get install chromium$/);
  } finally {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  }
});

test('the other site is another site: localhost for 127.0.0.1, and the other way round', () => {
  assert.equal(otherSiteHost('http://127.0.0.1:5000'), 'localhost');
  assert.equal(otherSiteHost('http://localhost:5000/'), '127.0.0.1');
  assert.equal(otherSiteHost('https://app.localhost'), '127.0.0.1');
  assert.equal(otherSiteHost('http://192.168.1.20:5000'), 'localhost');
});
