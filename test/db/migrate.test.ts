import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { loadMigrations, migratePostgres, migrateSqlite } from "../../src/db/migrate.js";
import { silentLogger } from "../../src/log.js";
import { createTempPostgres, type TempDatabase } from "../helpers/postgres.js";

describe("the migration runner", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  function tempSqlite() {
    const dir = mkdtempSync(join(tmpdir(), "liaison-migrate-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, "db.sqlite");
  }

  async function tempPg(): Promise<TempDatabase> {
    const db = await createTempPostgres("liaison_migrate");
    cleanups.push(() => db.drop());
    return db;
  }

  it("applies every migration once on SQLite and nothing on the second start", () => {
    const file = tempSqlite();
    expect(migrateSqlite(file, silentLogger)).toEqual(loadMigrations("sqlite").map((m) => m.name));
    expect(migrateSqlite(file, silentLogger)).toEqual([]);
  });

  it("keeps SQLite in WAL mode", () => {
    const file = tempSqlite();
    migrateSqlite(file, silentLogger);
    const db = new Sqlite(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("applies each migration exactly once when several processes start together on PostgreSQL", async () => {
    const db = await tempPg();
    const results = await Promise.all([1, 2, 3, 4].map(() => migratePostgres(db.url, silentLogger)));
    const applied = results.flat();
    expect(applied.sort()).toEqual(loadMigrations("postgresql").map((m) => m.name).sort());
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(`SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY 1`);
    await client.end();
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(rows).toHaveLength(loadMigrations("postgresql").length);
  });

  it("refuses to start when an applied migration was edited afterwards", () => {
    const file = tempSqlite();
    migrateSqlite(file, silentLogger);
    const db = new Sqlite(file);
    db.prepare(`UPDATE "_prisma_migrations" SET checksum = ? WHERE rowid = 1`).run("0".repeat(64));
    db.close();
    expect(() => migrateSqlite(file, silentLogger)).toThrowError(/was changed after it was applied/);
  });
});
