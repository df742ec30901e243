/**
 * Lesson 5's claims: sessions kept in SQLite survive a restart (even a crash), keep their
 * clocks across it, are shared by every process on the database file, and are stored only
 * as hashes. The checks use no `AUTH_TYPE` of their own: they run on each server's default
 * session auth, so they keep running on lesson 6 (express-session) and after.
 *
 * Only the checks that read the database are this project's alone; the others run as well on
 * a learner's server that the runner starts (`--start`), restarts and runs twice.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { expectJson, expectStatus, expectThat, fail } from './expect.ts';
import {
  clientWithCookie,
  cookieValue,
  expectMe,
  expectRefused,
  logInAs,
  LOGOUT,
  ME,
  sessionCookieHeader,
  sessionIdOf,
  shortLimits,
  shortLimitsEnv,
  sleep,
  sleepUntil,
  slowCheckTimeoutMs,
} from './stories.ts';
import { COURSE, SECURE, type Check, type CheckContext, type SeededUser, type Target } from './types.ts';


/** Why a claim read in the database file stops applying at lesson 8, and what checks it there. */
export function inRedis(instead: string): string {
  return `lesson 8 keeps its sessions in Redis, not in the database file: ${instead}`;
}
/** SHA-256 of a session id, in hex: what the notes say is stored instead of the id. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Every `table.column` of the database that holds `value` (exactly, any letter case for hex),
 * by a query per column: what a copy of the database would show.
 */
export function columnsHolding(db: Database.Database, value: string): string[] {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  const found: string[] = [];
  for (const table of tables) {
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[];
    for (const column of columns) {
      const row = db
        .prepare(`SELECT 1 FROM ${quote(table)} WHERE ${quote(column)} IN (?, ?) LIMIT 1`)
        .get(value, value.toUpperCase());
      if (row) found.push(`${table}.${column}`);
    }
  }
  return found;
}

/** The files SQLite keeps for `dbPath` (the database, its WAL and shared memory, a journal). */
function databaseFiles(dbPath: string): string[] {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((file) => existsSync(file));
}

/** The users to log in with: the seeded ones, or one made through the API. */
async function loginUsers(ctx: CheckContext): Promise<readonly SeededUser[]> {
  return ctx.users.length > 0 ? ctx.users : [await ctx.someUser()];
}

/**
 * Where the database holds the session of this cookie: the columns holding the SHA-256 hash
 * of its id, or the id itself (which L5-no-raw-id-at-rest alone objects to).
 */
export function storedAt(db: Database.Database, cookie: string): string[] {
  const id = sessionIdOf(cookie);
  return [...columnsHolding(db, sha256Hex(id)), ...columnsHolding(db, id)];
}

/** Fails unless the database holds the session of this cookie (see {@link storedAt}). */
function expectStored(db: Database.Database, cookie: string, what: string): string[] {
  const columns = storedAt(db, cookie);
  expectThat(
    columns.length > 0,
    `${what}: the database holds neither the session id nor its SHA-256 hash: the session is not stored there`,
    {
      expected: `a row with ${sha256Hex(sessionIdOf(cookie))}`,
      actual: 'no column of any table holds it',
    },
  );
  return columns;
}

/** Lesson 5's checks, in the order of its notes' claims. */
export const checks: Check[] = [
  {
    id: 'L5-session-survives-restart',
    lesson: 5,
    claim: 'A session created before the server restarts still authenticates after the restart.',
    reference: 'course',
    section: 'why-memory-is-not-enough',
    profiles: COURSE,
    needs: ['restart'],
    async run(ctx) {
      const user = await ctx.someUser();
      const client = await ctx.userClient(user);
      await expectMe(client, user, 'before the restart');
      await ctx.restart();
      await expectMe(client, user, 'the same cookie after the restart');
    },
  },
  {
    id: 'L5-login-survives-crash',
    lesson: 5,
    claim:
      'A login that was answered with 200 still authenticates after the server is killed with SIGKILL right after it ' +
      'and started again.',
    reference: 'course',
    section: 'several-processes-one-file',
    profiles: COURSE,
    needs: ['restart'],
    // A server whose sessions do not survive even a clean restart is L5-session-survives-restart's to report.
    restsOn: 'L5-session-survives-restart',
    async run(ctx) {
      const user = await ctx.someUser();
      const client = await ctx.userClient(user);
      // No other request in between: the 200 alone must mean the session is stored.
      await ctx.restart({ signal: 'SIGKILL' });
      await expectMe(client, user, 'the cookie of the last login before kill -9');
    },
  },
  {
    id: 'L5-logout-survives-restart',
    lesson: 5,
    claim: 'A session ended by logout is still refused after the server restarts.',
    reference: 'ASVS 5 V7.4.1',
    section: 'why-memory-is-not-enough',
    profiles: SECURE,
    needs: ['restart'],
    restsOn: 'L5-session-survives-restart',
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.someUser();
      const [ended, kept] = await Promise.all([ctx.userClient(user), ctx.userClient(user)]);
      const endedCookie = sessionCookieHeader(ctx, cookieValue(ended, ctx, 'the session to log out'));
      expectJson(await ended.delete(LOGOUT), 200, {}, 'logout');
      await ctx.restart();
      // The session nobody logged out shows that the restart kept sessions: only then does
      // the refusal below prove that the logout was kept too.
      await expectMe(kept, user, 'the session that was not logged out, after the restart');
      await expectRefused(ended, 'the logged-out cookie, sent again after the restart', endedCookie);
    },
  },
  {
    id: 'L5-expiry-after-restart',
    lesson: 5,
    claim:
      '`SESSION_DURATION` and `SESSION_IDLE_TIMEOUT` are enforced after a restart from the times stored with the ' +
      'session, neither reset nor extended by it.',
    reference: 'ASVS 5 V7.3',
    section: 'expiry-from-the-stored-times',
    profiles: SECURE,
    until: { lesson: 8, reason: inRedis('L8-ttl reads the TTLs there') },
    needs: ['restart'],
    // Sessions lost at the restart would be refused for the wrong reason.
    restsOn: 'L5-session-survives-restart',
    env: shortLimitsEnv,
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const { durationMs, idleMs } = shortLimits;
      const user = await ctx.someUser();
      // On this project's servers, stored times need a stored session (lesson 4 kept it in
      // memory, gone at a restart): each is looked for right after its login, before its idle
      // timeout can have ended it. A learner's store is out of reach: restsOn covers it.
      const db = ctx.mode === 'own' ? ctx.openDatabase() : null;
      const logIn = async (what: string) => {
        const start = Date.now();
        const session = await logInAs(ctx, user);
        const at = Date.now();
        // A login that took half the idle timeout (a busy machine) may have ended, and been
        // purged, already: the expiry below is still judged, the row is not looked for.
        if (db && at - start < idleMs / 2) expectStored(db, session.value, `right after login (${what})`);
        return { ...session, start, at };
      };
      // busy: used all along, so only the absolute limit can end it; idle: never used again.
      const busy = await logIn('the busy session');
      const idle = await logIn('the idle session');
      // Cookies sent by hand: the jars drop them at their Max-Age, a thief does not.
      const busyCookie = sessionCookieHeader(ctx, busy.value);
      const beforeRestart = Date.now();
      // The busy session's last use before the restart.
      await busy.client.get(ME, { headers: { Cookie: busyCookie } });
      await ctx.restart();
      const restarted = Date.now();
      // Alive for sure if the restart was quick (a use may be recorded 10% late: lesson 5's notes).
      const aliveForSure = restarted - beforeRestart < idleMs * 0.9 && restarted < busy.start + durationMs - 200;
      const first = await busy.client.get(ME, { headers: { Cookie: busyCookie } });
      if (aliveForSure)
        expectStatus(first, 200, `the busy session, ${restarted - busy.at} ms after login, right after the restart`);

      // No assertion below depends on how long the logins or the restart took: a server that
      // restarts a session's clocks at a restart (or when it first sees the session after one)
      // keeps both sessions alive at these moments; one that reads the stored times refuses them.
      const idleEnds = idle.at + idleMs;
      const absoluteEnds = busy.at + durationMs;
      let idleChecked = false;
      let busyChecked = false;
      while (!idleChecked || !busyChecked) {
        if (!idleChecked && Date.now() >= idleEnds) {
          await expectRefused(
            idle.client,
            `a session idle since login, ${Date.now() - idle.at} ms later (${Date.now() - restarted} ms after the ` +
              `restart)`,
            sessionCookieHeader(ctx, idle.value),
          );
          idleChecked = true;
        } else if (!busyChecked && Date.now() >= absoluteEnds) {
          await expectRefused(
            busy.client,
            `the busy session, ${Date.now() - busy.at} ms after login (${Date.now() - restarted} ms after the restart)`,
            busyCookie,
          );
          busyChecked = true;
        } else {
          // Until its limit, the busy session is used every third of the idle timeout, so that only
          // the absolute limit can end it.
          const next = Math.min(idleChecked ? Infinity : idleEnds, busyChecked ? Infinity : absoluteEnds);
          await sleep(Math.min(idleMs / 3, next - Date.now()));
          if (!busyChecked && Date.now() < absoluteEnds) await busy.client.get(ME, { headers: { Cookie: busyCookie } });
        }
      }
      return aliveForSure
        ? 'ok'
        : `ok (the restart took ${restarted - beforeRestart} ms: too long to also see the busy session alive after it)`;
    },
  },
  {
    id: 'L5-shared-sessions',
    lesson: 5,
    claim: "Two server processes on the same database accept each other's sessions at once.",
    // Not the course's: its reference reads the session file once, at start. But a server run
    // as several processes (gunicorn -w 4, a second machine) must not log users out at random.
    reference: 'The Twelve-Factor App, VI. Processes',
    section: 'several-processes-one-file',
    profiles: SECURE,
    needs: ['variant'],
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.someUser();
      const [other, here] = await Promise.all([ctx.startVariant({}, { shareDatabase: true }), ctx.userClient(user)]);
      await expectMe(
        clientWithCookie(other, cookieValue(here, ctx, 'a login on the first process')),
        user,
        'a session of the first process, on the second',
      );
      const there = await other.userClient(user);
      await expectMe(
        clientWithCookie(ctx, cookieValue(there, other, 'a login on the second process')),
        user,
        'a session of the second process, on the first',
      );
    },
  },
  {
    id: 'L5-shared-logout',
    lesson: 5,
    claim: 'A logout on one server process is refused at once by another process on the same database.',
    reference: 'ASVS 5 V7.4.1',
    section: 'several-processes-one-file',
    profiles: SECURE,
    needs: ['variant'],
    restsOn: 'L5-shared-sessions',
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const user = await ctx.someUser();
      const [other, here] = await Promise.all([ctx.startVariant({}, { shareDatabase: true }), ctx.userClient(user)]);
      const there = clientWithCookie(other, cookieValue(here, ctx, 'a login on the first process'));
      // Used on the second process first: whatever it might remember about the session, it has seen it.
      await expectMe(there, user, 'the session on the second process, before the logout');
      expectJson(await here.delete(LOGOUT), 200, {}, 'logout on the first process');
      await expectRefused(there, 'the logged-out session on the second process, right after the logout');
    },
  },
  {
    id: 'L5-no-raw-id-at-rest',
    lesson: 5,
    claim: 'The database file and its WAL contain no session id, only its SHA-256 hash.',
    reference: 'ASVS 5 V6.5.2',
    section: 'hashed-at-rest',
    profiles: SECURE,
    until: { lesson: 8, reason: inRedis('L8-no-raw-id reads the keys there') },
    needs: ['database'],
    async run(ctx) {
      const user = await ctx.someUser();
      const { client, value } = await logInAs(ctx, user);
      await expectMe(client, user, 'the session, used once');
      const id = sessionIdOf(value);
      const findId = (when: string) => {
        for (const file of databaseFiles(ctx.dbPath)) {
          if (readFileSync(file).includes(id)) {
            fail(
              `${when}, the session id ${id.slice(0, 8)}… is stored in clear in ${basename(file)}: a copy of the ` +
                `database is a copy of the cookie`,
              {
                expected: 'no session id in the database files, only its SHA-256 hash',
                actual: `${basename(file)} contains the session id ${id}`,
              },
            );
          }
        }
      };
      findId('while the session lives');
      const hash = sha256Hex(id);
      const columns = columnsHolding(ctx.openDatabase(), hash);
      expectThat(
        columns.length > 0,
        `the database holds no SHA-256 hash of the session id: the session is not stored there`,
        {
          expected: `a row with ${hash}`,
          actual: 'no column of any table holds it',
        },
      );
      // A logout is a write too: a server might keep ended ids somewhere.
      expectJson(await client.delete(LOGOUT), 200, {}, 'logout');
      findId('after logout');
      return `no id in ${databaseFiles(ctx.dbPath)
        .map((file) => basename(file))
        .join(', ')}; the hash is in ${columns.join(', ')}`;
    },
  },
  {
    id: 'L5-concurrent-logins',
    lesson: 5,
    claim:
      'Many concurrent logins, spread over two server processes on one database, each get a distinct session id, and ' +
      'every one of them authenticates on both.',
    reference: 'ASVS 5 V7.2.3',
    section: 'several-processes-one-file',
    profiles: SECURE,
    needs: ['variant'],
    restsOn: 'L5-shared-sessions',
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      // Three per process, at once: each one a password hash (slow on purpose) and a write.
      const logins = 6;
      const [other, users] = await Promise.all([ctx.startVariant({}, { shareDatabase: true }), loginUsers(ctx)]);
      const targets: Target[] = [ctx, other];
      // Every login at once, half on each process: two writers on one file.
      const sessions = await Promise.all(
        Array.from({ length: logins }, async (_, i) => {
          const target = targets[i % 2] as Target;
          const user = users[Math.floor(i / 2) % users.length] as SeededUser;
          const client = target.client();
          const res = await client.post('/api/v1/auth_session/login', {
            form: { email: user.email, password: user.password },
          });
          expectStatus(res, 200, `login ${i + 1} of ${logins}, at once, on process ${(i % 2) + 1}`);
          return { user, value: cookieValue(client, target, `login ${i + 1}`) };
        }),
      );
      const distinct = new Set(sessions.map(({ value }) => sessionIdOf(value)));
      expectThat(
        distinct.size === logins,
        `${logins} concurrent logins got only ${distinct.size} distinct session ids`,
        {
          expected: `${logins} distinct ids`,
          actual: `${distinct.size} distinct ids`,
        },
      );
      await Promise.all(
        sessions.flatMap(({ user, value }, i) =>
          targets.map((target, t) =>
            expectMe(clientWithCookie(target, value), user, `login ${i + 1}'s cookie on process ${t + 1}`),
          ),
        ),
      );
    },
  },
  {
    id: 'L5-expired-rows-deleted',
    lesson: 5,
    claim:
      "An expired session's row is deleted from the database, when it is next presented or by the background purge.",
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'expiry-from-the-stored-times',
    profiles: SECURE,
    until: { lesson: 8, reason: inRedis('Redis deletes an expired key itself (L8-ttl)') },
    needs: ['database'],
    env: shortLimitsEnv,
    async run(ctx) {
      const user = await ctx.someUser();
      const { client, value } = await logInAs(ctx, user);
      const loggedIn = Date.now();
      const db = ctx.openDatabase();
      expectStored(db, value, 'right after login');
      // Idle since login: expired at login + SESSION_IDLE_TIMEOUT at the latest.
      await sleepUntil(loggedIn + shortLimits.idleMs);
      await expectRefused(
        client,
        `the cookie, sent by hand, idle for ${Date.now() - loggedIn} ms since login`,
        sessionCookieHeader(ctx, value),
      );
      const left = storedAt(db, value);
      expectThat(left.length === 0, `the expired session was refused, but its row is still in ${left.join(', ')}`, {
        expected: 'no row for the expired session',
        actual: `a row in ${left.join(', ')}`,
      });
    },
  },
  {
    id: 'L5-user-delete-ends-sessions',
    lesson: 5,
    claim: "Deleting a user deletes all of that user's sessions.",
    reference: 'ASVS 5 V7.4.2',
    section: 'several-processes-one-file',
    profiles: SECURE,
    needs: ['database'],
    until: {
      lesson: 6,
      reason:
        "express-session's store rows do not say which user they belong to: a deleted user's sessions are refused at " +
        'once, but each row leaves only when its cookie comes back or at expiry',
    },
    timeoutMs: slowCheckTimeoutMs,
    async run(ctx) {
      const [admin, user] = await Promise.all([ctx.userClient(), ctx.createUser()]);
      const { client, value } = await logInAs(ctx, user);
      const db = ctx.openDatabase();
      expectStored(db, value, 'a login');
      expectJson(await admin.delete(`/api/v1/users/${user.id}`), 200, {}, 'deleting the user');
      // Looked for before the cookie comes back: only the deletion of the user can have removed it.
      const left = storedAt(db, value);
      expectThat(left.length === 0, `after the user was deleted, their session is still stored (${left.join(', ')})`, {
        expected: "no row for any of the deleted user's sessions",
        actual: `a row in ${left.join(', ')}`,
      });
      await expectRefused(client, "the deleted user's session");
    },
  },
];
