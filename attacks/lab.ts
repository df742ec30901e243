/**
 * The attack lab: one lesson's server on a fresh database with two accounts, bob (the victim;
 * an admin where the lesson has roles) and eve (the attacker), an HTTP client that sends
 * exactly what it is told, the server's CPU time, and Chromium with pages of "another site"
 * and of "another port of the same host" for the browser attacks.
 *
 * @module
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumArgs, chromiumMissing, chromiumPath, viewports } from '../checks/browser.ts';
import { LessonServer, makeTempDir, removeTempDir } from '../checks/server.ts';
import type { Env } from '../checks/types.ts';
import { lesson as curriculumLesson, lessonPaths } from '../lessons/curriculum.ts';
import { openDatabase, useDatabase } from '../shared/db.ts';
import { createUserRoleTable, grantRole } from '../shared/models/user-role.ts';
import { User } from '../shared/models/user.ts';
import { hashPassword } from '../shared/password.ts';

/** An account of the lab. */
export interface Account {
  id: string;
  email: string;
  password: string;
}

/** A server's answer. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The first cookie with a value that the answer set, as `name=value`, or null. */
  cookie: string | null;
}

/** What a request sends besides method and path. */
export interface Send {
  headers?: Record<string, string>;
  /** `name=value` pairs for the Cookie header. */
  cookie?: string | null;
  form?: Record<string, string>;
  json?: unknown;
}

/** One lesson's server and its two accounts. */
export interface Lab {
  lesson: number;
  title: string;
  url: string;
  bob: Account;
  eve: Account;
  /** The database file (the attacks that count stored sessions read it). */
  dbPath: string;
  /** CPU time the server's process has used so far, in ms (null where /proc is missing). */
  cpuMs(): number | null;
  request(method: string, path: string, send?: Send): Promise<Answer>;
  /** Logs `account` in through the course's login form: the session cookie, or null. */
  logIn(account: Account, headers?: Record<string, string>): Promise<string | null>;
  stop(): Promise<void>;
}

const bob = { email: 'bob@hbtn.io', password: 'H0lbertonSchool98!' };
const eve = { email: 'eve@hbtn.io', password: 'Ev3-is-watching!' };

/** Seeds bob and eve (bob an admin where the lesson has roles) into a new database at `dbPath`. */
async function seed(dbPath: string, admin: boolean): Promise<[Account, Account]> {
  const hashes = await Promise.all([bob, eve].map(({ password }) => hashPassword(password)));
  // From here on synchronous: the models use the process's one connection, and labs may open at once.
  const db = openDatabase(dbPath);
  try {
    useDatabase(db);
    const accounts = [bob, eve].map(({ email, password }, i) => {
      const user = Object.assign(new User(), { email, firstName: email.split('@')[0], passwordHash: hashes[i] });
      user.save();
      return { id: user.id, email, password };
    });
    if (admin) {
      createUserRoleTable(db);
      grantRole(accounts[0]!.id, 'admin');
    }
    return accounts as [Account, Account];
  } finally {
    db.close();
  }
}

/** Reads a process's user + system CPU time from /proc (Linux), in ms. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields 14 and 15 of /proc/PID/stat, in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** Sends one request with exactly these headers; never follows a redirect, never keeps a cookie. */
function send(url: string, method: string, path: string, options: Send = {}): Promise<Answer> {
  const target = new URL(path, url);
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.form) {
    body = new URLSearchParams(options.form).toString();
    headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] ??= 'application/json';
  }
  if (options.cookie) headers.Cookie = options.cookie;
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const pair = (res.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]!).find((one) => !one.endsWith('='));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, cookie: pair ?? null });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts lesson `number`'s own server (its defaults, plus `env`) on a fresh database with bob
 * and eve.
 *
 * @example
 * const lab = await openLab(6);
 * await lab.logIn(lab.eve); // '_my_session_id=s%3A…'
 * await lab.stop();
 */
export async function openLab(number: number, env: Env = {}): Promise<Lab> {
  const entry = curriculumLesson(number);
  const dir = makeTempDir();
  const dbPath = join(dir, 'attack.db');
  const [victim, attacker] = await seed(dbPath, entry.adminRole === true);
  let server: LessonServer;
  try {
    server = await LessonServer.start({ entry: lessonPaths(entry).server, env, dbPath });
  } catch (error) {
    removeTempDir(dir);
    throw error;
  }
  const request = (method: string, path: string, options?: Send) => send(server.url, method, path, options);
  return {
    lesson: number,
    title: entry.title,
    url: server.url,
    bob: victim,
    eve: attacker,
    dbPath,
    cpuMs: () => processCpuMs(server.pid),
    request,
    async logIn(account, headers = {}) {
      const answer = await request('POST', '/api/v1/auth_session/login', { form: { email: account.email, password: account.password }, headers });
      return answer.status === 200 ? answer.cookie : null;
    },
    async stop() {
      await server.stop();
      removeTempDir(dir);
    },
  };
}

/** Chromium for one attack, and the attacker's pages. */
export interface BrowserLab {
  /** A fresh page (no cookies), at a laptop's width. */
  page: Page;
  /** Another page in the same browser (the victim's other tab). */
  newPage(): Promise<Page>;
  /** Serves `html` as a page of another site (`localhost` when the lesson is `127.0.0.1`). */
  otherSite(html: string): string;
  /** Serves `html` on another port of the lesson's own host. */
  otherPort(html: string): string;
  /** Saves a screenshot of `page` when the run keeps them; returns the file or null. */
  screenshot(page: Page, name: string): Promise<string | null>;
}

/**
 * Runs `story` with Chromium and a page server of the attacker's; throws a one-line error when
 * Chromium is not installed.
 */
export async function withBrowser<T>(lab: Lab, screenshots: string | null, story: (browser: BrowserLab) => Promise<T>): Promise<T> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`this attack runs in a browser: ${missing}`);
  const { chromium } = await import('playwright-core');
  const pages = new Map<string, string>();
  const pageServer = http.createServer((req, res) => {
    const html = pages.get(req.url ?? '');
    res.writeHead(html === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html ?? 'no such page');
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  const { port } = pageServer.address() as AddressInfo;
  const host = new URL(lab.url).hostname;
  const serve = (hostname: string, html: string) => {
    const path = `/${randomBytes(6).toString('hex')}`;
    pages.set(path, html);
    return `http://${hostname}:${port}${path}`;
  };
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...chromiumArgs] });
    const context = await browser.newContext({ viewport: viewports.laptop });
    context.setDefaultTimeout(20_000);
    return await story({
      page: await context.newPage(),
      newPage: () => context.newPage(),
      otherSite: (html) => serve(host === 'localhost' ? '127.0.0.1' : 'localhost', html),
      otherPort: (html) => serve(host, html),
      async screenshot(page, name) {
        if (!screenshots) return null;
        const file = join(screenshots, name);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
    });
  } finally {
    await browser?.close();
    pageServer.closeAllConnections();
    pageServer.close();
  }
}
