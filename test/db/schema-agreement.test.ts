import { readFileSync } from "node:fs";
import { join } from "node:path";
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { projectRoot } from "../../src/paths.js";
import { openTestDatabase, PROVIDERS, type TestDatabase } from "../helpers/harness.js";

/**
 * `prisma migrate` cannot run here, so the SQL migrations are written by hand. This test
 * is what keeps them honest: after applying them to an empty database, every table,
 * column (type, nullability, default), primary key, index and foreign key must be
 * exactly what schema.prisma describes — on SQLite and on PostgreSQL.
 */

interface DmmfField {
  name: string;
  dbName?: string;
  kind: string;
  type: string;
  isRequired: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: { name: string }[];
}

const schema = readFileSync(join(projectRoot, "prisma", "schema.prisma"), "utf8");
const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] }))) as {
  datamodel: { models: DmmfModel[]; indexes: DmmfIndex[] };
};

const TYPES: Record<string, { sqlite: string; postgresql: string }> = {
  Int: { sqlite: "INTEGER", postgresql: "integer" },
  BigInt: { sqlite: "BIGINT", postgresql: "bigint" },
  String: { sqlite: "TEXT", postgresql: "text" },
  DateTime: { sqlite: "DATETIME", postgresql: "timestamp(3) without time zone" },
  Boolean: { sqlite: "BOOLEAN", postgresql: "boolean" },
  Float: { sqlite: "REAL", postgresql: "double precision" },
  Bytes: { sqlite: "BLOB", postgresql: "bytea" },
};

interface Shape {
  columns: Record<string, { type: string; nullable: boolean; default: string | null }>;
  primaryKey: string[];
  uniques: string[];
  indexes: string[];
  foreignKeys: string[];
}

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (m: DmmfModel, field: string) => {
  const f = m.fields.find((x) => x.name === field)!;
  return f.dbName ?? f.name;
};

function expectedDefault(f: DmmfField, provider: "sqlite" | "postgresql"): string | null {
  if (!f.hasDefaultValue || typeof f.default === "object") return null; // autoincrement() etc.
  if (typeof f.default === "string") return provider === "sqlite" ? `'${f.default}'` : `'${f.default}'::text`;
  return String(f.default);
}

function expectedShapes(provider: "sqlite" | "postgresql"): Record<string, Shape> {
  const shapes: Record<string, Shape> = {};
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  for (const m of dmmf.datamodel.models) {
    const shape: Shape = { columns: {}, primaryKey: [], uniques: [], indexes: [], foreignKeys: [] };
    for (const f of m.fields) {
      if (f.kind === "scalar") {
        shape.columns[f.dbName ?? f.name] = {
          type: TYPES[f.type]![provider],
          nullable: !f.isRequired,
          default: expectedDefault(f, provider),
        };
      }
      if (f.kind === "object" && f.relationFromFields && f.relationFromFields.length > 0) {
        const target = models.get(f.type)!;
        const from = f.relationFromFields.map((x) => columnOf(m, x)).join(",");
        const to = f.relationToFields!.map((x) => columnOf(target, x)).join(",");
        const onDelete = (f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")).replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
        shape.foreignKeys.push(`${from}->${tableOf(target)}(${to}) ON DELETE ${onDelete}`);
      }
    }
    shapes[tableOf(m)] = shape;
  }
  for (const index of dmmf.datamodel.indexes) {
    const m = models.get(index.model)!;
    const cols = index.fields.map((f) => columnOf(m, f.name)).join(",");
    const shape = shapes[tableOf(m)]!;
    if (index.type === "id") shape.primaryKey = cols.split(",");
    else if (index.type === "unique") shape.uniques.push(cols);
    else shape.indexes.push(cols);
  }
  for (const s of Object.values(shapes)) {
    s.uniques.sort();
    s.indexes.sort();
    s.foreignKeys.sort();
  }
  return shapes;
}

async function sqliteShapes(db: Database): Promise<Record<string, Shape>> {
  const q = <T>(sql: string) => db.client.$queryRawUnsafe<T[]>(sql);
  const tables = await q<{ name: string }>(
    `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
  );
  const shapes: Record<string, Shape> = {};
  for (const { name } of tables) {
    const shape: Shape = { columns: {}, primaryKey: [], uniques: [], indexes: [], foreignKeys: [] };
    const cols = await q<{ name: string; type: string; notnull: number | bigint; dflt_value: string | null; pk: number | bigint }>(
      `PRAGMA table_info("${name}")`,
    );
    for (const c of cols) shape.columns[c.name] = { type: c.type, nullable: Number(c.notnull) === 0, default: c.dflt_value };
    shape.primaryKey = cols.filter((c) => Number(c.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((c) => c.name);
    for (const idx of await q<{ name: string; unique: number | bigint; origin: string }>(`PRAGMA index_list("${name}")`)) {
      if (idx.origin === "pk") continue;
      const info = await q<{ seqno: number | bigint; name: string }>(`PRAGMA index_info("${idx.name}")`);
      const colsOf = info.sort((a, b) => Number(a.seqno) - Number(b.seqno)).map((c) => c.name).join(",");
      (Number(idx.unique) ? shape.uniques : shape.indexes).push(colsOf);
    }
    for (const fk of await q<{ table: string; from: string; to: string; on_delete: string; seq: number | bigint; id: number | bigint }>(
      `PRAGMA foreign_key_list("${name}")`,
    )) {
      shape.foreignKeys.push(`${fk.from}->${fk.table}(${fk.to}) ON DELETE ${fk.on_delete}`);
    }
    shape.uniques.sort();
    shape.indexes.sort();
    shape.foreignKeys.sort();
    shapes[name] = shape;
  }
  return shapes;
}

async function postgresShapes(db: Database): Promise<Record<string, Shape>> {
  const q = <T>(sql: string) => db.client.$queryRawUnsafe<T[]>(sql);
  const shapes: Record<string, Shape> = {};
  const cols = await q<{ table_name: string; column_name: string; type: string; is_nullable: string; column_default: string | null }>(
    `SELECT c.table_name, c.column_name, format_type(a.atttypid, a.atttypmod) AS type, c.is_nullable, c.column_default
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name
      WHERE c.table_schema = current_schema() AND c.table_name <> '_prisma_migrations'`,
  );
  for (const c of cols) {
    const shape = (shapes[c.table_name] ??= { columns: {}, primaryKey: [], uniques: [], indexes: [], foreignKeys: [] });
    const serial = c.column_default?.startsWith("nextval(") ?? false;
    shape.columns[c.column_name] = { type: c.type, nullable: c.is_nullable === "YES", default: serial ? null : c.column_default };
  }
  const indexes = await q<{ table: string; primary: boolean; unique: boolean; columns: string }>(
    `SELECT t.relname AS table, ix.indisprimary AS primary, ix.indisunique AS unique,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
       FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`,
  );
  for (const i of indexes) {
    const shape = shapes[i.table]!;
    if (i.primary) shape.primaryKey = i.columns.split(",");
    else (i.unique ? shape.uniques : shape.indexes).push(i.columns);
  }
  const fks = await q<{ table: string; from: string; target: string; to: string; on_delete: string }>(
    `SELECT cl.relname AS table,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS from,
            tcl.relname AS target,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS to,
            CASE con.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS on_delete
       FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_class tcl ON tcl.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()`,
  );
  for (const fk of fks) shapes[fk.table]!.foreignKeys.push(`${fk.from}->${fk.target}(${fk.to}) ON DELETE ${fk.on_delete}`);
  for (const s of Object.values(shapes)) {
    s.uniques.sort();
    s.indexes.sort();
    s.foreignKeys.sort();
  }
  return shapes;
}

describe.each(PROVIDERS)("migrations on %s", (provider) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(provider);
  });
  afterAll(() => t?.cleanup());

  it("create exactly the tables, columns, keys and indexes schema.prisma describes", async () => {
    const actual = provider === "sqlite" ? await sqliteShapes(t.db) : await postgresShapes(t.db);
    expect(actual).toEqual(expectedShapes(provider));
  });

  it("are recorded in _prisma_migrations the way Prisma records them", async () => {
    const rows = await t.db.client.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: unknown }[]>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
    }
  });
});
