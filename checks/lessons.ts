/**
 * The lesson registry: the curriculum manifest (lessons/curriculum.ts) with each lesson's
 * checks. The runner only runs lessons whose folder is in the checkout, so a lesson's checks
 * arrive with its folder (see checks/README.md).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lessonPaths, lessons as curriculum, loginKind, type Lesson, type LoginKind } from '../lessons/curriculum.ts';
import { basicAuth, formLogin, noAuth, nobodyCanLogIn, sessionFromStartupLine, type AuthStrategy } from './auth.ts';
import { browserChecksOf } from './browser-checks.ts';
import { checks as lesson00 } from './lesson-00.ts';
import { checks as lesson01 } from './lesson-01.ts';
import { checks as lesson02 } from './lesson-02.ts';
import { checks as lesson03 } from './lesson-03.ts';
import { checks as lesson04 } from './lesson-04.ts';
import { checks as lesson05 } from './lesson-05.ts';
import { checks as lesson06 } from './lesson-06.ts';
import { checks as lesson07 } from './lesson-07.ts';
import { checks as lesson08 } from './lesson-08.ts';
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
  /** The server has an admin role: the seeded users are admins (lesson 7 on). */
  adminRole?: boolean;
  /** Never run at the same time as another lesson (a shared resource, such as Redis). */
  serial?: boolean;
  /** The server keeps its sessions in Redis: the runner gives each fresh database a Redis of its own. */
  redis?: boolean;
}

/** How a check's client logs in, for each of the curriculum's kinds. */
const strategies: Record<LoginKind, AuthStrategy> = {
  none: noAuth,
  nobody: nobodyCanLogIn('with this AUTH_TYPE the server accepts no credentials (AUTH_TYPE=auth: the base class)'),
  basic: basicAuth,
  printed: sessionFromStartupLine,
  form: formLogin,
};

/** Each lesson's checks, by lesson number: a lesson's checks arrive with its folder. */
const checksByLesson: Readonly<Record<number, readonly Check[]>> = {
  0: lesson00,
  1: lesson01,
  2: lesson02,
  3: lesson03,
  4: lesson04,
  5: lesson05,
  6: lesson06,
  7: lesson07,
  8: lesson08,
};

/** The runner's view of a lesson of the curriculum manifest (lessons/curriculum.ts). */
function entryOf(lesson: Lesson): LessonEntry {
  const { folder, server, notes } = lessonPaths(lesson);
  const env: Env = lesson.authType === null ? {} : { AUTH_TYPE: lesson.authType, ...lesson.env };
  return {
    number: lesson.number,
    title: lesson.title,
    folder,
    server,
    notes,
    env,
    // The strategy follows the server's AUTH_TYPE, as the course's app.py picks the auth.
    auth: (serverEnv) => strategies[loginKind(lesson.number, serverEnv.AUTH_TYPE ?? lesson.authType)],
    // The browser checks live in browser-checks.ts; each joins the list of the lesson whose notes make its claim.
    checks: [...(checksByLesson[lesson.number] ?? []), ...browserChecksOf(lesson.number)],
    seedBeforeStart: lesson.readsUsersAtStart === true,
    adminRole: lesson.adminRole === true,
    redis: lesson.redis === true,
  };
}

/** Every lesson the runner knows, in order (present in the checkout or not). */
export const lessons: readonly LessonEntry[] = curriculum.map(entryOf);

/** The registered lessons whose server is in the checkout. */
export function presentLessons(): LessonEntry[] {
  return lessons.filter((entry) => existsSync(join(projectRoot, entry.server)));
}

/** The registry entry of lesson `number`, or undefined. */
export function lessonEntry(number: number): LessonEntry | undefined {
  return lessons.find((entry) => entry.number === number);
}
