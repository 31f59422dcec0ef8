import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Bot, count, fastPolicyDir, sleep, queryDatabase } from "../helpers/bot.js";
import { createTempPostgres, type TempDatabase } from "../helpers/postgres.js";
import { PROVIDERS, type Provider } from "../helpers/harness.js";

/**
 * The lease-token fence, shown by a worker that outlives its lease: it claims due timers,
 * is stopped (SIGSTOP) past its 2 s lease while another worker takes them over, then goes
 * on (SIGCONT) as if nothing happened. Its late completion must commit nothing, and every
 * step must still happen exactly once. It is stopped holding claims (both databases), and on
 * PostgreSQL also inside the firing transaction, holding its cases' row locks — the server
 * ends that session after 5 s idle, so the other worker is held up for a bounded time only.
 * Policy: critical ack 3 s, remind 2 s, level 2 at 5 s, level 3 at 9 s.
 */

const CASES = 4;
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
${Array.from({ length: CASES }, (_, i) => `alice@hk-exa: /case open title:"Stall ${i}" exchange:EXA severity:critical type:freeze`).join("\n")}
`;

/** Where the worker is stopped: holding claims (between transactions), or inside the firing transaction (PostgreSQL). */
type Point = "timer-claimed" | "timer-fire";
const CASES_RUN: [Provider, Point][] = [...PROVIDERS.map((p): [Provider, Point] => [p, "timer-claimed"]), ["postgresql", "timer-fire"]];

describe.each(CASES_RUN)("a worker stopped past its lease on %s at %s", (provider: Provider, point: Point) => {
  const work = fastPolicyDir();
  let pgdb: TempDatabase | undefined;
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.kill9()));
  });
  afterAll(async () => {
    await pgdb?.drop();
    work.cleanup();
  });

  function bot(url: string, faults?: string): Bot {
    const b = new Bot(
      { DATABASE_URL: url, LIAISON_POLICY_FILE: work.policy, LIAISON_LEASE_SECONDS: "2", LIAISON_BOOTSTRAP_ADMINS: "console:root", LIAISON_FAULTS: faults },
      work.dir,
    );
    bots.push(b);
    return b;
  }

  const query = queryDatabase;


  it("commits nothing of its late firing, and every step happens once", async () => {
    let url: string;
    if (provider === "sqlite") url = `file:${work.dir}/stall.db`;
    else url = (pgdb = await createTempPostgres("liaison_stall")).url;

    const seeder = bot(url);
    seeder.send(SEED);
    await seeder.waitFor(new RegExp(`Opened HKPF-CSTCB-\\d{4}-0*${CASES}\\b`));
    await seeder.finish();

    const stalled = bot(url, `${point}:pause`);
    await stalled.waitFor(new RegExp(`LIAISON_FAULT ${point}`), 20_000);
    stalled.signal("SIGSTOP");
    const other = bot(url);
    // Past the lease (2 s); inside a transaction, past the 5 s PostgreSQL allows a session idle in one.
    await sleep(point === "timer-claimed" ? 4000 : 7000);
    stalled.signal("SIGCONT");

    const until = Date.now() + 60_000;
    for (;;) {
      const [left] = await query<{ n: number }>(
        url,
        `SELECT COUNT(*) AS n FROM timer WHERE kind IN ('level2', 'level3') AND state <> 'done'`,
      );
      if (Number(left!.n) === 0 || Date.now() > until) break;
      await sleep(300);
    }
    // End of input: each delivers what is due, then exits (reminders go on while nobody acknowledges).
    await Promise.all([stalled.finish(), other.finish()]);

    // Its late completion was fenced (the token no longer matched), or inside its transaction
    // its session was ended by the server: either way it committed nothing.
    if (point === "timer-claimed") expect(stalled.stderr).toMatch(/lease lost/);

    // Each step exactly once per case: one reminder per reminder timer fired, levels 2 then 3.
    const events = await query<{ case_id: number; type: string; level: number | null }>(
      url,
      provider === "sqlite"
        ? `SELECT case_id, type, json_extract(data, '$.level') AS level FROM case_event WHERE type IN ('escalated', 'reminder') ORDER BY case_id, seq`
        : `SELECT case_id, type, (data::json->>'level')::int AS level FROM case_event WHERE type IN ('escalated', 'reminder') ORDER BY case_id, seq`,
    );
    const reminders = await query<{ case_id: number; n: number }>(url, `SELECT case_id, COUNT(*) AS n FROM timer WHERE kind = 'reminder' AND state = 'done' GROUP BY case_id`);
    const byCase = new Map<number, { levels: number[]; reminded: number }>();
    for (const e of events) {
      const entry = byCase.get(e.case_id) ?? { levels: [], reminded: 0 };
      if (e.type === "escalated") entry.levels.push(Number(e.level));
      else entry.reminded++;
      byCase.set(e.case_id, entry);
    }
    expect(byCase.size).toBe(CASES);
    for (const [caseId, entry] of byCase) {
      expect(entry.levels).toEqual([2, 3]);
      expect(entry.reminded).toBe(Number(reminders.find((r) => Number(r.case_id) === caseId)?.n ?? 0));
    }
    const timers = await query<{ state: string; n: number }>(url, `SELECT state, COUNT(*) AS n FROM timer GROUP BY state`);
    expect(timers.filter((t) => t.state === "running" || t.state === "dead")).toEqual([]);

    // Each lead page delivered once (a message is sent at least once; none was in flight here).
    const leadPages = count(stalled.stdout + other.stdout, /\[dm @lee\] You are paged at escalation level 2/);
    expect(leadPages).toBe(CASES);
  });
});
