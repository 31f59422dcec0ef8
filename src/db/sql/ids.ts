import { statement, toInt } from "../sql.js";

/**
 * Ids taken before the rows are written, so that a change is decided whole — its timeline,
 * its timers, its messages, all naming the new row — and written once. SQLite transactions
 * hold the database's write lock, so the next ids are the next ones; PostgreSQL hands them
 * out from the table's sequence.
 */
const next = (table: string) =>
  statement<{ n: number }, { id: number }>(`next_ids_${table}`, {
    sqlite: `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < @n)
      SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '${table}'), 0) + i AS id FROM k`,
    postgresql: `SELECT nextval(pg_get_serial_sequence('"${table}"', 'id'))::int AS id FROM generate_series(1, @n)`,
  }, (r) => ({ id: toInt(r.id) }));

export const nextCaseIds = next("case");
export const nextHandoffIds = next("handoff");
