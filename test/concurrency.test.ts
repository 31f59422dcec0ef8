import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Delivery, DeliveryResult, Notifier } from "../src/runtime/outbox.js";
import { OutboxWorker } from "../src/runtime/outbox.js";
import { Metrics } from "../src/runtime/metrics.js";
import { Scheduler } from "../src/runtime/scheduler.js";
import { silentLogger } from "../src/log.js";
import { MINUTE } from "./helpers/clock.js";
import { Harness, SEED } from "./helpers/harness.js";

/**
 * Several workers on one PostgreSQL database claiming the same due timers and outbox rows:
 * every effect happens once, and each thread's messages still arrive in order.
 */

class CountingNotifier implements Notifier {
  readonly platform = "console" as const;
  constructor(
    private readonly worker: string,
    /** Shared by all senders: the order in which the platform saw the messages. */
    readonly delivered: { id: number; thread: number | null; worker: string }[],
  ) {}
  async deliver(d: Delivery): Promise<DeliveryResult> {
    // A little latency so the workers really overlap.
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    this.delivered.push({ id: d.id, thread: d.thread?.id ?? null, worker: this.worker });
    return { ok: true, messageId: `m${d.id}` };
  }
}

describe("several workers on postgresql", () => {
  let h: Harness;
  const CASES = 12;
  beforeAll(async () => {
    h = await Harness.open("postgresql");
    await h.say(SEED);
    for (let i = 0; i < CASES; i++) await h.say(`alice@hk-exa: /case open title:"Race ${i}" exchange:EXA severity:critical type:freeze`);
  });
  afterAll(() => h?.close());

  it("fire each due timer once in effect, with four schedulers racing", async () => {
    h.jump(20 * MINUTE);
    const metrics = new Metrics({ defaults: false });
    const schedulers = [1, 2, 3, 4].map(
      (n) => new Scheduler({ db: h.db, clock: h.clock, log: silentLogger, services: h.core.services, metrics, owner: `worker-${n}`, batch: 5 }),
    );
    await Promise.all(schedulers.map((s) => s.drain()));
    // Batches of cases locked in id order never deadlock one another: every batch committed whole.
    const results = (await metrics.timers.get()).values.filter((v) => v.value > 0).map((v) => v.labels.result);
    expect(new Set(results)).toEqual(new Set(["fired"]));
    const events = await h.db.client.caseEvent.groupBy({ by: ["caseId", "type"], _count: { _all: true } });
    const count = (type: string) => events.filter((e) => e.type === type).map((e) => e._count._all);
    expect(count("escalated")).toEqual(Array(CASES).fill(1));
    expect(count("reminder")).toEqual(Array(CASES).fill(1));
    const pages = await h.db.client.outbox.findMany({ where: { kind: "dm", channelId: "lee", key: { contains: ":dm:" } } });
    expect(pages.filter((p) => p.payload.includes("level 2"))).toHaveLength(CASES);
    const timers = await h.db.client.timer.groupBy({ by: ["state"], _count: { _all: true } });
    expect(timers.find((t) => t.state === "running")).toBeUndefined();
    expect(await h.db.client.timer.count({ where: { kind: "level2", state: "done" } })).toBe(CASES);
  });

  it("deliver each outbox row once, thread by thread in order, with four senders racing", async () => {
    const delivered: { id: number; thread: number | null; worker: string }[] = [];
    const notifiers = [1, 2, 3, 4].map((n) => new CountingNotifier(`sender-${n}`, delivered));
    const senders = notifiers.map(
      (n, i) => new OutboxWorker({ db: h.db, clock: h.clock, log: silentLogger, notifiers: [n], owner: `sender-${i}`, batch: 7 }),
    );
    const pending = await h.db.client.outbox.count({ where: { state: "pending" } });
    expect(pending).toBeGreaterThan(40);
    await Promise.all(senders.map((s) => s.drain()));
    expect(new Set(delivered.map((d) => d.id)).size).toBe(delivered.length);
    expect(delivered).toHaveLength(pending);
    expect(new Set(delivered.map((d) => d.worker)).size).toBeGreaterThan(1);
    const rows = await h.db.client.outbox.findMany({ where: { caseThreadId: { not: null } }, orderBy: { id: "asc" } });
    const byThread = new Map<number, typeof rows>();
    for (const r of rows) byThread.set(r.caseThreadId!, [...(byThread.get(r.caseThreadId!) ?? []), r]);
    for (const list of byThread.values()) {
      // Within a thread the order of delivery is the order of writing.
      const order = delivered.filter((d) => list.some((r) => r.id === d.id)).map((d) => d.id);
      expect(order).toEqual(list.filter((r) => order.includes(r.id)).map((r) => r.id));
    }
    expect(await h.db.client.outbox.count({ where: { state: { not: "sent" } } })).toBe(0);
  });
});
