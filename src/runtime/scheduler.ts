import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Services } from "../core/command.js";
import type { Database } from "../db/database.js";
import type { TimerRow } from "../domain/cases/escalation.js";
import { fireTimers } from "../domain/fire.js";
import { safeError, type Logger } from "../log.js";
import { faultPoint } from "./faults.js";
import { Loop } from "./loop.js";
import { Mutex } from "./mutex.js";
import type { Metrics } from "./metrics.js";

/**
 * Fires due timers exactly once in effect, whatever crashes or how many processes run
 * (notes on durable timers). Due rows are claimed with a lease and a fresh token; each is
 * fired in one transaction that writes its effects and marks it done only if the token is
 * still its own — otherwise the whole firing rolls back. Expired leases are reaped; attempt
 * counts only grow.
 */

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  services: Services;
  metrics?: Metrics;
  owner?: string;
  leaseMs?: number;
  batch?: number;
  maxAttempts?: number;
  /** Timers fired together in one transaction (fewer commits); a failing batch is retried one by one. */
  fireBatch?: number;
  /** Called after timers fired (to wake outbox delivery). */
  onFired?: () => void;
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
}

class LeaseLost extends Error {}

function failureOf(error: unknown): string {
  const e = safeError(error);
  return [e?.type, e?.code, (e?.driver as { code?: unknown } | undefined)?.code].filter(Boolean).join(" ").slice(0, 200) || "failed";
}

export class Scheduler {
  readonly owner: string;
  readonly #loop: Loop;
  /** One round at a time per worker: drain() waits for the loop's round in flight. */
  readonly #round = new Mutex();
  readonly #leaseMs: number;
  readonly #batch: number;
  readonly #maxAttempts: number;

  constructor(private readonly o: SchedulerOptions) {
    this.owner = o.owner ?? `scheduler-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#leaseMs = o.leaseMs ?? 30_000;
    this.#batch = o.batch ?? 50;
    this.#maxAttempts = o.maxAttempts ?? 10;
    const exclusive = o.exclusive ?? ((fn) => fn());
    this.#loop = new Loop({ name: "scheduler", log: o.log, clock: o.clock, run: () => exclusive(() => this.#round.run(() => this.#runOnce())), nextDue: () => this.nextDue() });
  }

  /** Expired leases go back to the queue, or to dead after too many attempts. */
  async reap(): Promise<number> {
    const now = this.o.clock.now();
    return this.o.db.tx(async (tx) => {
      const expired = { state: "running", leaseExpiresAt: { lt: now } };
      const dead = await tx.timer.updateMany({
        where: { ...expired, attempts: { gte: this.#maxAttempts } },
        data: { state: "dead", leaseOwner: null, leaseToken: null, leaseExpiresAt: null, lastError: "lease expired on the last attempt", updatedAt: now },
      });
      const back = await tx.timer.updateMany({
        where: expired,
        data: { state: "scheduled", leaseOwner: null, leaseToken: null, leaseExpiresAt: null, updatedAt: now },
      });
      return dead.count + back.count;
    });
  }

  async claim(limit = this.#batch): Promise<{ ids: number[]; token: string }> {
    const { db, clock } = this.o;
    const now = clock.now();
    const token = randomUUID();
    const until = new Date(now.getTime() + this.#leaseMs);
    const rows = await db.tx(async (tx) => {
      if (db.provider === "postgresql") {
        return tx.$queryRaw<{ id: number }[]>`
          WITH due AS (
            SELECT id FROM "timer" WHERE state = 'scheduled' AND due_at <= ${now}
             ORDER BY due_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          UPDATE "timer" SET state = 'running', attempts = "timer".attempts + 1, lease_owner = ${this.owner},
                 lease_token = ${token}, lease_expires_at = ${until}, updated_at = ${now}
            FROM due WHERE "timer".id = due.id
          RETURNING "timer".id`;
      }
      return tx.$queryRaw<{ id: number }[]>`
        UPDATE "timer" SET state = 'running', attempts = attempts + 1, lease_owner = ${this.owner},
               lease_token = ${token}, lease_expires_at = ${until}, updated_at = ${now}
         WHERE id IN (SELECT id FROM "timer" WHERE state = 'scheduled' AND due_at <= ${now} ORDER BY due_at, id LIMIT ${limit})
        RETURNING id`;
    });
    return { ids: rows.map((r) => Number(r.id)), token };
  }

  /** One round: reap, claim, fire each claimed timer in its own transaction. */
  runOnce(): Promise<number> {
    return this.#round.run(() => this.#runOnce());
  }

  async #runOnce(): Promise<number> {
    await this.reap();
    const { ids, token } = await this.claim();
    if (ids.length === 0) return 0;
    const rows = await this.o.db.tx((tx) => tx.timer.findMany({ where: { id: { in: ids } }, orderBy: [{ dueAt: "asc" }, { id: "asc" }] }));
    const size = this.o.fireBatch ?? 20;
    for (let i = 0; i < rows.length; i += size) {
      const chunk = rows.slice(i, i + size);
      if (chunk.length > 1 && (await this.fireTogether(chunk, token))) continue;
      for (const row of chunk) await this.fire(row, token);
    }
    this.o.onFired?.();
    return rows.length;
  }

  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return;
  }

  /**
   * Fires several timers in one transaction. All or nothing: if any of them fails or was
   * taken over, the whole batch rolls back and the caller fires them one by one.
   */
  private async fireTogether(rows: (TimerRow & { attempts: number })[], token: string): Promise<boolean> {
    const { db, clock, services, metrics } = this.o;
    try {
      await db.tx(async (tx) => {
        const now = clock.now();
        await fireTimers({ tx, clock, services }, rows);
        await faultPoint("timer-fire");
        const done = await tx.timer.updateMany({
          where: { id: { in: rows.map((r) => r.id) }, state: "running", leaseToken: token },
          data: { state: "done", leaseOwner: null, leaseToken: null, leaseExpiresAt: null, lastError: null, updatedAt: now },
        });
        if (done.count !== rows.length) throw new LeaseLost();
      });
      for (const row of rows) metrics?.timers.inc({ kind: row.kind, result: "fired" });
      return true;
    } catch (error) {
      // Not lost: each timer is fired again on its own, and a failure is counted against it.
      this.o.log.warn({ err: error, timers: rows.map((r) => r.id) }, "a batch of timers rolled back; firing them one by one");
      for (const row of rows) metrics?.timers.inc({ kind: row.kind, result: "batch_retried_alone" });
      return false;
    }
  }

  private async fire(row: TimerRow & { attempts: number }, token: string): Promise<void> {
    const { db, clock, log, services, metrics } = this.o;
    try {
      await db.tx(async (tx) => {
        const now = clock.now();
        await fireTimers({ tx, clock, services }, [row]);
        await faultPoint("timer-fire");
        const done = await tx.timer.updateMany({
          where: { id: row.id, state: "running", leaseToken: token },
          data: { state: "done", leaseOwner: null, leaseToken: null, leaseExpiresAt: null, lastError: null, updatedAt: now },
        });
        // Fencing: someone else owns it now, so none of this may commit.
        if (done.count === 0) throw new LeaseLost();
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
        tx.timer.updateMany({
          where: { id: row.id, state: "running", leaseToken: token },
          data: {
            state: dead ? "dead" : "scheduled",
            // Escalations are urgent: retry soon (a dropped connection), back off only if it persists.
            dueAt: new Date(now.getTime() + Math.min(1000 * 2 ** (row.attempts - 1), 300_000) * (0.75 + Math.random() / 2)),
            // The class and code only: a message may quote the row it refused (case content).
            lastError: failureOf(error),
            leaseOwner: null,
            leaseToken: null,
            leaseExpiresAt: null,
            updatedAt: now,
          },
        }),
      );
    }
  }

  async nextDue(): Promise<Date | null> {
    const row = await this.o.db.tx((tx) =>
      tx.timer.findFirst({ where: { state: { in: ["scheduled", "running"] } }, orderBy: { dueAt: "asc" }, select: { dueAt: true, state: true, leaseExpiresAt: true } }),
    );
    if (!row) return null;
    return row.state === "running" ? row.leaseExpiresAt : row.dueAt;
  }

  start(): void {
    this.#loop.start();
  }

  wake(): void {
    this.#loop.wake();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }
}
