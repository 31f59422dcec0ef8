import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
/** Where the data lives: a SQLite file, or a PostgreSQL database. */
export type Storage =
  | { provider: "sqlite"; file: string }
  | { provider: "postgresql"; url: string };
import type { Logger } from "../log.js";
import type { Prisma, PrismaClient } from "../../generated/sqlite/client.js";
import { migratePostgres, migrateSqlite, type Provider } from "./migrate.js";
import { PgSql, SqliteSql, type Sql } from "./sql.js";

/**
 * Both generated clients come from the same schema.prisma, so their model APIs are the
 * same; the SQLite client's types stand for both.
 */
export type Client = PrismaClient;

/**
 * A transaction: Prisma's transaction client, and `sql` — typed statements run on the very
 * connection (and so inside the very transaction) Prisma opened.
 */
export type Tx = Prisma.TransactionClient & { readonly sql: Sql };

export interface Database {
  readonly provider: Provider;
  readonly client: Client;
  /** Runs `fn` in one transaction, retrying it when the database reports a transient conflict. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  log: Logger;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

const TX_OPTIONS = { maxWait: 20_000, timeout: 60_000 } as const;

/**
 * A process that stalls inside a transaction (stopped, a long GC, a network hang) must not
 * hold everyone else up: PostgreSQL ends a session left idle in a transaction after 5 s
 * (its locks go with it, its transaction rolls back), and a statement waits at most 2 s for
 * a row lock before it fails and the transaction is retried. No transaction of Liaison's
 * waits on anything but the database (messages are sent outside them), so neither fires in
 * normal work. Measured in BENCHMARKS.md §3.
 */
export const PG_SESSION = { lockTimeoutMs: 2000, idleInTransactionMs: 5000 } as const;
const MAX_TX_ATTEMPTS = 5;

// Prisma's error codes for conflicts worth retrying: P2034 (write conflict or deadlock),
// and the driver's busy/serialisation failures surfaced as P1008/P2028 timeouts.
function isTransient(error: unknown): boolean {
  const e = error as { code?: string; message?: string; meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } };
  if (e?.code === "P2034") return true;
  const cause = e?.meta?.driverAdapterError?.cause;
  if (cause?.kind === "TransactionWriteConflict") return true;
  // 55P03: lock_timeout — the row was held too long by a stalled transaction (see PG_SESSION).
  if (cause?.originalCode === "40001" || cause?.originalCode === "40P01" || cause?.originalCode === "55P03") return true;
  if (cause?.originalCode === "SQLITE_BUSY") return true;
  return /SQLITE_BUSY|deadlock detected|could not serialize access|lock timeout/i.test(e?.message ?? "");
}

/**
 * How a transaction finds its own driver connection: SQLite has one; on PostgreSQL the
 * transaction asks Prisma to run a probe naming a fresh token, the pool client that sees the
 * probe (see SharedPgFactory) is filed under that token, and the probe never reaches the
 * server.
 */
type Connection = (prismaTx: Prisma.TransactionClient) => Promise<Sql>;

const PROBE = "/* liaison:connection ";

function withRetries(client: Client, log: Logger, connection: Connection): Database["tx"] {
  return async (fn) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.$transaction(async (prismaTx) => {
          const sql = await connection(prismaTx);
          return fn(new Proxy(prismaTx, { get: (t, key, receiver) => (key === "sql" ? sql : Reflect.get(t, key, receiver)) }) as Tx);
        }, TX_OPTIONS);
      } catch (error) {
        if (attempt >= MAX_TX_ATTEMPTS || !isTransient(error)) throw error;
        log.debug({ attempt }, "transaction conflict, retrying");
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  };
}

/**
 * Wraps Prisma's better-sqlite3 adapter to set the pragmas a durable store needs and to
 * start transactions with BEGIN IMMEDIATE: a deferred BEGIN that later writes cannot wait
 * for another process's lock and fails with SQLITE_BUSY at once.
 */
class DurableSqliteFactory implements SqlDriverAdapterFactory {
  readonly provider = "sqlite" as const;
  readonly adapterName: string;
  readonly #inner: PrismaBetterSqlite3;
  /** Prepares on the one connection, once Prisma has opened it (our statements cache themselves). */
  prepare: ((sql: string) => BetterSqlite3.Statement) | undefined;

  constructor(file: string) {
    this.#inner = new PrismaBetterSqlite3({ url: file, timeout: 10_000 }, { timestampFormat: "unixepoch-ms" });
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.#inner.connect();
    const raw = (adapter as unknown as { client: BetterSqlite3.Database }).client;
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = FULL");
    raw.pragma("foreign_keys = ON");
    raw.pragma("busy_timeout = 10000");
    this.prepare = raw.prepare.bind(raw);
    raw.prepare = cachedPrepare(raw) as typeof raw.prepare;
    return adapter;
  }
}

/**
 * Wraps Prisma's pg adapter so that each transaction's pool client is known to the code
 * running inside it: statements of `tx.sql` then go over the same connection, in the same
 * transaction, one after another.
 */
class SharedPgFactory implements SqlDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName: string;
  /** Probe token → the pool client of the transaction that ran the probe. */
  readonly found = new Map<string, pg.PoolClient>();

  constructor(private readonly inner: PrismaPg) {
    this.adapterName = inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.inner.connect();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (...args) => {
      const transaction = await start(...args);
      const queryRaw = transaction.queryRaw.bind(transaction);
      transaction.queryRaw = async (query) => {
        if (!query.sql.startsWith(PROBE)) return queryRaw(query);
        this.found.set(query.sql.slice(PROBE.length, PROBE.length + 36), (transaction as unknown as { client: pg.PoolClient }).client);
        // Answered here: the probe never goes to the server. (0 is Prisma's Int32 column type.)
        return { columnNames: ["probe"], columnTypes: [0], rows: [[1]] } as Awaited<ReturnType<typeof queryRaw>>;
      };
      return transaction;
    };
    return adapter;
  }

  /** The pool client under this transaction: found by a probe that names a fresh token. */
  connection: Connection = async (prismaTx) => {
    const token = randomUUID();
    await prismaTx.$queryRawUnsafe(`${PROBE}${token} */ SELECT 1`);
    const client = this.found.get(token);
    this.found.delete(token);
    if (!client) throw new Error("the transaction's connection was not found");
    return new PgSql(client, pg.types);
  };
}

/**
 * The adapter prepares every statement anew; preparing is a good part of a small query's
 * cost. This keeps prepared statements (up to a bound) and hands the adapter a fresh
 * binding of the cached one each time — better-sqlite3 statements cannot be re-bound.
 */
function cachedPrepare(raw: BetterSqlite3.Database) {
  const prepare = raw.prepare.bind(raw);
  const cache = new Map<string, BetterSqlite3.Statement>();
  const LIMIT = 2000;
  return (sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
    } else {
      statement = prepare(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql);
      if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    const st = statement;
    const bound = (params: unknown[]) => ({
      reader: st.reader,
      columns: () => st.columns(),
      raw: () => ({ all: () => st.raw(true).all(...params) }),
      run: () => st.run(...params),
      all: () => st.raw(false).all(...params),
      get: () => st.raw(false).get(...params),
    });
    return {
      reader: st.reader,
      bind: (...args: unknown[]) => bound(args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args),
      run: (...args: unknown[]) => st.run(...args),
      columns: () => st.columns(),
    };
  };
}

async function loadClientClass(provider: Provider): Promise<new (options: object) => Client> {
  if (provider === "sqlite") {
    return (await import("../../generated/sqlite/client.js")).PrismaClient as never;
  }
  return (await import("../../generated/postgresql/client.js")).PrismaClient as never;
}

export function sqliteFile(storage: Extract<Storage, { provider: "sqlite" }>, cwd = process.cwd()): string {
  return resolve(cwd, storage.file);
}

/** Opens the database, applying any pending migrations first. */
export async function openDatabase(storage: Storage, options: OpenOptions): Promise<Database> {
  const { log } = options;
  let adapter: SqlDriverAdapterFactory;
  let pool: pg.Pool | undefined;
  let sqliteFactory: DurableSqliteFactory | undefined;
  let pgFactory: SharedPgFactory | undefined;
  if (storage.provider === "sqlite") {
    const file = sqliteFile(storage);
    mkdirSync(dirname(file), { recursive: true });
    migrateSqlite(file, log);
    adapter = sqliteFactory = new DurableSqliteFactory(file);
  } else {
    await migratePostgres(storage.url, log);
    pool = new pg.Pool({
      connectionString: storage.url,
      max: options.poolSize ?? 10,
      options: `-c lock_timeout=${PG_SESSION.lockTimeoutMs} -c idle_in_transaction_session_timeout=${PG_SESSION.idleInTransactionMs}`,
    });
    pool.on("error", (error) => log.warn({ err: error }, "idle PostgreSQL connection failed"));
    adapter = pgFactory = new SharedPgFactory(
      new PrismaPg(pool, {
        // Named statements let PostgreSQL reuse each query's plan on every connection.
        statementNameGenerator: (query) => `l${hashSql(query.sql)}`,
      }),
    );
  }
  const PrismaClientClass = await loadClientClass(storage.provider);
  // Minimal errors: a failed query's message never quotes its arguments (case content).
  const client = new PrismaClientClass({ adapter, errorFormat: "minimal" });
  await client.$connect();
  let sqlite: SqliteSql | undefined;
  if (sqliteFactory) {
    // Prisma connects lazily: make it open the one connection now, then share it.
    await client.$queryRawUnsafe("SELECT 1");
    sqlite = new SqliteSql(sqliteFactory.prepare!);
  }
  return {
    provider: storage.provider,
    client,
    tx: withRetries(client, log, sqlite ? async () => sqlite : pgFactory!.connection),
    async close() {
      await client.$disconnect();
      await pool?.end();
    },
  };
}

function hashSql(sql: string): string {
  return createHash("sha1").update(sql).digest("base64url").slice(0, 20);
}
