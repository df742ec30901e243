/**
 * The SQLite database: opened once per process, schema created on open.
 *
 * @module
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from './config.ts';

/** An open better-sqlite3 connection. */
export type Db = Database.Database;

/** The database could not be opened; the message is one line that names the file. */
export class DatabaseOpenError extends Error {
  /** Names the error class in stack traces. */
  override name = 'DatabaseOpenError';
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    -- COLLATE NOCASE: Bob@hbtn.io and bob@hbtn.io are the same account. It folds ASCII
    -- only: the User model stores emails normalised (NFKC, lower case) for the rest.
    email TEXT UNIQUE COLLATE NOCASE,
    password TEXT,
    first_name TEXT,
    last_name TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
`;

/** How long a write waits for another connection's write lock before failing with SQLITE_BUSY. */
export const busyTimeoutMs = 5000;

/** Options of {@link openDatabase}. */
export interface OpenOptions {
  /** Wait this long for another connection's write lock (tests use a short one). */
  busyTimeoutMs?: number;
}

/**
 * Creates the database file readable and writable by its owner only (0600), and takes group
 * and other access away from an existing one and its -wal and -shm files: they hold the
 * password hashes. SQLite creates the -wal and -shm files with the database file's mode.
 */
function keepPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const { mode } = statSync(path);
      if (mode & 0o077) chmodSync(path, mode & 0o700);
    } catch {
      // Missing (no -wal yet), or another user's file: SQLite says what it can't do at open.
    }
  }
}

/**
 * Opens (and creates, with its folder) the SQLite database at `file`.
 *
 * @example
 * const db = openDatabase('/tmp/test.db');
 */
export function openDatabase(file: string = loadConfig().dbPath, options: OpenOptions = {}): Db {
  let db: Db | undefined;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true });
      keepPrivate(file);
    }
    db = new Database(file);
    // WAL: readers never block the writer, and several processes can share the file.
    db.pragma('journal_mode = WAL');
    // Wait for another process's write lock instead of failing at once with SQLITE_BUSY.
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? busyTimeoutMs}`);
    // With WAL, NORMAL survives a crash of the process (not of the machine) and is much faster.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    // A read-only file opens, and even reads, without an error, and would fail only at the
    // first login. A write that changes nothing makes it fail here, at start.
    db.exec('DELETE FROM users WHERE 0');
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatabaseOpenError(`cannot open the database ${file}: ${reason}`);
  }
}

let current: Db | undefined;

/** The process's database connection, opened from `DB_PATH` on first use. */
export function database(): Db {
  current ??= openDatabase();
  return current;
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The SQL compiled once per connection and reused: compiling a statement costs more than
 * running a lookup by index, so doing it on every request would be most of the work.
 *
 * @example
 * prepared('SELECT * FROM users WHERE id = ?').get(id);
 */
export function prepared(sql: string): Database.Statement {
  const db = database();
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/**
 * Makes `db` the process's connection (tests use their own temporary files).
 *
 * @example
 * useDatabase(openDatabase(join(tmpdir(), 'test.db')));
 */
export function useDatabase(db: Db): void {
  current = db;
}
