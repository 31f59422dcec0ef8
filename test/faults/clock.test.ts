import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "../helpers/harness.js";

/**
 * The clock jumps forward (an NTP correction, a VM resumed) and back: each escalation step
 * fires at most once, and the levels keep their order.
 */
describe.each(PROVIDERS)("clock jumps on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    await h.say(SEED);
  });
  afterAll(() => h?.close());

  it("fires each step once whatever the clock does", async () => {
    const refs: string[] = [];
    for (let i = 0; i < 5; i++) {
      refs.push(/Opened (\S+)\./.exec((await h.say(`alice@hk-exa: /case open title:"Jump ${i}" exchange:EXA severity:critical type:freeze`)).join("\n"))![1]!);
    }
    h.jump(2 * HOUR);
    await h.settle();
    h.jump(-1 * HOUR);
    await h.settle();
    h.jump(-1 * HOUR + 7 * MINUTE);
    await h.settle();
    h.jump(3 * HOUR);
    await h.settle();
    const cases = await h.db.client.case.findMany({ where: { ref: { in: refs } }, select: { id: true } });
    for (const { id } of cases) {
      const events = await h.db.client.caseEvent.findMany({ where: { caseId: id }, orderBy: { seq: "asc" } });
      const levels = events.filter((e) => e.type === "escalated").map((e) => (JSON.parse(e.data) as { level: number }).level);
      expect(levels).toEqual([2, 3]);
      const reminders = events.filter((e) => e.type === "reminder").map((e) => e.at.getTime());
      // One catch-up reminder per forward jump at most; never two for one moment.
      expect(new Set(reminders).size).toBe(reminders.length);
      expect(reminders.length).toBeLessThanOrEqual(3);
    }
    const keys = await h.db.client.timer.groupBy({ by: ["key"], _count: { _all: true } });
    expect(keys.every((k) => k._count._all === 1)).toBe(true);
    expect(await h.db.client.timer.count({ where: { state: "running" } })).toBe(0);
  });
});
