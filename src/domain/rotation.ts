import { DateTime } from "luxon";
import { accept, refuse, type Parsed } from "../model/parsed.js";
import type { LayerSpec } from "../db/rows.js";
import type { MemberView } from "./members.js";

/**
 * Who is on shift, computed from an organisation's rotation layers and covers
 * (docs/contract.md §8). Pure: the time is given, nothing is read. Local times are taken
 * in each layer's zone with luxon, so a shift that crosses midnight or a DST change starts
 * and ends at the wall-clock times it names.
 *
 * A layer's window is a set of weekdays and an optional shift (`HH:MM-HH:MM`; none: all day).
 * A shift that ends at or before it starts runs past midnight and belongs to the day it
 * starts on. The person on shift is the next in the layer's list every `every`, counted
 * from the layer's start date: in calendar days when `every` is whole days (DST-proof), in
 * elapsed time otherwise. A layer without `every` (the `default` layer set by
 * `/ppp oncall <org> @a @b`) has everyone on call at all times, as the flat list had.
 * A cover replaces the person it names, in every layer, while it lasts.
 */

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const ALL_DAYS = 0b1111111;
const DAY_MINUTES = 24 * 60;

export type { LayerSpec };

export interface Layer extends LayerSpec {
  id: number;
  /** Everyone listed, in rotation order (whose turn it is counts them all). */
  people: MemberView[];
  /** Who may actually be on call (vetted, still of the organisation); the others leave their turn empty. */
  eligible?: (m: MemberView) => boolean;
}

export interface Cover {
  id: number;
  member: MemberView;
  forMemberId: number;
  from: Date;
  to: Date;
}

export interface LayerOnCall {
  layer: Layer;
  people: MemberView[];
  /** Covers in force, by the id of the person they replace. */
  covering: Map<number, Cover>;
}

function local(t: Date, zone: string): DateTime {
  return DateTime.fromJSDate(t, { zone });
}

/** Days between two local dates (YYYY-MM-DD), exact whatever the DST. */
function dayNumber(d: DateTime): number {
  return Math.round(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000);
}

function startDay(layer: LayerSpec): DateTime {
  return DateTime.fromISO(layer.startDate, { zone: layer.zone }).startOf("day");
}

const hasDay = (days: number, d: DateTime) => (days & (1 << (d.weekday - 1))) !== 0;

/** The local date of the shift instance `t` falls in, or null when `t` is outside the window. */
export function shiftDay(layer: LayerSpec, t: Date): DateTime | null {
  const at = local(t, layer.zone);
  const minute = at.hour * 60 + at.minute;
  const today = at.startOf("day");
  if (layer.shiftStart === null || layer.shiftEnd === null) return hasDay(layer.days, today) ? today : null;
  if (layer.shiftStart < layer.shiftEnd) {
    return hasDay(layer.days, today) && minute >= layer.shiftStart && minute < layer.shiftEnd ? today : null;
  }
  if (minute >= layer.shiftStart && hasDay(layer.days, today)) return today;
  const yesterday = today.minus({ days: 1 });
  if (minute < layer.shiftEnd && hasDay(layer.days, yesterday)) return yesterday;
  return null;
}

/** Who of the layer's list is on shift at `t` (before covers). */
export function onShift(layer: Layer, t: Date): MemberView[] {
  if (layer.people.length === 0) return [];
  const day = shiftDay(layer, t);
  if (!day) return [];
  if (layer.everyMinutes === null) return layer.people;
  const start = startDay(layer);
  let index: number;
  if (layer.everyMinutes % DAY_MINUTES === 0) {
    const days = dayNumber(day) - dayNumber(start);
    if (days < 0) return [];
    index = Math.floor(days / (layer.everyMinutes / DAY_MINUTES));
  } else {
    const elapsed = t.getTime() - start.toMillis();
    if (elapsed < 0) return [];
    index = Math.floor(elapsed / (layer.everyMinutes * 60_000));
  }
  return [layer.people[index % layer.people.length]!];
}

/** Every layer with who is on call in it at `t`, covers applied. */
export function onCallByLayer(layers: readonly Layer[], covers: readonly Cover[], t: Date): LayerOnCall[] {
  const now = covers.filter((c) => c.from.getTime() <= t.getTime() && t.getTime() < c.to.getTime());
  return layers.map((layer) => {
    const covering = new Map<number, Cover>();
    const people: MemberView[] = [];
    for (const p of onShift(layer, t)) {
      const cover = now.find((c) => c.forMemberId === p.id);
      if (cover) covering.set(p.id, cover);
      const who = cover ? cover.member : p;
      if (layer.eligible && !layer.eligible(who)) continue;
      if (!people.some((q) => q.id === who.id)) people.push(who);
    }
    return { layer, people, covering };
  });
}

/** Everyone on call at `t` in any layer, once each, in layer order. */
export function onCall(layers: readonly Layer[], covers: readonly Cover[], t: Date): MemberView[] {
  const seen = new Map<number, MemberView>();
  for (const l of onCallByLayer(layers, covers, t)) for (const p of l.people) if (!seen.has(p.id)) seen.set(p.id, p);
  return [...seen.values()];
}

/** Instants in (from, to] at which who is on call may change. */
function boundaries(layers: readonly Layer[], covers: readonly Cover[], from: Date, to: Date): number[] {
  const out = new Set<number>();
  const lo = from.getTime();
  const hi = to.getTime();
  const add = (ms: number) => {
    if (ms > lo && ms <= hi) out.add(ms);
  };
  for (const layer of layers) {
    const first = local(from, layer.zone).startOf("day").minus({ days: 1 });
    const days = Math.ceil((hi - lo) / 86_400_000) + 2;
    for (let i = 0; i <= days; i++) {
      const d = first.plus({ days: i });
      const at = (minutes: number, plusDays = 0) =>
        DateTime.fromObject({ year: d.year, month: d.month, day: d.day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, { zone: layer.zone })
          .plus({ days: plusDays })
          .toMillis();
      if (layer.shiftStart === null || layer.shiftEnd === null) add(d.toMillis());
      else {
        add(at(layer.shiftStart));
        add(layer.shiftEnd > layer.shiftStart ? at(layer.shiftEnd) : at(layer.shiftEnd, 1));
      }
    }
    if (layer.everyMinutes !== null && layer.everyMinutes % DAY_MINUTES !== 0) {
      const start = startDay(layer).toMillis();
      const every = layer.everyMinutes * 60_000;
      for (let k = Math.max(0, Math.floor((lo - start) / every)); start + k * every <= hi; k++) add(start + k * every);
    }
  }
  for (const c of covers) {
    add(c.from.getTime());
    add(c.to.getTime());
  }
  return [...out].sort((a, b) => a - b);
}

const ids = (people: readonly MemberView[]) => people.map((p) => p.id).join(",");

export interface ShiftChange {
  at: Date;
  before: MemberView[];
  after: MemberView[];
  /** The layers whose people changed, with who was and who is on. */
  layers: { name: string; before: MemberView[]; after: MemberView[] }[];
}

/** The moments in (from, to] when who is on call changes, in order. */
export function shiftChanges(layers: readonly Layer[], covers: readonly Cover[], from: Date, to: Date): ShiftChange[] {
  const changes: ShiftChange[] = [];
  let prev = onCallByLayer(layers, covers, from);
  for (const ms of boundaries(layers, covers, from, to)) {
    const at = new Date(ms);
    const next = onCallByLayer(layers, covers, at);
    const changed = next
      .map((l, i) => ({ name: l.layer.name, before: prev[i]!.people, after: l.people }))
      .filter((l) => ids(l.before) !== ids(l.after));
    if (changed.length > 0) {
      changes.push({ at, before: union(prev), after: union(next), layers: changed });
    }
    prev = next;
  }
  return changes;
}

function union(by: readonly LayerOnCall[]): MemberView[] {
  const seen = new Map<number, MemberView>();
  for (const l of by) for (const p of l.people) if (!seen.has(p.id)) seen.set(p.id, p);
  return [...seen.values()];
}

/** The stretches of (from, to] with nobody on call in any layer. */
export function coverageGaps(layers: readonly Layer[], covers: readonly Cover[], from: Date, to: Date): { from: Date; to: Date }[] {
  const gaps: { from: Date; to: Date }[] = [];
  let open: Date | null = onCall(layers, covers, from).length === 0 ? from : null;
  for (const change of shiftChanges(layers, covers, from, to)) {
    if (change.after.length === 0 && open === null) open = change.at;
    if (change.after.length > 0 && open !== null) {
      gaps.push({ from: open, to: change.at });
      open = null;
    }
  }
  if (open !== null) gaps.push({ from: open, to });
  return gaps;
}

/** When the current stretch of `member` on call ends (within `horizon`), or null. */
export function shiftEnd(layers: readonly Layer[], covers: readonly Cover[], memberId: number, from: Date, horizon: Date): Date | null {
  for (const change of shiftChanges(layers, covers, from, horizon)) {
    if (!change.after.some((p) => p.id === memberId)) return change.at;
  }
  return null;
}

// ---- parsing what people type -------------------------------------------------------

/** `HH:MM-HH:MM` → minutes after midnight; the end may be before the start (past midnight). */
export function parseShift(text: string): Parsed<{ start: number; end: number }> {
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text.trim());
  const bad = { ok: false as const, problem: `shift: "${text}" is not a window like 09:00-17:00 (24-hour clock; 22:00-06:00 runs past midnight)` };
  if (!m) return bad;
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  const valid = (h: number, mi: number) => mi < 60 && (h < 24 || (h === 24 && mi === 0));
  if (!valid(h1, m1) || !valid(h2, m2)) return bad;
  const start = (h1 * 60 + m1) % DAY_MINUTES;
  const end = (h2 * 60 + m2) % DAY_MINUTES;
  if (start === end) return { ok: false, problem: `shift: ${text} starts and ends at the same time; leave shift out for a layer that runs all day` };
  return { ok: true, value: { start, end } };
}

/** `mon-fri`, `mon,wed,fri`, `sat-sun`, `all` → weekday bits. */
export function parseDays(text: string): Parsed<number> {
  const t = text.trim().toLowerCase();
  if (t === "all" || t === "daily" || t === "every") return { ok: true, value: ALL_DAYS };
  let bits = 0;
  for (const part of t.split(",").map((p) => p.trim())) {
    const range = /^([a-z]{3})(?:-([a-z]{3}))?$/.exec(part);
    const a = range ? WEEKDAYS.indexOf(range[1] as (typeof WEEKDAYS)[number]) : -1;
    const b = range?.[2] === undefined ? a : WEEKDAYS.indexOf(range[2] as (typeof WEEKDAYS)[number]);
    if (a < 0 || b < 0) return { ok: false, problem: `days: "${part}" is not a day; use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, a list like mon,wed,fri, or all` };
    // A range may wrap the week (fri-mon).
    for (let i = a; ; i = (i + 1) % 7) {
      bits |= 1 << i;
      if (i === b) break;
    }
  }
  return { ok: true, value: bits };
}

export function describeDays(bits: number): string {
  if (bits === ALL_DAYS) return "every day";
  if (bits === 0b0011111) return "mon-fri";
  if (bits === 0b1100000) return "sat-sun";
  return WEEKDAYS.filter((_, i) => bits & (1 << i)).join(",");
}

export function describeShift(layer: LayerSpec): string {
  if (layer.shiftStart === null || layer.shiftEnd === null) return "all day";
  const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return `${hm(layer.shiftStart)}-${hm(layer.shiftEnd)}${layer.shiftEnd < layer.shiftStart ? " (past midnight)" : ""}`;
}

/** A local date (YYYY-MM-DD) in `zone`; "today" and "tomorrow" are understood. */
export function parseStartDate(text: string, zone: string, now: Date): Parsed<string> {
  const t = text.trim().toLowerCase();
  const today = local(now, zone).startOf("day");
  if (t === "today" || t === "now") return { ok: true, value: today.toISODate()! };
  if (t === "tomorrow") return { ok: true, value: today.plus({ days: 1 }).toISODate()! };
  const d = /^\d{4}-\d{2}-\d{2}$/.test(t) ? DateTime.fromISO(t, { zone }) : null;
  if (!d?.isValid) return { ok: false, problem: `start: "${text}" is not a date like 2026-12-07 (or today, tomorrow)` };
  return { ok: true, value: d.toISODate()! };
}

/** Today's local date in `zone`. */
export function localToday(zone: string, now: Date): string {
  return local(now, zone).toISODate()!;
}

/** A time for people: weekday, date and time in `zone`, with the zone named. */
export function formatLocal(t: Date, zone: string): string {
  return local(t, zone).toFormat("ccc d LLL HH:mm") + ` ${zone === "UTC" || zone === "Etc/UTC" ? "UTC" : local(t, zone).toFormat("ZZZZ")}`;
}

/**
 * `HH:MM` as a wall-clock time in `zone`: on the local date of `after`, or the next day when
 * that is before `after` minus a minute (so "to:09:00" given at 22:00 means tomorrow). Not a
 * time of day: null.
 */
export function parseClockTime(text: string, zone: string, after: Date): Date | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 23 || mi > 59) return null;
  const day = local(after, zone);
  let at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: h, minute: mi }, { zone });
  if (at.toMillis() < after.getTime() - 60_000) at = at.plus({ days: 1 });
  return at.toJSDate();
}
