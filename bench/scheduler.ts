import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import PgBoss from "pg-boss";
import { systemClock } from "../src/clock.js";
import { openDatabase } from "../src/db/database.js";
import { silentLogger } from "../src/log.js";
import { createCore } from "../src/runtime/app.js";
import { Scheduler } from "../src/runtime/scheduler.js";
import { projectRoot } from "../src/paths.js";
import { createTempPostgres } from "../test/helpers/postgres.js";
import { seedPostgresBase, seedPostgresCases, seedSqliteBase, seedSqliteCases } from "./seed.js";
import { percentile, type Figure } from "./stats.js";

/**
 * Benchmark 3: N critical cases whose level-2 escalation falls due at the same moment:
 * time until every escalation (its event, thread post and the leads' DMs) is in the outbox.
 * SQLite in-process; PostgreSQL with 1 and 4 processes; pg-boss on the same database as a
 * peer figure; lateness of timers at idle.
 */

const WORKER = join(projectRoot, "dist", "bench", "scheduler-worker.js");

async function sqliteFlood(n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
  try {
    const file = join(dir, "bench.db");
    const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    await db.close();
    const ids = seedSqliteBase(file);
    const now = Date.now();
    seedSqliteCases(file, ids, n, now - 20 * 60_000, now - 1000);
    const db2 = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const core = createCore(db2, { clock: systemClock, log: silentLogger, platforms: ["console"] });
    const scheduler = new Scheduler({ db: db2, clock: systemClock, log: silentLogger, services: core.services });
    const t0 = performance.now();
    await scheduler.drain(100_000);
    const ms = performance.now() - t0;
    const check = new Sqlite(file, { readonly: true });
    const dms = (check.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'dm' AND channel_id = 'lee'`).get() as { n: number }).n;
    check.close();
    await db2.close();
    if (dms !== n) throw new Error(`expected ${n} level-2 DMs, found ${dms}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresFlood(n: number, processes: number): Promise<number> {
  const temp = await createTempPostgres("liaison_bench_sched");
  try {
    const db = await openDatabase({ provider: "postgresql", url: temp.url }, { log: silentLogger });
    await db.close();
    const ids = await seedPostgresBase(temp.url);
    const now = Date.now();
    await seedPostgresCases(temp.url, ids, n, new Date(now - 20 * 60_000), new Date(now - 1000));
    const workers = Array.from({ length: processes }, () =>
      spawn(process.execPath, [WORKER], { env: { ...process.env, DATABASE_URL: temp.url }, stdio: ["pipe", "pipe", "inherit"] }),
    );
    const outputs = workers.map((w) => {
      let out = "";
      w.stdout!.on("data", (d) => (out += d));
      return () => out;
    });
    const waitFor = async (pattern: RegExp) => {
      while (!outputs.every((o) => pattern.test(o()))) await new Promise((r) => setTimeout(r, 20));
    };
    await waitFor(/ready/);
    const t0 = performance.now();
    for (const w of workers) w.stdin!.write("go\n");
    await waitFor(/done/);
    const ms = performance.now() - t0;
    const c = new pg.Client({ connectionString: temp.url });
    await c.connect();
    const dms = Number((await c.query(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'dm' AND channel_id = 'lee'`)).rows[0].n);
    const doubled = Number((await c.query(`SELECT COUNT(*) AS n FROM (SELECT case_id FROM case_event WHERE type = 'escalated' GROUP BY case_id HAVING COUNT(*) > 1) x`)).rows[0].n);
    await c.end();
    if (dms !== n || doubled !== 0) throw new Error(`expected ${n} level-2 DMs and none doubled, found ${dms} and ${doubled} doubled`);
    return ms;
  } finally {
    await temp.drop();
  }
}

/** The same number of delayed jobs through pg-boss (v10), each doing one insert, as a peer. */
async function pgBossFlood(n: number): Promise<number> {
  const temp = await createTempPostgres("liaison_bench_boss");
  const boss = new PgBoss({ connectionString: temp.url, max: 4 });
  boss.on("error", () => {});
  try {
    await boss.start();
    await boss.createQueue("escalate");
    const c = new pg.Client({ connectionString: temp.url });
    await c.connect();
    await c.query(`CREATE TABLE effect (id serial primary key, job text)`);
    const startAfter = new Date(Date.now() - 1000);
    for (let i = 0; i < n; i += 1000) {
      await boss.insert(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: "escalate", data: { i: i + j }, startAfter })));
    }
    const t0 = performance.now();
    let done = 0;
    const finished = new Promise<void>((resolve) => {
      void boss.work<{ i: number }>("escalate", { batchSize: 100, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) await c.query(`INSERT INTO effect (job) VALUES ($1)`, [job.id]);
        done += jobs.length;
        if (done >= n) resolve();
      });
    });
    await finished;
    const ms = performance.now() - t0;
    await c.end();
    return ms;
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await temp.drop();
  }
}

/** Timers due over a few seconds, fired by the running loop: how late each one fires. */
async function lateness(count: number, spreadMs: number): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
  try {
    const file = join(dir, "bench.db");
    const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    await db.close();
    const ids = seedSqliteBase(file);
    const now = Date.now();
    seedSqliteCases(file, ids, count, now - 20 * 60_000, now + 60_000);
    const raw = new Sqlite(file);
    const set = raw.prepare(`UPDATE timer SET due_at = ? WHERE id = ?`);
    const start = Date.now() + 1000;
    raw.transaction(() => {
      for (let i = 1; i <= count; i++) set.run(start + Math.floor((i / count) * spreadMs), i);
    })();
    raw.close();
    const db2 = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const core = createCore(db2, { clock: systemClock, log: silentLogger, platforms: ["console"] });
    const scheduler = new Scheduler({ db: db2, clock: systemClock, log: silentLogger, services: core.services });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 1000 + spreadMs + 2000));
    await scheduler.stop();
    const rows = await db2.tx((tx) => tx.timer.findMany({ where: { state: "done", kind: "level2" }, select: { dueAt: true, updatedAt: true } }));
    await db2.close();
    if (rows.length !== count) throw new Error(`only ${rows.length} of ${count} timers fired`);
    const late = rows.map((r) => r.updatedAt.getTime() - r.dueAt.getTime());
    return { p50: percentile(late, 50), p99: percentile(late, 99) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function schedulerBench(options: { timers: number; runs: number }): Promise<Figure[]> {
  const n = options.timers;
  const med = async (fn: () => Promise<number>) => {
    const all: number[] = [];
    for (let i = 0; i < options.runs; i++) all.push(await fn());
    return percentile(all, 50);
  };
  const sqlite = await med(() => sqliteFlood(n));
  const pg1 = await med(() => postgresFlood(n, 1));
  const pg4 = await med(() => postgresFlood(n, 4));
  const boss = await med(() => pgBossFlood(n)).catch(() => NaN);
  const late = await lateness(200, 5000);
  return [
    { name: `${n} escalations due at once → outbox, SQLite (1 process)`, value: sqlite / 1000, unit: "s", goal: "< 5 s", met: sqlite < 5000 },
    { name: `${n} escalations, PostgreSQL, 1 process`, value: pg1 / 1000, unit: "s", baseline: { name: `pg-boss ${n} jobs (1 insert each)`, value: boss / 1000 }, ratio: boss / pg1 },
    { name: `${n} escalations, PostgreSQL, 4 processes`, value: pg4 / 1000, unit: "s", baseline: { name: "1 process", value: pg1 / 1000 }, ratio: pg1 / pg4, goal: "4 processes ≥ 2× one", met: pg1 / pg4 >= 2 },
    { name: "timer lateness at idle, p50", value: late.p50, unit: "ms" },
    { name: "timer lateness at idle, p99", value: late.p99, unit: "ms", goal: "< 1 s", met: late.p99 < 1000 },
  ];
}
