import type BetterSqlite3 from "better-sqlite3";
import type pg from "pg";

/**
 * Typed SQL on the driver, inside the transaction Prisma opened. Prisma remains the schema,
 * the migrations and the one transaction; the statements the bot runs all the time (who is
 * calling, a case and its parts, timeline events, outbox rows, timers, claims) are written
 * here once per dialect and run on the very connection of that transaction, without an ORM
 * layer between (see docs/architecture.md for the measurements behind this).
 *
 * Parameters are named (`@name`) in both dialects; values may be strings, numbers, booleans,
 * null, Dates, and arrays or objects (sent as JSON text). Each statement says how to read
 * its rows, so both drivers hand back the same typed values.
 */

export type Dialect = "sqlite" | "postgresql";

/**
 * A multi-row insert SQLite runs as `INSERT … VALUES (…), (…)` in chunks of up to
 * VALUES_CHUNK rows — a statement per chunk size, prepared once — rather than unpacking JSON:
 * better-sqlite3 binds values natively, and measured on the outbox that is about twice as
 * fast (BENCHMARKS.md).
 */
export interface ValuesInsert {
  readonly head: string;
  readonly width: number;
  readonly tail: string;
}

export const VALUES_CHUNK = 64;

/** A multi-row insert's text per dialect (see sql/rows-json.ts), with the VALUES form for SQLite. */
export type RowsText = Record<Dialect, string> & { readonly values: ValuesInsert };

export type Param = string | number | boolean | null | Date | readonly unknown[] | Record<string, unknown>;
export type Params = Record<string, Param | undefined>;

export interface Statement<P extends Params, R> {
  readonly name: string;
  readonly text: Record<Dialect, string>;
  /** A multi-row insert of `@rows` that SQLite may run as VALUES lists instead (see sql/rows-json.ts). */
  readonly values?: ValuesInsert;
  /** A driver row (column name → value) as the caller wants it. */
  readonly read: (row: Record<string, unknown>) => R;
  /** Marker for the parameter type; never set. */
  readonly params?: P;
}

/** Declares a statement; `text` is one string when both dialects read it alike. */
export function statement<P extends Params, R = Record<string, unknown>>(
  name: string,
  text: string | Record<Dialect, string> | RowsText,
  read: (row: Record<string, unknown>) => R = (row) => row as R,
): Statement<P, R> {
  if (typeof text === "string") return { name, text: { sqlite: text, postgresql: text }, read };
  const values = "values" in text ? (text as RowsText).values : undefined;
  return { name, text: { sqlite: text.sqlite, postgresql: text.postgresql }, read, ...(values ? { values } : {}) };
}

export interface Sql {
  readonly dialect: Dialect;
  all<P extends Params, R>(s: Statement<P, R>, params: P): Promise<R[]>;
  one<P extends Params, R>(s: Statement<P, R>, params: P): Promise<R | undefined>;
  /** Runs a statement for its effect; returns the number of rows it changed. */
  run<P extends Params>(s: Statement<P, unknown>, params: P): Promise<number>;
}

// Reading values the same way from both drivers ------------------------------------------

/** A timestamp: SQLite keeps epoch milliseconds; PostgreSQL `timestamp(3)` holds UTC (inside JSON, without a zone). */
export function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === "number" || typeof v === "bigint") return new Date(Number(v));
  if (typeof v === "string") return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  throw new TypeError(`not a timestamp: ${typeof v}`);
}

export const toDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : toDate(v));
export const toInt = (v: unknown): number => Number(v);
export const toIntOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const toBool = (v: unknown): boolean => v === true || v === 1 || v === "1" || v === "t" || v === "true";
export const toStr = (v: unknown): string => String(v);
export const toStrOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** JSON built by the query: text from SQLite, already parsed by pg. */
export function toJson<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

// Running statements ----------------------------------------------------------------------

const PARAM = /@([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * SQLite keeps timestamps as epoch milliseconds, inside JSON parameters too. (A copy with
 * Dates turned into numbers, then a plain stringify: a replacer function costs several times
 * more on the multi-row parameters of a flood.)
 */
function millis(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return v.getTime();
  if (Array.isArray(v)) return v.map(millis);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = millis(x);
  return out;
}

function sqliteValue(v: Param | undefined): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "object") return JSON.stringify(millis(v));
  return v;
}

/** The text of a VALUES insert of `n` rows (see ValuesInsert). */
export function valuesText(v: ValuesInsert, n: number): string {
  const row = `(${Array.from({ length: v.width }, () => "?").join(", ")})`;
  return `${v.head} ${Array.from({ length: n }, () => row).join(", ")} ${v.tail}`;
}

/** A row's values as better-sqlite3 binds them. */
export const sqliteRow = (row: readonly unknown[]): unknown[] => row.map((x) => sqliteValue(x as Param));

/** Parameters as better-sqlite3 binds them (named, without the `@`). */
export function sqliteParams(params: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = sqliteValue(v);
  return out;
}

/** SQLite: better-sqlite3 on the one connection of the process, statements prepared once. */
export class SqliteSql implements Sql {
  readonly dialect = "sqlite" as const;
  readonly #prepared = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly prepare: (sql: string) => BetterSqlite3.Statement) {}

  #prepare(s: Statement<Params, unknown>): BetterSqlite3.Statement {
    let p = this.#prepared.get(s.name);
    if (!p) {
      p = this.prepare(s.text.sqlite);
      this.#prepared.set(s.name, p);
    }
    return p;
  }

  #bind(params: Params): Record<string, unknown> {
    return sqliteParams(params);
  }

  async all<P extends Params, R>(s: Statement<P, R>, params: P): Promise<R[]> {
    if (s.values && Array.isArray(params.rows)) return this.#values(s, params.rows as unknown[][], true).map(s.read);
    const rows = this.#prepare(s as Statement<Params, unknown>).all(this.#bind(params)) as Record<string, unknown>[];
    return rows.map(s.read);
  }

  /** A multi-row insert as VALUES lists, VALUES_CHUNK rows at a time; returns rows (RETURNING) or the count changed. */
  #values(s: Statement<Params, unknown>, rows: unknown[][], returning: true): Record<string, unknown>[];
  #values(s: Statement<Params, unknown>, rows: unknown[][], returning: false): number;
  #values(s: Statement<Params, unknown>, rows: unknown[][], returning: boolean): Record<string, unknown>[] | number {
    const v = s.values!;
    const out: Record<string, unknown>[] = [];
    let changed = 0;
    for (let i = 0; i < rows.length; i += VALUES_CHUNK) {
      const chunk = rows.slice(i, i + VALUES_CHUNK);
      const p = this.#prepareValues(s.name, v, chunk.length);
      const flat: unknown[] = [];
      for (const row of chunk) {
        if (row.length !== v.width) throw new TypeError(`${s.name}: a row of ${row.length} values for ${v.width} columns`);
        flat.push(...sqliteRow(row));
      }
      if (returning) out.push(...(p.all(flat) as Record<string, unknown>[]));
      else changed += p.reader ? p.all(flat).length : p.run(flat).changes;
    }
    return returning ? out : changed;
  }

  #prepareValues(name: string, v: ValuesInsert, n: number): BetterSqlite3.Statement {
    const key = `${name}#${n}`;
    let p = this.#prepared.get(key);
    if (!p) {
      p = this.prepare(valuesText(v, n));
      this.#prepared.set(key, p);
    }
    return p;
  }

  async one<P extends Params, R>(s: Statement<P, R>, params: P): Promise<R | undefined> {
    const row = this.#prepare(s as Statement<Params, unknown>).get(this.#bind(params)) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : s.read(row);
  }

  async run<P extends Params>(s: Statement<P, unknown>, params: P): Promise<number> {
    if (s.values && Array.isArray(params.rows)) return this.#values(s as Statement<Params, unknown>, params.rows as unknown[][], false);
    const p = this.#prepare(s as Statement<Params, unknown>);
    if (p.reader) return p.all(this.#bind(params)).length;
    return p.run(this.#bind(params)).changes;
  }
}

interface Compiled {
  text: string;
  names: string[];
  /** Parameters the statement reads as PostgreSQL arrays (`@ids::int[]`); other objects go as JSON. */
  arrays: Set<string>;
}

const compiledPg = new Map<string, Compiled>();

/** `@name` → `$n`, in order of first appearance. */
function compilePg(s: Statement<Params, unknown>): Compiled {
  let c = compiledPg.get(s.name);
  if (!c) {
    const names: string[] = [];
    const arrays = new Set<string>();
    for (const m of s.text.postgresql.matchAll(/@([A-Za-z_][A-Za-z0-9_]*)::\w+\[\]/g)) arrays.add(m[1]!);
    const text = s.text.postgresql.replace(PARAM, (_, name: string) => {
      let i = names.indexOf(name);
      if (i < 0) i = names.push(name) - 1;
      return `$${i + 1}`;
    });
    c = { text, names, arrays };
    compiledPg.set(s.name, c);
  }
  return c;
}

function pgValue(v: Param | undefined, asArray: boolean): unknown {
  if (v === undefined || v === null) return null;
  // timestamp(3) columns hold UTC: send an instant PostgreSQL reads as UTC whatever the server's zone.
  if (v instanceof Date) return v.toISOString();
  if (asArray && Array.isArray(v)) return v;
  if (typeof v === "object") return JSON.stringify(v);
  return v;
}

/** A statement as pg runs it: its name, `$n` text and positional values. */
export function pgQuery(s: Statement<Params, unknown>, params: Params): { name: string; text: string; values: unknown[] } {
  const c = compilePg(s);
  return { name: `lz_${s.name}`, text: c.text, values: c.names.map((n) => pgValue(params[n], c.arrays.has(n))) };
}

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** PostgreSQL types read as the rest of the code expects: timestamps as UTC, counts as numbers. */
const pgTypes = (fallback: typeof pg.types) => ({
  getTypeParser: (oid: number, format?: string) => {
    if (oid === TIMESTAMP_OID) return (v: string) => new Date(`${v.replace(" ", "T")}Z`);
    if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
    return fallback.getTypeParser(oid, format as "text");
  },
});

/** PostgreSQL: the pool client Prisma's transaction runs on, named statements prepared once per connection. */
export class PgSql implements Sql {
  readonly dialect = "postgresql" as const;
  readonly #types: ReturnType<typeof pgTypes>;

  constructor(
    private readonly client: pg.PoolClient,
    types: typeof pg.types,
  ) {
    this.#types = pgTypes(types);
  }

  async #query(s: Statement<Params, unknown>, params: Params): Promise<pg.QueryResult<Record<string, unknown>>> {
    return this.client.query({ ...pgQuery(s, params), types: this.#types });
  }

  async all<P extends Params, R>(s: Statement<P, R>, params: P): Promise<R[]> {
    return (await this.#query(s as Statement<Params, unknown>, params)).rows.map(s.read);
  }

  async one<P extends Params, R>(s: Statement<P, R>, params: P): Promise<R | undefined> {
    const row = (await this.#query(s as Statement<Params, unknown>, params)).rows[0];
    return row === undefined ? undefined : s.read(row);
  }

  async run<P extends Params>(s: Statement<P, unknown>, params: P): Promise<number> {
    return (await this.#query(s as Statement<Params, unknown>, params)).rowCount ?? 0;
  }
}
