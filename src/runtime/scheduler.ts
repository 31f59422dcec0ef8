import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { claimTimers, completeTimers, failTimer, nextTimerDue, reapTimers, type ClaimedTimer } from "../db/sql/timers.js";
import { fireTimers } from "../domain/fire.js";
import { safeError, type Logger } from "../log.js";
import type { DomainServices } from "../domain/services.js";
import { faultPoint } from "./faults.js";
import type { Metrics } from "./metrics.js";
import { LeasedWorker } from "./worker.js";

/**
 * Fires due timers exactly once in effect, whatever crashes or how many processes run
 * (docs/architecture.md). Due rows are claimed with a lease and a fresh token; each is
 * fired in one transaction that writes its effects and marks it done only if the token is
 * still its own — otherwise the whole firing rolls back. Expired leases are reaped; attempt
 * counts only grow.
 */

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  services: DomainServices;
  metrics?: Metrics;
  owner?: string;
  leaseMs?: number;
  batch?: number;
  maxAttempts?: number;
  /**
   * Timers fired together in one transaction (fewer commits); a failing batch is retried one
   * by one. On SQLite a transaction holds the event loop, so this bounds how long a request
   * waits behind a flood (see BENCHMARKS.md for how it was chosen).
   */
  fireBatch?: number;
  /** Called after timers fired (to wake outbox delivery). */
  onFired?: () => void;
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Awaited before each transaction: commands go first (SQLite, see Dispatcher.idle). */
  yieldTo?: () => Promise<void>;
}

/**
 * Timers claimed per round, and fired per transaction, per database. Measured (BENCHMARKS.md
 * §3): on SQLite a firing transaction holds the event loop, ~0.25 ms per escalation, so 100
 * keep a request's wait near 25 ms while commits stay few; PostgreSQL's transactions do not
 * hold the loop and each costs round trips, so larger batches there move a flood ~8% faster.
 */
export const SCHEDULER_BATCHES = { sqlite: { claim: 500, fire: 100 }, postgresql: { claim: 1000, fire: 250 } } as const;

class LeaseLost extends Error {}

function failureOf(error: unknown): string {
  const e = safeError(error);
  return [e?.type, e?.code, (e?.driver as { code?: unknown } | undefined)?.code].filter(Boolean).join(" ").slice(0, 200) || "failed";
}

export class Scheduler extends LeasedWorker {
  readonly #leaseMs: number;
  readonly #batch: number;
  readonly #maxAttempts: number;
  readonly #fireBatch: number;

  constructor(private readonly o: SchedulerOptions) {
    super({ name: "scheduler", log: o.log, clock: o.clock, owner: o.owner, exclusive: o.exclusive });
    this.#leaseMs = o.leaseMs ?? 30_000;
    this.#batch = o.batch ?? SCHEDULER_BATCHES[o.db.provider].claim;
    this.#maxAttempts = o.maxAttempts ?? 10;
    this.#fireBatch = o.fireBatch ?? SCHEDULER_BATCHES[o.db.provider].fire;
  }

  /**
   * Reaps expired leases and claims due timers, in one transaction: the claimed rows come
   * back with the claim (nothing is read again).
   */
  async claim(limit = this.#batch): Promise<{ timers: ClaimedTimer[]; token: string }> {
    await this.o.yieldTo?.();
    const now = this.o.clock.now();
    const token = randomUUID();
    const until = new Date(now.getTime() + this.#leaseMs);
    const timers = await this.o.db.tx(async (tx) => {
      await tx.sql.run(reapTimers, { now, maxAttempts: this.#maxAttempts });
      return tx.sql.all(claimTimers, { now, limit, owner: this.owner, token, until });
    });
    timers.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
    return { timers, token };
  }

  /** One round: claim a batch, fire it in transactions of `fireBatch`, yielding between them. */
  protected async round(): Promise<number> {
    const { timers, token } = await this.claim();
    if (timers.length === 0) return 0;
    await faultPoint("timer-claimed");
    for (let i = 0; i < timers.length; i += this.#fireBatch) {
      // Between transactions the event loop answers what came in (a Slack request waits for
      // no more than one firing transaction).
      if (i > 0) await new Promise((r) => setImmediate(r));
      await this.o.yieldTo?.();
      const chunk = timers.slice(i, i + this.#fireBatch);
      const late = await this.fireTogether(chunk, token);
      for (const row of late) await this.fire(row, token);
    }
    this.o.onFired?.();
    return timers.length;
  }

  /**
   * Fires several timers in one transaction and returns those left to fire one by one: the
   * timers of cases another worker holds locked (PostgreSQL skips them rather than wait), or
   * all of them if the batch failed — all or nothing, a failure rolls the batch back.
   */
  private async fireTogether(rows: ClaimedTimer[], token: string): Promise<ClaimedTimer[]> {
    const { db, clock, services, metrics } = this.o;
    if (rows.length === 1) return rows;
    try {
      const skipped = await db.tx(async (tx) => {
        const { skipped } = await fireTimers({ tx, clock, services }, rows, { skipLocked: true });
        await faultPoint("timer-fire");
        const fired = rows.filter((r) => !skipped.has(r.id));
        const done = await tx.sql.run(completeTimers, { ids: fired.map((r) => r.id), token, now: clock.now() });
        // Fencing: some of them are someone else's now, so none of this may commit.
        if (done !== fired.length) throw new LeaseLost();
        return skipped;
      });
      for (const row of rows) if (!skipped.has(row.id)) metrics?.timers.inc({ kind: row.kind, result: "fired" });
      return rows.filter((r) => skipped.has(r.id));
    } catch (error) {
      // Not lost: each timer is fired again on its own, and a failure is counted against it.
      this.o.log.warn({ err: error, timers: rows.map((r) => r.id) }, "a batch of timers rolled back; firing them one by one");
      for (const row of rows) metrics?.timers.inc({ kind: row.kind, result: "batch_retried_alone" });
      return rows;
    }
  }

  private async fire(row: ClaimedTimer, token: string): Promise<void> {
    const { db, clock, log, services, metrics } = this.o;
    try {
      await db.tx(async (tx) => {
        const now = clock.now();
        await fireTimers({ tx, clock, services }, [row]);
        await faultPoint("timer-fire");
        // Fencing: someone else owns it now, so none of this may commit.
        if ((await tx.sql.run(completeTimers, { ids: [row.id], token, now: clock.now() })) === 0) throw new LeaseLost();
      });
      metrics?.timers.inc({ kind: row.kind, result: "fired" });
    } catch (error) {
      if (error instanceof LeaseLost) {
        log.warn({ timer: row.id, kind: row.kind }, "timer lease lost before commit; its firing was rolled back");
        metrics?.timers.inc({ kind: row.kind, result: "lease_lost" });
        return;
      }
      const now = clock.now();
      const dead = row.attempts >= this.#maxAttempts;
      log.error({ err: error, timer: row.id, kind: row.kind, attempts: row.attempts }, dead ? "timer failed for the last time" : "timer failed; will retry");
      metrics?.timers.inc({ kind: row.kind, result: dead ? "dead" : "failed" });
      await db.tx((tx) =>
        tx.sql.run(failTimer, {
          id: row.id,
          token,
          state: dead ? "dead" : "scheduled",
          // Escalations are urgent: retry soon (a dropped connection), back off only if it persists.
          dueAt: new Date(now.getTime() + Math.min(1000 * 2 ** (row.attempts - 1), 300_000) * (0.75 + Math.random() / 2)),
          // The class and code only: a message may quote the row it refused (case content).
          error: failureOf(error),
          now,
        }),
      );
    }
  }

  async nextDue(): Promise<Date | null> {
    return (await this.o.db.tx((tx) => tx.sql.one(nextTimerDue, {})))?.at ?? null;
  }
}
