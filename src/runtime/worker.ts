import { randomUUID } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import { Loop } from "./loop.js";
import { Mutex } from "./mutex.js";

/**
 * The one base of the database-driven workers — the scheduler (due timers), the outbox
 * (messages) and the single holder of a role (the Discord gateway). A round claims its work
 * with a lease and a fresh token, handles it, and marks it only while the token still holds
 * (the SQL of each lives under src/db/sql/); expired leases are reaped by whoever comes next.
 * The base owns what they share: an owner name, one round at a time, the loop that decides
 * when to look again, drain, start, wake and stop.
 */
export interface WorkerOptions {
  /** For logs and owner names: "scheduler", "outbox", "lease:discord-gateway". */
  name: string;
  log: Logger;
  clock: Clock;
  owner?: string;
  /** Wraps each round; the console uses it so background output never interleaves with a reply. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The longest wait between rounds when nothing is known to be due. */
  pollMs?: number;
}

export abstract class LeasedWorker {
  readonly owner: string;
  readonly #loop: Loop;
  /** One round at a time per worker: drain() waits for the loop's round in flight. */
  readonly #round = new Mutex();

  constructor(base: WorkerOptions) {
    this.owner = base.owner ?? `${base.name}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const exclusive = base.exclusive ?? ((fn) => fn());
    this.#loop = new Loop({
      name: base.name,
      log: base.log,
      clock: base.clock,
      pollMs: base.pollMs,
      run: () => exclusive(() => this.#round.run(() => this.round())),
      nextDue: () => this.nextDue(),
    });
  }

  /** One round of work: claim, handle, mark. Returns how much it did (0: nothing to do now). */
  protected abstract round(): Promise<number>;

  /** When there is next something to do, if known (the loop sleeps until then, at most `pollMs`). */
  abstract nextDue(): Promise<Date | null>;

  runOnce(): Promise<number> {
    return this.#round.run(() => this.round());
  }

  /** Runs rounds until one finds nothing to do (the console at end of input, tests). */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.runOnce()) === 0) return;
  }

  start(): void {
    this.#loop.start();
  }

  /** Something was just written: look now. */
  wake(): void {
    this.#loop.wake();
  }

  /** Stops claiming; resolves once the round in hand has finished. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }
}
