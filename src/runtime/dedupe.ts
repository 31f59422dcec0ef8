import type { Clock } from "../clock.js";
import type { Database, Tx } from "../db/database.js";
import { claimDelivery, forgetDeliveries } from "../db/sql/deliveries.js";

/**
 * Remembers platform deliveries so each is handled once: a retried Slack envelope or
 * Discord interaction, a button clicked twice. Shared by all processes through the
 * database; one statement decides, so two processes cannot both win. A command claims its
 * delivery inside its own transaction (`claim`): if its work rolls back — a crash, a
 * refusal — the delivery is not remembered and a retry is handled afresh.
 */
export interface Deduper {
  /** True the first time a key is seen within `windowMs` (or a day), in a transaction of its own. */
  firstTime(key: string, windowMs?: number): Promise<boolean>;
  /** The same, inside the caller's transaction. */
  claim(tx: Tx, key: string, windowMs?: number): Promise<boolean>;
}

const KEEP_MS = 24 * 60 * 60_000;

export class DatabaseDeduper implements Deduper {
  #calls = 0;
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  firstTime(key: string, windowMs = KEEP_MS): Promise<boolean> {
    return this.db.tx((tx) => this.claim(tx, key, windowMs));
  }

  async claim(tx: Tx, key: string, windowMs = KEEP_MS): Promise<boolean> {
    const now = this.clock.now();
    const stale = new Date(now.getTime() - windowMs);
    const claimed = await tx.sql.run(claimDelivery, { key, now, stale });
    if (++this.#calls % 200 === 0) await tx.sql.run(forgetDeliveries, { before: new Date(now.getTime() - KEEP_MS) });
    return claimed > 0;
  }
}
