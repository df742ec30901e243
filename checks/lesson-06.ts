/**
 * Lesson 6's claims: express-session, configured on purpose. The session cookie is signed
 * (`s:<id>.<signature>`) and refused when tampered with, secrets rotate, no cookie is sent
 * before login, the absolute limit holds although express-session slides its expiry, and the
 * framework example answers at the root.
 *
 * The checks find the session cookie in the login's answer instead of assuming its name, so
 * that a server with the wrong name breaks the one claim about the name, not every claim.
 *
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sessionName } from './auth.ts';
import { expectError, expectJson, expectNoHeader, expectStatus, expectThat, fail } from './expect.ts';
import { parseSetCookie, type HttpClient, type HttpResponse, type SetCookie } from './http.ts';
import { expectMe, expectRefused, LOGIN, ME, sleep, slowCheckTimeoutMs } from './stories.ts';
import { ServerStartError } from './server.ts';
import { COURSE, SECURE, type Check, type SeededUser, type Target } from './types.ts';

/**
 * A random secret of 256 bits, as `openssl rand -base64 32` makes (a new one each run).
 *
 * @example
 * randomSecret(); // 'q3Zt0y…' (43 characters)
 */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A value signed the way express-session and cookie-parser sign cookies (the
 * cookie-signature package): `s:<value>.<HMAC-SHA256 in base64, without padding>`.
 *
 * @example
 * signCookie('dark', 'secret'); // 's:dark.Ir1Z…'
 */
export function signCookie(value: string, secret: string): string {
  return `s:${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;
}

/** A signed cookie value, URL-decoded and split: `s:<value>.<signature>`. */
export interface SignedValue {
  value: string;
  signature: string;
}

/**
 * Splits a signed cookie value (URL-encoded or not); null when it is not `s:<value>.<signature>`.
 *
 * @example
 * parseSigned('s%3AabC.sig'); // { value: 'abC', signature: 'sig' }
 */
export function parseSigned(cookieValue: string): SignedValue | null {
  let decoded = cookieValue;
  try {
    decoded = decodeURIComponent(cookieValue);
  } catch {
    return null;
  }
  const dot = decoded.lastIndexOf('.');
  if (!decoded.startsWith('s:') || dot <= 2 || dot === decoded.length - 1) return null;
  return { value: decoded.slice(2, dot), signature: decoded.slice(dot + 1) };
}

/** Fails unless `cookieValue` is `value`-anything signed with `secret`; returns the signed value. */
function expectSignedWith(cookieValue: string, secret: string, secretName: string, what: string): SignedValue {
  const signed = parseSigned(cookieValue);
  if (!signed) {
    fail(
      `${what}: the cookie is not signed: expected s:<id>.<signature> (URL-encoded s%3A…), got ` +
        `${cookieValue.slice(0, 60)}`,
      {
        expected: 's:<id>.<HMAC-SHA256 signature>',
        actual: cookieValue,
      },
    );
  }
  const expected = signCookie(signed.value, secret);
  if (`s:${signed.value}.${signed.signature}` !== expected) {
    fail(`${what}: the cookie's signature is not the HMAC-SHA256 of its id with the ${secretName} secret`, {
      expected: `${secretName}'s signature ${expected.slice(expected.lastIndexOf('.') + 1)}`,
      actual: `signature ${signed.signature}`,
    });
  }
  return signed;
}

/** A login's session cookie, whatever its name, and the client that holds it. */
interface LoggedIn {
  client: HttpClient;
  /** The cookie as `Set-Cookie` sent it. */
  cookie: SetCookie;
  name: string;
  /** The raw (URL-encoded) value. */
  value: string;
}

/** The cookie a login answer set (the first one with a value), or a failure. */
function sessionCookieOf(res: HttpResponse, what: string): SetCookie {
  const cookie = res.setCookies.map(parseSetCookie).find((one) => one !== null && one.value !== '');
  if (!cookie)
    fail(`${res.request} (${what}): no cookie was set`, {
      expected: `${res.status} with Set-Cookie: <name>=s%3A<id>.<signature>`,
      response: res,
      headers: ['set-cookie'],
    });
  return cookie;
}

/**
 * Logs in through `POST /api/v1/auth_session/login` (lesson 3's form) on `target`, with
 * `client` (a new one by default).
 */
async function logIn(
  target: Target,
  user: SeededUser,
  what = `logging in as ${user.email}`,
  client = target.client(),
): Promise<LoggedIn> {
  const res = await client.post(LOGIN, { form: { email: user.email, password: user.password } });
  expectStatus(res, 200, what);
  const cookie = sessionCookieOf(res, what);
  return { client, cookie, name: cookie.name, value: cookie.value };
}

/** A new client of `target` that sends exactly this cookie (as a client that ignores expiry would). */
function withCookie(target: Target, name: string, value: string): HttpClient {
  const client = target.client();
  client.setCookie(name, value);
  return client;
}

/** Request options that send exactly `Cookie: name=value`, whatever the jar holds (it wins over the jar). */
function sending(name: string, value: string): { headers: Record<string, string> } {
  return { headers: { Cookie: `${name}=${value}` } };
}

/** `POST /login` of the framework example, as JSON. */
function frameworkLogin(client: HttpClient, username: unknown, password: unknown): Promise<HttpResponse> {
  return client.post('/login', { json: { username, password } });
}

const protectedBody = (user: SeededUser) => ({ message: 'This is a protected resource', user: user.email });
const unauthorizedBody = { message: 'Unauthorized' };
/** L6-absolute-limit's SESSION_DURATION. */
const absoluteLimitMs = 3000;

/**
 * The secret a server started without `SESSION_SECRET` generated, from `session-secret` beside
 * its database (the notes, "The secret, and rotating it"); fails when there is none.
 */
function generatedSecret(dbPath: string): string {
  const file = join(dirname(dbPath), 'session-secret');
  if (!existsSync(file)) {
    fail('without SESSION_SECRET the server kept no generated secret in session-secret beside its database', {
      expected: `a secret in ${file}`,
      actual: 'no such file',
    });
  }
  return readFileSync(file, 'utf8').trim();
}

/** Why the framework example's claims stop at lesson 7 (its browser checks say the same). */
export const frameworkExampleGone =
  "lesson 7 serves the course's API only: the framework example at the root, a second login route to harden, stays in lesson 6";

/** Lesson 6's checks, in the order of its notes' claims. */
export const checks: Check[] = [
  {
    id: 'L6-signed-cookie',
    lesson: 6,
    claim:
      'The session cookie is named by `SESSION_NAME`, never `connect.sid`, holds the id signed with the session ' +
      'secret (`s:<id>.<signature>`), and is `HttpOnly`, `SameSite=Lax`, `Path=/` and without `Domain`.',
    reference: 'express-session docs',
    section: 'the-options-chosen-on-purpose',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const { client, cookie } = await logIn(ctx, user);
      const name = sessionName(ctx.env);
      expectThat(
        cookie.name === name,
        `the login's session cookie is named ${cookie.name}, not ${name} (SESSION_NAME)` +
          (cookie.name === 'connect.sid'
            ? ": express-session's default, which names the framework to every scanner"
            : ''),
        { expected: `Set-Cookie: ${name}=s%3A<id>.<signature>`, actual: cookie.raw },
      );
      // Which secret signed it is known only for a server the runner started (its generated secret).
      let how = 'signature not verified: the secret of a server started by someone else is unknown';
      if (ctx.mode === 'own') {
        expectSignedWith(cookie.value, generatedSecret(ctx.dbPath), 'generated', 'the login cookie');
        how = 'signed with the generated secret';
      } else if (!parseSigned(cookie.value)) {
        expectSignedWith(cookie.value, '', 'session', 'the login cookie');
      }
      const { attributes } = cookie;
      const wrong = [
        attributes.httponly === true ? null : 'no HttpOnly',
        typeof attributes.samesite === 'string' && attributes.samesite.toLowerCase() === 'lax'
          ? null
          : `SameSite=${String(attributes.samesite ?? '(none)')}`,
        attributes.path === '/' ? null : `Path=${String(attributes.path ?? '(none)')}`,
        attributes.domain === undefined ? null : `Domain=${String(attributes.domain)}`,
      ].filter(Boolean);
      expectThat(wrong.length === 0, `the session cookie's attributes: ${wrong.join(', ')}`, {
        expected: 'HttpOnly; SameSite=Lax; Path=/; no Domain',
        actual: cookie.raw,
      });
      // The signed id is a live session, not just a well-formed value.
      await expectMe(client, user, 'the signed cookie');
      return how;
    },
  },
  {
    id: 'L6-no-cookie-before-login',
    lesson: 6,
    claim:
      'Before login no answer sets a cookie, although express-session gives every request a session: not ' +
      '`/api/v1/status`, not a 401, not a failed login, not `GET /api/v1/preferences` (200 `{"theme": "light"}`), ' +
      'not `GET /protected-resource` (401 `{"message": "Unauthorized"}`).',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-options-chosen-on-purpose',
    profiles: SECURE,
    until: { lesson: 7, reason: frameworkExampleGone },
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      const wrongPassword = `${user.password}x`;
      const steps: [
        what: string,
        send: () => Promise<HttpResponse>,
        expect: (res: HttpResponse, what: string) => void,
      ][] = [
        ['the status', () => client.get('/api/v1/status'), (res, what) => expectJson(res, 200, { status: 'OK' }, what)],
        [
          'no credentials',
          () => client.get('/api/v1/users'),
          (res, what) => expectError(res, 401, 'Unauthorized', what),
        ],
        [
          'a failed login',
          () => client.post(LOGIN, { form: { email: user.email, password: wrongPassword } }),
          (res, what) => expectError(res, 401, 'wrong password', what),
        ],
        [
          'a failed login at /login',
          () => frameworkLogin(client, user.email, wrongPassword),
          (res, what) => expectJson(res, 401, { message: 'Invalid credentials' }, what),
        ],
        [
          'no preference cookie',
          () => client.get('/api/v1/preferences'),
          (res, what) => expectJson(res, 200, { theme: 'light' }, what),
        ],
        [
          'no session',
          () => client.get('/protected-resource'),
          (res, what) => expectJson(res, 401, unauthorizedBody, what),
        ],
      ];
      for (const [what, send, expect] of steps) {
        const res = await send();
        expect(res, what);
        expectNoHeader(res, 'Set-Cookie', 'nobody has logged in: no session may be stored, no cookie sent', what);
      }
    },
  },
  {
    id: 'L6-tampered-cookie',
    lesson: 6,
    claim:
      'A session cookie with one signature character changed, a live id sent without its signature, or an id signed ' +
      'with another secret is refused with 403.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-secret-and-rotating-it',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const { client, name, value } = await logIn(ctx, user);
      const signed = parseSigned(value);
      if (!signed) {
        fail(
          `the session cookie is not signed: expected s:<id>.<signature> (URL-encoded s%3A…), got ` +
            `${value.slice(0, 60)}`,
          {
            expected: `${name}=s%3A<id>.<signature>`,
            actual: `${name}=${value}`,
          },
        );
      }
      await expectMe(client, user, 'the cookie as the server set it');
      const { value: id, signature } = signed;
      const at = Math.floor(signature.length / 2);
      const flipped = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
      const tampered: [string, string][] = [
        [`s:${id}.${flipped}`, 'one signature character changed'],
        [id, 'the live id without its signature'],
        [signCookie(id, randomSecret()), 'the live id signed with another secret'],
      ];
      for (const [forged, what] of tampered) {
        await expectRefused(client, what, `${name}=${encodeURIComponent(forged)}`);
      }
    },
  },
  {
    id: 'L6-secret-rotation',
    lesson: 6,
    claim:
      'After a restart with `SESSION_SECRET=new,old`, a cookie signed with `old` still authenticates, and new logins ' +
      'get cookies signed with `new`.',
    reference: 'express-session docs',
    section: 'the-secret-and-rotating-it',
    profiles: SECURE,
    needs: ['variant'],
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.someUser();
      const oldSecret = randomSecret();
      const newSecret = randomSecret();
      // Two servers on one database: the one before the rotation, and the one after it.
      const [before, after] = await Promise.all([
        ctx.startVariant({ SESSION_SECRET: oldSecret }, { shareDatabase: true }),
        ctx.startVariant({ SESSION_SECRET: `${newSecret},${oldSecret}` }, { shareDatabase: true }),
      ]);
      const old = await logIn(before, user, 'a login with SESSION_SECRET=old');
      expectSignedWith(old.value, oldSecret, 'old', 'a login with SESSION_SECRET=old');
      await expectMe(
        withCookie(after, old.name, old.value),
        user,
        'the cookie signed with old, with SESSION_SECRET=new,old',
      );
      const fresh = await logIn(after, user, 'a new login with SESSION_SECRET=new,old');
      expectSignedWith(fresh.value, newSecret, 'new', 'a new login with SESSION_SECRET=new,old');
      await expectMe(fresh.client, user, 'the cookie signed with new');
    },
  },
  {
    id: 'L6-memory-store-forgets',
    lesson: 6,
    claim: 'With `SESSION_STORE=memory`, a session cookie is refused with 403 after the server restarts.',
    reference: 'express-session docs',
    section: 'memorystore-and-its-warning',
    profiles: SECURE,
    until: { lesson: 8, reason: 'lesson 8 keeps its sessions in Redis whatever SESSION_STORE says' },
    needs: ['restart'],
    env: { SESSION_STORE: 'memory' },
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.someUser();
      const { client } = await logIn(ctx, user);
      await expectMe(client, user, 'before the restart');
      await ctx.restart();
      await expectRefused(client, 'the same cookie after the restart, with SESSION_STORE=memory');
    },
  },
  {
    id: 'L6-production-needs-secret',
    lesson: 6,
    claim:
      'With `NODE_ENV=production` and no `SESSION_SECRET`, the server refuses to start, with one error line and exit ' +
      'code 1.',
    reference: 'OWASP Secrets Management Cheat Sheet',
    section: 'the-secret-and-rotating-it',
    profiles: SECURE,
    until: { lesson: 7, reason: 'lesson 7 names every weak production setting at once, one line each (L7-production-settings)' },
    needs: ['variant'],
    async run(ctx) {
      let started: Target;
      try {
        // SESSION_SECRET empty: the runner never passes on its own shell's, but say it. The same
        // database (nothing to seed): the server must stop before it uses it.
        started = await ctx.startVariant({ NODE_ENV: 'production', SESSION_SECRET: '' }, { shareDatabase: true });
      } catch (error) {
        if (!(error instanceof ServerStartError)) throw error;
        const [, code] = /the server exited \((code \S+|signal \S+)\)/.exec(error.message) ?? [];
        const errorLines = (error.message.split('its last error lines:\n')[1] ?? '')
          .split('\n')
          .filter((line) => line.trim() !== '');
        expectThat(
          code === 'code 1',
          `the server did not start, but it ended with ${code ?? 'no exit code'} instead of code 1`,
          {
            expected: 'exit code 1',
            actual: error.message,
          },
        );
        expectThat(
          errorLines.length === 1,
          `the server refused to start with ${errorLines.length} error lines instead of one`,
          {
            expected: 'one error line naming SESSION_SECRET',
            actual: errorLines.join('\n') || '(nothing on stderr)',
          },
        );
        expectThat(
          /SESSION_SECRET/.test(errorLines[0] ?? ''),
          `the error line does not name SESSION_SECRET: ${errorLines[0]}`,
          {
            expected: 'one error line naming SESSION_SECRET',
            actual: errorLines[0],
          },
        );
        return `refused: ${errorLines[0]}`;
      }
      fail(
        `with NODE_ENV=production and no SESSION_SECRET the server started (${started.url}): it signs cookies with ` +
          `a secret no other machine has`,
        {
          expected: 'no start: one error line and exit code 1',
          actual: `a server listening on ${started.url}`,
        },
      );
    },
  },
  {
    id: 'L6-framework-login',
    lesson: 6,
    claim:
      '`POST /login` with the right `username` (the email) and `password` answers 200 `{"message": "Logged in ' +
      'successfully"}` with a session cookie, and with anything else 401 `{"message": "Invalid credentials"}`.',
    reference: 'course',
    section: 'the-framework-example-at-the-root',
    profiles: COURSE,
    until: { lesson: 7, reason: frameworkExampleGone },
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      const wrong: [string, unknown, unknown][] = [
        ['a wrong password', user.email, `${user.password}x`],
        ['an unknown username', `nobody.${randomSecret().slice(0, 8)}@example.com`, user.password],
        ['no password', user.email, undefined],
        ['no username', undefined, user.password],
        ['the password as a number', user.email, 12345],
      ];
      for (const [what, username, password] of wrong) {
        expectJson(await frameworkLogin(client, username, password), 401, { message: 'Invalid credentials' }, what);
      }
      const asEmail = await client.post('/login', { json: { email: user.email, password: user.password } });
      expectJson(asEmail, 401, { message: 'Invalid credentials' }, '"email" instead of "username"');
      const res = await frameworkLogin(client, user.email, user.password);
      expectJson(res, 200, { message: 'Logged in successfully' }, 'the right username and password');
      sessionCookieOf(res, 'the right username and password');
      // A session cookie: the API knows the user too.
      await expectMe(client, user, 'the cookie of POST /login');
    },
  },
  {
    id: 'L6-framework-protected',
    lesson: 6,
    claim:
      '`GET /protected-resource` answers 200 `{"message": "This is a protected resource", "user": <email>}` with a ' +
      'session and 401 `{"message": "Unauthorized"}` without one.',
    reference: 'course',
    section: 'the-framework-example-at-the-root',
    profiles: COURSE,
    until: { lesson: 7, reason: frameworkExampleGone },
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      expectJson(await client.get('/protected-resource'), 401, unauthorizedBody, 'no session');
      // Logged in through the API: the example shares the session.
      await logIn(ctx, user, undefined, client);
      expectJson(await client.get('/protected-resource'), 200, protectedBody(user), 'a session');
    },
  },
  {
    id: 'L6-framework-logout',
    lesson: 6,
    claim:
      '`POST /logout` answers 200 `{"message": "Logged out successfully"}`, clears the session cookie, and that ' +
      'session no longer reaches `/protected-resource`.',
    reference: 'course',
    section: 'the-framework-example-at-the-root',
    profiles: COURSE,
    until: { lesson: 7, reason: frameworkExampleGone },
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      const login = await frameworkLogin(client, user.email, user.password);
      expectJson(login, 200, { message: 'Logged in successfully' }, 'logging in at /login');
      const { name, value } = sessionCookieOf(login, 'logging in at /login');
      expectJson(await client.get('/protected-resource'), 200, protectedBody(user), 'before the logout');

      const res = await client.post('/logout');
      expectJson(res, 200, { message: 'Logged out successfully' }, 'logout');
      const cleared = res.cookie(name);
      const expires = typeof cleared?.attributes.expires === 'string' ? Date.parse(cleared.attributes.expires) : NaN;
      const maxAge = typeof cleared?.attributes['max-age'] === 'string' ? Number(cleared.attributes['max-age']) : NaN;
      if (!cleared || !(expires <= Date.now() || maxAge <= 0) || cleared.attributes.path !== '/') {
        fail(
          `${res.request}: the session cookie ${name} is not cleared (express-session leaves it to you: its issue ` +
            `#241)`,
          {
            expected: `Set-Cookie: ${name}=; Path=/; Expires=<in the past>`,
            response: res,
            headers: ['set-cookie'],
          },
        );
      }
      // Sent again by hand: the browser dropped it, a stolen copy would not.
      expectJson(
        await client.get('/protected-resource', sending(name, value)),
        401,
        unauthorizedBody,
        'the logged-out cookie, sent again',
      );
      // The jar dropped the cleared cookie: no session at all.
      expectJson(await client.post('/logout'), 200, { message: 'Logged out successfully' }, 'logout without a session');
    },
  },
  {
    id: 'L6-signed-preference',
    lesson: 6,
    claim:
      '`PUT /api/v1/preferences` sets a signed `theme` cookie that `GET` reads back, and a preference cookie that ' +
      'was altered, never signed or signed with another secret is refused with 400.',
    reference: 'RFC 6265bis §8.6',
    section: 'a-signed-cookie-is-not-a-secret-cookie',
    profiles: SECURE,
    async run(ctx) {
      const client = ctx.client();
      const put = await client.put('/api/v1/preferences', { json: { theme: 'dark' } });
      expectJson(put, 200, { theme: 'dark' }, 'choosing the dark theme');
      const cookie = put.cookie('theme');
      const signed = cookie && parseSigned(cookie.value);
      if (!signed || signed.value !== 'dark') {
        fail(`${put.request}: expected a signed theme cookie, theme=s%3Adark.<signature>`, {
          expected: 'Set-Cookie: theme=s%3Adark.<signature>',
          response: put,
          headers: ['set-cookie'],
        });
      }
      expectJson(await client.get('/api/v1/preferences'), 200, { theme: 'dark' }, 'the signed cookie, read back');
      const forged: [string, string][] = [
        [`s:light.${signed.signature}`, 'the value changed to light, the signature kept'],
        ['dark', 'never signed'],
        [signCookie('dark', randomSecret()), 'signed with another secret'],
      ];
      for (const [value, what] of forged) {
        const res = await client.get('/api/v1/preferences', sending('theme', encodeURIComponent(value)));
        expectJson(res, 400, { error: 'Tampered cookie' }, what);
      }
    },
  },
  {
    id: 'L6-absolute-limit',
    lesson: 6,
    claim:
      'With `SESSION_DURATION`, a session is refused that many seconds after login, at `/api/v1` (403) and at ' +
      '`/protected-resource` (401), even while the client keeps using it, although express-session slides its own ' +
      'expiry on every request.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'what-the-library-still-leaves-to-you',
    profiles: SECURE,
    until: { lesson: 7, reason: frameworkExampleGone },
    // No idle timeout, which a slow moment between two uses could reach first (a second, the
    // other expiry checks' limit, was too short for a busy machine).
    env: { SESSION_DURATION: String(absoluteLimitMs / 1000), SESSION_IDLE_TIMEOUT: '0' },
    // Up to three tries of a few seconds each when the machine is busy.
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const durationMs = absoluteLimitMs;
      // What still slides is express-session's cookie.maxAge (SESSION_DURATION): a gap longer
      // than this between two uses could end the session that way, and prove nothing about the
      // absolute limit. Not more than 0.75: the store writes a use only when it moves the
      // expiry by a tenth.
      const safeGapMs = durationMs * 0.75;
      const user = await ctx.someUser();
      for (let attempt = 1; attempt <= 3; attempt++) {
        const sent = Date.now();
        const { client, name, value, cookie } = await logIn(ctx, user);
        const loggedIn = Date.now();
        // The session began after the login was sent: until then + duration, and until the
        // cookie's own Expires (to the second), it must work, however long the login took.
        const expires = typeof cookie.attributes.expires === 'string' ? Date.parse(cookie.attributes.expires) : NaN;
        const aliveUntil = Number.isNaN(expires) ? sent : Math.min(expires, sent + durationMs);
        // Sent by hand: a browser drops the cookie at its Expires, a script or a thief does not.
        const byHand = sending(name, value);
        let used = 0;
        let lastUse = loggedIn;
        let tooSlow = false;
        while (Date.now() < loggedIn + durationMs && !tooSlow) {
          const me = await client.get(ME, byHand);
          const resource = await client.get('/protected-resource', byHand);
          tooSlow = Date.now() - lastUse > safeGapMs;
          if (Date.now() < aliveUntil && !tooSlow) {
            const when = `the busy session, ${Date.now() - loggedIn} ms after login`;
            expectStatus(me, 200, when);
            expectJson(resource, 200, protectedBody(user), when);
            used += 1;
          }
          lastUse = Date.now();
          await sleep(Math.min(100, loggedIn + durationMs - Date.now()));
        }
        const late =
          `${Date.now() - loggedIn} ms after login, with SESSION_DURATION=${durationMs / 1000}, used ` +
          `${used} times meanwhile`;
        const me = await client.get(ME, byHand);
        const resource = await client.get('/protected-resource', byHand);
        if (tooSlow || Date.now() - lastUse > safeGapMs) continue;
        expectError(me, 403, 'Forbidden', late);
        expectJson(resource, 401, unauthorizedBody, late);
        return `refused at the limit after ${used} uses`;
      }
      ctx.skip(`the machine was too slow: 3 times, two uses of the session came more than ${safeGapMs} ms apart`);
    },
  },
];
