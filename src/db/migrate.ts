import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import type { Logger } from "../log.js";
import { migrationsDir } from "../paths.js";

/**
 * Applies the checked-in SQL migrations (Prisma's folder format, one folder per provider)
 * and records them in a `_prisma_migrations` table laid out as Prisma's own, so the
 * Prisma CLI sees the same history. Each migration runs in its own transaction; a
 * migration that was changed after it was applied stops start-up.
 */

export type Provider = "sqlite" | "postgresql";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

// The lock key Prisma Migrate itself uses, so `prisma migrate deploy` and this runner
// never apply migrations at the same time either.
const PG_ADVISORY_LOCK_KEY = 72707369;

export function loadMigrations(provider: Provider): Migration[] {
  const dir = migrationsDir(provider);
  const lock = readFileSync(join(dir, "migration_lock.toml"), "utf8");
  if (!lock.includes(`provider = "${provider}"`)) {
    throw new Error(`${dir}/migration_lock.toml does not name provider "${provider}"`);
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

function checkApplied(migration: Migration, applied: AppliedRow | undefined): boolean {
  if (!applied) return false;
  if (applied.checksum !== migration.checksum) {
    throw new Error(
      `migration ${migration.name} was changed after it was applied (checksum differs); ` +
        "add a new migration instead of editing an applied one",
    );
  }
  return true;
}

function warnAboutUnknown(known: Migration[], appliedNames: string[], log: Logger) {
  const names = new Set(known.map((m) => m.name));
  const unknown = appliedNames.filter((n) => !names.has(n));
  if (unknown.length > 0) {
    log.warn({ migrations: unknown }, "the database has migrations this version does not know; is it older than the database?");
  }
}

const SQLITE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** `upTo`: apply migrations up to and including that one only (to make a database as an earlier release left it). */
export function migrateSqlite(file: string, log: Logger, upTo?: string): string[] {
  const migrations = loadMigrations("sqlite").filter((m) => upTo === undefined || m.name <= upTo);
  const db = new Sqlite(file, { timeout: 30_000 });
  const done: string[] = [];
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(SQLITE_TABLE);
    const find = db.prepare<[string], AppliedRow>(
      `SELECT migration_name, checksum FROM "_prisma_migrations"
       WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    for (const migration of migrations) {
      // IMMEDIATE takes the write lock first, so two processes starting together queue
      // here and the second one finds the migration already applied.
      db.exec("BEGIN IMMEDIATE");
      try {
        if (!checkApplied(migration, find.get(migration.name))) {
          const started = Date.now();
          db.exec(migration.sql);
          db.prepare(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
          ).run(randomUUID(), migration.checksum, Date.now(), migration.name, started);
          done.push(migration.name);
        }
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    }
    const applied = db.prepare<[], { migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`).all();
    warnAboutUnknown(migrations, applied.map((r) => r.migration_name), log);
  } finally {
    db.close();
  }
  if (done.length > 0) log.info({ migrations: done }, "applied database migrations");
  return done;
}

const PG_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export async function migratePostgres(url: string, log: Logger, upTo?: string): Promise<string[]> {
  const migrations = loadMigrations("postgresql").filter((m) => upTo === undefined || m.name <= upTo);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const done: string[] = [];
  try {
    // Session-level advisory lock: a second process starting at the same moment waits
    // here, then finds every migration applied.
    await client.query("SELECT pg_advisory_lock($1)", [PG_ADVISORY_LOCK_KEY]);
    await client.query(PG_TABLE);
    for (const migration of migrations) {
      await client.query("BEGIN");
      try {
        const { rows } = await client.query<AppliedRow>(
          `SELECT migration_name, checksum FROM "_prisma_migrations"
           WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          [migration.name],
        );
        if (!checkApplied(migration, rows[0])) {
          const started = new Date();
          await client.query(migration.sql);
          await client.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
            [randomUUID(), migration.checksum, migration.name, started],
          );
          done.push(migration.name);
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
    const { rows } = await client.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
    warnAboutUnknown(migrations, rows.map((r) => r.migration_name), log);
    await client.query("SELECT pg_advisory_unlock($1)", [PG_ADVISORY_LOCK_KEY]);
  } finally {
    await client.end();
  }
  if (done.length > 0) log.info({ migrations: done }, "applied database migrations");
  return done;
}
