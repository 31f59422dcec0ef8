import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * On-call schedules in the console, as a new user would try them (docs/contract.md §8):
 * layers with hours, covers, coverage gaps, shift changes as durable timers, agency on-call.
 * The clock starts on Monday 23 November 2026, 09:00 UTC (10:00 in Malta, EXA's zone).
 */

const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))![1]!;
const dms = (out: string[], who: string) => out.filter((l) => l.startsWith(`[dm @${who}]`));
const thread = (out: string[], ref: string) => out.filter((l) => l.startsWith(`[#hk-exa › ${ref}]`));
const open = (title: string, severity = "low") => `alice@hk-exa: /case open title:"${title}" exchange:EXA severity:${severity} type:freeze`;
const TWO_LAYERS = `
root: /ppp rotation remove EXA name:default
root: /ppp rotation add EXA name:day people:@bob shift:08:00-20:00 tz:UTC
root: /ppp rotation add EXA name:night people:@dave shift:20:00-08:00 tz:UTC`.trim();

describe.each(PROVIDERS)("on-call schedules on %s", (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open(provider);
    await h.say(SEED);
  });
  afterEach(() => h?.close());

  const refused = (line: string, options: { audited?: boolean } = {}) => h.refused(line, options);


  it("pages only the person on shift now, and at the shift change re-pages an unacknowledged case to the incoming person with a handoff summary to both", async () => {
    await h.say(TWO_LAYERS);
    expect(await h.text("alice: /ppp oncall EXA")).toContain("(only alice)   • day: @bob\n(only alice)   • night: nobody on shift\n(only alice) Next changes:\n(only alice)   • Tue 24 Nov 04:00 GMT+8 — day: @bob → nobody; night: nobody → @dave");
    const out = await h.say(open("Two layers"));
    const ref = refOf(out);
    expect(dms(out, "bob")[0]).toBe(`[dm @bob] You are paged: ${ref} — low freeze, HKPF-CSTCB → EXA: Two layers`);
    expect(dms(out, "dave")).toEqual([]);
    expect(await h.text(`alice: /case show ${ref}`)).toContain("alice: paged level 1: bob (on call: day — bob; night — nobody)");

    // 20:00 UTC: the night layer takes over while the case is still not acknowledged.
    const change = await h.advance(11 * HOUR + 30 * MINUTE);
    expect(thread(change, ref)).toContain(`[#hk-exa › ${ref}] Shift change at EXA: @dave now on call (taking over from @bob). ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`);
    expect(dms(change, "dave")).toEqual([
      `[dm @dave] You are paged: your shift at EXA has started: ${ref} — low freeze, HKPF-CSTCB → EXA: Two layers`,
      `[dm @dave] Acknowledge with /case ack ${ref} (or the button on the card); /case show ${ref} shows everything.`,
      "[dm @dave] Your on-call shift at EXA has started (until Tue 24 Nov 09:00 GMT+1); you take over from @bob.",
      `[dm @dave]   • Open cases waiting on EXA: ${ref} (low)`,
      `[dm @dave]   • Pages not acknowledged: ${ref} (low)`,
      "[dm @dave]   • Deadlines within the shift: none",
    ]);
    expect(dms(change, "bob")).toEqual([
      "[dm @bob] Your on-call shift at EXA has ended; @dave takes over.",
      `[dm @bob]   • Open cases waiting on EXA: ${ref} (low)`,
      `[dm @bob]   • Pages not acknowledged: ${ref} (low)`,
      "[dm @bob]   • Deadlines ahead: none",
    ]);
    expect(await h.text(`alice: /case show ${ref}`)).toContain("Liaison: shift change: bob off call, dave on call; paged dave");
    // The next change (09:00 tomorrow) is one durable timer.
    const next = await h.db.tx((tx) => tx.timer.findMany({ where: { kind: "shift", state: "scheduled" } }));
    expect(next.map((t) => t.dueAt.toISOString())).toEqual(["2026-11-24T08:00:00.000Z"]);
  });

  it("lets an investigator take the shift of whoever is on with /ppp cover, until the cover ends", async () => {
    await h.say(TWO_LAYERS);
    expect(await h.text("lee: /ppp cover EXA hours:4")).toContain(
      "(only lee) You take @bob's shifts at EXA from Mon 23 Nov 10:00 GMT+1 to Mon 23 Nov 14:00 GMT+1.\n(only lee) EXA on call now (times in Europe/Malta):\n(only lee)   • day: @lee (@lee covering for @bob until Mon 23 Nov 14:00 GMT+1)",
    );
    const out = await h.say(open("Covered"));
    const ref = refOf(out);
    expect(dms(out, "lee")[0]).toBe(`[dm @lee] You are paged: ${ref} — low freeze, HKPF-CSTCB → EXA: Covered`);
    expect(dms(out, "bob")).toEqual([]);
    // At 13:00 UTC the cover is over: bob is back on and paged for the case lee left unacknowledged.
    const back = await h.advance(4 * HOUR);
    expect(thread(back, ref)[0]).toBe(`[#hk-exa › ${ref}] Shift change at EXA: @bob now on call (taking over from @lee). ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`);
    const audit = await h.db.tx((tx) => tx.auditEntry.findMany({ where: { action: { startsWith: "rotation." } }, orderBy: { id: "asc" } }));
    expect(audit.map((a) => [a.action, a.target])).toEqual([
      ["rotation.removed", "org:EXA"],
      ["rotation.added", "org:EXA"],
      ["rotation.added", "org:EXA"],
      ["rotation.cover", "org:EXA"],
    ]);
  });

  it("pages the leads at once, with a coverage-gap notice to the coordinators, when nobody is on shift", async () => {
    await h.say("root: /ppp rotation remove EXA name:default\nroot: /ppp rotation add EXA name:day people:@bob shift:08:00-20:00 days:mon-fri tz:UTC");
    h.clock.set("2026-11-23T21:00:00Z");
    await h.settle();
    const out = await h.say(open("At night", "critical"));
    const ref = refOf(out);
    expect(thread(out, ref)[0]).toBe(`[#hk-exa › ${ref}] Paging team leads — coverage gap: nobody is on call at EXA now. @lee: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`);
    expect(dms(out, "lee")[0]).toBe(`[dm @lee] You are paged at escalation level 2 (team leads): ${ref} — critical freeze, HKPF-CSTCB → EXA: At night`);
    expect(dms(out, "root")).toEqual([
      `[dm @root] Coverage gap at EXA: nobody was on call when ${ref} (critical) was paged, so its team leads were paged at once. Set shifts with /ppp rotation add EXA or a cover with /ppp cover EXA.`,
    ]);
    expect(dms(out, "bob")).toEqual([]);
    // The digest warns of the gaps ahead: every night, and the weekend.
    const digest = await h.text("root@hk-exa: /ppp digest now");
    expect(digest).toContain("Coverage gaps in the coming week (nobody on call): EXA: Tue 24 Nov 05:00 GMT+8 – Tue 24 Nov 16:00 GMT+8 (11h)");
    expect(digest).toContain("Sat 28 Nov 04:00 GMT+8 – Mon 30 Nov 16:00 GMT+8 (2d 12h)");
  });

  it("fires a shift change missed while the bot was down once, and schedules the next after now", async () => {
    await h.say(TWO_LAYERS);
    const ref = refOf(await h.say(open("Down")));
    await h.advance(11 * HOUR); // 20:00: dave takes over
    h.jump(1 * DAY + 15 * HOUR); // Wednesday 11:00 UTC: three changes were missed; bob is on again
    const after = await h.advance(0);
    // One handoff for the missed ones: bob (already paged for the case) and dave hear of it once.
    expect(after.filter((l) => l.includes("Shift change at EXA"))).toEqual([]);
    expect(dms(after, "bob").filter((l) => l.includes("Your on-call shift at EXA has started"))).toHaveLength(1);
    expect(dms(after, "dave").filter((l) => l.includes("Your on-call shift at EXA has ended"))).toHaveLength(1);
    const timers = await h.db.tx((tx) => tx.timer.findMany({ where: { kind: "shift" }, orderBy: { id: "asc" } }));
    expect(timers.filter((t) => t.state === "done")).toHaveLength(2);
    expect(timers.filter((t) => t.state === "scheduled").map((t) => t.dueAt.toISOString())).toEqual(["2026-11-25T20:00:00.000Z"]);
    // dave, paged at Monday's change already, is not paged again at Wednesday's.
    const night = await h.advance(9 * HOUR);
    expect(dms(night, "dave").filter((l) => l.includes("You are paged"))).toEqual([]);
    expect(dms(night, "dave").filter((l) => l.includes("Your on-call shift at EXA has started"))).toHaveLength(1);
    expect(thread(night, ref).filter((l) => l.includes("Shift change"))).toEqual([]);
  });

  it("reminds the agency's on-call while a case waits on the agency, and stops when the agency answers", async () => {
    await h.say("root: /ppp oncall HKPF-CSTCB @carol");
    const ref = refOf(await h.say(open("Needs an order", "critical")));
    await h.say(`bob: /case ack ${ref}\nbob: /case note ${ref} "we need the court order" waiting:agency`);
    const first = await h.advance(30 * MINUTE);
    expect(dms(first, "carol")).toEqual([
      `[dm @carol] ${ref} (critical) has been waiting on HKPF-CSTCB for 30m: EXA needs an answer. Reply with /case note ${ref} "…"; /case show ${ref} shows what was asked.`,
    ]);
    expect(dms(first, "alice")).toEqual([]);
    expect(dms(await h.advance(30 * MINUTE), "carol")).toHaveLength(1);
    await h.say(`alice: /case note ${ref} "order attached"`);
    const later = await h.advance(3 * HOUR);
    expect(dms(later, "carol")).toEqual([]);
    expect(await h.text(`alice: /case show ${ref}`)).toContain("Liaison: reminded carol: waiting on the agency for 30m");
  });

  it("reminds the opener when the agency keeps no on-call", async () => {
    const ref = refOf(await h.say(open("No agency on-call", "high")));
    await h.say(`bob: /case ack ${ref}\nbob: /case note ${ref} "which account?" waiting:agency`);
    const out = await h.advance(2 * HOUR);
    expect(dms(out, "alice")).toEqual([`[dm @alice] ${ref} (high) has been waiting on HKPF-CSTCB for 2h: EXA needs an answer. Reply with /case note ${ref} "…"; /case show ${ref} shows what was asked.`]);
  });

  it("refuses bad shift windows, days, zones, dates and people with clear errors, changing nothing", async () => {
    const add = (extra: string, who = "root") => `${who}: /ppp rotation add EXA name:late people:@bob ${extra}`;
    expect(await refused(add("shift:25:00-26:00"))).toBe('shift: "25:00-26:00" is not a window like 09:00-17:00 (24-hour clock; 22:00-06:00 runs past midnight)');
    expect(await refused(add("shift:09:00-09:00"))).toBe("shift: 09:00-09:00 starts and ends at the same time; leave shift out for a layer that runs all day");
    expect(await refused(add("days:funday"))).toBe('days: "funday" is not a day; use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, a list like mon,wed,fri, or all');
    expect(await refused(add("tz:Mars/Olympus"))).toBe('tz: "Mars/Olympus" is not an IANA time zone (like Europe/Malta or Asia/Hong_Kong)');
    expect(await refused(add("start:2026-13-01"))).toBe('start: "2026-13-01" is not a date like 2026-12-07 (or today, tomorrow)');
    expect(await refused(add("every:5m"))).toBe("every: 5m is too short; the next person takes over every hour at most often");
    expect(await refused("root: /ppp rotation add EXA name:late people:@alice")).toBe("alice is not an investigator of EXA");
    expect(await refused("root: /ppp rotation add EXA name:default people:@bob")).toMatch(/^name: "default" is the always-on layer/);
    expect(await refused("dave: /ppp rotation add EXA name:late people:@bob", { audited: true })).toBe("only coordinators and EXA's leads can set its on-call rotation");
    expect(await refused("root: /ppp rotation remove EXA name:nights")).toBe('name: EXA has no layer named "nights" (its layers: default)');
    expect(await refused("root: /ppp rotation add HKPF-CSTCB name:duty people:@bob")).toBe("bob is not a liaison of HKPF-CSTCB");
    expect(await refused("lee: /ppp cover EXA hours:2")).toBe("for: @bob, @dave are on call then; name whose shift you take with for:@someone");
    expect(await refused("lee: /ppp cover EXA for:@bob from:2026-11-23T14:00 to:2026-11-23T13:00")).toBe(
      "to: the cover would end (Mon 23 Nov 13:00 GMT+1) before it starts (Mon 23 Nov 14:00 GMT+1)",
    );
    expect(await refused("lee: /ppp cover EXA for:@bob hours:2 to:18:00")).toBe("say how long the cover lasts: to:<time> or hours:<n> (one of them)");
    expect(await refused("lee: /ppp cover EXA for:@eve hours:2")).toBe("for: eve is in none of EXA's rotation layers (see /ppp rotation list EXA)");
    expect(await refused("alice: /ppp cover EXA for:@bob hours:2")).toBe("you are not an investigator of EXA, so cannot take its shifts");
    expect(await refused("dave: /ppp cover EXA @lee for:@bob hours:2", { audited: true })).toBe("only coordinators and EXA's leads can set its on-call rotation");
    expect(await h.text("lee: /ppp cover EXA for:@bob hours:2")).toContain("You take @bob's shifts at EXA from Mon 23 Nov 10:00 GMT+1 to Mon 23 Nov 12:00 GMT+1.");
    expect(await refused("dave: /ppp cover EXA for:@bob hours:1")).toBe(
      "bob's shifts are already covered by lee from Mon 23 Nov 10:00 GMT+1 to Mon 23 Nov 12:00 GMT+1; choose a time that does not overlap",
    );
  });
});
