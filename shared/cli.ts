/**
 * `npm run user:add -- <email> <password> [--first-name F] [--last-name L] [--admin]` and
 * `npm run user:list`: manage the users of the database at `DB_PATH`. `--admin` makes the new
 * user an admin, who may manage every user from lesson 7 on (the only way to become one).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { database, DatabaseOpenError } from './db.ts';
import { DuplicateEmailError, InvalidEmailError, User } from './models/user.ts';
import { createUserRoleTable, grantRole } from './models/user-role.ts';

const usage = `usage: npm run user:add -- <email> <password> [--first-name F] [--last-name L] [--admin]
       npm run user:list`;

/**
 * Creates a user and returns it. An email already registered with this very password is
 * nothing to do (a pasted example that adds the demo user again goes on); with another
 * password it is an error.
 */
async function addUser(args: string[]): Promise<{ user: User; added: boolean }> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'first-name': { type: 'string' }, 'last-name': { type: 'string' }, admin: { type: 'boolean' } },
  });
  const [email, password, ...extra] = positionals;
  if (!email || !password || extra.length > 0) throw new UsageError('give exactly one email and one password');
  const [existing] = User.search({ email });
  if (existing) {
    if (await existing.isValidPassword(password)) return { user: existing, added: false };
    throw new UsageError(`${printable(email)} is already registered, with another password: nothing added`, false);
  }
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
  return { user, added: true };
}

/**
 * Text as it may go to a terminal: each control or invisible character (a newline that would
 * start a forged row, an escape sequence, a bidi override, a NUL that hides the rest) is shown
 * as a \u{hex} escape, and a backslash as two, so that each user is one line showing exactly
 * what is stored.
 */
function printable(text: string): string {
  return text.replace(/[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Cn}]/gu, (char) =>
    char === '\\' ? '\\\\' : `\\u{${char.codePointAt(0)!.toString(16)}}`,
  );
}

/** A mistake in the command line: one line, and the usage unless `showUsage` is false. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  database();
  if (command === 'add') {
    const { user, added } = await addUser(args);
    console.log(added ? user.id : `${printable(user.email ?? '')} is already registered, with this password: nothing to do`);
  } else if (command === 'list') {
    const users = User.all();
    for (const user of users) console.log(printable(`${user.id}  ${user.email}  ${user.displayName()}`));
    if (users.length === 0) console.log('no users (npm run user:add -- <email> <password>)');
  } else {
    throw new UsageError(`unknown command "${command ?? ''}"`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // One line, never the password: parseArgs and our own errors say what is wrong.
  const known = [UsageError, InvalidEmailError, DuplicateEmailError, DatabaseOpenError].some((kind) => error instanceof kind);
  const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (!known && !parseError) throw error;
  console.error(`error: ${(error as Error).message}`);
  if ((error instanceof UsageError && error.showUsage) || parseError) console.error(usage);
  process.exit(1);
}
