import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Bot, count, fastPolicyDir, sleep, queryDatabase } from "../helpers/bot.js";
import { createTempPostgres, type TempDatabase } from "../helpers/postgres.js";
import { PROVIDERS, type Provider } from "../helpers/harness.js";

/**
 * Real processes killed with SIGKILL at chosen points, then restarted on the same
 * database: nothing is lost, nothing is doubled — except a message the platform accepted
 * just before the kill, which may arrive once more, and only once.
 * Policy: critical ack 3s, remind 2s, level 2 at 5s, level 3 at 9s; leases of 2s.
 */

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
const OPEN = (n = 0) => `alice@hk-exa: /case open title:"Crash ${n}" exchange:EXA severity:critical type:freeze\n`;
const LEVEL2_DM = /\[dm @lee\] You are paged at escalation level 2/;

describe.each(PROVIDERS)("crashes on %s", (provider: Provider) => {
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

  let dbCounter = 0;
  async function freshDatabase(): Promise<string> {
    dbCounter++;
    if (provider === "sqlite") return `file:${work.dir}/crash-${dbCounter}.db`;
    await pgdb?.drop();
    pgdb = await createTempPostgres("liaison_crash");
    return pgdb.url;
  }

  function bot(url: string, faults?: string): Bot {
    const b = new Bot(
      { DATABASE_URL: url, LIAISON_POLICY_FILE: work.policy, LIAISON_LEASE_SECONDS: "2", LIAISON_BOOTSTRAP_ADMINS: "console:root", LIAISON_FAULTS: faults },
      work.dir,
    );
    bots.push(b);
    return b;
  }

  const query = queryDatabase;


  it("fires a timer that fell due while the bot was down, once", async () => {
    const url = await freshDatabase();
    const first = bot(url);
    first.send(SEED + OPEN());
    await first.waitFor(/Paging on-call investigators/);
    await first.kill9();
    await sleep(6000); // reminders at 2s and 4s and level 2 at 5s all fall due while it is down
    const second = bot(url);
    await second.waitFor(LEVEL2_DM);
    await sleep(500);
    await second.finish();
    const all = first.stdout + second.stdout;
    expect(count(all, LEVEL2_DM)).toBe(1);
    // Level 2 once (level 3, due at 9 s, may follow on a slow machine before the bot stops).
    const level2 = await query<{ n: number }>(url, `SELECT COUNT(*) AS n FROM "case_event" WHERE type = 'escalated' AND data LIKE '%"level":2,%'`);
    expect(Number(level2[0]!.n)).toBe(1);
    // The missed reminders (due at 2 s and 4 s) collapse into one: no two reminders fired
    // together, whatever the reminders that came later at their normal pace.
    const at = (await query<{ at: number | Date }>(url, `SELECT at FROM "case_event" WHERE type = 'reminder' ORDER BY seq`)).map((r) => new Date(r.at).getTime());
    expect(at.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(900);
  }, 40_000);

  it("rolls back a firing killed inside its transaction and fires it once after the restart", async () => {
    const url = await freshDatabase();
    const first = bot(url, "timer-fire");
    first.send(SEED + OPEN());
    await first.waitFor(/LIAISON_FAULT timer-fire/);
    await first.kill9();
    const second = bot(url);
    await second.waitFor(/\] Reminder\./);
    await second.finish();
    expect(count(first.stdout, /\] Reminder\./)).toBe(0);
    expect(count(second.stdout, /\] Reminder\./)).toBe(1);
    const reminders = await query<{ n: number }>(url, `SELECT COUNT(*) AS n FROM "case_event" WHERE type = 'reminder'`);
    expect(Number(reminders[0]!.n)).toBe(1);
    // The interrupted claim still counts: attempts only grow.
    const timer = await query<{ attempts: number; state: string }>(url, `SELECT attempts, state FROM "timer" WHERE key LIKE '%reminder:1'`);
    expect(timer[0]).toMatchObject({ state: "done" });
    expect(Number(timer[0]!.attempts)).toBe(2);
  }, 40_000);

  it("delivers a message accepted just before the kill at most once more", async () => {
    const url = await freshDatabase();
    const seeder = bot(url);
    seeder.send(SEED);
    await seeder.finish();
    const first = bot(url, "outbox-after-send");
    first.send(OPEN());
    await first.waitFor(/LIAISON_FAULT outbox-after-send/);
    await first.kill9();
    // The platform (here, the terminal) had the card when the process died.
    const CARD = /\[#hk-exa\] ┌ HKPF-CSTCB-\d{4}-0001 · Crash 0/;
    expect(count(first.stdout, CARD)).toBe(1);
    const second = bot(url);
    await second.waitFor(/Paging on-call investigators/);
    await sleep(300);
    await second.finish();
    // The one delivery in flight at the kill may be repeated once; nothing else is.
    expect(count(second.stdout, CARD)).toBeLessThanOrEqual(1);
    expect(count(first.stdout + second.stdout, /Paging on-call investigators/)).toBe(1);
    expect(count(first.stdout + second.stdout, /\[dm @bob\] You are paged:/)).toBe(1);
    const unsent = await query<{ n: number }>(url, `SELECT COUNT(*) AS n FROM "outbox" WHERE state <> 'sent'`);
    expect(Number(unsent[0]!.n)).toBe(0);
  }, 40_000);
});

describe("two bots on one postgresql database", () => {
  const work = fastPolicyDir();
  let db: TempDatabase;
  afterAll(async () => {
    await db?.drop();
    work.cleanup();
  });

  it("send each level-2 page exactly once in total for a dozen critical cases", async () => {
    db = await createTempPostgres("liaison_two");
    const env = { DATABASE_URL: db.url, LIAISON_POLICY_FILE: work.policy, LIAISON_LEASE_SECONDS: "2", LIAISON_BOOTSTRAP_ADMINS: "console:root" };
    const setup = new Bot(env, work.dir);
    setup.send(SEED);
    await setup.finish();
    const a = new Bot(env, work.dir);
    const b = new Bot(env, work.dir);
    a.send(Array.from({ length: 6 }, (_, i) => OPEN(i)).join(""));
    b.send(Array.from({ length: 6 }, (_, i) => OPEN(i + 6)).join(""));
    // Level 2 is due 5 s after each page; wait for all twelve, then a little longer for doubles.
    const started = Date.now();
    while (count(a.stdout + b.stdout, LEVEL2_DM) < 12 && Date.now() - started < 45_000) await sleep(100);
    await sleep(2000);
    await Promise.all([a.finish(), b.finish()]);
    const out = a.stdout + b.stdout;
    expect(count(out, /Opened HKPF-CSTCB-\d{4}-\d{4}\./)).toBe(12);
    expect(count(out, LEVEL2_DM)).toBe(12);
  }, 90_000);
});
