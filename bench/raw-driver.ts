import Sqlite from "better-sqlite3";
import pg from "pg";
import { createHash } from "node:crypto";
import { PgSql, pgQuery, SqliteSql, sqliteParams, sqliteRow, valuesText, type Params, type Statement } from "../src/db/sql.js";
import { VALUES_CHUNK } from "../src/db/sql.js";
import { type Database } from "../src/db/database.js";

/**
 * The command path without Liaison: the same work hand-written on the raw driver (the
 * reference of the ratio), and Liaison's own recorded statements replayed on it (what
 * the statements cost without the code around them).
 */

export const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** The same rows the three commands write, with the raw driver. */
export function sqliteRaw(file: string, iterations: number): number[] {
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  const now = () => Date.now();
  db.prepare(`INSERT INTO organisation (code, kind, name, jurisdiction, time_zone, created_at, updated_at) VALUES ('HKPF','AGENCY','x','HK','UTC',?,?),('EXA','EXCHANGE','x','MT','UTC',?,?)`).run(now(), now(), now(), now());
  db.prepare(`INSERT INTO member (name, status, created_at, updated_at) VALUES ('alice','vetted',?,?),('bob','vetted',?,?)`).run(now(), now(), now(), now());
  const s = {
    counter: db.prepare(`INSERT INTO ref_counter (agency_id, year, last) VALUES (1, 2026, 1) ON CONFLICT (agency_id, year) DO UPDATE SET last = last + 1 RETURNING last`),
    caseRow: db.prepare(`INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, last_activity_at, head_hash, created_at, updated_at) VALUES (?,1,2,2026,?,?,'high','freeze','amber','OPEN','exchange',1,?,?,?,?)`),
    subject: db.prepare(`INSERT INTO case_subject (case_id, position, kind, chain, value, display) VALUES (?,0,'address','BTC',?,?)`),
    participant: db.prepare(`INSERT INTO case_participant (case_id, member_id, reason, paged_at, created_at) VALUES (?,?,?,?,?)`),
    event: db.prepare(`INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)`),
    head: db.prepare(`UPDATE "case" SET event_count = ?, head_hash = ? WHERE id = ?`),
    thread: db.prepare(`INSERT INTO case_thread (case_id, platform, channel_id, created_at) VALUES (?,'console','hk-exa',?)`),
    outbox: db.prepare(`INSERT INTO outbox (key, platform, kind, channel_id, case_id, order_key, payload, next_attempt_at, deadline_at, created_at) VALUES (?,'console','thread','hk-exa',?,?,?,?,?,?)`),
    timer: db.prepare(`INSERT INTO timer (kind, key, due_at, case_id, created_at, updated_at) VALUES (?,?,?,?,?,?) ON CONFLICT (key) DO NOTHING`),
    ack: db.prepare(`UPDATE "case" SET status = 'ACKNOWLEDGED', ack_at = ?, ack_by_id = 2, updated_at = ? WHERE id = ?`),
    cancel: db.prepare(`UPDATE timer SET state = 'cancelled' WHERE case_id = ? AND state = 'scheduled'`),
    load: db.prepare(`SELECT * FROM "case" WHERE ref = ?`),
  };
  const latencies: number[] = [];
  const payload = JSON.stringify({ blocks: [{ kind: "text", rich: [{ t: "text", v: "x".repeat(200) }] }] });
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    let caseId = 0;
    let ref = "";
    db.transaction(() => {
      const seq = Number((s.counter.get() as { last: number }).last);
      ref = `HKPF-2026-${String(seq).padStart(4, "0")}`;
      caseId = Number(s.caseRow.run(ref, seq, `Bench ${i}`, now(), "0".repeat(64), now(), now()).lastInsertRowid);
      s.subject.run(caseId, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1q");
      s.participant.run(caseId, 1, "opener", null, now());
      s.participant.run(caseId, 2, "oncall", now(), now());
      const h1 = hash(`1${ref}`);
      s.event.run(caseId, 1, now(), 1, "opened", payload, "0".repeat(64), h1);
      const h2 = hash(h1);
      s.event.run(caseId, 2, now(), 1, "paged", "{}", h1, h2);
      s.head.run(2, h2, caseId);
      s.thread.run(caseId, now());
      for (const k of ["card", "post", "dm"]) s.outbox.run(`${caseId}:${k}`, caseId, `t${caseId}`, payload, now(), now(), now());
      for (const k of ["level2", "level3", "reminder"]) s.timer.run(k, `${caseId}:${k}`, now() + 3600_000, caseId, now(), now());
    })();
    db.transaction(() => {
      s.load.get(ref);
      s.ack.run(now(), now(), caseId);
      s.cancel.run(caseId);
      s.timer.run("stale", `${caseId}:stale`, now() + 86_400_000, caseId, now(), now());
      s.event.run(caseId, 3, now(), 2, "acknowledged", "{}", "a", hash("3"));
      s.head.run(3, "b", caseId);
      s.outbox.run(`${caseId}:ack`, caseId, `t${caseId}`, payload, now(), now(), now());
      s.outbox.run(`${caseId}:ackcard`, caseId, `t${caseId}`, payload, now(), now(), now());
    })();
    db.transaction(() => {
      s.load.get(ref);
      s.event.run(caseId, 4, now(), 2, "note", '{"text":"wallet frozen pending order"}', "b", hash("4"));
      s.head.run(4, "c", caseId);
      s.outbox.run(`${caseId}:note`, caseId, `t${caseId}`, payload, now(), now(), now());
    })();
    latencies.push(performance.now() - t0);
  }
  db.close();
  return latencies;
}

export async function postgresRaw(url: string, iterations: number): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = (name: string, text: string, values: unknown[]) => client.query({ name, text, values });
  const now = () => new Date();
  await client.query(`INSERT INTO organisation (code, kind, name, jurisdiction, time_zone, created_at, updated_at) VALUES ('HKPF','AGENCY','x','HK','UTC',now(),now()),('EXA','EXCHANGE','x','MT','UTC',now(),now())`);
  await client.query(`INSERT INTO member (name, status, created_at, updated_at) VALUES ('alice','vetted',now(),now()),('bob','vetted',now(),now())`);
  const ids = (await client.query(`SELECT id FROM organisation ORDER BY id`)).rows.map((r) => r.id);
  const members = (await client.query(`SELECT id FROM member ORDER BY id`)).rows.map((r) => r.id);
  const payload = JSON.stringify({ blocks: [{ kind: "text", rich: [{ t: "text", v: "x".repeat(200) }] }] });
  const latencies: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await client.query("BEGIN");
    const seq = (await q("c", `INSERT INTO ref_counter (agency_id, year, last) VALUES ($1, 2026, 1) ON CONFLICT (agency_id, year) DO UPDATE SET last = ref_counter.last + 1 RETURNING last`, [ids[0]])).rows[0].last;
    const ref = `HKPF-2026-${String(seq).padStart(4, "0")}`;
    const caseId = (await q("k", `INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, last_activity_at, head_hash, created_at, updated_at) VALUES ($1,$2,$3,2026,$4,$5,'high','freeze','amber','OPEN','exchange',$6,$7,$8,$7,$7) RETURNING id`, [ref, ids[0], ids[1], seq, `Bench ${i}`, members[0], now(), "0".repeat(64)])).rows[0].id;
    await q("s", `INSERT INTO case_subject (case_id, position, kind, chain, value, display) VALUES ($1,0,'address','BTC',$2,$3)`, [caseId, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1q"]);
    await q("p", `INSERT INTO case_participant (case_id, member_id, reason, paged_at, created_at) VALUES ($1,$2,$3,$4,$5)`, [caseId, members[0], "opener", null, now()]);
    await q("p", `INSERT INTO case_participant (case_id, member_id, reason, paged_at, created_at) VALUES ($1,$2,$3,$4,$5)`, [caseId, members[1], "oncall", now(), now()]);
    await q("e", `INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [caseId, 1, now(), members[0], "opened", payload, "0".repeat(64), hash(ref)]);
    await q("e", `INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [caseId, 2, now(), members[0], "paged", "{}", hash(ref), hash("2")]);
    await q("h", `UPDATE "case" SET event_count = $1, head_hash = $2 WHERE id = $3`, [2, hash("2"), caseId]);
    await q("t", `INSERT INTO case_thread (case_id, platform, channel_id, created_at) VALUES ($1,'console','hk-exa',$2)`, [caseId, now()]);
    for (const k of ["card", "post", "dm"]) await q("o", `INSERT INTO outbox (key, platform, kind, channel_id, case_id, order_key, payload, next_attempt_at, deadline_at, created_at) VALUES ($1,'console','thread','hk-exa',$2,$3,$4,$5,$5,$5)`, [`${caseId}:${k}`, caseId, `t${caseId}`, payload, now()]);
    for (const k of ["level2", "level3", "reminder"]) await q("tm", `INSERT INTO timer (kind, key, due_at, case_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$5) ON CONFLICT (key) DO NOTHING`, [k, `${caseId}:${k}`, now(), caseId, now()]);
    await client.query("COMMIT");
    await client.query("BEGIN");
    await q("l", `SELECT * FROM "case" WHERE ref = $1 FOR UPDATE`, [ref]);
    await q("a", `UPDATE "case" SET status = 'ACKNOWLEDGED', ack_at = $1, ack_by_id = $2, updated_at = $1 WHERE id = $3`, [now(), members[1], caseId]);
    await q("x", `UPDATE timer SET state = 'cancelled' WHERE case_id = $1 AND state = 'scheduled'`, [caseId]);
    await q("tm", `INSERT INTO timer (kind, key, due_at, case_id, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$5) ON CONFLICT (key) DO NOTHING`, ["stale", `${caseId}:stale`, now(), caseId, now()]);
    await q("e", `INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [caseId, 3, now(), members[1], "acknowledged", "{}", "a", hash("3")]);
    await q("h", `UPDATE "case" SET event_count = $1, head_hash = $2 WHERE id = $3`, [3, "b", caseId]);
    await q("o", `INSERT INTO outbox (key, platform, kind, channel_id, case_id, order_key, payload, next_attempt_at, deadline_at, created_at) VALUES ($1,'console','thread','hk-exa',$2,$3,$4,$5,$5,$5)`, [`${caseId}:ack`, caseId, `t${caseId}`, payload, now()]);
    await q("o", `INSERT INTO outbox (key, platform, kind, channel_id, case_id, order_key, payload, next_attempt_at, deadline_at, created_at) VALUES ($1,'console','thread','hk-exa',$2,$3,$4,$5,$5,$5)`, [`${caseId}:ackcard`, caseId, `t${caseId}`, payload, now()]);
    await client.query("COMMIT");
    await client.query("BEGIN");
    await q("l", `SELECT * FROM "case" WHERE ref = $1 FOR UPDATE`, [ref]);
    await q("e", `INSERT INTO case_event (case_id, seq, at, actor_id, type, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, [caseId, 4, now(), members[1], "note", '{"text":"x"}', "b", hash("4")]);
    await q("h", `UPDATE "case" SET event_count = $1, head_hash = $2 WHERE id = $3`, [4, "c", caseId]);
    await q("o", `INSERT INTO outbox (key, platform, kind, channel_id, case_id, order_key, payload, next_attempt_at, deadline_at, created_at) VALUES ($1,'console','thread','hk-exa',$2,$3,$4,$5,$5,$5)`, [`${caseId}:note`, caseId, `t${caseId}`, payload, now()]);
    await client.query("COMMIT");
    latencies.push(performance.now() - t0);
  }
  await client.end();
  return latencies;
}

export type Recorded = { statement: Statement<Params, unknown>; params: Params }[];

/**
 * Records every typed statement Liaison runs, transaction by transaction (a transaction
 * starts with the caller's identity, which every command reads first).
 */
export function recorder(): { transactions: Recorded[]; stop: () => void } {
  const transactions: Recorded[] = [];
  const originals: [object, string, unknown][] = [];
  for (const proto of [SqliteSql.prototype, PgSql.prototype] as unknown as Record<string, (s: Statement<Params, unknown>, p: Params) => unknown>[]) {
    for (const method of ["all", "one", "run"]) {
      const original = proto[method]!;
      originals.push([proto, method, original]);
      proto[method] = function (this: unknown, s: Statement<Params, unknown>, p: Params) {
        if (s.name === "member_by_account" || transactions.length === 0) transactions.push([]);
        transactions.at(-1)!.push({ statement: s, params: p });
        return original.call(this, s, p);
      };
    }
  }
  return { transactions, stop: () => originals.forEach(([proto, method, original]) => ((proto as Record<string, unknown>)[method] = original)) };
}

/** Liaison's run, recorded: three transactions (open, ack, note) per operation. */
export const chunked = (rows: unknown[][]): unknown[][][] => {
  const out: unknown[][][] = [];
  for (let i = 0; i < rows.length; i += VALUES_CHUNK) out.push(rows.slice(i, i + VALUES_CHUNK));
  return out;
};

/** The raw driver replaying, on an identical database, exactly the statements and parameters Liaison ran. */
export function sqliteReplay(file: string, transactions: Recorded[]): number[] {
  const db = new Sqlite(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  const prepared = new Map<string, Sqlite.Statement>();
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const latencies: number[] = [];
  for (let i = 0; i < transactions.length; i += 3) {
    const t0 = performance.now();
    for (const tx of transactions.slice(i, i + 3)) {
      begin.run();
      for (const { statement, params } of tx) {
        // A multi-row insert goes as Liaison sends it: VALUES lists, VALUES_CHUNK rows each.
        const chunks = statement.values && Array.isArray(params.rows) ? chunked(params.rows as unknown[][]) : [null];
        for (const rows of chunks) {
          const name = rows ? `${statement.name}#${rows.length}` : statement.name;
          let p = prepared.get(name);
          if (!p) prepared.set(name, (p = db.prepare(rows ? valuesText(statement.values!, rows.length) : statement.text.sqlite)));
          const bound = rows ? rows.flatMap(sqliteRow) : sqliteParams(params);
          if (p.reader) p.all(bound);
          else p.run(bound);
        }
      }
      commit.run();
    }
    latencies.push(performance.now() - t0);
  }
  db.close();
  return latencies;
}

export async function postgresReplay(url: string, transactions: Recorded[]): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const latencies: number[] = [];
  for (let i = 0; i < transactions.length; i += 3) {
    const t0 = performance.now();
    for (const tx of transactions.slice(i, i + 3)) {
      await client.query("BEGIN");
      for (const { statement, params } of tx) await client.query(pgQuery(statement, params));
      await client.query("COMMIT");
    }
    latencies.push(performance.now() - t0);
  }
  await client.end();
  return latencies;
}
