import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { ConsoleNotifier } from "../adapters/console/notifier.js";
import { systemClock } from "../src/clock.js";
import type { Invocation } from "../src/core/dispatch.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { silentLogger } from "../src/log.js";
import type { Delivery, DeliveryResult, Notifier } from "../src/model/delivery.js";
import { createCore } from "../src/runtime/app.js";
import { Mutex } from "../src/runtime/mutex.js";
import { OutboxWorker } from "../src/runtime/outbox.js";
import { Scheduler, SCHEDULER_BATCHES } from "../src/runtime/scheduler.js";
import { seedSqliteBase, seedSqliteCases } from "./seed.js";
import { percentile, type Figure } from "./stats.js";
import { postgresFlood, pgBossFlood } from "./scheduler-pg.js";

/**
 * Benchmark 3: N critical cases whose level-2 escalation falls due at the same moment.
 * - to the outbox: until every escalation (its event, thread post, card update and the
 *   lead's DM) is written — SQLite in process; PostgreSQL with 1 and 4 processes, beside
 *   pg-boss on the same server at its best batch size;
 * - delivered: 1,000 after downtime, until every message has been handed to the console
 *   notifier and marked sent, per-destination order checked;
 * - `/case open` latency while a flood is being fired and delivered;
 * - lateness of timers at idle.
 */

/** What the flood still has to do: level-2 steps due and not done, messages not yet sent. */
const LEFT = `SELECT (SELECT COUNT(*) FROM timer WHERE state IN ('scheduled', 'running') AND kind = 'level2' AND due_at <= unixepoch('subsec') * 1000)
  + (SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')) AS n`;


const BATCHES = SCHEDULER_BATCHES.sqlite;

async function sqliteSeeded(n: number, dueIn = -1000): Promise<{ file: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
  const file = join(dir, "bench.db");
  const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
  await db.close();
  const ids = seedSqliteBase(file);
  const now = Date.now();
  seedSqliteCases(file, ids, n, now - 20 * 60_000, now + dueIn);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function countLeadDms(file: string): number {
  const check = new Sqlite(file, { readonly: true });
  try {
    return (check.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE kind = 'dm' AND channel_id = 'lee'`).get() as { n: number }).n;
  } finally {
    check.close();
  }
}

/** Everything due fired into the outbox, in process. */
export async function sqliteFlood(n: number, batch: { claim: number; fire: number } = BATCHES): Promise<number> {
  const { file, cleanup } = await sqliteSeeded(n);
  try {
    const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: ["console"] });
    const scheduler = new Scheduler({ db, clock: systemClock, log: silentLogger, services: core.services, batch: batch.claim, fireBatch: batch.fire });
    const t0 = performance.now();
    await scheduler.drain(100_000);
    const ms = performance.now() - t0;
    await db.close();
    const dms = countLeadDms(file);
    if (dms !== n) throw new Error(`expected ${n} level-2 DMs, found ${dms}`);
    return ms;
  } finally {
    cleanup();
  }
}

/** The console notifier writing nowhere, recording the order each destination got its messages in. */
class RecordingConsole implements Notifier {
  readonly platform = "console" as const;
  readonly #inner = new ConsoleNotifier({ write: () => true });
  readonly order = new Map<string, number[]>();
  count = 0;
  async deliver(d: Delivery): Promise<DeliveryResult> {
    const where = d.thread ? `thread:${d.thread.id}` : `${d.kind}:${d.channelId}`;
    const list = this.order.get(where) ?? [];
    list.push(d.id);
    this.order.set(where, list);
    this.count++;
    return this.#inner.deliver(d);
  }
}

/**
 * N cases whose level-2 step fell due while the bot was down: the bot starts (scheduler and
 * delivery loops running as `npm start` runs them, console-style exclusive rounds) and the
 * clock stops when the last message is marked sent. Order per destination is checked.
 */
export async function deliveredFlood(n: number): Promise<{ ms: number; messages: number }> {
  const { file, cleanup } = await sqliteSeeded(n);
  try {
    const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const notifier = new RecordingConsole();
    const exclusive = new Mutex().run;
    const t0 = performance.now();
    const outbox = new OutboxWorker({ db, clock: systemClock, log: silentLogger, notifiers: [notifier], exclusive, parallel: false });
    const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: outbox.platforms, onCommitted: () => outbox.wake() });
    const scheduler = new Scheduler({ db, clock: systemClock, log: silentLogger, services: core.services, exclusive, onFired: () => outbox.wake() });
    outbox.start();
    scheduler.start();
    const raw = new Sqlite(file, { readonly: true });
    const left = raw.prepare(LEFT);
    while ((left.get() as { n: number }).n > 0) await new Promise((r) => setTimeout(r, 5));
    const ms = performance.now() - t0;
    await scheduler.stop();
    await outbox.stop();
    const sent = (raw.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'sent'`).get() as { n: number }).n;
    const rows = raw.prepare(`SELECT id, order_key FROM outbox ORDER BY id`).all() as { id: number; order_key: string }[];
    raw.close();
    await db.close();
    const byKey = new Map<string, number[]>();
    for (const r of rows) byKey.set(r.order_key, [...(byKey.get(r.order_key) ?? []), r.id]);
    const delivered = [...notifier.order.values()].flat();
    for (const ids of byKey.values()) {
      const got = delivered.filter((id) => ids.includes(id));
      if (got.join() !== ids.join()) throw new Error("a destination received its messages out of order");
    }
    if (countLeadDms(file) !== n || sent !== rows.length || notifier.count !== rows.length) {
      throw new Error(`expected ${n} lead DMs and every message sent once; sent ${sent} of ${rows.length}, delivered ${notifier.count}`);
    }
    return { ms, messages: rows.length };
  } finally {
    cleanup();
  }
}

function invocation(who: string, text: string): Invocation {
  const [name, channel] = who.split("@") as [string, string];
  return {
    platform: "console",
    account: { platform: "console", externalId: name, handle: name },
    channel: { platform: "console", id: channel, name: channel, direct: false },
    family: "case",
    input: { text, mentions: () => undefined },
  };
}

/**
 * `/case open` by the agency every 50 ms while N escalations are fired and delivered in the
 * same process (SQLite): the latency each open sees, dispatch to reply.
 */
export async function openDuringFlood(n: number): Promise<{ p50: number; p99: number; opens: number; floodMs: number }> {
  const { file, cleanup } = await sqliteSeeded(n);
  try {
    const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const notifier = new RecordingConsole();
    // Wired as startApp wires them (src/runtime/app.ts): on SQLite, commands go first.
    const yieldTo = () => core.dispatcher.idle();
    const outbox = new OutboxWorker({ db, clock: systemClock, log: silentLogger, notifiers: [notifier], yieldTo });
    const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: outbox.platforms, onCommitted: () => outbox.wake() });
    const scheduler = new Scheduler({ db, clock: systemClock, log: silentLogger, services: core.services, onFired: () => outbox.wake(), yieldTo });
    const raw = new Sqlite(file, { readonly: true });
    const left = raw.prepare(LEFT);
    const t0 = performance.now();
    outbox.start();
    scheduler.start();
    const latencies: number[] = [];
    const opens: Promise<void>[] = [];
    let i = 0;
    while ((left.get() as { n: number }).n > 0) {
      opens.push(
        (async (k: number) => {
          const s = performance.now();
          const reply = await core.dispatcher.dispatch(invocation("alice@hk-exa", `open title:"During ${k}" exchange:EXA severity:high type:freeze`));
          if (!JSON.stringify(reply.blocks).includes("Opened")) throw new Error(`open failed: ${JSON.stringify(reply.blocks).slice(0, 200)}`);
          latencies.push(performance.now() - s);
        })(i++),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    const floodMs = performance.now() - t0;
    await Promise.all(opens);
    await scheduler.stop();
    await outbox.stop();
    raw.close();
    await db.close();
    if (process.env.BENCH_SHOW) process.stderr.write(latencies.map((l) => l.toFixed(0)).join(" ") + "\n");
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), opens: latencies.length, floodMs };
  } finally {
    cleanup();
  }
}

async function lateness(count: number, spreadMs: number): Promise<{ p50: number; p99: number }> {
  const { file, cleanup } = await sqliteSeeded(count, 60_000);
  try {
    const raw = new Sqlite(file);
    const set = raw.prepare(`UPDATE timer SET due_at = ? WHERE id = ?`);
    const start = Date.now() + 1000;
    raw.transaction(() => {
      for (let i = 1; i <= count; i++) set.run(start + Math.floor((i / count) * spreadMs), i);
    })();
    raw.close();
    const db: Database = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: ["console"] });
    const scheduler = new Scheduler({ db, clock: systemClock, log: silentLogger, services: core.services });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 1000 + spreadMs + 2000));
    await scheduler.stop();
    const rows = await db.tx((tx) => tx.timer.findMany({ where: { state: "done", kind: "level2" }, select: { dueAt: true, updatedAt: true } }));
    await db.close();
    if (rows.length !== count) throw new Error(`only ${rows.length} of ${count} timers fired`);
    const late = rows.map((r) => r.updatedAt.getTime() - r.dueAt.getTime());
    return { p50: percentile(late, 50), p99: percentile(late, 99) };
  } finally {
    cleanup();
  }
}

export async function schedulerBench(options: { timers: number; delivered: number; runs: number; bossBatches: number[] }): Promise<Figure[]> {
  const n = options.timers;
  const med = async (fn: () => Promise<number>) => {
    const all: number[] = [];
    for (let i = 0; i < options.runs; i++) all.push(await fn());
    return percentile(all, 50);
  };
  const sqlite = await med(() => sqliteFlood(n));
  const delivered: { ms: number; messages: number }[] = [];
  for (let i = 0; i < options.runs; i++) delivered.push(await deliveredFlood(options.delivered));
  const dMs = percentile(delivered.map((d) => d.ms), 50);
  const during = await openDuringFlood(Math.min(n, 5000));
  const pg1 = await med(() => postgresFlood(n, 1));
  const pg4 = await med(() => postgresFlood(n, 4));
  const boss: { batch: number; ms: number }[] = [];
  for (const batch of options.bossBatches) boss.push({ batch, ms: await med(() => pgBossFlood(n, batch)).catch(() => NaN) });
  const best = boss.filter((b) => Number.isFinite(b.ms)).sort((a, b) => a.ms - b.ms)[0] ?? { batch: 0, ms: NaN };
  const late = await lateness(200, 5000);
  return [
    { name: `${n} escalations due at once → outbox, SQLite (1 process; claim ${BATCHES.claim}, fire ${BATCHES.fire} per transaction)`, value: sqlite / 1000, unit: "s", goal: "< 3 s", met: sqlite < 3000 },
    {
      name: `${options.delivered} escalations after downtime → delivered through the console notifier, SQLite`,
      value: dMs / 1000,
      unit: "s",
      goal: "< 5 s",
      met: dMs < 5000,
      note: `${delivered[0]!.messages} messages (thread post, card update, lead's DM each), order per destination checked`,
    },
    {
      name: `/case open every 50 ms while ${Math.min(n, 5000)} escalations are fired and delivered, SQLite, p99`,
      value: during.p99,
      unit: "ms",
      goal: "< 500 ms",
      met: during.p99 < 500,
      note: `p50 ${during.p50.toFixed(1)} ms over ${during.opens} opens; the flood took ${(during.floodMs / 1000).toFixed(1)} s`,
    },
    {
      name: `${n} escalations, PostgreSQL, 1 process (claim ${SCHEDULER_BATCHES.postgresql.claim}, fire ${SCHEDULER_BATCHES.postgresql.fire} per transaction)`,
      value: pg1 / 1000,
      unit: "s",
      baseline: { name: `pg-boss ${n} jobs (1 insert each), best batch ${best.batch}`, value: best.ms / 1000 },
      ratio: best.ms / pg1,
      goal: "≥ pg-boss at its best",
      met: pg1 <= best.ms,
      note: `pg-boss by batch size: ${boss.map((b) => `${b.batch}: ${(b.ms / 1000).toFixed(2)} s`).join(", ")}`,
    },
    { name: `${n} escalations, PostgreSQL, 4 processes`, value: pg4 / 1000, unit: "s", baseline: { name: "1 process", value: pg1 / 1000 }, ratio: pg1 / pg4, goal: "no slower than one", met: pg4 <= pg1 * 1.05 },
    { name: "timer lateness at idle, p50", value: late.p50, unit: "ms" },
    { name: "timer lateness at idle, p99", value: late.p99, unit: "ms", goal: "< 1 s", met: late.p99 < 1000 },
  ];
}
