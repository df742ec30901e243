/**
 * What `npm run bench` measures, in order: each target, the ratio the issue asks it to keep,
 * how its load authenticates, and the stored sessions seeded for some; and the baseline that
 * every load target takes turns with.
 *
 * @module
 */
import { basicHeader } from '../checks/auth.ts';
import { lesson as curriculumLesson, lessonPaths, loginKind, type LoginKind } from '../lessons/curriculum.ts';
import type { LessonServer } from '../checks/server.ts';
import type { SeededUser } from '../checks/types.ts';
import { openDatabase } from '../shared/db.ts';

/** A ratio the issue asks for: req/s at least `min` times the baseline's, or times target `of`'s. */
export interface Goal {
  min: number;
  of?: string;
}

/** One row of the benchmark: a load test on a server, or the wall time of a command. */
export interface Target {
  /** For `--only` and the JSON: `lesson5-1m`. */
  name: string;
  /** For the table and the chart. */
  label: string;
  /** The server to start (`lessons/05-db-sessions/server.ts`); none for a command. */
  entry?: string;
  /** How each request authenticates: a Basic header, lesson 2's printed session id, or a login's cookie. */
  auth?: 'basic' | 'printed' | 'login';
  /** The session cookie's name (SESSION_NAME's default; lesson 7's is `__Host-` and that). */
  cookieName?: string;
  /** Load `POST /api/v1/auth_session/login` instead of `GET /api/v1/users/me`. */
  login?: boolean;
  /** Other sessions stored in the lesson's session table while it is measured. */
  sessions?: { count: number; table: SessionTable };
  goals?: Goal[];
  /** For a wall-time row: the arguments of `npm run`. */
  command?: string[];
  /**
   * Instances of the server loaded at once with the same cookie, sharing the first one's
   * database and Redis (lesson 8); the row's rate is per instance. Default 1.
   */
  instances?: number;
}

/** The session cookie's name of lessons 2 to 6 (SESSION_NAME's default). */
const defaultCookieName = '_my_session_id';

/** Bare Express: every load target is measured in rounds that take turns with it. */
export const baselineEntry = 'bench/baseline.ts';

/** The bench's name for each way the curriculum manifest says a client logs in. */
const authKinds: Partial<Record<LoginKind, Target['auth']>> = { basic: 'basic', printed: 'printed', form: 'login' };

/** Lesson `n`'s row, named and started as the curriculum manifest says. */
function lesson(n: number, more: Partial<Target> = {}): Target {
  const entry = curriculumLesson(n);
  const label = `lesson ${n}: ${entry.title}`;
  // The server runs with its own defaults; the manifest names the cookie those give (lesson 7).
  const cookieName = entry.env?.SESSION_NAME ?? defaultCookieName;
  return { name: `lesson${n}`, label, entry: lessonPaths(entry).server, auth: authKinds[loginKind(n)], cookieName, ...more };
}

/** Lessons 5 and 6 again, with `count` sessions in `table` (the measured one among them): the same goals and `more`. */
function stored(target: Target, table: SessionTable, count: number, more: Goal[] = []): Target {
  const short = count >= 1_000_000 ? '1m' : '1k';
  const label = `${target.label}, ${count.toLocaleString('en-US')} sessions`;
  return { ...target, name: `${target.name}-${short}`, label, sessions: { count, table }, goals: [...(target.goals ?? []), ...more] };
}

// The goals of issue 13, for an authenticated GET /api/v1/users/me ÷ bare Express.
const inMemory: Goal[] = [{ min: 0.85 }];
const lesson5 = lesson(5, { goals: [{ min: 0.8 }] });
const lesson6 = lesson(6, { goals: [{ min: 0.6 }] });

/** Every target, in run order. */
export const allTargets: readonly Target[] = [
  // scrypt on every request, on purpose: what sessions exist to avoid.
  lesson(1),
  lesson(2, { goals: inMemory }),
  lesson(3, { goals: inMemory }),
  lesson(4, { goals: inMemory }),
  lesson5,
  stored(lesson5, 'user_sessions', 1_000),
  // An indexed lookup should not slow down with 1,000 times the rows.
  stored(lesson5, 'user_sessions', 1_000_000, [{ min: 0.8, of: 'lesson5-1k' }]),
  lesson6,
  stored(lesson6, 'express_sessions', 1_000),
  stored(lesson6, 'express_sessions', 1_000_000),
  // Lesson 6 and, in front of it, the Host check, helmet, the cross-origin check and no-store.
  lesson(7, { goals: [{ min: 0.4 }, { min: 0.8, of: 'lesson6' }] }),
  // Lesson 7 with a Redis round trip or two on every request, and the same with two instances
  // sharing that Redis, loaded at once (the machine's cores are shared too).
  lesson(8, { goals: [{ min: 0.5 }] }),
  lesson(8, { name: 'lesson8-x2', label: 'lesson 8: Sessions in Redis, 2 instances at once, one cookie', instances: 2, goals: [{ min: 0.5 }] }),
  { ...lesson(3), name: 'login-lesson3', label: 'lesson 3: POST login (scrypt)', login: true },
  { name: 'check-lesson1', label: 'npm run check -- 1', command: ['check', '--', '1'] },
  { name: 'check-all', label: 'npm run check', command: ['check'] },
];

/**
 * The targets `--only` names (comma-separated; a trailing `*` matches a prefix), in run
 * order; throws on a name that matches none.
 *
 * @example
 * selectTargets('lesson2,lesson5*').map((t) => t.name);
 * // ['lesson2', 'lesson5', 'lesson5-1k', 'lesson5-1m']
 */
export function selectTargets(only: string | undefined): Target[] {
  if (!only) return [...allTargets];
  const patterns = only.split(',').map((name) => name.trim());
  const matches = (pattern: string, name: string) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);
  const unknown = patterns.find((pattern) => !allTargets.some((t) => matches(pattern, t.name)));
  if (unknown !== undefined) throw new Error(`--only: no target "${unknown}"; the targets: ${allTargets.map((t) => t.name).join(', ')}`);
  return allTargets.filter((t) => patterns.some((pattern) => matches(pattern, t.name)));
}

/**
 * Logs in as the course's form does and returns the `Cookie` header value it earned.
 *
 * @example
 * await logIn('http://127.0.0.1:5003', user); // '_my_session_id=...'
 */
export async function logIn(url: string, user: SeededUser, cookieName = defaultCookieName): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth_session/login`, {
    method: 'POST',
    // A URLSearchParams body is sent form-encoded, as the course's login form sends it.
    body: new URLSearchParams({ email: user.email, password: user.password }),
  });
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith(`${cookieName}=`));
  if (response.status !== 200 || !cookie) throw new Error(`login answered ${response.status} and no ${cookieName} cookie`);
  return cookie.split(';')[0]!;
}

/** The headers that authenticate `user` on a running lesson, obtained as its clients obtain them. */
export async function credentialFor(target: Target, server: LessonServer, user: SeededUser): Promise<Record<string, string>> {
  switch (target.auth) {
    case 'basic':
      return { authorization: basicHeader(user.email, user.password) };
    case 'printed': {
      // Lesson 2 has no login route: at start it prints a session id for the first user.
      const [, , sessionId] = await server.waitForLine(/^User with ID: (\S+) has a Session ID: (\S+)/);
      return { cookie: `${target.cookieName ?? defaultCookieName}=${sessionId}` };
    }
    case 'login':
      return { cookie: await logIn(server.url, user, target.cookieName) };
    default:
      return {};
  }
}

const template = (table: string) => `WITH RECURSIVE copies(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copies WHERE n < :copies),
  -- MATERIALIZED: each random hash is drawn once, not again wherever the query uses it.
  hashes AS MATERIALIZED (SELECT lower(hex(randomblob(32))) AS fresh FROM copies),
  template AS (SELECT * FROM ${table} LIMIT 1)`;

/** How to copy the one session a login stored, in the tables of lesson 5 and lesson 6. */
const copySessions = {
  user_sessions: `${template('user_sessions')}
    INSERT INTO user_sessions (id, user_id, session_hash, created_at, updated_at)
    SELECT 'seeded-' || fresh, :owner, fresh, created_at, updated_at FROM hashes, template ORDER BY fresh`,
  express_sessions: `${template('express_sessions')}
    INSERT INTO express_sessions (hash, data, expires_at)
    SELECT fresh, replace(data, :user, :owner), expires_at FROM hashes, template ORDER BY fresh`,
};

/** Where lesson 5 (`user_sessions`) and lesson 6 (`express_sessions`) store sessions. */
export type SessionTable = keyof typeof copySessions;

/**
 * Fills `table` up to `count` rows with copies of the one session a real login stored there,
 * each with a fresh random hash, owned by `owner` instead of `user`. Sorted by hash, the rows
 * extend the unique index at its end: 1,000,000 take a few seconds instead of half a minute.
 *
 * @example
 * seedSessions(dbPath, 'user_sessions', 1_000_000, { user: ada.id, owner: grace.id }); // 1000000
 */
export function seedSessions(dbPath: string, table: SessionTable, count: number, ids: { user: string; owner: string }): number {
  const db = openDatabase(dbPath);
  try {
    const rows = () => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    const existing = rows();
    if (existing !== 1) throw new Error(`${table} holds ${existing} rows, not the one session to copy`);
    db.prepare(copySessions[table]).run({ copies: count - 1, ...ids });
    // The server reads a compact file, not a WAL as large as the table.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return rows();
  } finally {
    db.close();
  }
}
