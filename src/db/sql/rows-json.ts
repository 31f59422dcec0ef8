import type { Dialect, RowsText } from "../sql.js";

/**
 * Many rows as one parameter: a JSON array of arrays, unpacked by the database itself, so a
 * multi-row insert or update is one statement whose text never changes (prepared once),
 * however many rows it carries. Rows keep their order (the ids an insert assigns follow it).
 */

export type ColumnType = "int" | "text" | "ts" | "bool";
export type Columns = readonly (readonly [column: string, type: ColumnType])[];

const PG_CAST: Record<ColumnType, string> = { int: "::int", text: "", ts: "::timestamp(3)", bool: "::boolean" };

/** `SELECT <the columns> FROM <the rows>` for `@rows`, each column under its own name. */
export function selectRows(d: Dialect, columns: Columns, param = "rows"): string {
  if (d === "sqlite") {
    // `->>` reads a member as json_extract does (SQL text, numbers, null), somewhat faster.
    const list = columns.map(([name], i) => `j.value ->> ${i} AS "${name}"`).join(", ");
    return `SELECT ${list} FROM json_each(@${param}) j ORDER BY j.key`;
  }
  // jsonb: each row is parsed once; on `json` every `->>` would parse the row's text again.
  const list = columns.map(([name, type], i) => `(j.v->>${i})${PG_CAST[type]} AS "${name}"`).join(", ");
  return `SELECT ${list} FROM jsonb_array_elements(@${param}::jsonb) WITH ORDINALITY AS j(v, n) ORDER BY j.n`;
}


/** `INSERT INTO table (columns) SELECT … FROM @rows`, with an optional tail (ON CONFLICT, RETURNING). */
export function insertRows(table: string, columns: Columns, tail = ""): RowsText {
  const names = columns.map(([c]) => `"${c}"`).join(", ");
  const make = (d: Dialect) => `INSERT INTO "${table}" (${names}) SELECT ${columns.map(([c]) => `x."${c}"`).join(", ")} FROM (${selectRows(d, columns)}) x WHERE true ${tail}`;
  return { sqlite: make("sqlite"), postgresql: make("postgresql"), values: { head: `INSERT INTO "${table}" (${names}) VALUES`, width: columns.length, tail } };
}

/**
 * `UPDATE table SET columns = the row's WHERE key matches`, for every row of `@rows` (the key
 * first); `also` adds assignments that are the same for every row.
 */
export function updateRows(table: string, key: readonly [string, ColumnType], columns: Columns, where = "", also = ""): Record<Dialect, string> {
  const all = [key, ...columns] as Columns;
  const sets = columns.map(([c]) => `"${c}" = x."${c}"`).join(", ") + (also ? `, ${also}` : "");
  return {
    sqlite: `UPDATE "${table}" SET ${sets} FROM (${selectRows("sqlite", all)}) AS x WHERE "${table}"."${key[0]}" = x."${key[0]}" ${where}`,
    postgresql: `UPDATE "${table}" SET ${sets} FROM (${selectRows("postgresql", all)}) AS x WHERE "${table}"."${key[0]}" = x."${key[0]}" ${where}`,
  };
}
