/**
 * The browser checks: claims about what a real browser does with the session cookie
 * (HttpOnly, SameSite, clearing at logout) and the playground page, proven in Chromium
 * (checks/browser.ts). They live apart from the lessons' HTTP checks, and the registry
 * (`lessons.ts`) adds each to its lesson's list, so they are claims like any other: the same
 * ids stand in the lesson notes, `--only` and the profiles work, and `--browser` runs only them.
 *
 * How they observe: the browser's own fetch and forms do the requests; Playwright reports
 * the cookies the browser keeps and the `Cookie` header it really sent; and each story
 * ends with the server-side effect (the session still works, or no longer does), asked for
 * from the lesson's own page.
 *
 * @module
 */
import type { BrowserContext, Cookie, Page, Response } from 'playwright-core';
import { sessionName } from './auth.ts';
import type { BrowserSession } from './browser.ts';
import { viewports } from './browser.ts';
import { CheckFailure, fail, SkipCheck } from './expect.ts';
import { timeLimits } from './time.ts';
import { randomEmail, randomPassword } from './users.ts';
import { SECURE, type Check, type CheckContext, type SeededUser } from './types.ts';

const LOGIN = '/api/v1/auth_session/login';
const LOGOUT = '/api/v1/auth_session/logout';
const ME = '/api/v1/users/me';

/** Playwright waits this long for a page or an answer, on an idle machine. */
const BROWSER_TIMEOUT_MS = 20_000;

/**
 * How long a browser check may take: a story of several pages and logins, on a machine that
 * may run every lesson's server and Chromium at once (a few seconds when it is idle).
 */
const BROWSER_CHECK_TIMEOUT_MS = 60_000;

/** The narrowest width WCAG 2.2's reflow criterion asks a page to fit (CSS pixels). */
const REFLOW_WIDTH = 320;

/** What the page's own `fetch` got back. */
interface PageAnswer {
  status: number;
  body: string;
}

/**
 * Runs one step of a story; a Playwright error (a timeout, a page that did not load) becomes
 * a failure that says which step, instead of a crash.
 */
async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof CheckFailure || error instanceof SkipCheck) throw error;
    fail(`${what}: ${String((error as Error).message ?? error).split('\n')[0]}`);
  }
}

/** The lesson's URL as the failure's replay starts the server: the browser steps are written as replay comments with it. */
function replayUrl(ctx: CheckContext): string {
  return ctx.replayUrl;
}

/** A fresh browser context, with Playwright's waits bounded. */
async function openBrowser(ctx: CheckContext): Promise<BrowserSession> {
  const session = await ctx.browser();
  // Written for an idle machine: stretched with the load, as every limit of the runner (time.ts).
  session.context.setDefaultTimeout(timeLimits().stretch(BROWSER_TIMEOUT_MS));
  return session;
}

/** Opens a page of the lesson's site (any will do: what matters is its origin). */
async function openSite(ctx: CheckContext, page: Page): Promise<void> {
  await step(`opening ${ctx.url}/api/v1/status in Chromium`, () => page.goto(`${ctx.url}/api/v1/status`));
}

/** A request made by the page's own `fetch`, as the playground makes them (cookies: same-origin). */
function pageFetch(
  page: Page,
  method: string,
  path: string,
  body?: { form?: Record<string, string>; json?: unknown },
): Promise<PageAnswer> {
  return step(`${method} ${path} from the page`, () =>
    // No named functions in here: the source is sent to the browser as it is.
    page.evaluate(
      async ({ method, path, form, json }) => {
        const init: RequestInit = { method };
        if (form) init.body = new URLSearchParams(form);
        else if (json !== undefined) {
          init.body = JSON.stringify(json);
          init.headers = { 'Content-Type': 'application/json' };
        }
        const res = await fetch(path, init);
        return { status: res.status, body: await res.text() };
      },
      { method, path, form: body?.form, json: body?.json },
    ),
  );
}

function brief(answer: PageAnswer): string {
  return `${answer.status} ${answer.body.length > 200 ? `${answer.body.slice(0, 200)}…` : answer.body}`;
}

/** Logs `user` in with the login form's request, from the page (the browser keeps the cookie). */
async function logIn(ctx: CheckContext, page: Page, user: SeededUser): Promise<void> {
  ctx.note(`in a browser, on a page of ${replayUrl(ctx)}: log in as ${user.email} (POST ${LOGIN}, form-encoded)`);
  const answer = await pageFetch(page, 'POST', LOGIN, { form: { email: user.email, password: user.password } });
  if (answer.status !== 200)
    fail(`POST ${LOGIN} from the lesson's page: expected 200, got ${answer.status}`, {
      expected: '200 and the session cookie',
      actual: brief(answer),
    });
}

/** Fails unless "who am I", from the page, answers `user`. */
async function expectWhoAmI(page: Page, user: SeededUser, when: string): Promise<void> {
  const answer = await pageFetch(page, 'GET', ME);
  const body = parseJson(answer.body) as { email?: unknown } | undefined;
  if (answer.status !== 200 || String(body?.email).toLowerCase() !== user.email.toLowerCase()) {
    fail(`GET ${ME} from the lesson's page ${when}: expected 200 with ${user.email}, got ${answer.status}`, {
      expected: `200 {"email": "${user.email}", ...}`,
      actual: brief(answer),
    });
  }
}

/** Fails unless `GET path`, from the page, is refused (401 or 403). */
async function expectRefused(page: Page, path: string, when: string): Promise<void> {
  const answer = await pageFetch(page, 'GET', path);
  if (answer.status !== 401 && answer.status !== 403) {
    fail(`GET ${path} from the lesson's page ${when}: expected 401 or 403, got ${answer.status}`, {
      expected: '401 or 403',
      actual: brief(answer),
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The session cookie as the browser keeps it for the lesson's URL, or undefined. */
async function browserCookie(context: BrowserContext, url: string, name: string): Promise<Cookie | undefined> {
  return (await context.cookies(url)).find((cookie) => cookie.name === name);
}

/** The session cookie right after a login: the browser must have kept it. */
async function expectKeptCookie(ctx: CheckContext, context: BrowserContext, name: string): Promise<Cookie> {
  const cookie = await browserCookie(context, ctx.url, name);
  if (!cookie) {
    fail(
      `after a login that answered 200, Chromium keeps no ${name} cookie for ${ctx.url}: it rejected the Set-Cookie ` +
        `(SameSite=None without Secure?) or none came`,
      {
        expected: `a ${name} cookie in the browser`,
        actual: 'no such cookie',
      },
    );
  }
  return cookie;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Another site's page: a form that posts `fields` to `action` when its button is clicked. */
function formPage(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return (
    `<!doctype html><title>Another site</title><h1>Win a prize</h1><form method="POST" ` +
    `action="${escapeHtml(action)}">${inputs}<button>Claim it</button></form>`
  );
}

/** What the browser sent with a request and what came back. */
interface Observed {
  status: number;
  /** Whether the request's `Cookie` header carried the session cookie. */
  cookieSent: boolean;
  body: string;
}

async function observe(response: Response, name: string): Promise<Observed> {
  const cookie = (await response.request().headerValue('cookie')) ?? '';
  const body = await response.text().catch(() => '');
  return {
    status: response.status(),
    cookieSent: cookie.split(/;\s*/).some((pair) => pair.startsWith(`${name}=`)),
    body,
  };
}

/** Submits the page's first form (a top-level navigation, like a click on its button) and observes the POST. */
async function submitForm(page: Page, action: string, name: string, what: string): Promise<Observed> {
  const [response] = await step(what, () =>
    Promise.all([
      page.waitForResponse((res) => res.url() === action && res.request().method() === 'POST'),
      page.evaluate(() => document.forms[0]!.requestSubmit()),
    ]),
  );
  return observe(response, name);
}

/** Builds a form posting `fields` to `action` in a page of the lesson's own site, and submits it. */
async function submitFormFromOwnSite(
  ctx: CheckContext,
  page: Page,
  action: string,
  fields: Record<string, string>,
  name: string,
  what: string,
): Promise<Observed> {
  await openSite(ctx, page);
  await page.evaluate(
    ({ action, fields }) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = action;
      for (const [key, value] of Object.entries(fields)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = key;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
    },
    { action, fields },
  );
  return submitForm(page, action, name, what);
}

/** A credentialed `fetch` from another site's page: what it got, or why it was refused. */
async function crossSiteFetch(
  page: Page,
  url: string,
  init: { method: string; mode: 'cors' | 'no-cors' },
): Promise<string> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const res = await fetch(url, { ...init, credentials: 'include' });
        return res.type === 'opaque' ? 'sent (an opaque answer the page cannot read)' : `answered ${res.status}`;
      } catch (error) {
        return `refused by the browser (${(error as Error).message})`;
      }
    },
    { url, init },
  );
}

/** The page's answer box, as the playground shows it. */
interface Shown {
  request: string;
  status: string;
  body: string;
  cookies: string;
}

/** Clicks `selector` on the playground and waits until the page shows the answer. */
async function clickAndRead(page: Page, selector: string, label: string): Promise<Shown> {
  return step(`clicking "${label}" on the playground`, async () => {
    const before = Number(await page.getAttribute('#answer', 'data-answers'));
    await page.click(selector);
    await page.waitForFunction((count) => Number(document.getElementById('answer')?.dataset.answers) > count, before);
    const [request, status, body, cookies] = await page.evaluate(() =>
      ['request', 'status', 'body', 'cookies'].map((id) => document.getElementById(id)?.textContent ?? ''),
    );
    return { request: request ?? '', status: status ?? '', body: body ?? '', cookies: cookies ?? '' };
  });
}

function expectShown(shown: Shown, status: RegExp, bodyHas: string | null, what: string): void {
  if (!status.test(shown.status) || (bodyHas !== null && !shown.body.includes(bodyHas))) {
    fail(`the playground, after ${what}, shows ${shown.request}: ${shown.status}`, {
      expected: `status ${status.source}${bodyHas === null ? '' : ` and a body with ${bodyHas}`}`,
      actual: `${shown.request}\n${shown.status}\n${shown.body}`,
    });
  }
}

/** Opens the playground at `/`; in `--url` mode a server without one skips the check. */
async function openPlayground(ctx: CheckContext, page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // A refused request is logged as an error by Chromium itself: only the page's own errors
  // (a script exception, a blocked script or style) count.
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  ctx.note(`in a browser: open ${replayUrl(ctx)}/`);
  const response = await step(`opening ${ctx.url}/ in Chromium`, () => page.goto(`${ctx.url}/`));
  const isPage = response?.status() === 200 && /^text\/html\b/.test((await response.headerValue('content-type')) ?? '');
  const hasForm = isPage && (await page.locator('#login-form').count()) === 1;
  if (!hasForm) {
    const got = `${response?.status() ?? 'no answer'} ${(await response?.headerValue('content-type')) ?? ''}`.trim();
    if (ctx.mode === 'url')
      ctx.skip(`GET / is not the lessons' playground page (${got}); it checks that page's own buttons`);
    fail(`GET / in Chromium: expected the playground page (200, HTML, with the login form), got ${got}`, {
      expected: '200 text/html with #login-form',
      actual: got,
    });
  }
  await page.waitForLoadState('load');
  return errors;
}

/** Fails when the page scrolls sideways at `width`, or a button sticks out of the window. */
async function expectFits(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: viewports.phone.height });
  const overflow = await page.evaluate(() => {
    const root = document.documentElement;
    const sticking = [...document.querySelectorAll('button, input, pre, h1, p')]
      .filter(
        (element) =>
          element.getClientRects().length > 0 && element.getBoundingClientRect().right > root.clientWidth + 1,
      )
      .map((element) => `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}`);
    return {
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      sticking: [...new Set(sticking)].slice(0, 6),
    };
  });
  if (overflow.scrollWidth > overflow.clientWidth || overflow.sticking.length) {
    fail(
      `the playground at ${width} px wide scrolls sideways (${overflow.scrollWidth} px of content)${overflow.sticking.length ? `; sticking out: ${overflow.sticking.join(', ')}` : ''}`,
      {
        expected: `everything within ${width} px, no horizontal scrolling (WCAG 2.2 SC 1.4.10)`,
        actual: `scrollWidth ${overflow.scrollWidth} px for a ${overflow.clientWidth} px window`,
      },
    );
  }
}

/** The account the docs' screenshots show: bob@hbtn.io, as in the notes (own mode only). */
async function playgroundUser(
  ctx: CheckContext,
  session: BrowserSession,
  screenshotLesson: number,
): Promise<SeededUser> {
  if (!session.savesScreenshots || ctx.mode !== 'own' || ctx.lesson !== screenshotLesson) return ctx.someUser();
  return ctx.createUser({ email: 'bob@hbtn.io', password: 'H0lbertonSchool98!', firstName: 'Bob', lastName: 'Dylan' });
}

async function fillLoginForm(page: Page, user: SeededUser): Promise<void> {
  await step('filling in the login form', async () => {
    await page.fill('#login-form input[name=email]', user.email);
    await page.fill('#login-form input[name=password]', user.password);
  });
}

function expectNoErrors(errors: readonly string[]): void {
  if (errors.length)
    fail(`the playground's page reported errors: ${errors.join('; ')}`, {
      expected: 'no script or CSP error',
      actual: errors.join('\n'),
    });
}

/** The browser checks, each listed under the lesson whose notes make its claim. */
export const browserChecks: readonly Check[] = [
  {
    id: 'L3-browser-httponly',
    lesson: 3,
    claim:
      "In Chromium, after a login from a page of the lesson's site, the browser keeps the session cookie and sends " +
      'it (who am I answers 200), but `document.cookie` does not show it.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'in-a-real-browser',
    profiles: SECURE,
    needs: ['browser'],
    timeoutMs: BROWSER_CHECK_TIMEOUT_MS,
    async run(ctx) {
      const name = sessionName(ctx.env);
      const { context, page } = await openBrowser(ctx);
      const user = await ctx.someUser();
      await openSite(ctx, page);
      await logIn(ctx, page, user);
      await expectKeptCookie(ctx, context, name);
      await expectWhoAmI(page, user, 'after the login');
      ctx.note('then, in the developer tools console: document.cookie');
      const visible = await page.evaluate(() => document.cookie);
      if (visible.split(/;\s*/).some((pair) => pair.startsWith(`${name}=`))) {
        fail(
          `document.cookie shows the session cookie: any script on the page (an injected one too) can read the ` +
            `session id and send it away`,
          {
            expected: `document.cookie without ${name} (the cookie is HttpOnly)`,
            actual: `document.cookie = ${JSON.stringify(visible.replace(new RegExp(`(${name}=)[^;]*`), '$1…'))}`,
          },
        );
      }
    },
  },
  {
    id: 'L3-browser-samesite-cross-site',
    lesson: 3,
    claim:
      'In Chromium, a page of another site that posts a form to a protected route gets 401, because the session ' +
      'cookie stays behind, and its credentialed `fetch` `DELETE` to logout does not end the session; the same ' +
      "requests from the lesson's own page carry the cookie and work.",
    reference: 'RFC 6265bis §8.8',
    section: 'in-a-real-browser',
    profiles: SECURE,
    needs: ['browser'],
    timeoutMs: BROWSER_CHECK_TIMEOUT_MS,
    async run(ctx) {
      const name = sessionName(ctx.env);
      const session = await openBrowser(ctx);
      const user = await ctx.someUser();
      const { context, page } = session;
      await openSite(ctx, page);
      await logIn(ctx, page, user);
      await expectKeptCookie(ctx, context, name);

      // The classic CSRF shape: another site's page posts a form to us, a top-level navigation.
      const action = `${ctx.url}/api/v1/users`;
      const fields = { email: randomEmail('csrf'), password: randomPassword() };
      const attacker = await session.otherSitePage(formPage(action, fields));
      ctx.note(
        `on another site (${new URL(attacker.url).hostname} is not ${new URL(ctx.url).hostname}), open a page whose ` +
          `form posts to ${replayUrl(ctx)}/api/v1/users`,
      );
      const other = await context.newPage();
      await step(`opening ${attacker.url}`, () => other.goto(attacker.url));
      const crossSite = await submitForm(other, action, name, `the other site's form POST to ${action}`);
      if (crossSite.cookieSent || crossSite.status !== 401) {
        fail(
          crossSite.cookieSent
            ? `the form POST from another site (${new URL(attacker.url).origin}) carried the session cookie, and the route answered ${crossSite.status}: a cross-site page can act as the user (CSRF)`
            : `the form POST from another site reached the route without the session cookie, yet it answered ${crossSite.status}`,
          {
            expected: `Chromium leaves ${name} behind (SameSite=Lax or Strict), the route answers 401`,
            actual: `Cookie header ${crossSite.cookieSent ? 'with' : 'without'} ${name}; ${crossSite.status} ${crossSite.body.slice(0, 200)}`,
          },
        );
      }

      // A DELETE is not a "simple" request: the browser asks first (CORS preflight).
      const blank = await session.otherSitePage('<!doctype html><title>Another site</title><p>Another site.</p>');
      await step(`opening ${blank.url}`, () => other.goto(blank.url));
      ctx.note(
        `there, run fetch('${replayUrl(ctx)}${LOGOUT}', { method: 'DELETE', credentials: 'include' }), then ask who ` +
          `am I on the lesson's page`,
      );
      const deleted = await crossSiteFetch(other, `${ctx.url}${LOGOUT}`, { method: 'DELETE', mode: 'cors' });
      await expectWhoAmI(page, user, `after another site's form POST and fetch DELETE to logout (${deleted})`);

      // The same requests from the lesson's own page: the cookie goes along, and they work.
      const sameSite = await submitFormFromOwnSite(
        ctx,
        page,
        action,
        fields,
        name,
        `the same form POST from the lesson's own page`,
      );
      if (!sameSite.cookieSent || sameSite.status === 401) {
        fail(
          `the same form POST from the lesson's own page ${sameSite.cookieSent ? `answered ${sameSite.status}` : 'went without the session cookie'}: the check cannot tell SameSite from a cookie that never goes`,
          {
            expected: `${name} sent, an answer other than 401`,
            actual: `Cookie header ${sameSite.cookieSent ? 'with' : 'without'} ${name}; ${sameSite.status} ${sameSite.body.slice(0, 200)}`,
          },
        );
      }
      await openSite(ctx, page);
      const logout = await pageFetch(page, 'DELETE', LOGOUT);
      if (logout.status !== 200)
        fail(`DELETE ${LOGOUT} from the lesson's own page: expected 200, got ${logout.status}`, {
          expected: '200',
          actual: brief(logout),
        });
      await expectRefused(page, ME, 'after its own logout');
      return `ok (the other site's DELETE: ${deleted})`;
    },
  },
  {
    id: 'L3-browser-logout-clears',
    lesson: 3,
    claim: "In Chromium, after a logout from a page of the lesson's site, the session cookie is gone from the browser.",
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'in-a-real-browser',
    profiles: SECURE,
    needs: ['browser'],
    timeoutMs: BROWSER_CHECK_TIMEOUT_MS,
    async run(ctx) {
      const name = sessionName(ctx.env);
      const { context, page } = await openBrowser(ctx);
      const user = await ctx.someUser();
      await openSite(ctx, page);
      await logIn(ctx, page, user);
      await expectKeptCookie(ctx, context, name);
      ctx.note(`then log out: DELETE ${LOGOUT}, and look at the cookies (developer tools → Application → Cookies)`);
      const answer = await pageFetch(page, 'DELETE', LOGOUT);
      if (answer.status !== 200)
        fail(`DELETE ${LOGOUT} from the lesson's page: expected 200, got ${answer.status}`, {
          expected: '200',
          actual: brief(answer),
        });
      const left = await browserCookie(context, ctx.url, name);
      if (left) {
        fail(
          `after logout Chromium still keeps the ${name} cookie: the logout answer did not clear it (same name, ` +
            `same Path, an expiry in the past)`,
          {
            expected: `no ${name} cookie in the browser`,
            actual: `${name}=${left.value.slice(0, 8)}…; Path=${left.path}${left.expires > 0 ? `; expires ${new Date(left.expires * 1000).toISOString()}` : ''}`,
          },
        );
      }
    },
  },
  {
    id: 'L3-browser-playground',
    lesson: 3,
    claim:
      'In Chromium, the playground at `/` loads without a session, logs in, answers who am I with the user, logs ' +
      'out, then shows who am I refused, with no script error, and fits a laptop and a 320-pixel-wide phone without ' +
      'scrolling sideways.',
    reference: 'WCAG 2.2 SC 1.4.10',
    section: 'the-playground',
    profiles: SECURE,
    needs: ['browser'],
    timeoutMs: BROWSER_CHECK_TIMEOUT_MS,
    async run(ctx) {
      const session = await openBrowser(ctx);
      const { page } = session;
      const user = await playgroundUser(ctx, session, 3);
      const errors = await openPlayground(ctx, page);
      await fillLoginForm(page, user);
      ctx.note(`log in with the form, then click "Who am I?", "Log out" and "Who am I?" again`);
      expectShown(
        await clickAndRead(page, '#login-form button[type=submit]', 'Log in'),
        /^200\b/,
        user.email,
        'logging in',
      );
      const me = await clickAndRead(page, '#whoami', 'Who am I?');
      expectShown(me, /^200\b/, user.email, '"Who am I?"');
      const shots = [await session.screenshot(page, 'playground.png', { fullPage: true })];
      await expectFits(page, viewports.laptop.width);
      await expectFits(page, REFLOW_WIDTH);
      await expectFits(page, viewports.phone.width);
      // On a phone the page brings the answer into view: the screenshot shows what a thumb sees.
      expectShown(await clickAndRead(page, '#whoami', 'Who am I?'), /^200\b/, user.email, '"Who am I?" on a phone');
      shots.push(await session.screenshot(page, 'playground-phone.png'));
      await page.setViewportSize(viewports.laptop);
      expectShown(await clickAndRead(page, '#logout', 'Log out'), /^200\b/, null, '"Log out"');
      expectShown(await clickAndRead(page, '#whoami', 'Who am I?'), /^40[13]\b/, null, '"Log out" then "Who am I?"');
      expectNoErrors(errors);
      const saved = shots.filter(Boolean);
      return saved.length ? `ok; screenshots: ${saved.join(', ')}` : 'ok';
    },
  },
  {
    id: 'L6-browser-framework-example',
    lesson: 6,
    claim:
      'In Chromium, the playground at `/` shows the framework example, whose buttons log in at `/login`, get the ' +
      'user from `/protected-resource` and log out at `/logout`, after which `/protected-resource` answers 401; it ' +
      'fits a 320-pixel-wide phone.',
    reference: 'WCAG 2.2 SC 1.4.10',
    section: 'the-playground',
    profiles: SECURE,
    needs: ['browser'],
    timeoutMs: BROWSER_CHECK_TIMEOUT_MS,
    async run(ctx) {
      const session = await openBrowser(ctx);
      const { page } = session;
      const user = await playgroundUser(ctx, session, 6);
      const errors = await openPlayground(ctx, page);
      if (!(await page.isVisible('#fw-login'))) {
        fail('the playground at / does not show the framework example (its buttons are hidden)', {
          expected: 'the "POST /login" button visible',
          actual: 'hidden or missing',
        });
      }
      await fillLoginForm(page, user);
      ctx.note('click "POST /login", "GET /protected-resource", "POST /logout" and "GET /protected-resource" again');
      expectShown(
        await clickAndRead(page, '#fw-login', 'POST /login'),
        /^200\b/,
        'Logged in successfully',
        '"POST /login"',
      );
      expectShown(
        await clickAndRead(page, '#fw-protected', 'GET /protected-resource'),
        /^200\b/,
        user.email,
        '"GET /protected-resource"',
      );
      const shot = await session.screenshot(page, 'playground-framework.png', { fullPage: true });
      await expectFits(page, REFLOW_WIDTH);
      await page.setViewportSize(viewports.laptop);
      expectShown(
        await clickAndRead(page, '#fw-logout', 'POST /logout'),
        /^200\b/,
        'Logged out successfully',
        '"POST /logout"',
      );
      expectShown(
        await clickAndRead(page, '#fw-protected', 'GET /protected-resource'),
        /^401\b/,
        null,
        '"POST /logout" then "GET /protected-resource"',
      );
      expectNoErrors(errors);
      return shot ? `ok; screenshot: ${shot}` : 'ok';
    },
  },
  {
    id: 'L6-browser-samesite-framework',
    lesson: 6,
    claim:
      'In Chromium, a page of another site that posts to `POST /logout`, with `fetch` or with a form, does not end ' +
      "the session, because the session cookie stays behind; the same form from the lesson's own page does.",
    reference: 'RFC 6265bis §8.8',
    section: 'the-playground',
    profiles: SECURE,
    needs: ['browser'],
    timeoutMs: BROWSER_CHECK_TIMEOUT_MS,
    async run(ctx) {
      const name = sessionName(ctx.env);
      const session = await openBrowser(ctx);
      const user = await ctx.someUser();
      const { context, page } = session;
      await openSite(ctx, page);
      ctx.note(`in a browser, on a page of ${replayUrl(ctx)}: log in as ${user.email} (POST /login, JSON)`);
      const login = await pageFetch(page, 'POST', '/login', {
        json: { username: user.email, password: user.password },
      });
      if (login.status !== 200)
        fail(`POST /login from the lesson's page: expected 200, got ${login.status}`, {
          expected: '200 and the session cookie',
          actual: brief(login),
        });
      await expectKeptCookie(ctx, context, name);
      const expectAlive = async (when: string) => {
        const answer = await pageFetch(page, 'GET', '/protected-resource');
        if (answer.status !== 200) {
          fail(
            `GET /protected-resource from the lesson's page ${when}: expected 200, got ${answer.status}: the other ` +
              `site ended the session`,
            { expected: '200, the session alive', actual: brief(answer) },
          );
        }
      };
      await expectAlive('after the login');

      // A POST without a body is a "simple" request: no preflight, it reaches the server.
      const action = `${ctx.url}/logout`;
      const blank = await session.otherSitePage('<!doctype html><title>Another site</title><p>Another site.</p>');
      const other = await context.newPage();
      await step(`opening ${blank.url}`, () => other.goto(blank.url));
      ctx.note(
        `on another site (${new URL(blank.url).hostname}), run fetch('${replayUrl(ctx)}/logout', { method: 'POST', ` +
          `mode: 'no-cors', credentials: 'include' })`,
      );
      const [fetched] = await step(`the other site's fetch POST to ${action}`, () =>
        Promise.all([
          other.waitForResponse((res) => res.url() === action && res.request().method() === 'POST'),
          crossSiteFetch(other, action, { method: 'POST', mode: 'no-cors' }),
        ]),
      );
      const byFetch = await observe(fetched, name);
      await expectAlive(
        `after another site's fetch POST to /logout (${byFetch.cookieSent ? 'with' : 'without'} the cookie)`,
      );

      // The classic CSRF shape: a form, a top-level navigation.
      const attacker = await session.otherSitePage(formPage(action, {}));
      ctx.note(
        `there, open a page whose form posts to ${replayUrl(ctx)}/logout; then GET /protected-resource on the ` +
          `lesson's page`,
      );
      await step(`opening ${attacker.url}`, () => other.goto(attacker.url));
      const byForm = await submitForm(other, action, name, `the other site's form POST to ${action}`);
      if (byForm.cookieSent) {
        fail(
          `the form POST to /logout from another site (${new URL(attacker.url).origin}) carried the session cookie: ` +
            `any site can log the user out (CSRF)`,
          {
            expected: `Chromium leaves ${name} behind (SameSite=Lax or Strict)`,
            actual: `Cookie header with ${name}; ${byForm.status} ${byForm.body.slice(0, 200)}`,
          },
        );
      }
      await expectAlive("after another site's form POST to /logout");

      const own = await submitFormFromOwnSite(
        ctx,
        page,
        action,
        {},
        name,
        "the same form POST from the lesson's own page",
      );
      if (!own.cookieSent)
        fail(`the same form POST from the lesson's own page went without the session cookie`, {
          expected: `${name} sent`,
          actual: `${own.status} ${own.body.slice(0, 200)}`,
        });
      await openSite(ctx, page);
      await expectRefused(page, '/protected-resource', 'after its own form POST to /logout');
    },
  },
];

/**
 * The browser checks of lesson `lesson` (the registry appends them to its list).
 *
 * @example
 * browserChecksOf(3).map((check) => check.id); // ['L3-browser-httponly', ...]
 */
export function browserChecksOf(lesson: number): Check[] {
  return browserChecks.filter((check) => check.lesson === lesson);
}
