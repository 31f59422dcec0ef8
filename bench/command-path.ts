import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../src/db/database.js";
import { ensureBootstrapCoordinators } from "../src/domain/members.js";
import { silentLogger } from "../src/log.js";
import { createCore } from "../src/runtime/app.js";
import { systemClock } from "../src/clock.js";
import type { Invocation } from "../src/core/dispatch.js";
import { createTempPostgres } from "../test/helpers/postgres.js";
import { percentile, printFigures, type Figure } from "./stats.js";
import { sqliteRaw, postgresRaw, recorder, sqliteReplay, postgresReplay, type Recorded } from "./raw-driver.js";

/**
 * Benchmark 1: `/case open` + `ack` + `note` through the dispatcher, against the raw driver
 * doing the same reads and writes: it replays, on an identical fresh database, every
 * statement Liaison ran with the same parameters, in the same transactions — Liaison's cost
 * above that is what its own layers add (dispatcher, parsing, deciding, Prisma's
 * transaction, rendering). The earlier baseline, the raw driver writing the rows only (no
 * identity, access or case reads, small payloads), is reported beside it.
 */

const SEED = [
  ["root", "ppp", 'org add code:HKPF kind:agency name:"HK Police" jurisdiction:HK domains:police.gov.hk'],
  ["root", "ppp", 'org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example'],
  ["alice", "liaison", "register org:HKPF role:liaison email:alice@police.gov.hk"],
  ["bob", "liaison", "register org:EXA role:investigator email:bob@exa.example"],
  ["root", "liaison", "vet @alice"],
  ["root", "liaison", "vet @bob"],
  ["root", "ppp", "oncall EXA @bob"],
  ["root@hk-exa", "ppp", "bind orgs:HKPF,EXA"],
] as const;

function invocation(who: string, family: string, text: string): Invocation {
  const [name, channel] = who.split("@") as [string, string | undefined];
  return {
    platform: "console",
    account: { platform: "console", externalId: name, handle: name },
    channel: { platform: "console", id: channel ?? "general", name: channel ?? "general", direct: false },
    family: family as Invocation["family"],
    input: { text, mentions: (w) => (/^@\w+$/.test(w) ? `console:${w.slice(1)}` : undefined) },
  };
}

/** The organisations and people every run starts from. */
async function seedOnly(db: Database) {
  const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: ["console"] });
  await db.tx((tx) => ensureBootstrapCoordinators(tx, [{ platform: "console", externalId: "root" }], new Date()));
  for (const [who, family, text] of SEED) await core.dispatcher.dispatch(invocation(who, family, text));
  return core;
}

/** `afterSeed`: called once the seed is in (the recorder forgets the seed's statements). */
export async function dispatcherRun(db: Database, iterations: number, afterSeed: () => void = () => {}): Promise<number[]> {
  const core = await seedOnly(db);
  afterSeed();
  const latencies: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const open = await core.dispatcher.dispatch(invocation("alice@hk-exa", "case", `open title:"Bench ${i}" exchange:EXA severity:high type:freeze subjects:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4`));
    const ref = /"v":"(HKPF-\d{4}-\d{4,})"/.exec(JSON.stringify(open.blocks))?.[1];
    if (!ref) throw new Error(`open failed: ${JSON.stringify(open.blocks)}`);
    await core.dispatcher.dispatch(invocation("bob@hk-exa", "case", `ack ${ref}`));
    await core.dispatcher.dispatch(invocation("bob@hk-exa", "case", `note ${ref} wallet frozen pending order`));
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

async function recordedRun(db: Database, iterations: number): Promise<{ latencies: number[]; transactions: Recorded[] }> {
  const rec = recorder();
  try {
    const latencies = await dispatcherRun(db, iterations, () => rec.transactions.splice(0));
    return { latencies, transactions: rec.transactions };
  } finally {
    rec.stop();
  }
}

interface Result {
  opsPerSec: number;
  p50: number;
  p99: number;
}

const summarise = (latencies: number[], totalMs: number): Result => ({
  opsPerSec: (latencies.length / totalMs) * 1000,
  p50: percentile(latencies, 50),
  p99: percentile(latencies, 99),
});

/** One transaction's statements as Liaison ran them: the statement and its parameters. */
interface Measured {
  liaison: Result;
  replay: Result;
  writesOnly: Result;
  statements: number;
}

/** Liaison, then the raw driver on an identical fresh database (same seed): replaying it, and writing only. */
async function measure(kind: "sqlite" | "postgresql", iterations: number): Promise<Measured> {
  const fresh = async <T>(fn: (db: Database, storage: { file?: string; url?: string }) => Promise<T>): Promise<T> => {
    if (kind === "sqlite") {
      const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
      const file = join(dir, "bench.db");
      const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
      try {
        return await fn(db, { file });
      } finally {
        await db.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const temp = await createTempPostgres("liaison_bench");
    const db = await openDatabase({ provider: "postgresql", url: temp.url }, { log: silentLogger });
    try {
      return await fn(db, { url: temp.url });
    } finally {
      await db.close().catch(() => {});
      await temp.drop();
    }
  };
  const { latencies, transactions } = await fresh((db) => recordedRun(db, iterations));
  const liaison = summarise(latencies, latencies.reduce((a, b) => a + b, 0));
  const replayLatencies = await fresh(async (db, where) => {
    await seedOnly(db);
    await db.close();
    return kind === "sqlite" ? sqliteReplay(where.file!, transactions) : postgresReplay(where.url!, transactions);
  });
  const writesLatencies = await fresh(async (db, where) => {
    await db.close();
    return kind === "sqlite" ? sqliteRaw(where.file!, iterations) : postgresRaw(where.url!, iterations);
  });
  return {
    liaison,
    replay: summarise(replayLatencies, replayLatencies.reduce((a, b) => a + b, 0)),
    writesOnly: summarise(writesLatencies, writesLatencies.reduce((a, b) => a + b, 0)),
    statements: transactions.reduce((n, t) => n + t.length, 0) / Math.max(1, iterations),
  };
}

/** Figures of the previous data path (commit f513898, BENCHMARKS.md), for the "≥ 5× today's" goal. */
export const BEFORE = { sqlite: 37.4, postgresql: 18.3 } as const;

export async function commandPathBench(options: { iterations: number; runs: number }): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const kind of ["sqlite", "postgresql"] as const) {
    const runs: Measured[] = [];
    for (let i = 0; i < options.runs; i++) runs.push(await measure(kind, options.iterations));
    const m = runs.sort((a, b) => a.liaison.opsPerSec / a.replay.opsPerSec - b.liaison.opsPerSec / b.replay.opsPerSec)[Math.floor(runs.length / 2)]!;
    const ratio = m.liaison.opsPerSec / m.replay.opsPerSec;
    const gain = m.liaison.opsPerSec / BEFORE[kind];
    figures.push(
      {
        name: `${kind}: open+ack+note throughput`,
        value: m.liaison.opsPerSec,
        unit: "ops/s",
        baseline: { name: "raw driver, same reads and writes", value: m.replay.opsPerSec },
        ratio,
        goal: "≥ 0.5× raw",
        met: ratio >= 0.5,
        note: `${m.statements.toFixed(1)} statements per op (3 transactions); raw driver writing only: ${m.writesOnly.opsPerSec.toFixed(0)} ops/s`,
      },
      { name: `${kind}: against the previous data path`, value: m.liaison.opsPerSec, unit: "ops/s", baseline: { name: "f513898", value: BEFORE[kind] }, ratio: gain, goal: "≥ 5×", met: gain >= 5 },
      { name: `${kind}: open+ack+note p50`, value: m.liaison.p50, unit: "ms", baseline: { name: "raw, same reads and writes", value: m.replay.p50 } },
      { name: `${kind}: open+ack+note p99`, value: m.liaison.p99, unit: "ms", baseline: { name: "raw, same reads and writes", value: m.replay.p99 } },
    );
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await commandPathBench({ iterations: Number(process.env.BENCH_ITERATIONS ?? 200), runs: Number(process.env.BENCH_RUNS ?? 3) });
  printFigures("Command path", figures);
}
