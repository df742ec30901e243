/**
 * Lesson 3's claims: login and logout, the session cookie's attributes, fixation. Every check
 * logs in itself with `POST /api/v1/auth_session/login` (on lesson 2's server, which has no
 * login route, they all fail for that reason) and reads the cookie from the raw `Set-Cookie`.
 *
 * The checks that a fixture breaks keep to one client, so that their replay is one curl jar;
 * a cookie sent by hand goes in an explicit `Cookie` header.
 *
 * @module
 */
import { sessionName } from './auth.ts';
import { expectError, expectJson, expectSomeError, expectStatus, expectThat, fail, showJson } from './expect.ts';
import type { HttpClient, HttpResponse, SetCookie } from './http.ts';
import {
  expectUser,
  getWithCookie,
  logIn,
  LOGIN,
  LOGOUT,
  madeUpSessionId,
  ME,
  sessionIdOf,
  type Login,
} from './stories.ts';
import { randomEmail } from './users.ts';
import { COURSE, SECURE, SECURE_WARNING, type Check, type CheckContext, type SeededUser } from './types.ts';

/** Fails unless `Set-Cookie` of `login` passes `test`, naming `expected`. */
function expectCookie(login: Login, test: boolean, problem: string, expected: string): void {
  if (!test) {
    fail(`${login.res.request}: the ${login.name} cookie ${problem}`, {
      expected: `Set-Cookie: ${expected}`,
      response: login.res,
      headers: ['set-cookie'],
    });
  }
}

/** Whether `Cache-Control` lists `no-store`. */
function noStore(res: HttpResponse): boolean {
  return (res.header('cache-control') ?? '')
    .split(',')
    .some((directive) => directive.trim().toLowerCase() === 'no-store');
}

/** The login bodies that must fail, with the course's answer to each, in the course's order. */
function failedLogins(
  user: SeededUser,
): [form: Record<string, string> | null, status: number, error: string, what: string][] {
  const nobody = randomEmail('nobody');
  return [
    [null, 400, 'email missing', 'no body'],
    [{}, 400, 'email missing', 'an empty form'],
    [{ email: '', password: user.password }, 400, 'email missing', 'an empty email'],
    [{ password: user.password }, 400, 'email missing', 'a password and no email'],
    // The password is checked for presence before the email is looked up.
    [{ email: nobody }, 400, 'password missing', 'an unknown email and no password'],
    [{ email: user.email, password: '' }, 400, 'password missing', 'an empty password'],
    [{ email: nobody, password: user.password }, 404, 'no user found for this email', 'an unknown email'],
    [{ email: user.email, password: `${user.password}x` }, 401, 'wrong password', 'a wrong password'],
  ];
}

function postLogin(client: HttpClient, form: Record<string, string> | null): Promise<HttpResponse> {
  return form === null ? client.post(LOGIN) : client.post(LOGIN, { form });
}

/** The second seeded user (its password has colons), or the first. */
async function otherUser(ctx: CheckContext): Promise<SeededUser> {
  return ctx.users[1] ?? (await ctx.someUser());
}

/** A human word for how many bits: `258 bits (43 of 64 symbols)`. */
function describeBits(estimate: EntropyEstimate): string {
  return (
    `${Math.floor(estimate.bits)} bits (${estimate.varying} varying characters of a ` +
    `${estimate.alphabet}-symbol alphabet)`
  );
}

/** An upper bound of the random bits in a set of ids (see {@link estimateBits}). */
export interface EntropyEstimate {
  bits: number;
  /** How many character positions differ between the ids. */
  varying: number;
  /** The size of the smallest usual alphabet holding every varying character. */
  alphabet: number;
}

const ALPHABETS: [size: number, chars: RegExp][] = [
  [10, /^[0-9]*$/],
  [16, /^[0-9a-f]*$/],
  [16, /^[0-9A-F]*$/],
  [36, /^[0-9a-z]*$/],
  [36, /^[0-9A-Z]*$/],
  [62, /^[0-9A-Za-z]*$/],
  [64, /^[0-9A-Za-z_-]*$/],
  [64, /^[0-9A-Za-z+/]*$/],
];

/**
 * An upper bound of the random bits that ids carry, from the outside: the character positions
 * that differ between them (a constant prefix, a UUID's dashes and version digit count for
 * nothing) times the bits of the smallest usual alphabet (decimal, hex, base36, base62,
 * base64) that holds their characters. It catches short ids, counters, timestamps and uuid4
 * (30 or 31 varying hex digits: at most 124 bits); it cannot see a weak random generator.
 *
 * @example
 * estimateBits(['a1', 'b2', 'c3']).bits; // 2 × log2(36) ≈ 10.3
 */
export function estimateBits(ids: readonly string[]): EntropyEstimate {
  const bare = ids.map((id) => id.replace(/=+$/, ''));
  const length = Math.min(...bare.map((id) => id.length));
  let varying = 0;
  let chars = '';
  for (let i = 0; i < length; i++) {
    const column = bare.map((id) => id[i] as string);
    if (new Set(column).size > 1) {
      varying += 1;
      chars += column.join('');
    }
  }
  const alphabet = ALPHABETS.find(([, pattern]) => pattern.test(chars))?.[0] ?? 95;
  return { bits: varying * Math.log2(alphabet), varying, alphabet };
}

/**
 * How many logins the entropy check makes: enough that no position of a 128-bit hex id looks
 * constant by chance (1 in 30,000).
 */
const ENTROPY_SAMPLES = 5;

/** Lesson 3's checks, in the order of its notes. */
export const checks: Check[] = [
  {
    id: 'L3-login-errors',
    lesson: 3,
    claim:
      "Login answers the course's errors in order: 400 `email missing`, 400 `password missing`, 404 `no user found " +
      'for this email`, 401 `wrong password`.',
    reference: 'course',
    section: 'login',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      for (const [form, status, error, what] of failedLogins(user)) {
        expectError(await postLogin(client, form), status, error, what);
      }
    },
  },
  {
    id: 'L3-login-path-excluded',
    lesson: 3,
    claim: '`/api/v1/auth_session/login` needs no credentials: the guard lets it through.',
    reference: 'course',
    section: 'login',
    profiles: COURSE,
    async run(ctx) {
      const client = ctx.client();
      const name = sessionName(ctx.env);
      for (const [path, cookie, what] of [
        ['/api/v1/auth_session/login', null, 'no credentials'],
        ['/api/v1/auth_session/login/', null, 'no credentials, trailing slash'],
        ['/api/v1/auth_session/login', `${name}=${madeUpSessionId()}`, 'a session cookie that names nobody'],
      ] as const) {
        const res = await client.post(path, { headers: cookie === null ? {} : { Cookie: cookie } });
        // The route's own answer (a login error), never the guard's.
        const error = expectSomeError(res, '4xx', what);
        if (res.status === 401 || res.status === 403 || error === 'Unauthorized' || error === 'Forbidden') {
          fail(`${res.request} (${what}): the guard answered ${res.status} ${showJson({ error })}; the login path must reach its route`, {
            expected: 'the route\'s own answer, a login error such as 400 {"error": "email missing"}',
            response: res,
          });
        }
      }
    },
  },
  {
    id: 'L3-login-sets-cookie',
    lesson: 3,
    claim:
      'A good login answers 200 with the user JSON and sets the session cookie named by `SESSION_NAME`, which then ' +
      'authenticates.',
    reference: 'course',
    section: 'login',
    profiles: COURSE,
    async run(ctx) {
      // The second user: a password with colons, sent form-encoded.
      const user = await otherUser(ctx);
      const client = ctx.client();
      const { res, name } = await logIn(ctx, client, user);
      expectUser(res, user, 'the login answer');
      // The client's jar now holds the cookie, with the attributes the server gave it.
      expectUser(await client.get(ME), user, `the ${name} cookie the login set`);
    },
  },
  {
    id: 'L3-cookie-httponly',
    lesson: 3,
    claim: 'The session cookie is `HttpOnly`.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'login',
    profiles: SECURE,
    async run(ctx) {
      const login = await logIn(ctx, ctx.client(), await ctx.someUser());
      expectCookie(
        login,
        login.cookie.attributes.httponly === true,
        'has no HttpOnly attribute: page scripts can read it',
        `${login.name}=...; HttpOnly`,
      );
    },
  },
  {
    id: 'L3-cookie-samesite',
    lesson: 3,
    claim: 'The session cookie sets `SameSite` explicitly, to `Lax` or `Strict`.',
    reference: 'RFC 6265bis §4.1.2.7',
    section: 'login',
    profiles: SECURE,
    async run(ctx) {
      const login = await logIn(ctx, ctx.client(), await ctx.someUser());
      const sameSite = login.cookie.attributes.samesite;
      expectCookie(
        login,
        typeof sameSite === 'string' && /^(lax|strict)$/i.test(sameSite),
        sameSite === undefined ? 'has no SameSite attribute' : `has SameSite=${String(sameSite)}`,
        `${login.name}=...; SameSite=Lax (or Strict)`,
      );
    },
  },
  {
    id: 'L3-cookie-scope',
    lesson: 3,
    claim: 'The session cookie has `Path=/` and no `Domain` attribute.',
    reference: 'RFC 6265bis §4.1.2',
    section: 'login',
    // A warning: RFC 6265bis and OWASP recommend the narrowest scope (a host-only cookie), but a
    // Domain attribute only widens who receives the cookie to this site's subdomains.
    profiles: SECURE_WARNING,
    async run(ctx) {
      const login = await logIn(ctx, ctx.client(), await ctx.someUser());
      const { path, domain } = login.cookie.attributes;
      expectCookie(
        login,
        path === '/',
        path === undefined ? 'has no Path attribute' : `has Path=${String(path)}`,
        `${login.name}=...; Path=/`,
      );
      expectCookie(
        login,
        domain === undefined,
        `has Domain=${String(domain)}: subdomains receive it too`,
        `${login.name}=...; Path=/ (no Domain)`,
      );
    },
  },
  {
    id: 'L3-id-only-in-cookie',
    lesson: 3,
    claim: 'The session id travels only in `Set-Cookie`: never in the response body or a `Location` URL.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'login',
    profiles: SECURE,
    async run(ctx) {
      const client = ctx.client();
      const login = await logIn(ctx, client, await ctx.someUser());
      // The value as set, and the id inside it (lesson 6 signs it); a few characters would match anything.
      const secrets = [
        ...new Set([login.value, sessionIdOf(login.value), encodeURIComponent(sessionIdOf(login.value))]),
      ].filter((secret) => secret.length >= 8);
      for (const res of [login.res, await client.get(ME)]) {
        expectStatus(res, 200);
        const leaks = Object.entries(res.headers)
          .filter(([header]) => header !== 'set-cookie')
          .flatMap(([header, value]) => [value].flat().map((one) => [header, String(one)] as const))
          .concat([['body', res.body]])
          .filter(([, text]) => secrets.some((secret) => text.includes(secret)));
        if (leaks.length) {
          fail(`${res.request}: the session id appears in ${leaks.map(([where]) => where).join(', ')}`, {
            expected: 'the session id in Set-Cookie only',
            response: res,
            headers: leaks.map(([where]) => where).filter((where) => where !== 'body'),
          });
        }
      }
    },
  },
  {
    id: 'L3-id-entropy',
    lesson: 3,
    claim:
      'Session ids differ at every login and carry at least 128 bits, counted over the characters that vary between ' +
      'ids.',
    reference: 'ASVS 5 V7.2',
    section: 'login',
    profiles: SECURE,
    // Five logins one after the other, five password hashes: on a busy machine, more than 30 s.
    timeoutMs: 60_000,
    async run(ctx) {
      const users = ctx.users.length ? ctx.users : [await ctx.someUser()];
      // One after the other: each login costs the server a password hash, and a burst of five
      // would queue the logins of the checks running beside this one.
      const ids: string[] = [];
      for (let i = 0; i < ENTROPY_SAMPLES; i++)
        ids.push(sessionIdOf((await logIn(ctx, ctx.client(), users[i % users.length] as SeededUser)).value));
      const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
      if (repeated !== undefined) {
        fail(`${ENTROPY_SAMPLES} logins gave the same session id twice: ${repeated}`, {
          expected: `${ENTROPY_SAMPLES} different ids`,
          actual: ids.join('\n'),
        });
      }
      const estimate = estimateBits(ids);
      if (estimate.bits < 128) {
        fail(`the session ids carry at most ${describeBits(estimate)}, fewer than 128`, {
          expected: 'at least 128 random bits, e.g. 22 base64url characters or 32 hex digits that all vary',
          actual: ids.join('\n'),
        });
      }
      return `${ENTROPY_SAMPLES} different ids, at most ${describeBits(estimate)}`;
    },
  },
  {
    id: 'L3-login-no-store',
    lesson: 3,
    claim: 'Login answers carry `Cache-Control: no-store`.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'login',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      // A success and two failures (a wrong password would cost the server another hash, for the same handler).
      const answers = [
        (await logIn(ctx, client, user)).res,
        await postLogin(client, { email: randomEmail('nobody'), password: user.password }),
        await postLogin(client, null),
      ];
      for (const res of answers) {
        if (!noStore(res)) {
          const got = res.header('cache-control');
          fail(
            `${res.request} (answered ${res.status}): ` +
              (got === undefined ? 'no Cache-Control header' : `Cache-Control: ${got}`),
            {
              expected: 'Cache-Control: no-store',
              response: res,
              headers: ['cache-control'],
            },
          );
        }
      }
    },
  },
  {
    id: 'L3-failed-login-no-cookie',
    lesson: 3,
    claim: 'A failed login sets no cookie.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'login',
    // A warning: a cookie for an anonymous session is no breach by itself, as long as login
    // replaces it (L3-fresh-id-at-login); handing out none keeps ids and stored sessions for
    // the people who logged in.
    profiles: SECURE_WARNING,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      for (const [form, , , what] of failedLogins(user)) {
        const res = await postLogin(client, form);
        expectSomeError(res, '4xx', what);
        if (res.setCookies.length) {
          fail(`${res.request} (${what}): a failed login answered ${res.status} and set a cookie`, {
            expected: `${res.status} and no Set-Cookie`,
            response: res,
            headers: ['set-cookie'],
          });
        }
      }
      // The same client's good login does set one.
      await logIn(ctx, client, user);
    },
  },
  {
    id: 'L3-fresh-id-at-login',
    lesson: 3,
    claim: "Login issues a fresh id even when the request carries an attacker's id, and that id never works.",
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'login',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      const name = sessionName(ctx.env);
      // An id the attacker made up and planted in the victim's browser before the login.
      const planted = madeUpSessionId();
      const login = await logIn(ctx, client, user, { Cookie: `${name}=${planted}` });
      if (login.value === planted || sessionIdOf(login.value) === planted) {
        fail(`${login.res.request}: the login kept the id the request came with (session fixation)`, {
          expected: `Set-Cookie: ${name}=<a new id, not ${planted}>`,
          response: login.res,
          headers: ['set-cookie'],
        });
      }
      expectError(
        await getWithCookie(client, ME, `${name}=${planted}`),
        403,
        'Forbidden',
        "the attacker's id after the victim's login",
      );
      expectUser(await client.get(ME), user, 'the id the login issued');
    },
  },
  {
    id: 'L3-relogin-new-cookie',
    lesson: 3,
    claim: 'A second login by a client that still holds a live session cookie answers 200 and sets a new session id.',
    reference: 'course',
    section: 'login',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      const first = await logIn(ctx, client, user);
      // The jar sends the first cookie with the second login: the course logs in again, whoever asks.
      const second = await logIn(ctx, client, user);
      expectThat(second.value !== first.value, `${second.res.request}: the second login set the same id as the first`, {
        expected: `Set-Cookie: ${first.name}=<a new id>`,
        response: second.res,
        headers: ['set-cookie'],
      });
      expectUser(await client.get(ME), user, 'the second id');
    },
  },
  {
    id: 'L3-old-id-dead-after-relogin',
    lesson: 3,
    claim: 'After a second login with the old cookie, the old id is refused.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'login',
    profiles: SECURE,
    // A second login that fails, or keeps the id, is L3-relogin-new-cookie's to report.
    restsOn: 'L3-relogin-new-cookie',
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      const first = await logIn(ctx, client, user);
      await logIn(ctx, client, user);
      expectError(
        await getWithCookie(client, ME, `${first.name}=${first.value}`),
        403,
        'Forbidden',
        'the first id, after the second login',
      );
    },
  },
  {
    id: 'L3-logout-kills-session',
    lesson: 3,
    claim: 'Logout answers 200 `{}` and the same id is refused with 403 afterwards.',
    reference: 'course',
    section: 'logout',
    profiles: COURSE,
    async run(ctx) {
      const client = ctx.client();
      const { name, value } = await logIn(ctx, client, await ctx.someUser());
      expectJson(await client.delete(LOGOUT), 200, {}, 'logout');
      // Replayed by hand: a browser would have dropped a cleared cookie, a thief would not.
      expectError(await getWithCookie(client, ME, `${name}=${value}`), 403, 'Forbidden', 'the same id after logout');
    },
  },
  {
    id: 'L3-logout-clears-cookie',
    lesson: 3,
    claim: "Logout's `Set-Cookie` clears the session cookie with the same `Path`.",
    reference: 'RFC 6265bis §3.1',
    section: 'logout',
    // A failure, not a warning: a browser that keeps the dead cookie keeps sending it, to this
    // server and to whatever answers on its host later (and L3-browser-logout-clears needs Chromium).
    profiles: SECURE,
    async run(ctx) {
      const client = ctx.client();
      const login = await logIn(ctx, client, await ctx.someUser());
      const res = await client.delete(LOGOUT);
      expectStatus(res, 200, 'logout');
      const cleared = res.cookie(login.name);
      const maxAge = cleared?.attributes['max-age'];
      const expires = cleared?.attributes.expires;
      const expired =
        (typeof maxAge === 'string' && /^-?\d+$/.test(maxAge) && Number(maxAge) <= 0) ||
        (maxAge === undefined && typeof expires === 'string' && Date.parse(expires) <= Date.now());
      const want =
        `${login.name}=; Path=${String(login.cookie.attributes.path ?? '(as at login: none)')}; ` +
        `Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
      if (!cleared || !expired) {
        const problem = cleared
          ? `Set-Cookie: ${cleared.raw} does not expire the cookie`
          : `no Set-Cookie for ${login.name}: the browser keeps the dead cookie`;
        fail(`${res.request}: ${problem}`, {
          expected: `Set-Cookie: ${want}`,
          response: res,
          headers: ['set-cookie'],
        });
      }
      // Another Path would set a second cookie and leave the first one in place.
      const path = (cookie: SetCookie) => (typeof cookie.attributes.path === 'string' ? cookie.attributes.path : null);
      expectThat(
        path(cleared) === path(login.cookie),
        `${res.request}: the cookie is cleared with Path=${path(cleared)} but was set with Path=${path(login.cookie)}`,
        {
          expected: `Set-Cookie: ${want}`,
          response: res,
          headers: ['set-cookie'],
        },
      );
    },
  },
  {
    id: 'L3-logout-errors',
    lesson: 3,
    claim:
      'Logout without a cookie is 401, with a garbage cookie 403, and with an empty one either of the two, never a ' +
      '5xx.',
    reference: 'course',
    section: 'logout',
    profiles: COURSE,
    async run(ctx) {
      const client = ctx.client();
      const name = sessionName(ctx.env);
      expectError(await client.delete(LOGOUT), 401, 'Unauthorized', 'no cookie');
      for (const garbage of [madeUpSessionId(), "' OR '1'='1", `s:${madeUpSessionId()}.c2lnbmF0dXJl`]) {
        expectError(
          await client.delete(LOGOUT, { headers: { Cookie: `${name}=${garbage}` } }),
          403,
          'Forbidden',
          `a garbage cookie ${showJson(garbage)}`,
        );
      }
      // An empty value: the course's guard asks "is there a cookie?", and its servers answer either way
      // (`is None` gives 403, a truthiness test 401). The strict answer, 403, is L2-hostile-cookie's.
      const empty = await client.delete(LOGOUT, { headers: { Cookie: `${name}=` } });
      expectStatus(empty, [401, 403], 'an empty cookie');
      expectError(empty, empty.status, empty.status === 401 ? 'Unauthorized' : 'Forbidden', 'an empty cookie');
      await logIn(ctx, client, await ctx.someUser());
      expectJson(await client.delete(LOGOUT), 200, {}, 'a live cookie');
    },
  },
  {
    id: 'L3-logout-get-405',
    lesson: 3,
    claim: '`GET` on the logout path is 405 JSON and leaves the session valid.',
    reference: 'RFC 9110 §15.5.6',
    section: 'logout',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      await logIn(ctx, client, user);
      const res = await client.get(LOGOUT);
      expectSomeError(res, [405], 'a logout a link or an image could trigger');
      const allow = (res.header('allow') ?? '').split(',').map((method) => method.trim().toUpperCase());
      expectThat(
        allow.includes('DELETE') && !allow.includes('GET'),
        `${res.request}: Allow is ${showJson(res.header('allow') ?? null)}, expected it to list DELETE and not GET`,
        {
          expected: 'Allow: DELETE, ...',
          response: res,
          headers: ['allow'],
        },
      );
      expectUser(await client.get(ME), user, 'the session after GET on the logout path');
    },
  },
  {
    id: 'L3-independent-sessions',
    lesson: 3,
    claim: 'Two sessions of one user are independent: logging out one leaves the other valid.',
    reference: 'course',
    section: 'logout',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.someUser();
      const [laptop, phone] = [ctx.client(), ctx.client()];
      const first = await logIn(ctx, laptop, user);
      await logIn(ctx, phone, user);
      expectJson(await laptop.delete(LOGOUT), 200, {}, 'logging out the laptop');
      expectUser(await phone.get(ME), user, "the phone's session");
      expectError(
        await getWithCookie(laptop, ME, `${first.name}=${first.value}`),
        403,
        'Forbidden',
        "the laptop's old id",
      );
    },
  },
];
