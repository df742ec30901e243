/**
 * The lesson registry: one line per lesson. The runner only runs lessons whose folder is in
 * the checkout, so a lesson's checks arrive with its folder (see checks/README.md).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuth, byAuthType, noAuth, type AuthStrategy } from './auth.ts';
import { checks as lesson00 } from './lesson-00.ts';
import { checks as lesson01 } from './lesson-01.ts';
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
  return { number, title, folder: path, server: `${path}/server.ts`, notes: `${path}/README.md`, env: {}, auth: () => noAuth, ...extra };
}

/** Every lesson the runner knows, in order (present in the checkout or not). */
export const lessons: readonly LessonEntry[] = [
  lesson(0, 'The users API', '00-users-api', { checks: lesson00 }),
  lesson(1, 'Basic auth', '01-basic-auth', { checks: lesson01, env: { AUTH_TYPE: 'basic_auth' }, auth: byAuthType({ basic_auth: basicAuth }) }),
];

/** The registered lessons whose server is in the checkout. */
export function presentLessons(): LessonEntry[] {
  return lessons.filter((entry) => existsSync(join(projectRoot, entry.server)));
}

/** The registry entry of lesson `number`, or undefined. */
export function lessonEntry(number: number): LessonEntry | undefined {
  return lessons.find((entry) => entry.number === number);
}
