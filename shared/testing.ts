/**
 * Test helpers: a fresh temporary database, a user, and an app on a real port.
 *
 * @module
 */
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openDatabase, useDatabase, type Db } from './db.ts';
import { User } from './models/user.ts';
import { makeTempDir } from './temp-dir.ts';

/**
 * Opens a new SQLite file in a temporary folder and makes it the process's database; the
 * folder is removed when the process ends, even by a signal (see {@link makeTempDir}).
 *
 * @example
 * const { file } = useTemporaryDatabase();
 */
export function useTemporaryDatabase(): { db: Db; file: string } {
  const file = join(makeTempDir('sandbox-test-'), 'test.db');
  const db = openDatabase(file);
  useDatabase(db);
  return { db, file };
}

/**
 * Saves a user with this email and password.
 *
 * @example
 * const bob = await createUser('bob@hbtn.io', 'H0lbertonSchool98!');
 */
export async function createUser(email: string, password: string): Promise<User> {
  const user = new User();
  user.email = email;
  await user.setPassword(password);
  user.save();
  return user;
}

/**
 * Listens on a free port of 127.0.0.1; returns the base URL and a close function.
 *
 * @example
 * const { url, close } = await listen(createApp());
 * t.after(close);
 */
export async function listen(app: Express): Promise<{ url: string; close: () => void }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
