import { spawn } from "node:child_process";
import pg from "pg";
import PgBoss from "pg-boss";
import { openDatabase } from "../src/db/database.js";
import { silentLogger } from "../src/log.js";
import { createTempPostgres } from "../test/helpers/postgres.js";
import { seedPostgresBase, seedPostgresCases } from "./seed.js";
import { join } from "node:path";
import { projectRoot } from "../src/paths.js";

const WORKER = join(projectRoot, "dist", "bench", "scheduler-worker.js");

/** The PostgreSQL floods: Liaison's scheduler in one or several processes, and pg-boss moving the same number of jobs on the same server. */

export async function postgresFlood(n: number, processes: number): Promise<number> {
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

/** The same number of delayed jobs through pg-boss (v10), each doing one insert, fetched `batchSize` at a time. */
export async function pgBossFlood(n: number, batchSize: number): Promise<number> {
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
      void boss.work<{ i: number }>("escalate", { batchSize, pollingIntervalSeconds: 0.5 }, async (jobs) => {
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
