import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Platform } from "../model/platform.js";
import type { Database, Tx } from "../db/database.js";
import { claimOutbox, closeGate, contendedOutbox, deliveryThreads, markFailed, markSent, nextOutboxDue, reapOutbox, recordCards, releaseClaims, type ClaimedMessage, type DeliveryThread } from "../db/sql/outbox.js";
import { withholdUnqualified, type QueuedMessage } from "../domain/delivery.js";
import type { Delivery, DeliveryResult, Notifier, OutboxKind, OutboxPayload } from "../model/delivery.js";
import type { Logger } from "../log.js";
import type { Metrics } from "./metrics.js";
import { para, rich, strong } from "../model/message.js";
import { faultPoint } from "./faults.js";
import { LeasedWorker } from "./worker.js";

/**
 * Delivers the outbox, at least once, in order per thread (docs/architecture.md). A round claims, with a lease and a fresh token, the first few due rows
 * of many order keys, hands each key's rows to the platform's notifier one after another
 * (keys in parallel), and records every outcome in one transaction, each row only if the
 * token still matches — so a round costs two transactions however much it delivers. A 429 closes a
 * gate for that destination, shared by every process, without spending an attempt;
 * 5xx and network errors back off exponentially with jitter; other refusals, and rows
 * past their deadline, go dead and are listed by /ppp outbox.
 */

export interface OutboxOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  notifiers: Notifier[];
  metrics?: Metrics;
  owner?: string;
  leaseMs?: number;
  /** Messages claimed per round. */
  batch?: number;
  /** Messages of one order key (a thread, a person's DMs) claimed per round, sent one after another. */
  perKey?: number;
  /** Longest wait between retries of a failing row. */
  backoffCapMs?: number;
  /** A notifier that takes longer than this is treated as a network failure. */
  sendTimeoutMs?: number;
  /** Deliver a round's rows (all of different threads) concurrently; the console prints in order instead. */
  parallel?: boolean;
  /** Wraps each round; the console uses it so deliveries never interleave with a reply. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /**
   * The audience check at delivery: withholds (inside the transaction, while the claim is
   * still `token`'s) the rows that may no longer go, and returns them with their reasons.
   */
  screen?: (tx: Tx, rows: QueuedMessage[], token: string, now: Date) => Promise<Map<number, string>>;
  /** Awaited before each transaction: commands go first (SQLite, see Dispatcher.idle). */
  yieldTo?: () => Promise<void>;
}

/** The longest stretch a round delivers without letting the event loop take other work. */
const YIELD_EVERY_MS = 10;

export const gateKey = (platform: string, channelId: string | null) => `${platform}:${channelId ?? "*"}`;

/**
 * What is handed to the notifier. A thread whose card never got out (the platform refused
 * it) does not take the case's later messages down with it: a card update posts the card
 * afresh, and a thread post goes out on its own, marked with the case reference.
 */
export function asDelivered(d: Delivery): Delivery {
  if (!d.thread || d.thread.cardMessageId || (d.kind !== "thread" && d.kind !== "card_update")) return d;
  if (d.kind === "card_update") return { ...d, kind: "card" };
  const ref = d.payload.ref;
  const blocks = ref ? [para(rich`${strong(ref)}`), ...(d.payload.blocks ?? [])] : (d.payload.blocks ?? []);
  return { ...d, kind: d.thread.direct ? "dm" : "channel", payload: { ...d.payload, blocks }, thread: null };
}

interface Claim {
  rows: ClaimedMessage[];
  withheld: ClaimedMessage[];
  threads: Map<number, DeliveryThread>;
  token: string;
  /** When the claim was made (performance.now()), for the round's time limit. */
  at: number;
  /** Nothing claimed because another worker was claiming the same rows (PostgreSQL). */
  contended: boolean;
}

interface Outcome {
  row: ClaimedMessage;
  delivery: Delivery;
  result: DeliveryResult;
}

export class OutboxWorker extends LeasedWorker {
  readonly #notifiers: Map<Platform, Notifier>;
  readonly #leaseMs: number;
  readonly #batch: number;
  readonly #perKey: number;
  readonly #capMs: number;
  readonly #timeoutMs: number;

  constructor(private readonly o: OutboxOptions) {
    super({ name: "outbox", log: o.log, clock: o.clock, owner: o.owner, exclusive: o.exclusive });
    this.#notifiers = new Map(o.notifiers.map((n) => [n.platform, n]));
    this.#leaseMs = o.leaseMs ?? 30_000;
    this.#batch = o.batch ?? 200;
    this.#perKey = o.perKey ?? 20;
    this.#capMs = o.backoffCapMs ?? 5 * 60_000;
    this.#timeoutMs = o.sendTimeoutMs ?? Math.min(15_000, this.#leaseMs / 2);
  }

  get platforms(): Platform[] {
    return [...this.#notifiers.keys()];
  }

  /**
   * Reaps expired leases and claims the next messages, then — in the same transaction —
   * screens them (the audience rule once more) and reads their threads.
   */
  async claim(limit = this.#batch): Promise<Claim> {
    const { db, clock } = this.o;
    const token = randomUUID();
    const platforms = this.platforms;
    const at = performance.now();
    const none = (contended = false): Claim => ({ rows: [], withheld: [], threads: new Map(), token, at, contended });
    if (platforms.length === 0) return none();
    const screen = this.o.screen ?? withholdUnqualified;
    await this.o.yieldTo?.();
    return db.tx(async (tx) => {
      const now = clock.now();
      await tx.sql.run(reapOutbox, { now });
      const until = new Date(now.getTime() + this.#leaseMs);
      const which = { now, platforms, limit, perKey: this.#perKey, scan: limit };
      const claimed = await tx.sql.all(claimOutbox, { ...which, owner: this.owner, token, until });
      claimed.sort((a, b) => a.id - b.id);
      if (claimed.length === 0) return none(tx.sql.dialect === "postgresql" && ((await tx.sql.one(contendedOutbox, which))?.n ?? 0) > 0);
      // Who may receive is decided again now: what no longer qualifies is withheld, never sent.
      const withheld = await screen(tx, claimed, token, now);
      const rows = claimed.filter((r) => !withheld.has(r.id));
      const threadIds = [...new Set(rows.flatMap((r) => (r.caseThreadId === null ? [] : [r.caseThreadId])))];
      const threads = new Map(threadIds.length === 0 ? [] : (await tx.sql.all(deliveryThreads, { ids: threadIds })).map((t) => [t.id, t]));
      return { rows, withheld: claimed.filter((r) => withheld.has(r.id)), threads, token, at, contended: false };
    });
  }

  /** One round: claim, deliver each order key's messages in turn, record every outcome at once. */
  protected async round(): Promise<number> {
    const { rows, withheld, threads, token, at, contended } = await this.claim();
    // Another worker was claiming the same rows: not idle, look again (as if one was handled).
    if (contended) {
      await new Promise((r) => setTimeout(r, 5));
      return 1;
    }
    for (const row of withheld) {
      this.o.log.info({ outbox: row.id, case: row.caseId, kind: row.kind }, "outbox message withheld: its audience no longer qualifies");
      this.o.metrics?.outbox.inc({ platform: row.platform, result: "withheld" });
    }
    if (rows.length === 0) return withheld.length;
    const groups = new Map<string, ClaimedMessage[]>();
    for (const row of rows) {
      const g = groups.get(row.orderKey);
      if (g) g.push(row);
      else groups.set(row.orderKey, [row]);
    }
    const outcomes: Outcome[] = [];
    const released: number[] = [];
    // Past half the lease, a key's remaining messages wait for the next round (so no other
    // process can take them over while this one is still sending).
    const deadline = at + this.#leaseMs / 2;
    let yielded = performance.now();
    const deliverGroup = async (group: ClaimedMessage[]) => {
      for (let i = 0; i < group.length; i++) {
        // A notifier that answers at once (the console) keeps the loop to itself through
        // promise continuations; every few milliseconds, let requests and replies in.
        if (performance.now() - yielded > YIELD_EVERY_MS) {
          await new Promise((r) => setImmediate(r));
          yielded = performance.now();
        }
        if (i > 0 && performance.now() > deadline) {
          released.push(...group.slice(i).map((r) => r.id));
          return;
        }
        const outcome = await this.deliver(group[i]!, threads);
        outcomes.push(outcome);
        // A message that did not go holds back the rest of its key (a dead one does not).
        if (!outcome.result.ok && outcome.result.retry !== "never") {
          released.push(...group.slice(i + 1).map((r) => r.id));
          return;
        }
      }
    };
    // Keys are independent, so they may go in parallel; the console prints in order instead.
    if (this.o.parallel ?? true) await Promise.all([...groups.values()].map(deliverGroup));
    else for (const group of groups.values()) await deliverGroup(group);
    await this.record(outcomes, released, token);
    return rows.length + withheld.length;
  }

  private async deliver(row: ClaimedMessage, threads: Map<number, DeliveryThread>): Promise<Outcome> {
    const notifier = this.#notifiers.get(row.platform as Platform)!;
    const thread = row.caseThreadId === null ? undefined : threads.get(row.caseThreadId);
    const delivery = asDelivered({
      id: row.id,
      key: row.key,
      kind: row.kind as OutboxKind,
      platform: row.platform as Platform,
      channelId: row.channelId,
      payload: JSON.parse(row.payload) as OutboxPayload,
      thread: thread ? { id: thread.id, cardMessageId: thread.cardMessageId, threadId: thread.threadId, direct: thread.memberId !== null } : null,
      attempt: row.attempts,
    });
    const result = await this.send(notifier, delivery);
    // The crash tests stop here: the platform has the message, the row is not marked yet.
    if (result.ok) await faultPoint("outbox-after-send");
    // The next message of this thread (in this round) goes into the card's thread.
    if (thread && delivery.kind === "card") {
      if (result.ok && result.messageId) Object.assign(thread, { cardMessageId: result.messageId, threadId: result.threadId ?? result.messageId });
      else if (!result.ok && result.posted) Object.assign(thread, { cardMessageId: result.posted, threadId: null });
    }
    return { row, delivery, result };
  }

  /** Every outcome of a round in one transaction, each only while the claim is still ours. */
  private async record(outcomes: Outcome[], released: number[], token: string): Promise<void> {
    const { db, clock, log, metrics } = this.o;
    const now = clock.now();
    const sent = outcomes.filter((x) => x.result.ok);
    const cards: unknown[][] = [];
    for (const { delivery, result } of outcomes) {
      if (delivery.kind !== "card" || !delivery.thread) continue;
      if (result.ok && result.messageId) cards.push([delivery.thread.id, result.messageId, result.threadId ?? result.messageId]);
      // The card went out but a later step did not (its thread): the retry does only the rest.
      else if (!result.ok && result.posted) cards.push([delivery.thread.id, result.posted, null]);
    }
    await this.o.yieldTo?.();
    const lost = await db.tx(async (tx) => {
      let marked = 0;
      if (sent.length > 0) marked = await tx.sql.run(markSent, { rows: sent.map((x) => [x.row.id, x.result.ok ? (x.result.messageId ?? null) : null]), token, now });
      if (cards.length > 0) await tx.sql.run(recordCards, { rows: cards });
      if (released.length > 0) await tx.sql.run(releaseClaims, { ids: released, token });
      for (const { row, result } of outcomes) {
        if (result.ok) continue;
        if (result.retry === "rate_limited") {
          const until = new Date(now.getTime() + result.retryAfterMs);
          await tx.sql.run(closeGate, { destination: gateKey(row.platform, result.global ? null : row.channelId), until });
          // A 429 is the platform pacing us, not a failure: the attempt is given back.
          await tx.sql.run(markFailed, { id: row.id, token, state: "pending", nextAttemptAt: until, giveBack: true, error: result.reason });
          continue;
        }
        const retryAt = new Date(now.getTime() + this.backoff(row.attempts));
        const dead = result.retry === "never" || retryAt.getTime() > row.deadlineAt.getTime();
        const reason = result.retry === "never" ? result.reason : dead ? `gave up at its deadline: ${result.reason}` : result.reason;
        await tx.sql.run(markFailed, { id: row.id, token, state: dead ? "dead" : "pending", nextAttemptAt: dead ? null : retryAt, giveBack: false, error: reason });
        if (dead) log.warn({ outbox: row.id, platform: row.platform, kind: row.kind }, "outbox message is dead");
      }
      return sent.length - marked;
    });
    if (lost > 0) log.warn({ messages: lost }, "delivered after the lease was lost; another process may deliver them again");
    for (const { row, result } of outcomes) metrics?.outbox.inc({ platform: row.platform, result: result.ok ? "sent" : result.retry });
  }

  private async send(notifier: Notifier, delivery: Delivery): Promise<DeliveryResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        notifier.deliver(delivery),
        new Promise<DeliveryResult>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, retry: "transient", reason: `no answer within ${this.#timeoutMs} ms` }), this.#timeoutMs);
        }),
      ]);
    } catch (error) {
      this.o.log.warn({ err: error, outbox: delivery.id }, "notifier threw");
      return { ok: false, retry: "transient", reason: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Exponential, capped, with full jitter in the upper half so processes spread out. */
  backoff(attempt: number): number {
    const base = Math.min(this.#capMs, 1000 * 2 ** Math.max(0, attempt - 1));
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  /** When the next pending row becomes due, so the loop can sleep until then. */
  async nextDue(): Promise<Date | null> {
    return (await this.o.db.tx((tx) => tx.sql.one(nextOutboxDue, {})))?.at ?? null;
  }
}

export type { Delivery, DeliveryResult, Notifier } from "../model/delivery.js";
