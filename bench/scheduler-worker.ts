import { createInterface } from "node:readline";
import { systemClock } from "../src/clock.js";
import { openDatabase } from "../src/db/database.js";
import { silentLogger } from "../src/log.js";
import { createCore } from "../src/runtime/app.js";
import { Scheduler } from "../src/runtime/scheduler.js";

/**
 * One scheduler process for the multi-process benchmark: connects, says "ready", waits for
 * "go" on stdin, fires due timers until none are left, prints how many rounds it ran.
 */
const url = process.env.DATABASE_URL!;
const storage = url.startsWith("file:") ? { provider: "sqlite" as const, file: url.slice(5) } : { provider: "postgresql" as const, url };
const db = await openDatabase(storage, { log: silentLogger, poolSize: 4 });
const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: ["console"] });
const scheduler = new Scheduler({ db, clock: systemClock, log: silentLogger, services: core.services, ...(process.env.BENCH_BATCH ? { batch: Number(process.env.BENCH_BATCH) } : {}), ...(process.env.BENCH_FIRE_BATCH ? { fireBatch: Number(process.env.BENCH_FIRE_BATCH) } : {}) });
process.stdout.write("ready\n");
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (line.trim() === "go") break;
}
let fired = 0;
for (;;) {
  const n = await scheduler.runOnce();
  fired += n;
  if (n === 0) break;
}
process.stdout.write(`done ${fired}\n`);
await db.close();
process.exit(0);
