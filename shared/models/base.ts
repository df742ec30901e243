/**
 * The course's `Base` model: an id, two timestamps, and save / remove / get / search /
 * count / all, here stored in a SQLite table instead of a JSON file.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { prepared } from '../db.ts';

/** A table row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

/** What a model class tells `Base` about its table. */
export interface ModelClass<T extends Base> {
  new (): T;
  /** The SQLite table. */
  readonly table: string;
  /** Attribute name → column name, for every searchable attribute. */
  readonly columns: Readonly<Record<string, string>>;
}

/**
 * Formats a date as the course does in JSON: `YYYY-MM-DDTHH:MM:SS`, in UTC.
 *
 * @example
 * formatTimestamp(new Date('2017-09-28T21:05:31.123Z')); // '2017-09-28T21:05:31'
 */
export function formatTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** Every model has a random id and its creation and last-update times (UTC). */
export abstract class Base {
  /** A random UUID. */
  id: string = randomUUID();
  /** When the object was created. */
  createdAt: Date = new Date();
  /** When the object was last saved. */
  updatedAt: Date = new Date();
  /** Whether the object has a row yet (false until its first save). */
  protected stored = false;

  /** The columns of this object's row (model-specific ones, besides id and timestamps). */
  protected abstract toRow(): Row;
  /** Fills this object from a row (model-specific columns). */
  protected abstract fromRow(row: Row): void;

  /**
   * Inserts or updates this object's row and sets `updatedAt`.
   *
   * @example
   * user.firstName = 'Bob';
   * user.save();
   */
  save(): void {
    const model = this.constructor as unknown as ModelClass<this>;
    this.updatedAt = new Date();
    // A new object is created when it is first saved, as far as anyone reading it knows.
    if (!this.stored) this.createdAt = this.updatedAt;
    const row: Row = {
      ...this.toRow(),
      id: this.id,
      created_at: this.createdAt.toISOString(),
      updated_at: this.updatedAt.toISOString(),
    };
    const names = Object.keys(row);
    const updates = names.filter((name) => name !== 'id').map((name) => `${name} = excluded.${name}`);
    // Column names come from the model, never from a client; values are bound parameters.
    prepared(
        `INSERT INTO ${model.table} (${names.join(', ')}) VALUES (${names.map((n) => '@' + n).join(', ')})
         ON CONFLICT(id) DO UPDATE SET ${updates.join(', ')}`,
      )
      .run(row);
    this.stored = true;
  }

  /** Deletes this object's row. */
  remove(): void {
    const model = this.constructor as unknown as ModelClass<this>;
    prepared(`DELETE FROM ${model.table} WHERE id = ?`).run(this.id);
  }

  /**
   * The object with this id, or null.
   *
   * @example
   * User.get('9a9cf4c5-...'); // User | null
   */
  static get<T extends Base>(this: ModelClass<T>, id: string): T | null {
    const row = prepared(`SELECT * FROM ${this.table} WHERE id = ?`).get(id) as Row | undefined;
    return row ? load(this, row) : null;
  }

  /**
   * Every object whose attributes equal all those given (all objects for `{}`).
   *
   * @example
   * User.search({ email: 'bob@hbtn.io' }); // [User]
   */
  static search<T extends Base>(this: ModelClass<T>, attributes: Record<string, unknown> = {}): T[] {
    const where = Object.keys(attributes).map((name) => {
      // hasOwn: "toString" or "constructor" are not columns, even if every object has them.
      const column = Object.hasOwn(this.columns, name) ? this.columns[name] : undefined;
      if (!column) throw new TypeError(`${this.name} has no searchable attribute "${name}"`);
      return `${column} = @${name}`;
    });
    const sql = `SELECT * FROM ${this.table}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY created_at, id`;
    const rows = prepared(sql).all(attributes) as Row[];
    return rows.map((row) => load(this, row));
  }

  /** Every object of this model. */
  static all<T extends Base>(this: ModelClass<T>): T[] {
    return Base.search.call(this, {}) as T[];
  }

  /** How many objects of this model are stored. */
  static count<T extends Base>(this: ModelClass<T>): number {
    const row = prepared(`SELECT COUNT(*) AS n FROM ${this.table}`).get() as { n: number };
    return row.n;
  }
}

function load<T extends Base>(model: ModelClass<T>, row: Row): T {
  const object = new model();
  object.id = row.id as string;
  object.createdAt = new Date(row.created_at as string);
  object.updatedAt = new Date(row.updated_at as string);
  (object as unknown as { stored: boolean }).stored = true;
  (object as unknown as { fromRow(row: Row): void }).fromRow(row);
  return object;
}
