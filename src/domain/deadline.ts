import { accept, refuse, type Parsed } from "../model/parsed.js";
import { quote } from "../model/text.js";
import { LONGEST_MS, parseDuration } from "./durations.js";

/**
 * Deadlines as people type them: a span from now (`48h`, `3d`), an ISO date-time with a
 * zone (`2026-11-25T18:00Z`, `…+08:00`), a local date-time, or a date — the last two read in
 * the agency's time zone, a bare date meaning the end of that day there.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function offsetMinutes(at: Date, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/** The instant a wall-clock time in a zone denotes. */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  let at = new Date(guess - offsetMinutes(new Date(guess), timeZone) * 60_000);
  at = new Date(guess - offsetMinutes(at, timeZone) * 60_000);
  return at;
}

const TOO_FAR = (text: string) => `${quote(text)} is too far ahead: a deadline is at most ten years away`;

export function parseDeadline(input: string, now: Date, timeZone: string): Parsed<Date> {
  const text = input.trim();
  const within = (at: Date) => (at.getTime() - now.getTime() > LONGEST_MS ? refuse(TOO_FAR(text)) : accept(at));
  const span = parseDuration(text);
  if (span !== undefined) return span > LONGEST_MS ? refuse(TOO_FAR(text)) : accept(new Date(now.getTime() + span));
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const at = new Date(text);
    if (!Number.isNaN(at.getTime())) return within(at);
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(text);
  if (local) {
    const [y, mo, d, h, mi] = local.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
    const date = new Date(Date.UTC(y!, mo! - 1, d!));
    if (date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d! || (h ?? 0) > 23 || (mi ?? 0) > 59) {
      return refuse(`${quote(text)} is not a real date`);
    }
    return within(h === undefined ? zonedToUtc(y!, mo!, d!, 23, 59, timeZone) : zonedToUtc(y!, mo!, d!, h, mi!, timeZone));
  }
  return refuse(`${quote(text)} is not a deadline like 48h, 2026-11-30, 2026-11-30T18:00 or 2026-11-30T18:00+08:00`);
}
