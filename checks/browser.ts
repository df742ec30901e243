/**
 * The browser behind the browser checks: Debian's Chromium driven by playwright-core,
 * launched once per run (runs of one process at the same time share it), a fresh
 * `BrowserContext` per check (its own cookies, closed after the check, whatever happens), and
 * "another site": a tiny page server the runner starts, addressed as `localhost` when the
 * lesson is `127.0.0.1` (different *sites*, so SameSite applies; ports do not count).
 *
 * When Chromium is not installed, {@link BrowserRun.newSession} throws a `SkipCheck` that
 * names the command that installs it, and every other check still runs.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, relative } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fail, SkipCheck } from './expect.ts';
import { projectRoot } from './server.ts';

/**
 * Where Chromium is: `CHROMIUM_PATH`, or Debian's package (`/usr/bin/chromium`).
 *
 * @example
 * chromiumPath(); // '/usr/bin/chromium'
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** The command that installs Chromium, printed when it is missing. */
export const chromiumInstallCommand = 'sudo apt-get install chromium';

/**
 * Chromium's flags: no sandbox (containers and CI run as root), no GPU, and nothing that
 * talks to Google on its own (component updates, background networking).
 */
export const chromiumArgs: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** A laptop's window and a narrow phone's, in CSS pixels. */
export const viewports = {
  laptop: { width: 1280, height: 800 },
  phone: { width: 360, height: 740 },
} as const;

/**
 * Why the browser checks cannot run here, or null when Chromium is there.
 *
 * @example
 * chromiumMissing(); // null, or 'Chromium is not installed (/usr/bin/chromium): sudo apt-get install chromium'
 */
export function chromiumMissing(path: string = chromiumPath()): string | null {
  try {
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return `Chromium is not installed (${path}): ${chromiumInstallCommand}`;
  }
}

// One Chromium per process: the runs that need it at the same time share it (the tests start
// several runs at once), and the last one to finish closes it.
let shared: { browser: Promise<Browser>; users: number } | undefined;

async function launch(): Promise<Browser> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw new SkipCheck('playwright-core is not installed: npm install (it is a devDependency)');
  }
  // Never a browser Playwright downloads: Debian's, at a known path (`npx playwright install` is not needed).
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...chromiumArgs] });
}

function acquireBrowser(): Promise<Browser> {
  if (!shared) {
    const browser = launch();
    shared = { browser, users: 0 };
    // A failed launch is not kept: the next run tries again.
    browser.catch(() => {
      if (shared?.browser === browser) shared = undefined;
    });
  }
  shared.users += 1;
  return shared.browser;
}

async function releaseBrowser(browser: Promise<Browser>): Promise<void> {
  if (!shared || shared.browser !== browser) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  shared = undefined;
  await browser.then((one) => one.close()).catch(() => {});
}

/**
 * The host name of a site other than `target`'s that still reaches this machine:
 * `localhost` for `127.0.0.1` (or any other host), `127.0.0.1` for `localhost`.
 *
 * @example
 * otherSiteHost('http://127.0.0.1:5000'); // 'localhost'
 * otherSiteHost('http://localhost:5000'); // '127.0.0.1'
 */
export function otherSiteHost(target: string): string {
  const host = new URL(target).hostname;
  return host === 'localhost' || host.endsWith('.localhost') ? '127.0.0.1' : 'localhost';
}

/** The pages of "another site", served by the runner on a port of its own. */
class OtherSiteServer {
  private readonly pages = new Map<string, string>();
  private server: http.Server | undefined;
  private port: Promise<number> | undefined;

  /** Serves `html` until `forget`; returns its path. */
  async serve(html: string): Promise<{ path: string; port: number }> {
    const path = `/${randomBytes(6).toString('hex')}`;
    this.pages.set(path, html);
    return { path, port: await this.start() };
  }

  forget(path: string): void {
    this.pages.delete(path);
  }

  private start(): Promise<number> {
    this.port ??= new Promise((resolve, reject) => {
      const server = http.createServer((req, res) => {
        const html = this.pages.get(req.url ?? '');
        res.writeHead(html === undefined ? 404 : 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(html ?? 'no such page');
      });
      this.server = server;
      server.once('error', reject);
      // Loopback only: `localhost` and `127.0.0.1` both reach it, and nothing else does.
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A page of another site, written by the check. */
export interface OtherSitePage {
  /** Its URL: `http://localhost:<port>/<random>` when the lesson is on `127.0.0.1`. */
  url: string;
}

/** What a browser check gets from `ctx.browser()`: closed after the check. */
export interface BrowserSession {
  /** A fresh context: no cookies, no storage, its own pages. */
  readonly context: BrowserContext;
  /** A first page in it, at a laptop's width. */
  readonly page: Page;
  /** Whether {@link BrowserSession.screenshot} writes files (the run was given a folder). */
  readonly savesScreenshots: boolean;
  /** Serves `html` on another site (different from the lesson's) for this check. */
  otherSitePage(html: string): Promise<OtherSitePage>;
  /**
   * Serves `html` on another port of the lesson's own host: another origin of the same site
   * (cookies ignore ports). Only for a lesson on a loopback address, where the runner's pages are.
   */
  otherPortPage(html: string): Promise<OtherSitePage>;
  /**
   * Saves a screenshot of `page` as `name` in the run's screenshot folder (`--screenshots`);
   * returns the path written, or null when the run keeps no screenshots.
   */
  screenshot(page: Page, name: string, options?: { fullPage?: boolean }): Promise<string | null>;
}

/**
 * The browser of one run: launched on the first check that asks for it, closed by
 * {@link BrowserRun.close} (the runner calls it when the run ends, whatever happens).
 *
 * @example
 * const run = new BrowserRun({ screenshots: 'docs/images' });
 * const session = await run.newSession('http://127.0.0.1:5000', cleanups);
 * await session.page.goto('http://127.0.0.1:5000/');
 * await run.close();
 */
export class BrowserRun {
  private browser: Promise<Browser> | undefined;
  private readonly otherSite = new OtherSiteServer();
  private closed = false;

  constructor(private readonly options: { screenshots?: string } = {}) {}

  /**
   * A fresh context and page for one check against `target`; what must be undone afterwards
   * is pushed on `cleanups`. Throws a `SkipCheck` when Chromium is not installed.
   */
  async newSession(target: string, cleanups: (() => unknown)[]): Promise<BrowserSession> {
    const missing = chromiumMissing();
    if (missing) throw new SkipCheck(missing);
    if (this.closed) throw new Error('the run is over: its browser is closed');
    this.browser ??= acquireBrowser();
    const browser = await this.browser.catch((error: Error) => {
      if (error instanceof SkipCheck) throw error;
      // Installed but unable to start (a broken package, no shared memory...): the checks fail, saying why.
      fail(`Chromium (${chromiumPath()}) did not start: ${String(error?.message ?? error).split('\n')[0]}`);
    });
    const context = await browser.newContext({ viewport: viewports.laptop });
    cleanups.push(() => context.close().catch(() => {}));
    const page = await context.newPage();
    const served: string[] = [];
    cleanups.push(() => served.forEach((path) => this.otherSite.forget(path)));
    const screenshots = this.options.screenshots;
    return {
      context,
      page,
      savesScreenshots: Boolean(screenshots),
      otherSitePage: async (html) => {
        const { path, port } = await this.otherSite.serve(html);
        served.push(path);
        return { url: `http://${otherSiteHost(target)}:${port}${path}` };
      },
      otherPortPage: async (html) => {
        const { path, port } = await this.otherSite.serve(html);
        served.push(path);
        return { url: `http://${new URL(target).hostname}:${port}${path}` };
      },
      async screenshot(shot, name, options = {}) {
        if (!screenshots) return null;
        const folder = isAbsolute(screenshots) ? screenshots : join(projectRoot, screenshots);
        mkdirSync(folder, { recursive: true });
        const path = join(folder, name);
        await shot.screenshot({ path, fullPage: options.fullPage ?? false });
        return relative(projectRoot, path);
      },
    };
  }

  /**
   * Starts Chromium now, while the lessons' servers start, when it is installed (a failure
   * waits for the first check, which reports it).
   */
  warmUp(): void {
    if (this.closed || chromiumMissing()) return;
    this.browser ??= acquireBrowser();
    this.browser.catch(() => {});
  }

  /** Closes the other site's server and lets go of the browser (closed when no run uses it). */
  async close(): Promise<void> {
    this.closed = true;
    await this.otherSite.close();
    if (this.browser) await releaseBrowser(this.browser);
  }
}
