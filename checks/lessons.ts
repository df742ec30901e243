/**
 * The lesson registry: one line per lesson. The runner only runs lessons whose folder is in
 * the checkout, so a lesson's checks arrive with its folder (see checks/README.md).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuth, byAuthType, formLogin, noAuth, sessionFromStartupLine, type AuthStrategy } from './auth.ts';
import { browserChecksOf } from './browser-checks.ts';
import { checks as lesson00 } from './lesson-00.ts';
import { checks as lesson01 } from './lesson-01.ts';
import { checks as lesson02 } from './lesson-02.ts';
import { checks as lesson03 } from './lesson-03.ts';
import { checks as lesson04 } from './lesson-04.ts';
import { checks as lesson05 } from './lesson-05.ts';
import { checks as lesson06 } from './lesson-06.ts';
import { projectRoot } from './server.ts';
import type { Check, Env } from './types.ts';

/** What the runner knows about a lesson. */
export interface LessonEntry {
  /** 0 to 8. */
  number: number;
  /** As in the lesson's banner: `Basic auth`. */
  title: string;
  /** `lessons/01-basic-auth`. */
  folder: string;
  /** The lesson's server: `lessons/01-basic-auth/server.ts`. */
  server: string;
  /** The lesson's notes: `lessons/01-basic-auth/README.md`. */
  notes: string;
  /** What the server does with no environment set, e.g. `{ AUTH_TYPE: 'basic_auth' }`. */
  env: Env;
  /** How clients authenticate to this lesson's server, given its environment. */
  auth: (env: Env) => AuthStrategy;
  /** The checks of the claims this lesson's notes make. */
  checks: readonly Check[];
  /** Seed the users before the server starts (it reads them at start, like lesson 2). */
  seedBeforeStart?: boolean;
  /** Never run at the same time as another lesson (a shared resource, such as Redis). */
  serial?: boolean;
}

type Extra = Pick<LessonEntry, 'checks'> & Partial<Omit<LessonEntry, 'number' | 'title' | 'folder' | 'server' | 'notes'>>;

function lesson(number: number, title: string, folder: string, extra: Extra): LessonEntry {
  const path = `lessons/${folder}`;
  // The browser checks live in browser-checks.ts; each joins the list of the lesson whose notes make its claim.
  const checks = [...extra.checks, ...browserChecksOf(number)];
  return { number, title, folder: path, server: `${path}/server.ts`, notes: `${path}/README.md`, env: {}, auth: () => noAuth, ...extra, checks };
}

/** Every lesson the runner knows, in order (present in the checkout or not). */
export const lessons: readonly LessonEntry[] = [
  lesson(0, 'The users API', '00-users-api', { checks: lesson00 }),
  lesson(1, 'Basic auth', '01-basic-auth', { checks: lesson01, env: { AUTH_TYPE: 'basic_auth' }, auth: byAuthType({ basic_auth: basicAuth }) }),
  // Lesson 2 prints a session id for the first user at start: it reads the users then.
  lesson(2, 'Session auth', '02-session-auth', {
    checks: lesson02,
    env: { AUTH_TYPE: 'session_auth' },
    auth: byAuthType({ basic_auth: basicAuth, session_auth: sessionFromStartupLine }),
    seedBeforeStart: true,
  }),
  lesson(3, 'Session login and logout', '03-session-login', {
    checks: lesson03,
    env: { AUTH_TYPE: 'session_auth' },
    auth: byAuthType({ basic_auth: basicAuth, session_auth: formLogin }),
  }),
  lesson(4, 'Session expiry', '04-session-expiry', {
    checks: lesson04,
    env: { AUTH_TYPE: 'session_exp_auth' },
    auth: byAuthType({ basic_auth: basicAuth, session_auth: formLogin, session_exp_auth: formLogin }),
  }),
  lesson(5, 'Sessions in SQLite', '05-db-sessions', {
    checks: lesson05,
    env: { AUTH_TYPE: 'session_db_auth' },
    auth: byAuthType({ basic_auth: basicAuth, session_auth: formLogin, session_exp_auth: formLogin, session_db_auth: formLogin }),
  }),
  // Without SESSION_SECRET the server keeps a generated secret beside DB_PATH: each server the
  // runner starts has its own temporary folder, and variants sharing the database share it.
  lesson(6, 'express-session', '06-express-session', {
    checks: lesson06,
    env: { AUTH_TYPE: 'express_session' },
    auth: byAuthType({ basic_auth: basicAuth, session_auth: formLogin, session_exp_auth: formLogin, express_session: formLogin }),
  }),
];

/** The registered lessons whose server is in the checkout. */
export function presentLessons(): LessonEntry[] {
  return lessons.filter((entry) => existsSync(join(projectRoot, entry.server)));
}

/** The registry entry of lesson `number`, or undefined. */
export function lessonEntry(number: number): LessonEntry | undefined {
  return lessons.find((entry) => entry.number === number);
}
