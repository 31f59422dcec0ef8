import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleNotifier } from "../../adapters/console/notifier.js";
import type { Delivery, DeliveryResult, Notifier } from "../../src/runtime/outbox.js";
import { DAY, MINUTE } from "../helpers/clock.js";
import { Harness, SEED } from "../helpers/harness.js";

/**
 * A platform that answers 429 (Retry-After 5 s) for a minute and then 500 for five minutes,
 * in virtual time on PostgreSQL: nothing dead before its deadline, 429s cost no attempts,
 * attempts never go back, every thread's messages arrive in order once it recovers.
 */

class Outage implements Notifier {
  readonly platform = "console" as const;
  readonly delivered: { id: number; order: string }[] = [];
  answers = { ok: 0, limited: 0, failed: 0 };
  constructor(
    private readonly real: ConsoleNotifier,
    private readonly now: () => number,
    public from: number,
  ) {}
  async deliver(d: Delivery): Promise<DeliveryResult> {
    const t = this.now() - this.from;
    if (t >= 0 && t < 60_000) {
      this.answers.limited++;
      return { ok: false, retry: "rate_limited", retryAfterMs: 5000, reason: "429 Too Many Requests" };
    }
    if (t >= 60_000 && t < 360_000) {
      this.answers.failed++;
      return { ok: false, retry: "transient", reason: "500 Internal Server Error" };
    }
    this.answers.ok++;
    this.delivered.push({ id: d.id, order: d.thread ? `thread:${d.thread.id}` : `dm:${d.channelId}` });
    return this.real.deliver(d);
  }
}

describe("a platform outage on postgresql", () => {
  let h: Harness;
  let outage: Outage;
  beforeAll(async () => {
    h = await Harness.open("postgresql", {
      notifiers: (sink) => {
        outage = new Outage(new ConsoleNotifier(sink), () => h.clock.now().getTime(), Number.MAX_SAFE_INTEGER);
        return [outage];
      },
    });
    await h.say(SEED);
  });
  afterAll(() => h?.close());

  it("rides out 429s for a minute and 500s for five, losing nothing and keeping each thread in order", async () => {
    outage.from = h.clock.now().getTime();
    const opened = await h.say(`alice@hk-exa: /case open title:"Outage" exchange:EXA severity:critical type:freeze`);
    const ref = /Opened (\S+)\./.exec(opened.join("\n"))![1]!;
    await h.say(`bob: /case note ${ref} first\nbob: /case note ${ref} second\nbob: /case note ${ref} third`);
    const attempts = new Map<number, number>();
    let resets = 0;
    // Six minutes of outage, then up to the longest backoff (five minutes) to recover.
    for (let second = 0; second < 13 * 60; second++) {
      h.clock.advance(1000);
      await h.settle();
      const rows = await h.db.client.outbox.findMany({ where: { caseId: { not: null } } });
      for (const r of rows) {
        if ((attempts.get(r.id) ?? 0) > r.attempts) resets++;
        attempts.set(r.id, r.attempts);
        expect(r.state).not.toBe("dead");
        // During the minute of 429s no attempt is spent.
        if (second < 59) expect(r.attempts).toBe(0);
      }
    }
    expect(outage.answers.limited).toBeGreaterThan(0);
    expect(outage.answers.failed).toBeGreaterThan(0);
    expect(resets).toBe(0);
    const rows = await h.db.client.outbox.findMany({ where: { caseId: { not: null } }, orderBy: { id: "asc" } });
    expect(rows.filter((r) => r.state !== "sent")).toEqual([]);
    // Each thread's messages reached the platform in the order they were written.
    const threads = new Map<string, number[]>();
    for (const d of outage.delivered) threads.set(d.order, [...(threads.get(d.order) ?? []), d.id]);
    for (const ids of threads.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(rows.map((r) => r.id).every((id) => outage.delivered.some((d) => d.id === id))).toBe(true);
  });

  it("gives a message up only after its deadline", async () => {
    // Failing for longer than a day.
    Object.assign(outage, { deliver: async (): Promise<DeliveryResult> => ({ ok: false, retry: "transient", reason: "500 Internal Server Error" }) });
    const ref = /Opened (\S+)\./.exec((await h.say(`alice@hk-exa: /case open title:"Down for a day" exchange:EXA severity:low type:intel`)).join("\n"))![1]!;
    const { id: caseId } = await h.db.client.case.findUniqueOrThrow({ where: { ref } });
    const created = h.clock.now().getTime();
    for (let t = 0; t < 25 * 60; t++) {
      h.clock.advance(MINUTE);
      await h.outbox.drain();
      const dead = await h.db.client.outbox.findMany({ where: { state: "dead" } });
      for (const d of dead) expect(h.clock.now().getTime()).toBeGreaterThanOrEqual(d.deadlineAt.getTime() - 5 * MINUTE);
    }
    const rows = await h.db.client.outbox.findMany({ where: { caseId, createdAt: new Date(created) } });
    expect(rows.length).toBeGreaterThan(0);
    // Each gave up at its own deadline, or when the card its thread hangs on did.
    const reasons = rows.map((r) => [r.state, r.lastError?.startsWith("gave up at its deadline") || r.lastError?.startsWith("the case card could not be posted")]);
    expect(reasons.every(([state, known]) => state === "dead" && known)).toBe(true);
    expect(h.clock.now().getTime() - created).toBeGreaterThan(DAY);
  });
});
