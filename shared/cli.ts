/**
 * `npm run user:add -- <email> <password> [--first-name F] [--last-name L] [--admin]` and
 * `npm run user:list`: manage the users of the database at `DB_PATH`. `--admin` makes the new
 * user an admin, who may manage every user from lesson 7 on (the only way to become one).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { database, DatabaseOpenError } from './db.ts';
import { DuplicateEmailError, User } from './models/user.ts';
import { createUserRoleTable, grantRole } from './models/user-role.ts';

const usage = `usage: npm run user:add -- <email> <password> [--first-name F] [--last-name L] [--admin]
       npm run user:list`;

/** Creates a user and returns it; throws on a taken email. */
async function addUser(args: string[]): Promise<User> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'first-name': { type: 'string' }, 'last-name': { type: 'string' }, admin: { type: 'boolean' } },
  });
  const [email, password, ...extra] = positionals;
  if (!email || !password || extra.length > 0) throw new UsageError('give exactly one email and one password');
  const user = new User();
  user.email = email;
  user.firstName = values['first-name'] ?? null;
  user.lastName = values['last-name'] ?? null;
  await user.setPassword(password);
  user.save();
  if (values.admin) {
    // The roles table belongs to lesson 7; an admin made before its first start needs it now.
    createUserRoleTable(database());
    grantRole(user.id, 'admin');
  }
  return user;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  database();
  if (command === 'add') {
    const user = await addUser(args);
    console.log(user.id);
  } else if (command === 'list') {
    const users = User.all();
    for (const user of users) console.log(`${user.id}  ${user.email}  ${user.displayName()}`);
    if (users.length === 0) console.log('no users (npm run user:add -- <email> <password>)');
  } else {
    throw new UsageError(`unknown command "${command ?? ''}"`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // One line, never the password: parseArgs and our own errors say what is wrong.
  const known = error instanceof UsageError || error instanceof DuplicateEmailError || error instanceof DatabaseOpenError;
  const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (!known && !parseError) throw error;
  console.error(`error: ${(error as Error).message}`);
  if (error instanceof UsageError || parseError) console.error(usage);
  process.exit(1);
}
