/**
 * Lesson 2's claims: a session id in a cookie as credentials, and the guard's two questions
 * (any credentials? → 401; do they name a user? → 403). The checks get their session the way
 * the server expects (`ctx.userClient()`: the id lesson 2 prints at start, a login from lesson
 * 3 on, or on a server of the course a login too), so they run unchanged on every later lesson.
 *
 * `GET /api/v1/users/me` is claimed here, where the course adds it (task 0 of its Session
 * project), although this project's lesson 1 already has it. The claims that ask it who a
 * session belongs to rest on that one (`restsOn`): a server without it fails one claim.
 *
 * @module
 */
import { basicHeader, sessionName } from './auth.ts';
import { expectError, expectSomeError, expectStatus, fail, showJson } from './expect.ts';
import { expectUser, getWithCookie, madeUpSessionId, ME, sessionClient } from './stories.ts';
import { COURSE, SECURE, type Check } from './types.ts';

/** `value` with one letter or digit in its first third changed: the id part, even when signed. */
function mutate(value: string): string {
  const start = Math.min(value.length - 1, Math.max(4, Math.floor(value.length / 3)));
  for (let i = start; i < value.length; i++) {
    const char = value[i] as string;
    if (/[A-Za-z0-9]/.test(char)) return value.slice(0, i) + (char === 'A' ? 'B' : 'A') + value.slice(i + 1);
  }
  return `${value}A`;
}

/** Lesson 2's checks, in the order of its notes. */
export const checks: Check[] = [
  {
    id: 'L2-users-me',
    lesson: 2,
    claim: 'Under `basic_auth`, `GET /api/v1/users/me` answers 200 with the user the credentials name.',
    reference: 'course',
    section: 'what-this-lesson-adds',
    profiles: COURSE,
    env: { AUTH_TYPE: 'basic_auth' },
    since: {
      lesson: 1,
      reason: "this project's lesson 1 adds /users/me with Basic auth; the course adds it with its Session project",
    },
    async run(ctx) {
      const user = ctx.users[0] ?? (await ctx.someUser());
      const res = await ctx.client().get(ME, { headers: { Authorization: basicHeader(user.email, user.password) } });
      expectUser(res, user, 'valid Basic credentials');
    },
  },
  {
    id: 'L2-session-cookie-auth',
    lesson: 2,
    claim: 'A live session id in the cookie named by `SESSION_NAME` authenticates `GET /api/v1/users/me`.',
    reference: 'course',
    section: 'the-guard-with-cookies',
    profiles: COURSE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const user = await ctx.someUser();
      const { name, value } = await sessionClient(ctx);
      // Only the cookie: a fresh client, no Authorization header.
      expectUser(await getWithCookie(ctx.client(), ME, `${name}=${value}`), user, `the session cookie ${name}`);
      if (ctx.mode === 'url') return `${name} only: SESSION_NAME cannot be varied on a server the runner did not start`;
      // The name comes from SESSION_NAME: a second server with another name.
      const renamed = await ctx.startVariant({ SESSION_NAME: 'sandbox_session' });
      const other = await sessionClient(renamed);
      expectUser(
        await getWithCookie(renamed.client(), ME, `sandbox_session=${other.value}`),
        user,
        'SESSION_NAME=sandbox_session',
      );
      expectError(
        await getWithCookie(renamed.client(), ME, `${name}=${other.value}`),
        401,
        'Unauthorized',
        `the id under ${name} on the SESSION_NAME=sandbox_session server`,
      );
    },
  },
  {
    id: 'L2-no-credentials-401',
    lesson: 2,
    claim:
      'A request with neither an `Authorization` header nor the session cookie gets 401 `{"error": "Unauthorized"}`, ' +
      'while the same request with the cookie gets 200.',
    reference: 'course',
    section: 'the-guard-with-cookies',
    profiles: COURSE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const { name, value } = await sessionClient(ctx);
      const anonymous = ctx.client();
      for (const path of [ME, '/api/v1/users', '/api/v1/stats']) {
        expectError(await anonymous.get(path), 401, 'Unauthorized', 'no credentials');
        expectStatus(
          await getWithCookie(anonymous, path, `${name}=${value}`),
          200,
          'the same request with the session cookie',
        );
      }
    },
  },
  {
    id: 'L2-forged-id-403',
    lesson: 2,
    claim: 'A session id the server never issued gets 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'the-guard-with-cookies',
    profiles: COURSE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const user = await ctx.someUser();
      const { name, value } = await sessionClient(ctx);
      const client = ctx.client();
      for (const [forged, what] of [
        [madeUpSessionId(), 'a made-up id'],
        [mutate(value), 'a live id with one character changed'],
        [`${value}A`, 'a live id with a character added'],
      ] as const) {
        expectError(await getWithCookie(client, ME, `${name}=${forged}`), 403, 'Forbidden', what);
      }
      expectUser(await getWithCookie(client, ME, `${name}=${value}`), user, 'the live id itself');
    },
  },
  {
    id: 'L2-other-cookie-name',
    lesson: 2,
    claim: 'A live session id under another cookie name counts as no cookie: 401.',
    reference: 'course',
    section: 'the-guard-with-cookies',
    profiles: COURSE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const { name, value } = await sessionClient(ctx);
      const client = ctx.client();
      // Cookie names are case-sensitive (RFC 6265bis §5.4): a name in capitals is another name.
      const others = [
        `other${name}`,
        name.toUpperCase() === name ? name.toLowerCase() : name.toUpperCase(),
        'session_id',
      ].filter((other) => other !== name);
      for (const other of others) {
        expectError(
          await getWithCookie(client, ME, `${other}=${value}`),
          401,
          'Unauthorized',
          `the live id under ${other}`,
        );
      }
      expectStatus(await getWithCookie(client, ME, `${name}=${value}`), 200, `the live id under ${name}`);
    },
  },
  {
    id: 'L2-basic-alone-403',
    lesson: 2,
    claim: 'Under `session_auth` and every later session auth, valid Basic credentials alone get 403.',
    reference: 'course',
    section: 'the-guard-with-cookies',
    profiles: COURSE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const user = await ctx.someUser();
      const { name, value } = await sessionClient(ctx);
      const client = ctx.client();
      const basic = await client.get(ME, { headers: { Authorization: basicHeader(user.email, user.password) } });
      expectError(basic, 403, 'Forbidden', 'valid Basic credentials and no session cookie');
      expectUser(await getWithCookie(client, ME, `${name}=${value}`), user, 'the session cookie');
    },
  },
  {
    id: 'L2-no-id-in-url',
    lesson: 2,
    claim: 'A session id passed in the URL is never accepted.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-guard-with-cookies',
    profiles: SECURE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const { name, value } = await sessionClient(ctx);
      const client = ctx.client();
      const encoded = encodeURIComponent(value);
      for (const [path, what] of [
        [`${ME}?${name}=${encoded}`, 'the id as a query parameter'],
        [`${ME}?session_id=${encoded}`, 'the id as ?session_id='],
        [`${ME};${name}=${encoded}`, 'the id as a path parameter (;name=id)'],
      ] as const) {
        // No cookie and no header: no credentials at all, whatever the URL says.
        expectError(await getWithCookie(client, path, null), 401, 'Unauthorized', what);
      }
      expectStatus(await getWithCookie(client, ME, `${name}=${value}`), 200, 'the same id in the cookie');
    },
  },
  {
    id: 'L2-hostile-cookie',
    lesson: 2,
    claim:
      'Hostile session cookie values (SQL fragments, `../`, 8 KB, empty, non-ASCII, the cookie twice) get 403, never ' +
      'a 5xx.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'the-guard-with-cookies',
    profiles: SECURE,
    restsOn: 'L2-users-me',
    async run(ctx) {
      const { name, value } = await sessionClient(ctx);
      const client = ctx.client();
      const hostile: [cookie: string, what: string][] = [
        [`${name}=' OR '1'='1`, 'SQL: quote OR'],
        [`${name}=1; DROP TABLE user_sessions; --`, 'SQL: a statement'],
        [`${name}=../../etc/passwd`, 'a path'],
        [`${name}=..%2F..%2Fetc%2Fpasswd`, 'a percent-encoded path'],
        [`${name}=${'A'.repeat(8192)}`, '8 KB'],
        [`${name}=`, 'an empty value'],
        [`${name}=""`, 'an empty quoted value'],
        [`${name}=%C3%A9t%C3%A9%20%F0%9F%8D%AA`, 'percent-encoded UTF-8'],
        // The client sends a string's characters below U+0100 as single bytes: raw latin-1.
        [`${name}=\u00e9t\u00e9\u00ff`, 'raw latin-1 bytes'],
        [`${name}=%E9%FF`, 'percent-encoded bytes that are not UTF-8'],
        [`${name}=%`, 'a lone percent sign'],
        [`${name}=%00`, 'a percent-encoded NUL'],
        [`${name}=s:${madeUpSessionId()}.c2lnbmF0dXJl`, 'a made-up signed value (s:id.signature)'],
        [`${name}=${madeUpSessionId()}; ${name}=${madeUpSessionId()}`, 'the cookie twice'],
      ];
      for (const [cookie, what] of hostile) {
        expectError(await getWithCookie(client, ME, cookie), 403, 'Forbidden', what);
      }
      expectStatus(await getWithCookie(client, ME, `${name}=${value}`), 200, 'the live cookie, after all that');
    },
  },
];
