import type { Clock } from "../../src/clock.js";

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: string | Date = "2026-11-23T09:00:00Z") {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): Date {
    this.#now += ms;
    return this.now();
  }
  set(to: string | Date): Date {
    this.#now = new Date(to).getTime();
    return this.now();
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
