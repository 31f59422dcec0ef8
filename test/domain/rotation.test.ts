import { describe, expect, it } from "vitest";
import type { MemberView } from "../../src/domain/members.js";
import {
  ALL_DAYS,
  coverageGaps,
  onCall,
  parseClockTime,
  parseDays,
  parseShift,
  parseStartDate,
  shiftChanges,
  type Cover,
  type Layer,
} from "../../src/domain/rotation.js";

/** Who is on shift when: windows, midnight, DST, rotating people and covers (docs/contract.md §8). */

const person = (id: number, name: string): MemberView => ({
  id,
  name,
  role: "investigator",
  status: "vetted",
  email: null,
  org: { id: 1, code: "EXA", kind: "EXCHANGE", name: "Exchange A", timeZone: "Europe/Malta" },
  vettedAt: null,
  vettedUntil: null,
  suspendedReason: null,
  accounts: [],
});
const [ann, ben, cat, dan] = [person(1, "ann"), person(2, "ben"), person(3, "cat"), person(4, "dan")] as const;

function layer(over: Partial<Layer> & { people: MemberView[] }): Layer {
  return { id: 1, name: "day", days: ALL_DAYS, shiftStart: null, shiftEnd: null, everyMinutes: 7 * 24 * 60, zone: "UTC", startDate: "2026-11-23", ...over };
}
const names = (people: MemberView[]) => people.map((p) => p.name);
const at = (iso: string) => new Date(iso);

describe("rotation layers", () => {
  it("has only the person of the layer whose hours it is on call, across zones (follow the sun)", () => {
    const malta = layer({ name: "europe", people: [ann], shiftStart: 8 * 60, shiftEnd: 20 * 60, zone: "Europe/Malta" });
    const hk = layer({ id: 2, name: "asia", people: [ben], shiftStart: 8 * 60, shiftEnd: 20 * 60, zone: "Asia/Hong_Kong" });
    // 09:00 UTC: 10:00 in Malta, 17:00 in Hong Kong — both on.
    expect(names(onCall([malta, hk], [], at("2026-11-24T09:00:00Z")))).toEqual(["ann", "ben"]);
    // 13:00 UTC: 14:00 in Malta, 21:00 in Hong Kong — Europe only.
    expect(names(onCall([malta, hk], [], at("2026-11-24T13:00:00Z")))).toEqual(["ann"]);
    // 20:00 UTC: 21:00 in Malta, 04:00 in Hong Kong — nobody: a gap.
    expect(names(onCall([malta, hk], [], at("2026-11-24T20:00:00Z")))).toEqual([]);
    // Hong Kong's 08:00-20:00 is 00:00-12:00 UTC, Malta's 07:00-19:00 UTC: the gap is 19:00-24:00 UTC.
    expect(coverageGaps([malta, hk], [], at("2026-11-24T00:00:00Z"), at("2026-11-25T00:00:00Z"))).toEqual([
      { from: at("2026-11-24T19:00:00Z"), to: at("2026-11-25T00:00:00Z") },
    ]);
  });

  it("keeps a shift that crosses midnight with the day it starts on, and only on its days", () => {
    const night = layer({ name: "night", people: [ann], shiftStart: 22 * 60, shiftEnd: 6 * 60, days: parseDaysOk("mon-fri") });
    expect(names(onCall([night], [], at("2026-11-27T23:00:00Z")))).toEqual(["ann"]); // Friday night
    expect(names(onCall([night], [], at("2026-11-28T05:59:00Z")))).toEqual(["ann"]); // still Friday's shift, on Saturday morning
    expect(names(onCall([night], [], at("2026-11-28T23:00:00Z")))).toEqual([]); // Saturday night: not a shift day
    expect(names(onCall([night], [], at("2026-11-30T03:00:00Z")))).toEqual([]); // Sunday's would-be shift, Monday 03:00
    expect(names(onCall([night], [], at("2026-11-24T03:00:00Z")))).toEqual(["ann"]); // Monday's shift, Tuesday 03:00
  });

  it("starts and ends shifts at their wall-clock times through a DST change", () => {
    // Europe/Malta leaves summer time on 2027-10-31 (03:00 CEST → 02:00 CET).
    const day = layer({ people: [ann], shiftStart: 9 * 60, shiftEnd: 17 * 60, zone: "Europe/Malta", startDate: "2027-10-25" });
    const changes = shiftChanges([day], [], at("2027-10-30T00:00:00Z"), at("2027-11-01T00:00:00Z"));
    expect(changes.map((c) => c.at.toISOString())).toEqual([
      "2027-10-30T07:00:00.000Z", // 09:00 CEST
      "2027-10-30T15:00:00.000Z", // 17:00 CEST
      "2027-10-31T08:00:00.000Z", // 09:00 CET
      "2027-10-31T16:00:00.000Z", // 17:00 CET
    ]);
  });

  it("hands over to the next person every period, counted in calendar days whatever the DST", () => {
    // Daily rotation from Saturday 27 March 2027; Malta springs forward on the 28th.
    const daily = layer({ people: [ann, ben, cat], everyMinutes: 24 * 60, zone: "Europe/Malta", startDate: "2027-03-27" });
    const who = (iso: string) => names(onCall([daily], [], at(iso)));
    expect(who("2027-03-27T00:30:00Z")).toEqual(["ann"]); // 01:30 local on day 0
    expect(who("2027-03-28T00:30:00Z")).toEqual(["ben"]); // the DST day is still one day
    expect(who("2027-03-29T12:00:00Z")).toEqual(["cat"]); // day 2
    expect(who("2027-03-29T22:30:00Z")).toEqual(["ann"]); // 00:30 CEST on the 30th: day 3, round again
    expect(who("2027-03-26T12:00:00Z")).toEqual([]); // before the rotation starts
  });

  it("follows the list as it is when the rotation's people change", () => {
    const weekly = layer({ people: [ann, ben], startDate: "2026-11-23" });
    expect(names(onCall([weekly], [], at("2026-12-01T12:00:00Z")))).toEqual(["ben"]); // week 1
    const changed = { ...weekly, people: [ann, ben, cat] };
    expect(names(onCall([changed], [], at("2026-12-08T12:00:00Z")))).toEqual(["cat"]); // week 2 of three people
  });

  it("leaves the turn of someone no longer eligible empty, without shifting everyone else's turns", () => {
    const weekly = layer({ people: [ann, ben, cat], startDate: "2026-11-23", eligible: (m) => m.id !== cat.id });
    expect(names(onCall([weekly], [], at("2026-11-24T12:00:00Z")))).toEqual(["ann"]); // week 0
    expect(names(onCall([weekly], [], at("2026-12-01T12:00:00Z")))).toEqual(["ben"]); // week 1
    expect(names(onCall([weekly], [], at("2026-12-08T12:00:00Z")))).toEqual([]); // week 2 is cat's: a gap
    expect(names(onCall([weekly], [], at("2026-12-15T12:00:00Z")))).toEqual(["ann"]); // week 3
  });

  it("puts a cover in the shift of the person it names, and not beyond that person's shift", () => {
    const day = layer({ name: "day", people: [ann], shiftStart: 8 * 60, shiftEnd: 17 * 60 });
    const late = layer({ id: 2, name: "late", people: [ben], shiftStart: 17 * 60, shiftEnd: 23 * 60 });
    const cover: Cover = { id: 1, member: dan, forMemberId: ann.id, from: at("2026-11-24T15:00:00Z"), to: at("2026-11-24T19:00:00Z") };
    expect(names(onCall([day, late], [cover], at("2026-11-24T14:59:00Z")))).toEqual(["ann"]);
    expect(names(onCall([day, late], [cover], at("2026-11-24T16:00:00Z")))).toEqual(["dan"]);
    // The cover outlasts ann's shift: at 17:00 it is ben's shift, and dan is not on call.
    expect(names(onCall([day, late], [cover], at("2026-11-24T18:00:00Z")))).toEqual(["ben"]);
    const changes = shiftChanges([day, late], [cover], at("2026-11-24T12:00:00Z"), at("2026-11-24T20:00:00Z"));
    expect(changes.map((c) => [c.at.toISOString().slice(11, 16), names(c.before), names(c.after)])).toEqual([
      ["15:00", ["ann"], ["dan"]],
      ["17:00", ["dan"], ["ben"]],
    ]);
  });

  it("has everyone of the default layer on call at once, always", () => {
    const always = layer({ name: "default", people: [ann, ben], everyMinutes: null });
    expect(names(onCall([always], [], at("2026-11-29T03:00:00Z")))).toEqual(["ann", "ben"]);
    expect(shiftChanges([always], [], at("2026-11-23T00:00:00Z"), at("2026-12-23T00:00:00Z"))).toEqual([]);
  });
});

function parseDaysOk(text: string): number {
  const d = parseDays(text);
  if (!d.ok) throw new Error(d.problem);
  return d.value;
}

describe("what people type for a layer", () => {
  it("reads windows, days, dates and times of day, and says what is wrong otherwise", () => {
    expect(parseShift("09:00-17:00")).toEqual({ ok: true, value: { start: 540, end: 1020 } });
    expect(parseShift("22:00-06:00")).toEqual({ ok: true, value: { start: 1320, end: 360 } });
    expect(parseShift("25:00-26:00")).toMatchObject({ ok: false, problem: expect.stringMatching(/^shift: "25:00-26:00" is not a window like 09:00-17:00/) });
    expect(parseShift("09:00-09:00")).toMatchObject({ ok: false, problem: expect.stringMatching(/starts and ends at the same time/) });
    expect(parseDays("mon-fri")).toEqual({ ok: true, value: 0b0011111 });
    expect(parseDays("fri-mon")).toEqual({ ok: true, value: 0b1110001 });
    expect(parseDays("mon,wed")).toEqual({ ok: true, value: 0b0000101 });
    expect(parseDays("funday")).toMatchObject({ ok: false, problem: expect.stringMatching(/^days: "funday" is not a day/) });
    expect(parseStartDate("2026-13-01", "UTC", at("2026-11-23T09:00:00Z"))).toMatchObject({ ok: false, problem: expect.stringMatching(/^start: "2026-13-01" is not a date/) });
    expect(parseStartDate("tomorrow", "Asia/Hong_Kong", at("2026-11-23T18:00:00Z"))).toEqual({ ok: true, value: "2026-11-25" });
    // 22:00 in Malta: "to:06:00" is tomorrow morning, "from:21:30" earlier this evening.
    const evening = at("2026-11-23T21:00:00Z");
    expect(parseClockTime("06:00", "Europe/Malta", evening)?.toISOString()).toBe("2026-11-24T05:00:00.000Z");
    expect(parseClockTime("22:00", "Europe/Malta", evening)?.toISOString()).toBe("2026-11-23T21:00:00.000Z");
    expect(parseClockTime("7pm", "Europe/Malta", evening)).toBeNull();
  });
});
