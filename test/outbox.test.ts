import { afterEach, describe, expect, it } from "vitest";
import { ConsoleNotifier } from "../adapters/console/notifier.js";
import type { Delivery, DeliveryResult, Notifier } from "../src/runtime/outbox.js";
import { HOUR, MINUTE } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * Delivery under platform trouble: 429s pace us without spending attempts, 5xx back off,
 * nothing goes dead before its deadline, and a thread's messages arrive in order.
 */

type Script = (d: Delivery, call: number) => DeliveryResult | undefined;

/** A console notifier that answers from a script first (undefined = deliver for real). */
class ScriptedNotifier implements Notifier {
  readonly platform = "console" as const;
  calls: { id: number; kind: string; channel: string; at: number }[] = [];
  constructor(
    private readonly real: ConsoleNotifier,
    public script: Script,
    private readonly now: () => number,
  ) {}
  async deliver(d: Delivery): Promise<DeliveryResult> {
    this.calls.push({ id: d.id, kind: d.kind, channel: d.channelId, at: this.now() });
    return this.script(d, this.calls.length) ?? this.real.deliver(d);
  }
}

describe.each(PROVIDERS)("outbox delivery on %s", (provider) => {
  let h: Harness;
  let notifier: ScriptedNotifier;
  afterEach(() => h?.close());

  async function setup(script: Script) {
    h = await Harness.open(provider, {
      notifiers: (sink) => {
        notifier = new ScriptedNotifier(new ConsoleNotifier(sink), () => undefined, () => h.clock.now().getTime());
        return [notifier];
      },
    });
    await h.say(SEED);
    notifier.script = script;
    notifier.calls = [];
  }

  /** Moves time in steps, delivering what falls due. */
  async function run(totalMs: number, stepMs: number) {
    for (let t = 0; t <= totalMs; t += stepMs) {
      await h.outbox.drain();
      h.clock.advance(stepMs);
    }
  }

  const rows = () => h.db.client.outbox.findMany({ orderBy: { id: "asc" } });

  it("waits out a 429 without spending attempts, backs off on 500s, then delivers everything in order", async () => {
    const failures = new Map<number, number>();
    await setup((d) => {
      const n = (failures.get(d.id) ?? 0) + 1;
      failures.set(d.id, n);
      if (n === 1) return { ok: false, retry: "rate_limited", retryAfterMs: 30_000, reason: "429 Too Many Requests" };
      if (n <= 3) return { ok: false, retry: "transient", reason: "500 Internal Server Error" };
      return undefined;
    });
    const out = await h.say(`alice@hk-exa: /case open title:"Flaky" exchange:EXA severity:critical type:freeze`);
    const ref = /Opened (\S+)\./.exec(out.join("\n"))![1]!;
    let pending = await rows();
    expect(pending.filter((r) => r.caseId !== null && r.state === "pending").every((r) => r.attempts === 0)).toBe(true);
    const gate = await h.db.client.rateGate.findMany();
    expect(gate.length).toBeGreaterThan(0);

    await h.say(`bob: /case ack ${ref}`);
    await run(10 * MINUTE, 1000);
    pending = await rows();
    expect(pending.filter((r) => r.state !== "sent")).toEqual([]);
    expect(pending.every((r) => r.attempts <= 3)).toBe(true);
    // The thread's messages went out in the order they were written.
    const thread = await h.db.client.caseThread.findFirstOrThrow({ where: { case: { ref } } });
    const inThread = pending.filter((r) => r.caseThreadId === thread.id);
    const sentOrder = [...inThread].sort((a, b) => a.sentAt!.getTime() - b.sentAt!.getTime() || a.id - b.id).map((r) => r.id);
    expect(sentOrder).toEqual(inThread.map((r) => r.id));
    expect(inThread.map((r) => r.kind)).toEqual(["card", "thread", "thread", "card_update"]);
  });

  it("keeps retrying a failing platform until the deadline, then lists the message as dead, and can retry it", async () => {
    await setup((d) => (d.kind === "dm" ? { ok: false, retry: "transient", reason: "503 Service Unavailable" } : undefined));
    const ref = /Opened (\S+)\./.exec((await h.say(`alice@hk-exa: /case open title:"Down" exchange:EXA severity:critical type:freeze`)).join("\n"))![1]!;
    await h.say(`bob: /case ack ${ref}`);
    await run(20 * HOUR, 10 * MINUTE);
    let dms = (await rows()).filter((r) => r.kind === "dm" && r.caseId !== null);
    expect(dms.length).toBeGreaterThan(0);
    expect(dms.every((r) => r.state === "pending")).toBe(true);
    await run(5 * HOUR, 10 * MINUTE);
    dms = (await rows()).filter((r) => r.kind === "dm" && r.caseId !== null);
    expect(dms.every((r) => r.state === "dead")).toBe(true);
    expect(dms.every((r) => r.lastError === "gave up at its deadline: 503 Service Unavailable")).toBe(true);
    const listed = await h.text("root: /ppp outbox");
    expect(listed).toMatch(/could not be delivered/);
    expect(listed).toContain(`dm to console:bob`);
    notifier.script = () => undefined;
    expect(await h.text("root: /ppp outbox retry:all")).toMatch(/^\(only root\) Queued \d+ messages again\./);
    await h.outbox.drain();
    expect((await rows()).filter((r) => r.state !== "sent")).toEqual([]);
    expect(await h.text("bob: /ppp outbox")).toBe("(only bob) error: only coordinators can run /ppp outbox");
  });

  it("gives up at once on a refusal, and a card that never got out does not take the case's later messages down", async () => {
    let refused = 0;
    await setup((d) => (d.kind === "card" && refused++ === 0 ? { ok: false, retry: "never", reason: "msg_too_long: the message is too long for Slack" } : undefined));
    const out = await h.say(`alice@hk-exa: /case open title:"Nowhere" exchange:EXA severity:critical type:freeze`);
    const ref = /Opened (\S+)\./.exec(out.join("\n"))![1]!;
    const all = await rows();
    const card = all.find((r) => r.kind === "card")!;
    expect(card.state).toBe("dead");
    expect(card.lastError).toBe("msg_too_long: the message is too long for Slack");
    // The page still reaches the channel, on its own and marked with the case.
    const thread = all.filter((r) => r.caseThreadId === card.caseThreadId && r.kind === "thread");
    expect(thread.length).toBeGreaterThan(0);
    expect(thread.every((r) => r.state === "sent")).toBe(true);
    expect(out).toContain(`[#hk-exa] ${ref}`);
    expect(all.filter((r) => r.kind === "dm").every((r) => r.state === "sent")).toBe(true);
    // The next card update posts the card afresh, and the thread is whole again.
    await h.say(`bob: /case ack ${ref}`);
    const threadRow = await h.db.client.caseThread.findUniqueOrThrow({ where: { id: card.caseThreadId! } });
    expect(threadRow.cardMessageId).not.toBeNull();
    expect((await rows()).filter((r) => r.id > card.id && r.caseThreadId === card.caseThreadId).every((r) => r.state === "sent")).toBe(true);
  });

  it("closes the gate for one destination only", async () => {
    await setup((d) => (d.channelId === "hk-exa" ? { ok: false, retry: "rate_limited", retryAfterMs: 60_000, reason: "ratelimited" } : undefined));
    await h.say(`alice@hk-exa: /case open title:"Gate" exchange:EXA severity:critical type:freeze`);
    const calls = notifier.calls.filter((c) => c.channel === "hk-exa");
    expect(calls).toHaveLength(1);
    expect((await rows()).filter((r) => r.kind === "dm").every((r) => r.state === "sent")).toBe(true);
    notifier.script = () => undefined;
    await h.outbox.drain();
    expect(notifier.calls.filter((c) => c.channel === "hk-exa")).toHaveLength(1);
    h.clock.advance(61_000);
    await h.outbox.drain();
    expect((await rows()).filter((r) => r.state !== "sent")).toEqual([]);
  });
});
