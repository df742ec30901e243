/**
 * `npm run sql -- "select * from user_sessions"`: runs one query on the lessons' database
 * (`DB_PATH`) and prints the rows, so that the notes can show what the server stored without
 * asking for the `sqlite3` command-line tool. The database is opened read-only: a query can
 * look, never change anything.
 *
 * @module
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { loadConfig } from '../shared/config.ts';

/** The rows as aligned columns under a header line, then the number of rows. */
function formatRows(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (value: unknown) => (value === null ? 'NULL' : String(value));
  const table = [columns, ...rows.map((row) => columns.map((column) => cell(row[column])))];
  const widths = columns.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  const lines = table.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i]!))).join('  '));
  lines.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return lines.join('\n');
}

function main(argv: string[]): number {
  const [query, ...extra] = argv;
  if (!query || extra.length > 0) {
    console.error(`usage: npm run sql -- "select * from user_sessions"   (one query, in quotes)`);
    return 1;
  }
  const file = loadConfig().dbPath;
  if (!existsSync(file)) {
    console.error(`error: there is no database at ${file} yet: a lesson's server creates it when it starts`);
    return 1;
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const statement = db.prepare(query);
    if (!statement.reader) throw new Error('only a query that returns rows (select ...) can run here');
    const columns = statement.columns().map((column) => column.name);
    console.log(formatRows(statement.all() as Record<string, unknown>[], columns));
    return 0;
  } catch (error) {
    console.error(`error: ${file}: ${(error as Error).message}`);
    return 1;
  } finally {
    db?.close();
  }
}

process.exitCode = main(process.argv.slice(2));
