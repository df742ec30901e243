/**
 * Lesson 1's claims: the auth guard and Basic authentication. Every check asks for
 * `AUTH_TYPE=basic_auth`, so they keep running on later lessons, which still honour it.
 *
 * @module
 */
import { basicHeader } from './auth.ts';
import { expectError, expectHeader, expectStatus, expectThat } from './expect.ts';
import type { HttpClient, HttpResponse } from './http.ts';
import { randomEmail } from './users.ts';
import { COURSE, SECURE, type Check, type CheckContext, type SeededUser } from './types.ts';

const env = { AUTH_TYPE: 'basic_auth' };

/** `GET path` with exactly this `Authorization` header (none for null). */
function getWith(client: HttpClient, path: string, authorization: string | null): Promise<HttpResponse> {
  return client.get(path, { headers: authorization === null ? {} : { Authorization: authorization } });
}

/**
 * Fails unless `user`'s password with this email authenticates: `GET /api/v1/users`, a route
 * the course's Basic auth project has, answers 200 with a JSON array, and the same request
 * with a wrong password does not (else the 200 says nothing about the credentials).
 */
async function expectAuthenticated(ctx: CheckContext, user: SeededUser, email: string, what: string): Promise<void> {
  const client = ctx.client();
  const res = await getWith(client, '/api/v1/users', basicHeader(email, user.password));
  expectStatus(res, 200, what);
  expectThat(Array.isArray(res.json()), `${res.request} (${what}): expected a JSON array of users`, {
    expected: '200 [...]',
    response: res,
  });
  const control = await getWith(client, '/api/v1/users', basicHeader(email, `${user.password}x`));
  expectThat(
    control.status !== 200,
    `${control.request} (the same with a wrong password): 200 as well: the server lets anyone in`,
    {
      expected: 'a refusal (403)',
      response: control,
    },
  );
}

/** Lesson 1's checks, in the order of its notes. */
export const checks: Check[] = [
  {
    id: 'L1-excluded-paths',
    lesson: 1,
    claim:
      '`/api/v1/status`, `/api/v1/unauthorized` and `/api/v1/forbidden`, with or without a trailing slash, are ' +
      'answered by their own routes without credentials, and even with bad ones.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      const client = ctx.client();
      // The guard would answer 401 without credentials and 403 with bad ones: the routes' own
      // answers differ from both at least once per path.
      for (const [route, status] of [
        ['status', 200],
        ['unauthorized', 401],
        ['forbidden', 403],
      ] as const) {
        for (const path of [`/api/v1/${route}`, `/api/v1/${route}/`]) {
          expectStatus(await getWith(client, path, null), status, 'no credentials');
          expectStatus(await getWith(client, path, 'Basic test'), status, 'bad credentials');
        }
      }
    },
  },
  {
    id: 'L1-near-miss-paths',
    lesson: 1,
    claim:
      'Paths that only look like an excluded one (`/api/v1/statusXYZ`, `/api/v1/status/x`, `/api/v1/stat`, ' +
      '`/api/v1/STATUS`) need credentials: 401 without them.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      const client = ctx.client();
      // The course compares whole paths (task 4): a prefix, a longer path or another case is another route.
      const nearMisses = [
        '/api/v1/statusXYZ',
        '/api/v1/status/x',
        '/api/v1/stat',
        '/api/v1/STATUS',
        '/api/v1/unauthorized-x',
        '/api/v1/forbiddenx',
        '/api/v1/auth_session/login-x',
      ];
      // The status only: the guard's answer, whatever its body (that is L1-missing-credentials').
      for (const path of nearMisses)
        expectStatus(await client.get(path), 401, 'no credentials, a path that is not excluded');
    },
  },
  {
    id: 'L1-unauthorized-route',
    lesson: 1,
    claim: '`GET /api/v1/unauthorized` answers 401 `{"error": "Unauthorized"}`.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      expectError(await ctx.client().get('/api/v1/unauthorized'), 401, 'Unauthorized');
    },
  },
  {
    id: 'L1-forbidden-route',
    lesson: 1,
    claim: '`GET /api/v1/forbidden` answers 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      expectError(await ctx.client().get('/api/v1/forbidden'), 403, 'Forbidden');
    },
  },
  {
    id: 'L1-missing-credentials',
    lesson: 1,
    claim: 'Without an `Authorization` header, every other route answers 401 `{"error": "Unauthorized"}`.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      const client = ctx.client();
      for (const path of ['/api/v1/users', '/api/v1/users/me', '/api/v1/stats']) {
        expectError(await client.get(path), 401, 'Unauthorized', 'no credentials');
      }
    },
  },
  {
    id: 'L1-basic-challenge',
    lesson: 1,
    claim: 'Every 401 carries a `WWW-Authenticate: Basic realm="…"` challenge, so that clients know how to log in.',
    reference: 'RFC 9110 §11.6.1',
    section: 'what-the-course-got-wrong',
    profiles: SECURE,
    env,
    async run(ctx) {
      const client = ctx.client();
      for (const path of ['/api/v1/users', '/api/v1/unauthorized']) {
        const res = await client.get(path);
        expectStatus(res, 401, 'no credentials');
        expectHeader(
          res,
          'WWW-Authenticate',
          /^Basic\s+(?:.*,\s*)?realm="[^"]*"/i,
          'Basic realm="..."',
          'no credentials',
        );
      }
    },
  },
  {
    id: 'L1-wrong-password',
    lesson: 1,
    claim: 'A known email with a wrong password answers 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      const user = await ctx.someUser();
      const res = await getWith(ctx.client(), '/api/v1/users', basicHeader(user.email, `${user.password}x`));
      expectError(res, 403, 'Forbidden', 'a wrong password');
    },
  },
  {
    id: 'L1-unknown-user',
    lesson: 1,
    claim: 'An unknown email answers 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'the-guard',
    profiles: COURSE,
    env,
    async run(ctx) {
      const res = await getWith(
        ctx.client(),
        '/api/v1/users',
        basicHeader(randomEmail('nobody'), 'H0lbertonSchool98!'),
      );
      expectError(res, 403, 'Forbidden', 'an unknown email');
    },
  },
  {
    id: 'L1-basic-test',
    lesson: 1,
    claim: '`Authorization: Basic test` (base64 whose bytes are not UTF-8 text) answers 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'decoding-the-header',
    profiles: COURSE,
    env,
    async run(ctx) {
      expectError(await getWith(ctx.client(), '/api/v1/users', 'Basic test'), 403, 'Forbidden', 'Basic test');
    },
  },
  {
    id: 'L1-no-colon',
    lesson: 1,
    claim: 'Credentials without a colon between email and password answer 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'decoding-the-header',
    profiles: COURSE,
    env,
    async run(ctx) {
      const user = await ctx.someUser();
      const glued = `Basic ${Buffer.from(`${user.email}${user.password.replaceAll(':', '')}`).toString('base64')}`;
      expectError(await getWith(ctx.client(), '/api/v1/users', glued), 403, 'Forbidden', 'no colon');
    },
  },
  {
    id: 'L1-other-scheme',
    lesson: 1,
    claim: 'Another scheme, such as `Authorization: Bearer x`, answers 403 `{"error": "Forbidden"}`.',
    reference: 'course',
    section: 'decoding-the-header',
    profiles: COURSE,
    env,
    async run(ctx) {
      expectError(await getWith(ctx.client(), '/api/v1/users', 'Bearer x'), 403, 'Forbidden', 'Bearer x');
    },
  },
  {
    id: 'L1-bad-base64',
    lesson: 1,
    claim:
      'Credentials that are not base64 (`Basic !!!!`, `Basic abc`, padding in the middle, a space inside) answer 403 ' +
      '`{"error": "Forbidden"}`, never a 5xx.',
    reference: 'course',
    section: 'decoding-the-header',
    profiles: COURSE,
    env,
    async run(ctx) {
      const client = ctx.client();
      for (const value of ['!!!!', 'abc', 'YWJj=ZGVm', 'YWJj ZGVm']) {
        expectError(await getWith(client, '/api/v1/users', `Basic ${value}`), 403, 'Forbidden', `Basic ${value}`);
      }
    },
  },
  {
    id: 'L1-no-server-errors',
    lesson: 1,
    claim:
      'Odd but well-formed credentials (an empty email or password, quotes and SQL, non-ASCII text, a 4 KB email) ' +
      'answer 403 `{"error": "Forbidden"}`, never a 5xx.',
    reference: 'OWASP Error Handling Cheat Sheet',
    section: 'decoding-the-header',
    profiles: SECURE,
    env,
    async run(ctx) {
      const client = ctx.client();
      const nobody = randomEmail('nobody');
      const odd: [string, string][] = [
        [':', 'an empty email and password'],
        [`:${nobody}`, 'an empty email'],
        [`${nobody}:`, 'an empty password'],
        [`' OR '1'='1:' OR '1'='1`, 'SQL in both'],
        [`"${nobody}":"x"`, 'quotes'],
        [`zoë.ünïcödé@exämple.com:pässwörd ✓`, 'non-ASCII text'],
        [`${'a'.repeat(4000)}@example.com:x`, 'a 4 KB email'],
      ];
      for (const [credentials, what] of odd) {
        const res = await getWith(
          client,
          '/api/v1/users',
          `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`,
        );
        expectError(res, 403, 'Forbidden', what);
      }
    },
  },
  {
    id: 'L1-password-colon',
    lesson: 1,
    claim: 'A password may contain colons: the credentials split at the first colon.',
    reference: 'course',
    section: 'decoding-the-header',
    profiles: COURSE,
    env,
    async run(ctx) {
      const user =
        ctx.users.find((seeded) => seeded.password.includes(':')) ??
        (await ctx.createUser({ password: `c0l:on:${randomEmail('pw')}` }));
      await expectAuthenticated(ctx, user, user.email, 'a password with colons');
    },
  },
  {
    id: 'L1-email-any-case',
    lesson: 1,
    claim: 'The email is matched in any letter case: `BOB@HBTN.IO` logs in as `bob@hbtn.io`.',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'what-the-course-got-wrong',
    profiles: SECURE,
    env,
    async run(ctx) {
      const user = await ctx.someUser();
      await expectAuthenticated(ctx, user, user.email.toUpperCase(), 'the email in capitals');
    },
  },
];
