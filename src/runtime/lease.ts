import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { holdLease, releaseLease } from "../db/sql/lease.js";
import type { Logger } from "../log.js";
import { LeasedWorker } from "./worker.js";

/**
 * A role held by one process at a time across every process on the database (the Discord
 * gateway: Discord wants one connection per bot). The holder renews it every `renewMs`;
 * if it dies, the lease expires after `ttlMs` and another process takes over.
 */
export interface LeaseOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  name: string;
  owner?: string;
  ttlMs?: number;
  renewMs?: number;
  /** Called when this process becomes the holder. */
  onAcquired: () => Promise<void>;
  /** Called when it stops holding (lost the lease, or stopping). */
  onLost: () => Promise<void>;
}

export class SingleHolder extends LeasedWorker {
  #held = false;
  #token = "";

  constructor(private readonly o: LeaseOptions) {
    super({ name: `lease:${o.name}`, log: o.log, clock: o.clock, owner: o.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`, pollMs: o.renewMs ?? 3000 });
  }

  get held(): boolean {
    return this.#held;
  }

  /** Tries to take or renew the lease; true while this process holds it. */
  async tryHold(): Promise<boolean> {
    const { db, clock, name } = this.o;
    const now = clock.now();
    const until = new Date(now.getTime() + (this.o.ttlMs ?? 10_000));
    const token = this.#held ? this.#token : randomUUID();
    const row = await db.tx((tx) => tx.sql.one(holdLease, { name, owner: this.owner, token, until, now }));
    this.#token = token;
    return row !== undefined;
  }

  /** A round: renew (or take) the lease, and take up or give up the role accordingly. */
  protected async round(): Promise<number> {
    let won = false;
    try {
      won = await this.tryHold();
    } catch (error) {
      // Cannot reach the database: assume someone else may take over.
      this.o.log.warn({ err: error, lease: this.o.name }, "cannot renew lease");
    }
    if (won && !this.#held) {
      this.#held = true;
      this.o.log.info({ lease: this.o.name, owner: this.owner }, "took the lease");
      try {
        await this.o.onAcquired();
      } catch (error) {
        // Could not take up the role: give the lease back so another process (or the next round) tries.
        this.o.log.error({ err: error, lease: this.o.name }, "could not take up the leased role");
        this.#held = false;
        await this.o.onLost().catch(() => {});
        await this.#release();
      }
    } else if (!won && this.#held) {
      this.#held = false;
      this.o.log.warn({ lease: this.o.name, owner: this.owner }, "lost the lease");
      await this.o.onLost();
    }
    // Renewed on a schedule, not on demand: the loop comes back after `renewMs`.
    return 0;
  }

  async nextDue(): Promise<Date | null> {
    return null;
  }

  #release(): Promise<number> {
    return this.o.db.tx((tx) => tx.sql.run(releaseLease, { name: this.o.name, owner: this.owner, token: this.#token }));
  }

  /** Gives the role up (and the lease, so another process can take over at once). */
  override async stop(): Promise<void> {
    await super.stop();
    if (this.#held) {
      this.#held = false;
      await this.o.onLost();
      await this.#release();
    }
  }
}
