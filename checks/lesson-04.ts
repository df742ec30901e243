/**
 * Lesson 4's claims: sessions that expire. The checks run on a server started with a short
 * `SESSION_DURATION` or `SESSION_IDLE_TIMEOUT` (through `env`: lesson 3's server ignores both,
 * so there the checks fail because nothing expires), log in, and send the session cookie by
 * hand, as a client that ignores `Max-Age` would.
 *
 * `SESSION_DURATION` is a whole number of seconds: the course reads it with `int()`, so "1.5"
 * would mean no expiry at all on a faithful port. `SESSION_IDLE_TIMEOUT`, which the course does
 * not have, is shorter than a second, to keep the checks fast.
 *
 * Time, from the outside: the server stamps a session somewhere between the moment a request
 * left (`sent`) and the moment its answer came back (`received`). So a request must be
 * accepted only when its whole round trip was surely inside the lifetime, and refused only
 * when it was surely sent after it; what falls in between proves nothing either way. The
 * checks poll every {@link POLL_MS} instead of sleeping through a lifetime, and sleep only
 * to reach a moment that must be past it.
 *
 * @module
 */
import { expectError, expectStatus, fail } from './expect.ts';
import type { HttpClient, HttpResponse } from './http.ts';
import { expectUser, getWithCookie, logIn, ME, sleep, type Login } from './stories.ts';
import { COURSE, SECURE, SECURE_WARNING, type Check, type CheckContext, type SeededUser } from './types.ts';

/** The absolute lifetime of the duration checks, in whole seconds (the course's `int()`). */
const DURATION_SECONDS = 1;
const DURATION_MS = DURATION_SECONDS * 1000;
const durationEnv = { SESSION_DURATION: String(DURATION_SECONDS) };

/** The idle timeout of the idle check. */
const IDLE_SECONDS = 0.5;
const IDLE_MS = IDLE_SECONDS * 1000;
const idleEnv = { SESSION_IDLE_TIMEOUT: String(IDLE_SECONDS) };

/** Time between two uses of a session while a check keeps it busy. */
const POLL_MS = 100;

/**
 * Past a limit by this much, a request must be refused. Small, but not zero: a server that
 * writes its times to a database may round them (lesson 5 skips writes younger than 10 % of
 * the idle timeout, which makes a session end early, never late), and the course compares
 * with `<`, so a session is still alive at its very last instant.
 */
const LATE_MS = 25;

/** A use of the session is surely inside the idle timeout when the gap is at most this. */
const SAFE_IDLE_GAP_MS = IDLE_MS * 0.75;

/** How many times a timing check starts over when the machine was too slow to conclude. */
const ATTEMPTS = 3;

/** A request's answer with the wall-clock times around it. */
interface Timed {
  res: HttpResponse;
  sent: number;
  received: number;
}

async function timed(request: () => Promise<HttpResponse>): Promise<Timed> {
  const sent = Date.now();
  const res = await request();
  return { res, sent, received: Date.now() };
}

/** A login with the times around it. */
async function timedLogIn(
  ctx: CheckContext,
  client: HttpClient,
  user: SeededUser,
): Promise<Login & { sent: number; received: number }> {
  const sent = Date.now();
  const login = await logIn(ctx, client, user);
  return { ...login, sent, received: Date.now() };
}

/** `GET /api/v1/users/me` with only this session cookie, whatever the jar holds. */
function useSession(client: HttpClient, login: Login): Promise<Timed> {
  return timed(() => getWithCookie(client, ME, `${login.name}=${login.value}`));
}

/** Milliseconds, for messages: `1520 ms`. */
function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** Lesson 4's checks, in the order of its notes. */
export const checks: Check[] = [
  {
    id: 'L4-max-age',
    lesson: 4,
    claim: 'With `SESSION_DURATION`, the login cookie carries a `Max-Age` of at least that many seconds.',
    reference: 'RFC 6265bis §4.1.2.2',
    section: 'what-this-lesson-adds',
    // A warning: the notes' own point is that the server enforces expiry; Max-Age only lets a
    // well-behaved browser drop a dead cookie (L4-expired-replay is the requirement).
    profiles: SECURE_WARNING,
    env: durationEnv,
    until: {
      lesson: 6,
      reason: 'express-session writes the lifetime as Expires (login + SESSION_DURATION), never as Max-Age',
    },
    async run(ctx) {
      const login = await logIn(ctx, ctx.client(), await ctx.someUser());
      const maxAge = login.cookie.attributes['max-age'];
      if (typeof maxAge !== 'string' || !/^\d+$/.test(maxAge) || Number(maxAge) < DURATION_SECONDS) {
        const got = maxAge === undefined ? 'the cookie has no Max-Age' : `Max-Age=${String(maxAge)}`;
        fail(`${login.res.request} with SESSION_DURATION=${DURATION_SECONDS}: ${got}`, {
          expected: `Set-Cookie: ${login.name}=...; Max-Age=${DURATION_SECONDS}`,
          response: login.res,
          headers: ['set-cookie'],
        });
      }
      return `Max-Age=${maxAge} for SESSION_DURATION=${DURATION_SECONDS}`;
    },
  },
  {
    id: 'L4-session-duration',
    lesson: 4,
    claim:
      'With `SESSION_DURATION` in whole seconds, a session authenticates right after login, and once that many ' +
      'seconds have passed it is refused with 403 `{"error": "Forbidden"}`, as in the course\'s transcript.',
    reference: 'course',
    section: 'what-this-lesson-adds',
    profiles: COURSE,
    env: durationEnv,
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const login = await timedLogIn(ctx, client, user);
        const use = await useSession(client, login);
        // Inconclusive when the machine took most of the lifetime for the login and one request.
        if (use.received > login.sent + DURATION_MS - LATE_MS) continue;
        expectUser(use.res, user, `right after login, with SESSION_DURATION=${DURATION_SECONDS}`);
        // Past the lifetime whether it counts from login or, wrongly, from the last use
        // (which is L4-absolute-expiry's to catch).
        await sleep(use.received + DURATION_MS + LATE_MS - Date.now());
        const late = await useSession(client, login);
        expectError(
          late.res,
          403,
          'Forbidden',
          `${ms(late.sent - login.received)} after login, with SESSION_DURATION=${DURATION_SECONDS}`,
        );
        return `200 right after login, 403 after ${ms(late.sent - login.received)}`;
      }
      ctx.skip(
        `the machine was too slow: ${ATTEMPTS} times, a login and one request took most of ` +
          `SESSION_DURATION=${DURATION_SECONDS}`,
      );
    },
  },
  {
    id: 'L4-absolute-expiry',
    lesson: 4,
    claim: 'A session is refused `SESSION_DURATION` seconds after login, even while the client keeps using it.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'what-this-lesson-adds',
    profiles: SECURE,
    env: durationEnv,
    // Sessions that never expire, or at once, are L4-session-duration's to report.
    restsOn: 'L4-session-duration',
    async run(ctx) {
      const user = await ctx.someUser();
      // One client for every attempt: its replay is one curl cookie jar.
      const client = ctx.client();
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const login = await timedLogIn(ctx, client, user);
        let accepted = 0;
        // Keep using the session every POLL_MS until a request is surely past the lifetime.
        for (;;) {
          const use = await useSession(client, login);
          const age = use.sent - login.received;
          if (use.sent >= login.received + DURATION_MS + LATE_MS) {
            if (use.res.status === 200) {
              fail(
                `${use.res.request}: the session still works ${ms(age)} after login, with ` +
                  `SESSION_DURATION=${DURATION_SECONDS}, because it was used every ${POLL_MS} ms`,
                {
                  expected: '403 {"error": "Forbidden"}: the lifetime counts from login, not from the last use',
                  response: use.res,
                },
              );
            }
            expectError(use.res, 403, 'Forbidden', `${ms(age)} after login`);
            break;
          }
          if (use.received <= login.sent + DURATION_MS - LATE_MS) {
            expectUser(use.res, user, `${ms(age)} after login, within SESSION_DURATION=${DURATION_SECONDS}`);
          } else {
            // Around the end of the lifetime: either answer is right, anything else is not.
            expectStatus(use.res, [200, 403], `${ms(age)} after login, about when the session ends`);
          }
          if (use.res.status === 200) accepted += 1;
          await sleep(Math.min(POLL_MS, login.received + DURATION_MS + LATE_MS - Date.now()));
        }
        // When not one use was accepted, nothing proved that the session ever worked (a login
        // slower than the lifetime, on a busy machine, can do that): the story starts over.
        if (accepted > 0) return `used ${accepted} times, refused after ${ms(DURATION_MS)}`;
      }
      ctx.skip(`the machine was too slow: ${ATTEMPTS} times, not one use of the session was accepted before it ended`);
    },
  },
  {
    id: 'L4-idle-expiry',
    lesson: 4,
    claim:
      'With `SESSION_IDLE_TIMEOUT`, activity keeps the session alive past the timeout, and idleness longer than it ' +
      'ends the session.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'what-this-lesson-adds',
    profiles: SECURE,
    env: idleEnv,
    async run(ctx) {
      const user = await ctx.someUser();
      // One client for every attempt: its replay is one curl cookie jar.
      const client = ctx.client();
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const login = await timedLogIn(ctx, client, user);
        // Busy: a use every POLL_MS, for 1.5 timeouts.
        let previousSent = login.sent;
        let last: Timed | undefined;
        let inconclusive = false;
        while (Date.now() < login.received + IDLE_MS * 1.5) {
          await sleep(POLL_MS);
          const use = await useSession(client, login);
          // The longest the session can have been idle before the server saw this request.
          const gap = use.received - previousSent;
          if (use.res.status !== 200 && gap > SAFE_IDLE_GAP_MS) {
            inconclusive = true;
            break;
          }
          expectUser(
            use.res,
            user,
            `${ms(use.sent - login.received)} after login, used every ${POLL_MS} ms ` +
              `(SESSION_IDLE_TIMEOUT=${IDLE_SECONDS})`,
          );
          previousSent = use.sent;
          last = use;
        }
        if (inconclusive || !last) continue;
        // Idle: wait until the last use is surely more than a timeout ago, then one request.
        await sleep(last.received + IDLE_MS + LATE_MS - Date.now());
        const idle = await useSession(client, login);
        if (idle.res.status === 200) {
          fail(
            `${idle.res.request}: the session still works after ${ms(idle.sent - last.received)} of idleness, with ` +
              `SESSION_IDLE_TIMEOUT=${IDLE_SECONDS}`,
            {
              expected: '403 {"error": "Forbidden"}',
              response: idle.res,
            },
          );
        }
        expectError(idle.res, 403, 'Forbidden', `after ${ms(idle.sent - last.received)} idle`);
        return (
          `alive for ${ms(last.sent - login.received)} of use, refused after ${ms(idle.sent - last.received)} ` + `idle`
        );
      }
      ctx.skip(
        `the machine was too slow: ${ATTEMPTS} times, a use came more than ${ms(SAFE_IDLE_GAP_MS)} after the one ` +
          `before`,
      );
    },
  },
  {
    id: 'L4-expired-replay',
    lesson: 4,
    claim:
      'An expired cookie stays refused with 403 however often a client that ignores `Max-Age` replays it, a new ' +
      'login of the same user in between included.',
    reference: 'OWASP Session Management Cheat Sheet',
    section: 'why-the-server-enforces-expiry-not-the-cookie',
    profiles: SECURE,
    env: durationEnv,
    // The first refusal is L4-session-duration's claim: this one is about the ones after it.
    restsOn: 'L4-session-duration',
    async run(ctx) {
      const user = await ctx.someUser();
      const client = ctx.client();
      // Not used before it expires: what is tested is expiry itself, not its renewal.
      const old = await timedLogIn(ctx, client, user);
      await sleep(old.received + DURATION_MS + LATE_MS - Date.now());
      expectError((await useSession(client, old)).res, 403, 'Forbidden', 'the expired cookie, replayed');
      // A new login works meanwhile (so the server does not simply refuse everything)...
      let served = false;
      for (let attempt = 1; attempt <= ATTEMPTS && !served; attempt++) {
        const fresh = await timedLogIn(ctx, client, user);
        const use = await useSession(client, fresh);
        // A use that came most of SESSION_DURATION after the login may rightly be refused: again.
        if (use.received - fresh.sent > DURATION_MS * 0.75) continue;
        expectUser(use.res, user, 'a new session, between two replays');
        served = true;
      }
      if (!served) ctx.skip(`the machine was too slow: ${ATTEMPTS} times, a login and one request took most of SESSION_DURATION=${DURATION_SECONDS}`);
      // ...and the old cookie stays refused however often it comes back.
      for (let i = 2; i <= 3; i++) {
        const replay = await useSession(client, old);
        expectError(replay.res, 403, 'Forbidden', `replay ${i} of the expired cookie`);
      }
    },
  },
];
