import { nap } from "./nap.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";

/**
 * A background loop over database work (outbox delivery, due timers). The database holds
 * the truth; the in-process timer here only decides when to look again: right away while
 * there is work, at the next due time otherwise, and at least every `pollMs` so work
 * written by other processes is picked up.
 */
export interface LoopOptions {
  name: string;
  log: Logger;
  clock: Clock;
  /** Does one round of work; returns how much it did. */
  run: () => Promise<number>;
  /** When work next becomes due, if known. */
  nextDue?: () => Promise<Date | null>;
  pollMs?: number;
}

export class Loop {
  #running = false;
  #stopping = false;
  #wake: (() => void) | undefined;
  #done: Promise<void> | undefined;
  #failures = 0;

  constructor(private readonly o: LoopOptions) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#done = this.#loop();
  }

  wake(): void {
    this.#wake?.();
  }

  /** Stops claiming new work; resolves once the round in hand has finished. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await this.#done;
    this.#running = false;
  }

  async #loop(): Promise<void> {
    const poll = this.o.pollMs ?? 1000;
    while (!this.#stopping) {
      let delay = poll;
      try {
        const did = await this.o.run();
        this.#failures = 0;
        if (did > 0) continue;
        const due = await this.o.nextDue?.();
        if (due) delay = Math.max(0, Math.min(poll, due.getTime() - this.o.clock.now().getTime()));
      } catch (error) {
        this.#failures++;
        delay = Math.min(30_000, 250 * 2 ** Math.min(this.#failures, 7));
        this.o.log.warn({ err: error, loop: this.o.name, retryInMs: delay }, "background loop failed; retrying");
      }
      if (this.#stopping) break;
      const pause = nap(delay);
      this.#wake = pause.wake;
      await pause.done;
      this.#wake = undefined;
    }
  }
}
