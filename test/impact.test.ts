import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

const M = 60_000;
const H = 60 * M;

/** Impact triage (docs/contract.md §2): open cases ranked by what is at stake, with the reasons. */
describe.each(PROVIDERS)("impact triage on %s", (provider) => {
  let h: Harness;
  const refs: Record<"big" | "small" | "due", string> = { big: "", small: "", due: "" };
  /** The references of a list, in the order shown, and each line. */
  const listed = async (line: string) => {
    const lines = (await h.say(line)).filter((l) => l.includes("• "));
    return { order: lines.map((l) => /([A-Z0-9-]+-\d{4}-\d{4})/.exec(l)![1]!), lines };
  };
  const open = async (args: string) => {
    const out = await h.say(`alice@hk-exa: /case open exchange:EXA type:freeze ${args}`);
    return /Opened (\S+)\./.exec(out.join("\n"))![1]!;
  };

  beforeAll(async () => {
    h = await Harness.open(provider);
    expect((await h.say(SEED)).filter((l) => l.includes("error:"))).toEqual([]);
    refs.big = await open('title:"Big theft" severity:high amounts:"20 BTC = 2000000 USD" deadline:48h');
    refs.small = await open('title:"Ransom now" severity:critical amounts:"5000 USDT = 5000 USD"');
    refs.due = await open('title:"Court deadline" severity:high amounts:"3 ETH" deadline:7h');
  });
  afterAll(() => h?.close());

  it("shows the impact on the card with its reasons, never a bare number", async () => {
    const card = await h.text(`alice: /case show ${refs.big}`);
    expect(card).toContain("│ impact: 63: high · USD 2M at risk · deadline in 2d");
    expect(await h.text(`alice: /case show ${refs.due}`)).toContain("│ impact: 35: high · amounts without a USD value: counted by severity alone · deadline in 7h");
  });

  it("lists open cases highest impact first, with the reasons, and other orders when asked", async () => {
    const { order, lines } = await listed("alice: /case list");
    expect(order).toEqual([refs.big, refs.small, refs.due]);
    expect(lines[0]).toContain(`${refs.big} · impact 63 (high · USD 2M at risk · deadline in 2d) · freeze · open`);
    expect(lines[1]).toContain(`${refs.small} · impact 62 (critical · USD 5K at risk) · freeze · open`);
    expect((await listed("alice: /case list open by:deadline")).order).toEqual([refs.due, refs.big, refs.small]);
    expect((await listed("alice: /case list open by:newest")).order).toEqual([refs.due, refs.small, refs.big]);
    expect((await listed("bob: /case list top")).order).toEqual([refs.big, refs.small, refs.due]);
  });

  it("ranks only the cases the caller may see", async () => {
    expect(await h.text("sam: /case list top")).toBe("(only sam) No open cases you can see.");
    expect(await h.text("eve: /case list")).toBe("(only eve) No open cases you can see.");
  });

  it("moves a case down when most of its amount is frozen", async () => {
    const noted = await h.say(`bob@hk-exa: /case note ${refs.big} froze most of it on our side frozen:"18 BTC"`);
    expect(noted).toContain(`[#hk-exa › ${refs.big}] Frozen / seized: 18 BTC.`);
    const { order, lines } = await listed("alice: /case list");
    expect(order).toEqual([refs.small, refs.big, refs.due]);
    expect(lines[1]).toContain(`${refs.big} · impact 57 (high · USD 200K at risk (USD 1.8M of USD 2M frozen or seized) · deadline in 2d)`);
    expect(await h.text(`alice: /case show ${refs.big}`)).toContain("bob: note: froze most of it on our side [18 BTC frozen]");
  });

  it("moves a case up as its deadline approaches, without anyone touching it: a durable timer refreshes its card", async () => {
    const scheduled = await h.db.client.timer.findMany({ where: { kind: "impact", state: "scheduled" }, orderBy: { dueAt: "asc" } });
    expect(scheduled.length).toBeGreaterThan(0);
    const due = await h.db.client.case.findFirstOrThrow({ where: { ref: refs.due } });
    // Its next crossing: an hour after opening, it has waited an hour on the exchange.
    expect(scheduled.filter((t) => t.caseId === due.id).map((t) => t.dueAt.getTime() - due.createdAt.getTime())).toEqual([1 * H]);

    await h.advance(7 * H + 10 * M);
    const refreshed = await h.db.client.outbox.findMany({ where: { key: { contains: `case:${refs.due}:impact@` } }, orderBy: { id: "asc" } });
    expect(refreshed.length).toBeGreaterThan(0);
    // The card edited in the channel at the deadline says so.
    expect(refreshed.at(-1)!.payload).toContain("deadline passed just now");
    const { order, lines } = await listed("alice: /case list");
    expect(order).toEqual([refs.due, refs.small, refs.big]);
    expect(lines[0]).toContain(`${refs.due} · impact 75 (high · amounts without a USD value: counted by severity alone · deadline passed 10m ago · waiting on EXA 7h 10m)`);
    expect(await h.text(`bob: /case show ${refs.due}`)).toContain("│ impact: 75: high");
  });

  it("names the highest-impact open cases in the digest", async () => {
    const digest = await h.text("alice@hk-exa: /ppp digest now");
    expect(digest).toContain("[#hk-exa] Highest impact:");
    expect(digest).toContain(`[#hk-exa]   • ${refs.due} · impact 75: high · amounts without a USD value`);
  });

  it("drops a case from the ranking once it is resolved, and its impact timers with it", async () => {
    await h.say(`bob: /case resolve ${refs.small} outcome:"paid back"`);
    expect((await listed("alice: /case list")).order).toEqual([refs.due, refs.big]);
    const small = await h.db.client.case.findFirstOrThrow({ where: { ref: refs.small } });
    expect(await h.db.client.timer.count({ where: { caseId: small.id, kind: "impact", state: "scheduled" } })).toBe(0);
  });

  it("counts a freeze noted earlier when the case is resolved: result frozen, and the freeze hold starts", async () => {
    const out = await h.say(`dave: /case resolve ${refs.big} outcome:"the rest moved on"`);
    expect(out.join("\n")).toContain("(frozen)");
    const big = await h.db.client.case.findFirstOrThrow({ where: { ref: refs.big } });
    expect(big.result).toBe("frozen");
    expect(big.freezeUntil).not.toBeNull();
  });

  it("takes up the impact timers again when a resolved case is reopened, and does not count closed time as the exchange's wait", async () => {
    const ref = await open('title:"Reopened" severity:medium deadline:60h');
    const c = await h.db.client.case.findFirstOrThrow({ where: { ref } });
    const pending = () => h.db.client.timer.findMany({ where: { caseId: c.id, kind: "impact", state: "scheduled" } });
    expect(await pending()).toHaveLength(1);
    await h.say(`bob: /case resolve ${ref} outcome:"nothing found"`);
    expect(await pending()).toHaveLength(0);
    await h.say(`alice: /case reopen ${ref} reason:"new deposits"`);
    expect(await pending()).toHaveLength(1);
    // Withdrawn, closed for ten days, reopened: the exchange has not been waiting all that time.
    const withdrawn = await open('title:"Withdrawn" severity:low');
    await h.say(`alice: /case close ${withdrawn} reason:"withdrawn"`);
    h.jump(10 * 24 * H);
    await h.say(`alice: /case reopen ${withdrawn}`);
    expect(await h.text(`alice: /case show ${withdrawn}`)).toContain("│ impact: 5: low\n");
  });

  it("gives an open case that has no impact timer one at start-up (a case from before impact triage)", async () => {
    const ref = await open('title:"Old case" severity:high deadline:30h');
    const c = await h.db.client.case.findFirstOrThrow({ where: { ref } });
    await h.db.client.timer.deleteMany({ where: { caseId: c.id, kind: "impact" } });
    const { ensureImpactTimers } = await import("../src/domain/cases/impact.js");
    expect(await h.db.tx((tx) => ensureImpactTimers(tx, h.core.services.policy, h.clock.now()))).toBe(1);
    const [timer] = await h.db.client.timer.findMany({ where: { caseId: c.id, kind: "impact" } });
    expect(timer!.dueAt.getTime() - c.createdAt.getTime()).toBe(1 * H);
    // A second start-up schedules nothing more.
    expect(await h.db.tx((tx) => ensureImpactTimers(tx, h.core.services.policy, h.clock.now()))).toBe(0);
  });

  it("prints the weights with /ppp policy show", async () => {
    expect(await h.text("root: /ppp policy show")).toContain("impact: severity critical 40, high 25, medium 10, low 5; 6 per tenfold of USD at risk (USD 1M: 36)");
  });
});
