/**
 * Lesson 0's claims: the users API, its routes and its errors. The clients come from
 * `ctx.userClient()`, so the same checks run on every later lesson behind its auth.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  expectError,
  expectJson,
  expectJsonBody,
  expectNoHeader,
  expectSomeError,
  expectStatus,
  expectThat,
  fail,
  showJson,
} from './expect.ts';
import type { HttpResponse } from './http.ts';
import { randomEmail, randomPassword } from './users.ts';
import { COURSE, SECURE, SECURE_WARNING, type Check, type SeededUser } from './types.ts';

const USER_FIELDS = ['created_at', 'email', 'first_name', 'id', 'last_name', 'updated_at'];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** What is wrong with a user JSON, or null when it has the course's shape. */
function userJsonProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `not a JSON object: ${showJson(value)}`;
  const keys = Object.keys(value).sort();
  const extra = keys.filter((key) => !USER_FIELDS.includes(key));
  if (extra.length) return `unexpected field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`;
  const missing = USER_FIELDS.filter((key) => !keys.includes(key));
  if (missing.length) return `missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  const user = value as Record<string, unknown>;
  if (typeof user.id !== 'string' || user.id === '') return `"id" is not a non-empty string: ${showJson(user.id)}`;
  for (const field of ['created_at', 'updated_at']) {
    if (typeof user[field] !== 'string' || !TIMESTAMP.test(user[field] as string)) {
      return `"${field}" is ${showJson(user[field])}, not YYYY-MM-DDTHH:MM:SS`;
    }
  }
  return null;
}

/** The body as a user object, or a failure naming the request. */
function userBody(res: HttpResponse, what?: string): Record<string, unknown> {
  const body = expectJsonBody(res, what);
  expectThat(
    typeof body === 'object' && body !== null && !Array.isArray(body),
    `${res.request}: expected a user object, got ${showJson(body)}`,
    {
      expected: 'a JSON object with the user',
      response: res,
    },
  );
  return body as Record<string, unknown>;
}

/** Fails unless the user JSON is `user` (same id and email). */
function expectSameUser(res: HttpResponse, user: SeededUser, what?: string): Record<string, unknown> {
  const body = userBody(res, what);
  if (body.id !== user.id || body.email !== user.email) {
    fail(
      `${res.request}: expected the user ${user.email} (${user.id}), got ` +
        `${showJson({ id: body.id, email: body.email })}`,
      {
        expected: showJson({ id: user.id, email: user.email }),
        response: res,
      },
    );
  }
  return body;
}

/** The stored password of each user id (what the database holds, whatever its type). */
function storedPasswords(db: Database.Database, ids: readonly string[]): { id: string; password: unknown }[] {
  const rows = db.prepare(`SELECT id, password FROM users WHERE id IN (${ids.map(() => '?').join(', ')})`).all(...ids);
  return rows as { id: string; password: unknown }[];
}

/** The parts of `scrypt$N$r$p$salt$hash` (salt and hash in base64), or null for anything else. */
function parseScrypt(stored: string): { N: number; r: number; p: number; saltBytes: number } | null {
  const match = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(stored);
  if (!match) return null;
  return {
    N: Number(match[1]),
    r: Number(match[2]),
    p: Number(match[3]),
    saltBytes: Buffer.from(match[4] as string, 'base64').length,
  };
}

/** The body as an array, or a failure. */
function arrayBody(res: HttpResponse): unknown[] {
  const body = expectJsonBody(res);
  expectThat(Array.isArray(body), `${res.request}: expected a JSON array, got ${showJson(body).slice(0, 80)}`, {
    expected: 'a JSON array of users',
    response: res,
  });
  return body;
}

function allowed(res: HttpResponse): string[] {
  return (res.header('allow') ?? '')
    .split(',')
    .map((method) => method.trim().toUpperCase())
    .filter(Boolean);
}

/** Lesson 0's checks, in the order of its notes. */
export const checks: Check[] = [
  {
    id: 'L0-status',
    lesson: 0,
    claim: '`GET /api/v1/status` answers 200 `{"status": "OK"}`.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      // Status never needs credentials, in any lesson.
      expectJson(await ctx.client().get('/api/v1/status'), 200, { status: 'OK' });
    },
  },
  {
    id: 'L0-stats',
    lesson: 0,
    claim: '`GET /api/v1/stats` answers 200 `{"users": n}`, n being the number of users.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    // Other checks create users: count when nobody else is running.
    exclusive: true,
    async run(ctx) {
      const client = await ctx.userClient();
      const stats = await client.get('/api/v1/stats');
      expectStatus(stats, 200);
      const body = expectJsonBody(stats) as { users?: unknown };
      const users = arrayBody(await client.get('/api/v1/users'));
      if (body?.users !== users.length) {
        fail(
          `${stats.request}: expected {"users": ${users.length}} (GET /api/v1/users lists ${users.length}), got ` +
            `${showJson(body)}`,
          {
            expected: `200 {"users": ${users.length}}`,
            response: stats,
          },
        );
      }
    },
  },
  {
    id: 'L0-users-list',
    lesson: 0,
    claim: '`GET /api/v1/users` answers 200 with a JSON array of every user.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      const known = ctx.users.length ? ctx.users : [await ctx.someUser()];
      const res = await (await ctx.userClient()).get('/api/v1/users');
      expectStatus(res, 200);
      const list = arrayBody(res) as { id?: unknown; email?: unknown }[];
      for (const user of known) {
        if (!list.some((entry) => entry?.id === user.id && entry?.email === user.email)) {
          fail(`${res.request}: the list lacks the user ${user.email} (${user.id})`, {
            expected: `an entry ${showJson({ id: user.id, email: user.email })}`,
            response: res,
          });
        }
      }
    },
  },
  {
    id: 'L0-user-json',
    lesson: 0,
    claim:
      'A user is a JSON object with exactly `id`, `email`, `first_name`, `last_name`, `created_at` and `updated_at`, ' +
      'the times in UTC as `YYYY-MM-DDTHH:MM:SS`: never a password or its hash.',
    reference: 'course',
    section: 'the-user-json',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = await ctx.userClient();
      const one = await client.get(`/api/v1/users/${user.id}`);
      expectStatus(one, 200);
      const body = userBody(one);
      const problem = userJsonProblem(body);
      if (problem) fail(`${one.request}: ${problem}`, { expected: `exactly ${USER_FIELDS.join(', ')}`, response: one });
      if (ctx.mode !== 'url') {
        // The runner made this user seconds ago: read as UTC, created_at must be now.
        const created = Date.parse(`${body.created_at as string}Z`);
        const minutesAway = Math.abs(Date.now() - created) / 60_000;
        expectThat(
          minutesAway < 2,
          `${one.request}: created_at ${String(body.created_at)} is ${Math.round(minutesAway)} minutes from now in UTC`,
          {
            expected: `created_at close to ${new Date().toISOString().slice(0, 19)} (UTC)`,
            response: one,
          },
        );
      }
      const all = await client.get('/api/v1/users');
      expectStatus(all, 200);
      for (const entry of arrayBody(all)) {
        const entryProblem = userJsonProblem(entry);
        if (entryProblem)
          fail(`${all.request}: a listed user has ${entryProblem}`, {
            expected: `exactly ${USER_FIELDS.join(', ')}`,
            response: all,
          });
      }
    },
  },
  {
    id: 'L0-user-show',
    lesson: 0,
    claim: '`GET /api/v1/users/:id` answers 200 with that user, and 404 `{"error": "Not found"}` for an unknown id.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      const user = ctx.users.at(-1) ?? (await ctx.someUser());
      const client = await ctx.userClient();
      const res = await client.get(`/api/v1/users/${user.id}`);
      expectStatus(res, 200);
      expectSameUser(res, user);
      expectError(await client.get(`/api/v1/users/${randomUUID()}`), 404, 'Not found', 'an unknown id');
    },
  },
  {
    id: 'L0-user-create',
    lesson: 0,
    claim:
      '`POST /api/v1/users` with a JSON email and password answers 201 with the new user, which `GET ' +
      '/api/v1/users/:id` then returns.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      const client = await ctx.userClient();
      const fields = {
        email: randomEmail('new'),
        password: randomPassword(),
        first_name: 'Grace',
        last_name: `Hopper-${randomUUID().slice(0, 6)}`,
      };
      const res = await client.post('/api/v1/users', { json: fields });
      expectStatus(res, 201, 'a valid new user');
      const body = userBody(res);
      for (const key of ['email', 'first_name', 'last_name'] as const) {
        if (body[key] !== fields[key]) {
          fail(`${res.request}: "${key}" is ${showJson(body[key])}, expected ${showJson(fields[key])}`, {
            expected: `201 with "${key}": ${showJson(fields[key])}`,
            response: res,
          });
        }
      }
      expectThat(typeof body.id === 'string' && body.id !== '', `${res.request}: the new user has no "id"`, {
        expected: 'a user with an id',
        response: res,
      });
      const again = await client.get(`/api/v1/users/${body.id as string}`);
      expectStatus(again, 200, 'the user just created');
      expectSameUser(again, {
        id: body.id as string,
        email: fields.email,
        password: fields.password,
        firstName: null,
        lastName: null,
      });
    },
  },
  {
    id: 'L0-user-create-errors',
    lesson: 0,
    claim:
      '`POST /api/v1/users` answers 400 with `{"error": "Wrong format"}` when the body is not JSON, `"email ' +
      'missing"` without an email, and `"password missing"` without a password.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      const client = await ctx.userClient();
      const email = randomEmail('never');
      expectError(await client.post('/api/v1/users'), 400, 'Wrong format', 'no body');
      expectError(
        await client.post('/api/v1/users', {
          body: `email=${email}&password=x`,
          headers: { 'Content-Type': 'text/plain' },
        }),
        400,
        'Wrong format',
        'a text/plain body',
      );
      expectError(await client.post('/api/v1/users', { json: {} }), 400, 'email missing', 'an empty object');
      expectError(await client.post('/api/v1/users', { json: { password: 'x' } }), 400, 'email missing', 'no email');
      expectError(await client.post('/api/v1/users', { json: { email } }), 400, 'password missing', 'no password');
      expectError(
        await client.post('/api/v1/users', { json: { email, password: '' } }),
        400,
        'password missing',
        'an empty password',
      );
    },
  },
  {
    id: 'L0-user-update',
    lesson: 0,
    claim:
      '`PUT /api/v1/users/:id` changes only `first_name` and `last_name` and answers 200 with the user; 404 ' +
      '`{"error": "Not found"}` for an unknown id, 400 `{"error": "Wrong format"}` when the body is not JSON.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.createUser();
      const client = await ctx.userClient();
      const lastName = `Hamilton-${randomUUID().slice(0, 6)}`;
      const res = await client.put(`/api/v1/users/${user.id}`, {
        json: { first_name: 'Margaret', last_name: lastName, email: randomEmail('other') },
      });
      expectStatus(res, 200);
      const body = expectSameUser(res, user, 'the email must not change');
      const want = { first_name: 'Margaret', last_name: lastName };
      if (body.first_name !== want.first_name || body.last_name !== want.last_name) {
        fail(
          `${res.request}: expected the new names ${showJson(want)}, got ` +
            `${showJson({ first_name: body.first_name, last_name: body.last_name })}`,
          {
            expected: `200 with ${showJson(want)}`,
            response: res,
          },
        );
      }
      const again = await client.get(`/api/v1/users/${user.id}`);
      expectStatus(again, 200);
      const stored = expectSameUser(again, user);
      expectThat(
        stored.last_name === lastName,
        `${again.request}: the new last name was not saved (${showJson(stored.last_name)})`,
        {
          expected: `"last_name": ${showJson(lastName)}`,
          response: again,
        },
      );
      expectError(
        await client.put(`/api/v1/users/${randomUUID()}`, { json: { first_name: 'x' } }),
        404,
        'Not found',
        'an unknown id',
      );
      expectError(await client.put(`/api/v1/users/${user.id}`), 400, 'Wrong format', 'no body');
    },
  },
  {
    id: 'L0-user-delete',
    lesson: 0,
    claim:
      '`DELETE /api/v1/users/:id` answers 200 `{}` and the user is gone; 404 `{"error": "Not found"}` for an unknown ' +
      'id.',
    reference: 'course',
    section: 'the-routes',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.createUser();
      const client = await ctx.userClient();
      expectJson(await client.delete(`/api/v1/users/${user.id}`), 200, {});
      expectError(await client.get(`/api/v1/users/${user.id}`), 404, 'Not found', 'a deleted user');
      expectError(await client.delete(`/api/v1/users/${user.id}`), 404, 'Not found', 'deleting it again');
    },
  },
  {
    id: 'L0-email-unique',
    lesson: 0,
    claim:
      'Creating a user whose email is taken, in any letter case, answers 400 `{"error": "Can\'t create User: …"}`.',
    reference: 'OWASP Authentication Cheat Sheet',
    section: 'what-the-course-got-wrong',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = await ctx.userClient();
      const res = await client.post('/api/v1/users', {
        json: { email: user.email.toUpperCase(), password: randomPassword() },
      });
      const error = expectSomeError(res, [400], `the email of ${user.email} in capitals`);
      expectThat(
        error.startsWith("Can't create User: "),
        `${res.request}: expected an error starting with "Can't create User: ", got ${showJson(error)}`,
        {
          expected: `400 {"error": "Can't create User: ..."}`,
          response: res,
        },
      );
    },
  },
  {
    id: 'L0-not-found',
    lesson: 0,
    claim: 'An unknown route answers 404 `{"error": "Not found"}` as JSON, inside `/api/v1` or not.',
    reference: 'course',
    section: 'errors-are-json',
    profiles: COURSE,
    async run(ctx) {
      const client = await ctx.userClient();
      const name = `nothing-${randomUUID().slice(0, 8)}`;
      expectError(await client.get(`/api/v1/${name}`), 404, 'Not found');
      expectError(await client.get(`/${name}`), 404, 'Not found');
    },
  },
  {
    id: 'L0-method-not-allowed',
    lesson: 0,
    claim:
      'A method a route does not support answers 405 as JSON, with an `Allow` header that lists the methods it does.',
    reference: 'RFC 9110 §15.5.6',
    section: 'errors-are-json',
    profiles: SECURE,
    async run(ctx) {
      const client = await ctx.userClient();
      for (const [method, path, must] of [
        ['PATCH', '/api/v1/users', ['GET', 'POST']],
        ['DELETE', '/api/v1/status', ['GET']],
      ] as const) {
        const res = await client.request(method, path);
        expectSomeError(res, [405]);
        const methods = allowed(res);
        if (!must.every((m) => methods.includes(m)) || methods.includes(method)) {
          fail(
            `${res.request}: Allow is ${showJson(res.header('allow') ?? null)}, expected it to list ` +
              `${must.join(', ')} and not ${method}`,
            {
              expected: `Allow: ${must.join(', ')}, ...`,
              response: res,
              headers: ['allow'],
            },
          );
        }
      }
    },
  },
  {
    id: 'L0-payload-too-large',
    lesson: 0,
    claim: 'A body over 10 KB answers 413 as JSON, before anything reads it.',
    reference: 'RFC 9110 §15.5.14',
    section: 'errors-are-json',
    profiles: SECURE,
    async run(ctx) {
      const client = await ctx.userClient();
      const filler = 'a'.repeat(20_000);
      const res = await client.post('/api/v1/users', {
        body: JSON.stringify({ email: `${filler}@example.com`, password: 'x' }),
        headers: { 'Content-Type': 'application/json' },
        replayData: `"$(printf '{"email":"%s@example.com","password":"x"}' "$(head -c 20000 /dev/zero | tr '\\0' a)")"`,
      });
      expectSomeError(res, [413], 'a 20 KB body');
    },
  },
  {
    id: 'L0-malformed-json',
    lesson: 0,
    claim: 'Malformed JSON answers 400 `{"error": "Wrong format"}`, on `POST` and on `PUT`.',
    reference: 'course',
    section: 'errors-are-json',
    profiles: COURSE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = await ctx.userClient();
      const headers = { 'Content-Type': 'application/json' };
      expectError(
        await client.post('/api/v1/users', { body: '{"email": "a@b.c", ', headers }),
        400,
        'Wrong format',
        'cut-off JSON',
      );
      expectError(
        await client.put(`/api/v1/users/${user.id}`, { body: "{'first_name': 'x'}", headers }),
        400,
        'Wrong format',
        'single quotes',
      );
    },
  },
  {
    id: 'L0-no-server-errors',
    lesson: 0,
    claim:
      'Odd requests (a `null`, array or string body, fields of the wrong type, an unknown charset, a bad `%` escape, ' +
      'a 2,000-character id) get a 4xx JSON error, never a 5xx.',
    reference: 'OWASP Error Handling Cheat Sheet',
    section: 'errors-are-json',
    profiles: SECURE,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = await ctx.userClient();
      const json = { 'Content-Type': 'application/json' };
      const odd: [string, string, Parameters<typeof client.request>[2], string][] = [
        ['POST', '/api/v1/users', { body: 'null', headers: json }, 'a null body'],
        ['POST', '/api/v1/users', { json: [] }, 'an array body'],
        ['POST', '/api/v1/users', { json: 'bob@hbtn.io' }, 'a string body'],
        ['POST', '/api/v1/users', { json: { email: 42, password: ['x'] } }, 'fields of the wrong type'],
        [
          'POST',
          '/api/v1/users',
          { body: '{}', headers: { 'Content-Type': 'application/json; charset=no-such-charset' } },
          'an unknown charset',
        ],
        ['PUT', `/api/v1/users/${user.id}`, { json: [1] }, 'an array body'],
        ['GET', '/api/v1/users/%E0%A4%A', {}, 'a bad % escape'],
        ['DELETE', '/api/v1/users/%zz', {}, 'a bad % escape'],
        ['GET', `/api/v1/users/${'x'.repeat(2000)}`, {}, 'an id of 2,000 characters'],
      ];
      for (const [method, path, options, what] of odd) {
        expectSomeError(await client.request(method, path, options), '4xx', what);
      }
    },
  },
  {
    id: 'L0-password-hashed',
    lesson: 0,
    claim:
      'The database keeps no password, only a salted scrypt hash with its cost (`scrypt$N$r$p$salt$hash`); equal ' +
      'passwords get different hashes.',
    reference: 'OWASP Password Storage Cheat Sheet',
    section: 'passwords',
    profiles: SECURE,
    needs: ['database'],
    async run(ctx) {
      const password = randomPassword();
      const [a, b] = await Promise.all([ctx.createUser({ password }), ctx.createUser({ password })]);
      const rows = storedPasswords(ctx.openDatabase(), [a.id, b.id]);
      expectThat(rows.length === 2, `the users table lacks the users just created (${a.id}, ${b.id})`);
      const hashes = rows.map((row) => {
        const actual = `users.password = ${showJson(row.password)}`;
        expectThat(
          typeof row.password === 'string',
          `user ${row.id}: the password column holds ${showJson(row.password)}`,
          { actual },
        );
        expectThat(!row.password.includes(password), `user ${row.id}: the database holds the password itself`, {
          actual,
        });
        const hash = parseScrypt(row.password);
        expectThat(hash, `user ${row.id}: the stored password is not scrypt$N$r$p$salt$hash`, {
          expected: 'scrypt$N$r$p$salt$hash (salt and hash in base64)',
          actual,
        });
        expectThat(hash.saltBytes >= 16, `user ${row.id}: the salt has ${hash.saltBytes} bytes, fewer than 16`, {
          expected: 'a random salt of 16 bytes or more',
          actual,
        });
        return row.password;
      });
      expectThat(hashes[0] !== hashes[1], 'two users with the same password have the same hash: no salt', {
        expected: 'two different hashes',
        actual: hashes.join('\n'),
      });
    },
  },
  {
    id: 'L0-password-cost',
    lesson: 0,
    claim:
      'By default the scrypt cost is at or above the OWASP minimum (N=2^15, r=8, p=3 here); only ' +
      '`PASSWORD_HASH_COST=low`, for tests, lowers it.',
    reference: 'OWASP Password Storage Cheat Sheet',
    section: 'passwords',
    profiles: SECURE,
    needs: ['variant', 'database'],
    restsOn: 'L0-password-hashed',
    async run(ctx) {
      // The runner's own servers hash cheaply, as a web framework's test settings do: a second
      // server on the same database with the default shows the production cost.
      const production = await ctx.startVariant({ PASSWORD_HASH_COST: '' }, { shareDatabase: true });
      const client = await production.userClient();
      const res = await client.post('/api/v1/users', {
        json: { email: randomEmail('cost'), password: randomPassword() },
      });
      expectStatus(res, 201, 'a user created on a server started without PASSWORD_HASH_COST');
      const id = (res.json() as { id?: unknown } | undefined)?.id;
      const [row] = storedPasswords(ctx.openDatabase(), [String(id)]);
      const hash = typeof row?.password === 'string' ? parseScrypt(row.password) : null;
      expectThat(hash, `user ${String(id)}: no scrypt$N$r$p$salt$hash in the users table`, {
        actual: showJson(row ?? null),
      });
      const { N, r, p } = hash;
      // OWASP's scrypt settings (N=2^17,p=1 ... N=2^13,p=10, all r=8) all have N*p >= 81920.
      expectThat(
        r >= 8 && N * p >= 81_920,
        `without PASSWORD_HASH_COST, scrypt N=${N}, r=${r}, p=${p} is below the OWASP minimum`,
        {
          expected: 'N=2^15, r=8, p=3 or another OWASP setting',
          actual: `users.password = ${row?.password as string}`,
        },
      );
      return `N=${N}, r=${r}, p=${p} by default`;
    },
  },
  {
    id: 'L0-no-powered-by',
    lesson: 0,
    claim: 'Answers carry no `X-Powered-By` header naming the framework.',
    reference: 'OWASP HTTP Headers Cheat Sheet',
    section: 'what-the-course-got-wrong',
    profiles: SECURE_WARNING,
    async run(ctx) {
      expectNoHeader(
        await ctx.client().get('/api/v1/status'),
        'X-Powered-By',
        'it tells attackers which framework to target',
      );
    },
  },
];
