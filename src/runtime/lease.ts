import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../log.js";

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

export class SingleHolder {
  readonly owner: string;
  #held = false;
  #token = "";
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #busy: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaseOptions) {
    this.owner = o.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
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
    const rows = await db.tx((tx) =>
      tx.$queryRaw<{ token: string }[]>`
        INSERT INTO "lease" ("name", "owner", "token", "expires_at", "updated_at") VALUES (${name}, ${this.owner}, ${token}, ${until}, ${now})
        ON CONFLICT ("name") DO UPDATE SET "owner" = ${this.owner}, "token" = ${token}, "expires_at" = ${until}, "updated_at" = ${now}
         WHERE "lease"."expires_at" < ${now} OR ("lease"."owner" = ${this.owner} AND "lease"."token" = ${token})
        RETURNING "token"`,
    );
    const won = rows.length > 0;
    this.#token = token;
    return won;
  }

  start(): void {
    this.#stopped = false;
    const tick = () => {
      this.#busy = this.#busy.then(() => this.#tick()).catch((error) => this.o.log.warn({ err: error, lease: this.o.name }, "lease check failed"));
      if (!this.#stopped) this.#timer = setTimeout(tick, this.o.renewMs ?? 3000);
    };
    tick();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
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
        // Could not take up the role: give the lease back so another process (or the next tick) tries.
        this.o.log.error({ err: error, lease: this.o.name }, "could not take up the leased role");
        this.#held = false;
        await this.o.onLost().catch(() => {});
        await this.o.db.tx((tx) => tx.lease.deleteMany({ where: { name: this.o.name, owner: this.owner, token: this.#token } }));
      }
    } else if (!won && this.#held) {
      this.#held = false;
      this.o.log.warn({ lease: this.o.name, owner: this.owner }, "lost the lease");
      await this.o.onLost();
    }
  }

  /** Gives the role up (and the lease, so another process can take over at once). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
    if (this.#held) {
      this.#held = false;
      await this.o.onLost();
      await this.o.db.tx((tx) => tx.lease.deleteMany({ where: { name: this.o.name, owner: this.owner, token: this.#token } }));
    }
  }
}
