import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Platform } from "../model/platform.js";
import type { Database, Tx } from "../db/database.js";
import { withholdUnqualified, type QueuedMessage } from "../domain/delivery.js";
import type { Delivery, DeliveryResult, Notifier, OutboxKind, OutboxPayload } from "../model/delivery.js";
import type { Logger } from "../log.js";
import type { Metrics } from "./metrics.js";
import { para, rich, strong } from "../model/message.js";
import { faultPoint } from "./faults.js";
import { Loop } from "./loop.js";
import { Mutex } from "./mutex.js";

/**
 * Delivers the outbox, at least once, in order per thread (ARCHITECTURE.md; notes on
 * durable timers). Rows are claimed with a lease and a fresh token, handed to the
 * platform's notifier, and marked sent only if the token still matches. A 429 closes a
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
  batch?: number;
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
}

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

export class OutboxWorker {
  readonly owner: string;
  readonly #notifiers: Map<Platform, Notifier>;
  readonly #leaseMs: number;
  readonly #batch: number;
  readonly #capMs: number;
  readonly #timeoutMs: number;
  readonly #loop: Loop;
  /** One round at a time per worker: drain() waits for the loop's round in flight. */
  readonly #round = new Mutex();

  constructor(private readonly o: OutboxOptions) {
    this.owner = o.owner ?? `outbox-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#notifiers = new Map(o.notifiers.map((n) => [n.platform, n]));
    this.#leaseMs = o.leaseMs ?? 30_000;
    this.#batch = o.batch ?? 20;
    this.#capMs = o.backoffCapMs ?? 5 * 60_000;
    this.#timeoutMs = o.sendTimeoutMs ?? Math.min(15_000, this.#leaseMs / 2);
    const exclusive = o.exclusive ?? ((fn) => fn());
    this.#loop = new Loop({ name: "outbox", log: o.log, run: () => exclusive(() => this.#round.run(() => this.#runOnce())), nextDue: () => this.nextDue(), clock: o.clock });
  }

  get platforms(): Platform[] {
    return [...this.#notifiers.keys()];
  }

  /** Returns rows whose lease ran out (their process died or stalled) to the queue. */
  async reap(): Promise<number> {
    const now = this.o.clock.now();
    return this.o.db.tx((tx) =>
      tx.outbox.updateMany({
        where: { state: "sending", leaseExpiresAt: { lt: now } },
        data: { state: "pending", leaseOwner: null, leaseToken: null, leaseExpiresAt: null, nextAttemptAt: now },
      }),
    ).then((r) => r.count);
  }

  /** Claims due rows: at most one per order key, none behind a closed gate. */
  async claim(limit = this.#batch): Promise<{ ids: number[]; token: string }> {
    const { db, clock } = this.o;
    const now = clock.now();
    const token = randomUUID();
    const until = new Date(now.getTime() + this.#leaseMs);
    const platforms = this.platforms;
    if (platforms.length === 0) return { ids: [], token };
    const rows = await db.tx(async (tx) => {
      if (db.provider === "postgresql") {
        return tx.$queryRaw<{ id: number }[]>`
          WITH due AS (
            SELECT o.id FROM "outbox" o
             WHERE o.state = 'pending' AND o.next_attempt_at <= ${now} AND o.platform = ANY(${platforms})
               AND NOT EXISTS (SELECT 1 FROM "outbox" p WHERE p.order_key = o.order_key AND p.id < o.id AND p.state IN ('pending', 'sending'))
               AND NOT EXISTS (SELECT 1 FROM "rate_gate" g WHERE g.destination IN (o.platform || ':' || o.channel_id, o.platform || ':*') AND g.blocked_until > ${now})
             ORDER BY o.id
             LIMIT ${limit}
             FOR UPDATE SKIP LOCKED)
          UPDATE "outbox" SET state = 'sending', attempts = "outbox".attempts + 1, lease_owner = ${this.owner}, lease_token = ${token}, lease_expires_at = ${until}
            FROM due WHERE "outbox".id = due.id
          RETURNING "outbox".id`;
      }
      return tx.$queryRaw<{ id: number }[]>`
        UPDATE "outbox" SET state = 'sending', attempts = attempts + 1, lease_owner = ${this.owner}, lease_token = ${token}, lease_expires_at = ${until}
         WHERE id IN (
           SELECT o.id FROM "outbox" o
            WHERE o.state = 'pending' AND o.next_attempt_at <= ${now} AND o.platform IN (SELECT value FROM json_each(${JSON.stringify(platforms)}))
              AND NOT EXISTS (SELECT 1 FROM "outbox" p WHERE p.order_key = o.order_key AND p.id < o.id AND p.state IN ('pending', 'sending'))
              AND NOT EXISTS (SELECT 1 FROM "rate_gate" g WHERE g.destination IN (o.platform || ':' || o.channel_id, o.platform || ':*') AND g.blocked_until > ${now})
            ORDER BY o.id
            LIMIT ${limit})
        RETURNING id`;
    });
    return { ids: rows.map((r) => Number(r.id)).sort((a, b) => a - b), token };
  }

  /** One round: reap, claim, deliver. Returns how many rows it handled. */
  runOnce(): Promise<number> {
    return this.#round.run(() => this.#runOnce());
  }

  async #runOnce(): Promise<number> {
    await this.reap();
    const { ids, token } = await this.claim();
    if (ids.length === 0) return 0;
    const screen = this.o.screen ?? withholdUnqualified;
    const claimed = await this.o.db.tx(async (tx) => {
      const found = await tx.outbox.findMany({ where: { id: { in: ids }, leaseToken: token }, orderBy: { id: "asc" } });
      // Who may receive is decided again now: what no longer qualifies is withheld, never sent.
      const withheld = await screen(tx, found, token, this.o.clock.now());
      return { rows: found.filter((r) => !withheld.has(r.id)), withheld: found.filter((r) => withheld.has(r.id)) };
    });
    for (const row of claimed.withheld) {
      this.o.log.info({ outbox: row.id, case: row.caseId, kind: row.kind }, "outbox message withheld: its audience no longer qualifies");
      this.o.metrics?.outbox.inc({ platform: row.platform, result: "withheld" });
    }
    const rows = claimed.rows;
    // Each order key has at most one row here, so rows may go in parallel.
    if (this.o.parallel ?? true) await Promise.all(rows.map((row) => this.deliverRow(row, token)));
    else for (const row of rows) await this.deliverRow(row, token);
    return rows.length + claimed.withheld.length;
  }

  /** Delivers everything due now (console end of input, tests). */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return;
  }

  private async deliverRow(row: Awaited<ReturnType<Database["client"]["outbox"]["findMany"]>>[number], token: string) {
    const { db, clock, log, metrics } = this.o;
    const notifier = this.#notifiers.get(row.platform as Platform)!;
    const thread = row.caseThreadId ? await db.tx((tx) => tx.caseThread.findUnique({ where: { id: row.caseThreadId! } })) : null;
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
    const now = clock.now();
    const mine = { id: row.id, leaseToken: token };
    await db.tx(async (tx) => {
      if (result.ok) {
        const marked = await tx.outbox.updateMany({
          where: mine,
          data: { state: "sent", sentAt: now, platformMessageId: result.messageId ?? null, leaseOwner: null, leaseToken: null, leaseExpiresAt: null, lastError: null },
        });
        if (marked.count === 0) log.warn({ outbox: row.id }, "delivered after the lease was lost; another process may deliver it again");
        if (delivery.kind === "card" && thread && result.messageId) {
          await tx.caseThread.update({ where: { id: thread.id }, data: { cardMessageId: result.messageId, threadId: result.threadId ?? result.messageId } });
        }
        return;
      }
      // The card went out but a later step did not (its thread): the retry does only the rest.
      if (result.posted && delivery.kind === "card" && thread) {
        await tx.caseThread.update({ where: { id: thread.id }, data: { cardMessageId: result.posted, threadId: null } });
      }
      if (result.retry === "rate_limited") {
        const until = new Date(now.getTime() + result.retryAfterMs);
        const destination = gateKey(row.platform, result.global ? null : row.channelId);
        await tx.rateGate.upsert({ where: { destination }, create: { destination, blockedUntil: until }, update: { blockedUntil: until } });
        // A 429 is the platform pacing us, not a failure: the attempt is given back.
        await tx.outbox.updateMany({
          where: mine,
          data: { state: "pending", attempts: { decrement: 1 }, nextAttemptAt: until, leaseOwner: null, leaseToken: null, leaseExpiresAt: null, lastError: result.reason },
        });
        return;
      }
      const retryAt = new Date(now.getTime() + this.backoff(row.attempts));
      const dead = result.retry === "never" || retryAt.getTime() > row.deadlineAt.getTime();
      const reason = result.retry === "never" ? result.reason : dead ? `gave up at its deadline: ${result.reason}` : result.reason;
      await tx.outbox.updateMany({
        where: mine,
        data: dead
          ? { state: "dead", lastError: reason, leaseOwner: null, leaseToken: null, leaseExpiresAt: null }
          : { state: "pending", nextAttemptAt: retryAt, lastError: reason, leaseOwner: null, leaseToken: null, leaseExpiresAt: null },
      });
      if (dead) log.warn({ outbox: row.id, platform: row.platform, kind: row.kind }, "outbox message is dead");
    });
    metrics?.outbox.inc({ platform: row.platform, result: result.ok ? "sent" : result.retry });
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
    const row = await this.o.db.tx((tx) =>
      tx.outbox.findFirst({ where: { state: { in: ["pending", "sending"] } }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true, state: true, leaseExpiresAt: true } }),
    );
    if (!row) return null;
    return row.state === "sending" ? row.leaseExpiresAt : row.nextAttemptAt;
  }

  start(): void {
    this.#loop.start();
  }

  /** Wakes the loop: something was just written. */
  wake(): void {
    this.#loop.wake();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}

export type { Delivery, DeliveryResult, Notifier } from "../model/delivery.js";
