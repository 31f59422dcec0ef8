import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { openDatabase } from "../../src/db/database.js";
import { loadCase } from "../../src/domain/cases/model.js";
import { verifyChain } from "../../src/domain/timeline.js";
import { silentLogger } from "../../src/log.js";
import { Bot, count, fastPolicyDir, sleep } from "../helpers/bot.js";
import { createTempPostgres, type TempDatabase } from "../helpers/postgres.js";

/**
 * Three bot processes on one PostgreSQL database escalate thirty critical cases while we
 * kill them (-9), stop them past their lease and let them go on, and cut every database
 * connection — then check: no escalation lost, none doubled, levels in order, every
 * timeline intact, every message sent in order per thread, attempt counts never reset.
 * Policy: critical ack 3 s, remind 2 s, level 2 at 5 s, level 3 at 9 s; leases of 2 s.
 */

const CASES = 30;
const SEED = `root: /ppp org add code:HKPF-CSTCB kind:agency name:"HK Police" jurisdiction:HK domains:police.gov.hk
root: /ppp org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example
alice: /liaison register org:HKPF-CSTCB role:liaison email:alice@police.gov.hk
bob: /liaison register org:EXA role:investigator email:bob@exa.example
lee: /liaison register org:EXA role:investigator email:lee@exa.example
root: /liaison vet @alice
root: /liaison vet @bob
root: /liaison vet @lee
root: /ppp oncall EXA @bob
root: /ppp leads EXA @lee
root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA
`;

describe("chaos on PostgreSQL", () => {
  const work = fastPolicyDir();
  let db: TempDatabase;
  const bots: Bot[] = [];
  afterAll(async () => {
    await Promise.all(bots.map((b) => b.kill9()));
    await db?.drop();
    work.cleanup();
  });

  it("loses and doubles no escalation through kills, stops and dropped connections", async () => {
    db = await createTempPostgres("liaison_chaos");
    const env = { DATABASE_URL: db.url, LIAISON_POLICY_FILE: work.policy, LIAISON_LEASE_SECONDS: "2", LIAISON_BOOTSTRAP_ADMINS: "console:root" };
    const start = () => {
      const b = new Bot(env, work.dir);
      bots.push(b);
      return b;
    };
    const seeder = start();
    seeder.send(SEED + Array.from({ length: CASES }, (_, i) => `alice@hk-exa: /case open title:"Chaos ${i}" exchange:EXA severity:critical type:freeze\n`).join(""));
    await seeder.finish();
    expect(count(seeder.stdout, /\(only alice\) Opened /)).toBe(CASES);

    const admin = new pg.Client({ connectionString: db.url });
    admin.on("error", () => {});
    await admin.connect();
    let live = [start(), start(), start()];
    const attempts = new Map<number, number>();
    let resets = 0;
    const sample = async () => {
      for (const row of (await admin.query<{ id: number; attempts: number }>(`SELECT id, attempts FROM timer`)).rows) {
        if ((attempts.get(row.id) ?? 0) > row.attempts) resets++;
        attempts.set(row.id, row.attempts);
      }
    };
    const actions = { killed: 0, stopped: 0, cut: 0 };
    const chaosUntil = Date.now() + 20_000;
    let turn = 0;
    while (Date.now() < chaosUntil) {
      await sleep(1200 + Math.random() * 600);
      await sample();
      const victim = live[Math.floor(Math.random() * live.length)]!;
      switch (turn++ % 3) {
        case 0:
          await victim.kill9();
          live = live.filter((b) => b !== victim).concat(start());
          actions.killed++;
          break;
        case 1:
          // Past its 2 s lease: others take its timers; its late commits must fail.
          victim.signal("SIGSTOP");
          await sleep(3500);
          victim.signal("SIGCONT");
          actions.stopped++;
          break;
        case 2:
          await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
          actions.cut++;
          break;
      }
    }
    // Let the survivors finish: every level-3 escalation is due 9 s after its page.
    const settleUntil = Date.now() + 60_000;
    for (;;) {
      await sample();
      const { rows } = await admin.query<{ n: number }>(
        `SELECT (SELECT COUNT(*) FROM timer WHERE kind IN ('level2', 'level3') AND state <> 'done')
              + (SELECT COUNT(*) FROM outbox WHERE state <> 'sent') AS n`,
      );
      if (Number(rows[0]!.n) === 0 || Date.now() > settleUntil) break;
      await sleep(500);
    }
    await Promise.all(live.map((b) => b.finish()));
    expect(actions.killed).toBeGreaterThanOrEqual(2);
    expect(actions.stopped).toBeGreaterThanOrEqual(2);
    expect(actions.cut).toBeGreaterThanOrEqual(2);

    // No escalation lost or doubled, and level 2 before level 3, for every case.
    const escalations = await admin.query<{ case_id: number; seq: number; level: number }>(
      `SELECT case_id, seq, (data::json->>'level')::int AS level FROM case_event WHERE type = 'escalated' ORDER BY case_id, seq`,
    );
    const byCase = new Map<number, number[]>();
    for (const e of escalations.rows) byCase.set(e.case_id, [...(byCase.get(e.case_id) ?? []), e.level]);
    expect(byCase.size).toBe(CASES);
    for (const levels of byCase.values()) expect(levels).toEqual([2, 3]);

    // Every timer finished; none left running or overdue; attempts only grew.
    const timers = await admin.query(`SELECT kind, state, COUNT(*)::int AS n FROM timer GROUP BY kind, state`);
    expect(timers.rows.filter((r) => r.state === "running")).toEqual([]);
    expect(timers.rows.filter((r) => (r.kind === "level2" || r.kind === "level3") && r.state !== "done")).toEqual([]);
    expect(resets).toBe(0);

    // Every message delivered, each case thread in the order it was written. (A person's DMs
    // about different cases come from different transactions and carry no order between them.)
    const outbox = await admin.query<{ id: number; order_key: string; state: string; sent_at: Date }>(`SELECT id, order_key, state, sent_at FROM outbox ORDER BY id`);
    expect(outbox.rows.filter((r) => r.state !== "sent")).toEqual([]);
    const lastSent = new Map<string, number>();
    for (const r of outbox.rows.filter((x) => x.order_key.startsWith("thread:"))) {
      const at = r.sent_at.getTime();
      expect(at).toBeGreaterThanOrEqual(lastSent.get(r.order_key) ?? 0);
      lastSent.set(r.order_key, at);
    }
    await admin.end();

    // Every timeline's hash chain is intact.
    const store = await openDatabase({ provider: "postgresql", url: db.url }, { log: silentLogger });
    const ids = await store.tx((tx) => tx.case.findMany({ select: { id: true } }));
    for (const { id } of ids) {
      const result = await store.tx(async (tx) => verifyChain(tx, (await loadCase(tx, { id }))!));
      expect(result.intact).toBe(true);
    }
    await store.close();
  });
});
