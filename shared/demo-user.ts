/**
 * The course's demo user, `bob@hbtn.io`, created by a lesson's server on an empty database so
 * that a learner goes from `npm run lesson:N` straight to a logged-in `curl`. `DEMO_USER=false`
 * turns it off, and it is never created with `NODE_ENV=production`.
 *
 * @module
 */
import { ConfigError } from './config.ts';
import { DuplicateEmailError, User } from './models/user.ts';

/**
 * The account every lesson's notes log in with. Its password is published in the course and
 * in every note: it protects nothing, which is why no production server may have it.
 */
export const demoUser = {
  email: 'bob@hbtn.io',
  password: 'H0lbertonSchool98!',
  firstName: 'Bob',
  lastName: 'Dylan',
} as const;

/**
 * Whether the server may create the demo user: `DEMO_USER` (`true`/`false`, `1`/`0`; empty
 * means yes), never with `NODE_ENV=production`. A {@link ConfigError} for any other value,
 * and for `DEMO_USER=true` in production, which asks for a known password on a real server.
 *
 * @example
 * demoUserWanted({}); // true
 * demoUserWanted({ DEMO_USER: 'false' }); // false
 * demoUserWanted({ NODE_ENV: 'production' }); // false
 */
export function demoUserWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.DEMO_USER ?? '';
  if (!['', 'true', '1', 'false', '0'].includes(value)) {
    throw new ConfigError(`DEMO_USER must be true or false, got "${value}"`);
  }
  const asked = value === 'true' || value === '1';
  if (env.NODE_ENV === 'production') {
    if (asked) throw new ConfigError('DEMO_USER=true is refused with NODE_ENV=production: its password is public');
    return false;
  }
  return value !== 'false' && value !== '0';
}

/**
 * Creates the demo user when the database has no user at all; true when it did. Two servers
 * starting on one empty database may both try: the second finds the email taken, and that is
 * fine.
 *
 * @example
 * if (await createDemoUserIfNoUsers()) console.log('created bob@hbtn.io');
 */
export async function createDemoUserIfNoUsers(): Promise<boolean> {
  if (User.count() > 0) return false;
  const user = Object.assign(new User(), { email: demoUser.email, firstName: demoUser.firstName, lastName: demoUser.lastName });
  await user.setPassword(demoUser.password);
  try {
    user.save();
    return true;
  } catch (error) {
    if (error instanceof DuplicateEmailError) return false;
    throw error;
  }
}
