import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/** Escalation by durable timers with the injected clock (docs/contract.md §3), default policy. */

const open = (extra = "", severity = "critical") =>
  `alice@hk-exa: /case open title:"Timer case" exchange:EXA severity:${severity} type:freeze ${extra}`.trim();
const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))![1]!;
const thread = (out: string[], ref: string) => out.filter((l) => l.startsWith(`[#hk-exa › ${ref}]`));
const dms = (out: string[], who: string) => out.filter((l) => l.startsWith(`[dm @${who}]`));


/** A card edited in place as the impact rises (§2): nothing is posted or paged by it. */
const isCardRefresh = (l: string) => /\] card \S+ updated: /.test(l);

describe.each(PROVIDERS)("escalation on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    await h.say(SEED);
  });
  afterAll(() => h?.close());
  afterEach(async () => {
    // Quiet the cases a test leaves open so the next test sees only its own timers.
    await h.db.tx((tx) => tx.timer.updateMany({ where: { state: "scheduled" , kind: { not: "digest" } }, data: { state: "cancelled" } }));
  });

  it("reminds every 5 minutes, pages the leads at 15 and the coordinators at 30 when nobody acknowledges a critical case", async () => {
    const ref = refOf(await h.say(open()));
    const at5 = await h.advance(5 * MINUTE);
    expect(thread(at5, ref)).toEqual([`[#hk-exa › ${ref}] Reminder. @bob, @dave: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`]);
    expect(dms(at5, "bob")).toEqual([]);
    const at10 = await h.advance(5 * MINUTE);
    expect(thread(at10, ref)).toHaveLength(1);
    const at15 = await h.advance(5 * MINUTE);
    expect(thread(at15, ref)).toEqual([
      `[#hk-exa › ${ref}] Escalated to level 2 (team leads) — not acknowledged within 15m. @bob, @dave, @lee: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`,
      `[#hk-exa › ${ref}] Reminder. @bob, @dave, @lee: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`,
    ]);
    expect(dms(at15, "lee")[0]).toBe(`[dm @lee] You are paged at escalation level 2 (team leads): ${ref} — critical freeze, HKPF-CSTCB → EXA: Timer case`);
    const to30 = await h.advance(15 * MINUTE);
    expect(to30.filter((l) => l.includes("Escalated to level 3"))).toHaveLength(1);
    expect(dms(to30, "root").filter((l) => l.includes("You are paged"))).toHaveLength(1);
    expect(dms(to30, "lee")).toEqual([]);
    expect(thread(to30, ref).filter((l) => l.includes("Reminder."))).toHaveLength(3);
  });

  it("pages the lead once, with the coordinators, when level 3 falls due before a delayed level-2 timer", async () => {
    const ref = refOf(await h.say(open()));
    // The level-2 timer's holder died: its lease runs out only after level 3 has fallen due.
    const c = await h.db.tx((tx) => tx.case.findFirstOrThrow({ where: { ref } }));
    await h.db.tx((tx) => tx.timer.updateMany({ where: { caseId: c.id, kind: "level2" }, data: { dueAt: new Date(h.clock.now().getTime() + 40 * MINUTE) } }));
    const to30 = await h.advance(30 * MINUTE);
    expect(thread(to30, ref).filter((l) => l.includes("Escalated to level 3"))).toEqual([
      `[#hk-exa › ${ref}] Escalated to level 3 (coordinators) — not acknowledged within 30m. @bob, @dave, @lee, @root: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`,
    ]);
    // The lead hears of the level they were passed over for, in the same round as the coordinators.
    expect(dms(to30, "lee").filter((l) => l.includes("You are paged"))).toEqual([
      `[dm @lee] You are paged at escalation level 2 (team leads): ${ref} — critical freeze, HKPF-CSTCB → EXA: Timer case`,
    ]);
    expect(dms(to30, "root").filter((l) => l.includes("You are paged"))).toHaveLength(1);
    // The late level-2 timer then finds everyone paged: nobody is paged twice.
    const to45 = await h.advance(15 * MINUTE);
    expect(to45.filter((l) => l.includes("You are paged") || l.includes("Escalated"))).toEqual([]);
    const timer = await h.db.tx((tx) => tx.timer.findFirstOrThrow({ where: { caseId: c.id, kind: "level2" } }));
    expect(timer.state).toBe("done");
  });

  it("stops everything when the case is acknowledged after a minute", async () => {
    const ref = refOf(await h.say(open()));
    await h.advance(1 * MINUTE);
    await h.say(`bob: /case ack ${ref}`);
    const later = await h.advance(2 * HOUR);
    expect(later.filter((l) => l.includes(ref) && !isCardRefresh(l))).toEqual([]);
  });

  it("pages no coordinators when the acknowledgement comes between level 2 and level 3", async () => {
    const ref = refOf(await h.say(open()));
    const first = await h.advance(20 * MINUTE);
    expect(first.some((l) => l.includes("Escalated to level 2"))).toBe(true);
    await h.say(`lee: /case ack ${ref}`);
    const later = await h.advance(1 * HOUR);
    expect(later.filter((l) => l.includes(ref) && !isCardRefresh(l))).toEqual([]);
  });

  it("acknowledging at the instant a timer is due leaves no escalation behind", async () => {
    const ref = refOf(await h.say(open()));
    h.jump(15 * MINUTE);
    await h.say(`bob: /case ack ${ref}`);
    const later = await h.advance(1 * HOUR);
    expect(later.filter((l) => l.includes("Escalated") || l.includes("Reminder"))).toEqual([]);
  });

  it("fires each overdue step once after downtime, not once per missed interval", async () => {
    const ref = refOf(await h.say(open()));
    h.jump(2 * HOUR);
    const out = await h.advance(0);
    expect(thread(out, ref).filter((l) => l.includes("Reminder."))).toHaveLength(1);
    expect(thread(out, ref).filter((l) => l.includes("Escalated to level 2"))).toHaveLength(1);
    expect(thread(out, ref).filter((l) => l.includes("Escalated to level 3"))).toHaveLength(1);
    // Fired together in one transaction, each step sees the ones before it: level 3 names the leads level 2 paged.
    expect(thread(out, ref).find((l) => l.includes("Escalated to level 3"))).toContain("@bob, @dave, @lee, @root:");
    // The cadence continues from now.
    expect(thread(await h.advance(5 * MINUTE), ref).filter((l) => l.includes("Reminder."))).toHaveLength(1);
  });

  it("holds the clock while the case waits on the agency", async () => {
    const ref = refOf(await h.say(open()));
    await h.advance(1 * MINUTE);
    await h.say(`bob: /case note ${ref} which account do you mean? waiting:agency`);
    const waiting = await h.advance(1 * HOUR);
    // Nothing on the exchange's side; the agency (no on-call set: the opener) is reminded every 30m.
    expect(waiting.filter((l) => l.includes(ref) && !l.startsWith("[dm @alice]"))).toEqual([]);
    expect(dms(waiting, "alice").filter((l) => l.includes("has been waiting on HKPF-CSTCB"))).toHaveLength(2);
    await h.say(`alice: /case note ${ref} the second one`);
    // 4 minutes were left to the first reminder when the agency got the ball.
    const next = await h.advance(4 * MINUTE);
    expect(thread(next, ref).filter((l) => l.includes("Reminder."))).toHaveLength(1);
    expect(next.some((l) => l.includes("Escalated"))).toBe(false);
  });

  it("escalates a handoff nobody accepts within the severity's ack time", async () => {
    const ref = refOf(await h.say(open("", "high")));
    await h.say(`bob: /case ack ${ref}\nbob: /case handoff ${ref} to:@dave note:"please take it"`);
    expect((await h.advance(59 * MINUTE)).filter((l) => l.includes("Escalated"))).toEqual([]);
    const out = await h.advance(1 * MINUTE);
    expect(thread(out, ref)).toContain(
      `[#hk-exa › ${ref}] Escalated to level 2 (team leads) — the handoff to dave was not accepted within 1h. @bob, @dave, @lee: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`,
    );
    expect(dms(out, "dave")).toContain(`[dm @dave] ${ref} is still waiting for you to accept it: /case accept ${ref}`);
    await h.say(`dave: /case accept ${ref}`);
    expect((await h.advance(3 * HOUR)).filter((l) => l.includes(ref) && !isCardRefresh(l))).toEqual([]);
  });

  it("nudges an acknowledged case with no activity for 7 days", async () => {
    const ref = refOf(await h.say(open("", "low")));
    await h.say(`bob: /case take ${ref}`);
    await h.advance(3 * DAY);
    await h.say(`bob: /case note ${ref} still waiting on the bank`);
    expect((await h.advance(6 * DAY)).filter((l) => l.includes("nothing has happened"))).toEqual([]);
    const out = await h.advance(1 * DAY + MINUTE);
    expect(thread(out, ref)).toEqual([`[#hk-exa › ${ref}] @bob: nothing has happened on ${ref} for 7d. Add a note, resolve it, or hand it off.`]);
    expect(dms(out, "bob")).toEqual([`[dm @bob] ${ref} has been quiet for 7d: is it still moving?`]);
  });

  it("starts an emergency's clock at the confirmation", async () => {
    const ref = refOf(await h.say(open("", "critical").replace("type:freeze", "type:emergency")));
    expect((await h.advance(20 * MINUTE)).filter((l) => l.includes("Reminder") || l.includes("Escalated"))).toEqual([]);
    await h.say(`carol: /case confirm ${ref}`);
    const out = await h.advance(5 * MINUTE);
    expect(thread(out, ref).filter((l) => l.includes("Reminder."))).toHaveLength(1);
  });

  it("reminds a member 14 days before their vetting expires", async () => {
    await h.say("nia: /liaison register org:EXA role:investigator email:nia@exa.example\nroot: /liaison vet @nia expires:30d");
    expect(dms(await h.advance(15 * DAY), "nia")).toEqual([]);
    const out = await h.advance(1 * DAY);
    expect(dms(out, "nia")).toEqual([
      `[dm @nia] Your Liaison vetting expires on ${new Date(h.clock.now().getTime() + 14 * DAY).toISOString().slice(0, 10)}. Ask a coordinator to vet you again (/liaison vet) before then, or your commands will be refused.`,
    ]);
  });
});
