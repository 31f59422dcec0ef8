import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { openDatabase, type Database } from "../src/db/database.js";
import { bindingInclude, toBinding } from "../src/domain/bindings.js";
import { buildDigest } from "../src/domain/digest.js";
import { DEFAULT_POLICY } from "../src/domain/policy.js";
import { silentLogger } from "../src/log.js";
import { createTempPostgres } from "../test/helpers/postgres.js";
import { seedPostgresBase, seedSqliteBase } from "./seed.js";
import { percentile, type Figure } from "./stats.js";

/**
 * Benchmark 4: the weekly digest of a channel over 100,000 cases and 1,000,000 events
 * (ten per case, spread over a year; a fifth of the cases still open).
 */

const DAY = 86_400_000;
const TYPES = ["paged", "acknowledged", "note", "note", "escalated", "reminder", "handoff_offered", "note", "resolved", "closed"];

function sqliteBulk(file: string, cases: number, now: number) {
  const ids = seedSqliteBase(file);
  const db = new Sqlite(file);
  db.transaction(() => {
    const c = db.prepare(
      `INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, paged_at, ack_at, resolved_at, closed_at, escalation_level, last_activity_at, event_count, head_hash, created_at, updated_at)
       VALUES (?,?,?,2026,?,?,?,?,?,?,?,?,?,?,?,?,1,?,10,'h',?,?)`,
    );
    const e = db.prepare(`INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash) VALUES (?,?,?,NULL,?,'{}','p','h')`);
    const sev = ["critical", "high", "medium", "low"];
    for (let i = 1; i <= cases; i++) {
      const created = now - Math.floor((i / cases) * 365 * DAY);
      const open = i % 5 === 0;
      const ack = created + 600_000 + (i % 7) * 60_000;
      const id = Number(
        c.run(`HKPF-2026-${String(i).padStart(6, "0")}`, ids.agency, ids.exchange, i, `Case ${i}`, sev[i % 4], "freeze", "amber", open ? "IN_PROGRESS" : "CLOSED", "exchange", ids.root, created, ack, open ? null : ack + DAY, open ? null : ack + 2 * DAY, ack, created, created).lastInsertRowid,
      );
      for (let s = 1; s <= 10; s++) e.run(id, s, created + s * 3_600_000, TYPES[s - 1]);
    }
  })();
  db.close();
  return ids;
}

async function postgresBulk(url: string, cases: number, now: number) {
  const ids = await seedPostgresBase(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(
    `INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, paged_at, ack_at, resolved_at, closed_at, escalation_level, last_activity_at, event_count, head_hash, created_at, updated_at)
     SELECT 'HKPF-2026-' || lpad(i::text, 6, '0'), $1, $2, 2026, i, 'Case ' || i, (ARRAY['critical','high','medium','low'])[1 + i % 4], 'freeze', 'amber',
            CASE WHEN i % 5 = 0 THEN 'IN_PROGRESS' ELSE 'CLOSED' END, 'exchange', $3,
            t, t + interval '10 minutes' + (i % 7) * interval '1 minute',
            CASE WHEN i % 5 = 0 THEN NULL ELSE t + interval '1 day 10 minutes' END,
            CASE WHEN i % 5 = 0 THEN NULL ELSE t + interval '2 days 10 minutes' END,
            1, t, 10, 'h', t, t
       FROM (SELECT i, to_timestamp($4::double precision / 1000) - (i::double precision / $5) * interval '365 days' AS t FROM generate_series(1, $5) i) g`,
    [ids.agency, ids.exchange, ids.root, now, cases],
  );
  await c.query(
    `INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash)
     SELECT c.id, s, c.created_at + s * interval '1 hour', NULL, (ARRAY['paged','acknowledged','note','note','escalated','reminder','handoff_offered','note','resolved','closed'])[s], '{}', 'p', 'h'
       FROM "case" c, generate_series(1, 10) s`,
  );
  await c.query("ANALYZE");
  await c.end();
  return ids;
}

async function timeDigest(db: Database, runs: number): Promise<number> {
  const binding = await db.tx(async (tx) => toBinding(await tx.binding.findFirstOrThrow({ include: bindingInclude })));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await db.tx((tx) => buildDigest(tx, binding, new Date(), DEFAULT_POLICY));
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

export async function digestBench(options: { cases: number; runs: number }): Promise<Figure[]> {
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
  const figures: Figure[] = [];
  try {
    const file = join(dir, "digest.db");
    (await openDatabase({ provider: "sqlite", file }, { log: silentLogger })).close();
    sqliteBulk(file, options.cases, now);
    const db = await openDatabase({ provider: "sqlite", file }, { log: silentLogger });
    const ms = await timeDigest(db, options.runs);
    await db.close();
    figures.push({ name: `digest over ${options.cases.toLocaleString("en")} cases / ${(options.cases * 10).toLocaleString("en")} events, SQLite`, value: ms, unit: "ms", goal: "< 1 s", met: ms < 1000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const temp = await createTempPostgres("liaison_bench_digest");
  try {
    (await openDatabase({ provider: "postgresql", url: temp.url }, { log: silentLogger })).close();
    await postgresBulk(temp.url, options.cases, now);
    const db = await openDatabase({ provider: "postgresql", url: temp.url }, { log: silentLogger });
    const ms = await timeDigest(db, options.runs);
    await db.close();
    figures.push({ name: `digest over ${options.cases.toLocaleString("en")} cases / ${(options.cases * 10).toLocaleString("en")} events, PostgreSQL`, value: ms, unit: "ms", goal: "< 1 s", met: ms < 1000 });
  } finally {
    await temp.drop();
  }
  return figures;
}
