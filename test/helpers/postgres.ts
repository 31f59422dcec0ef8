import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Each test file gets its own PostgreSQL database, dropped afterwards. The server is
 * required: when it is unreachable the suite fails and says so, it never skips.
 */
export const PG_ADMIN_URL = process.env.LIAISON_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(error as Error).message}). ` +
        "The tests need a real PostgreSQL server; start it or set LIAISON_TEST_PG_URL.",
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TempDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTempPostgres(prefix = "liaison_test"): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
