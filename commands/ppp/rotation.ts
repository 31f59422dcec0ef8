import { defineCommand, type CommandContext } from "../../src/core/command.js";
import { opt } from "../../src/core/options.js";
import { UserError } from "../../src/model/errors.js";
import { code, joinRich, list, mention, para, privateReply, rich, strong, type Block, type Rich } from "../../src/model/message.js";
import { parseDeadline } from "../../src/domain/deadline.js";
import { formatDuration } from "../../src/domain/durations.js";
import { isCoordinator, personRef, resolvePeople, resolvePerson, type MemberView } from "../../src/domain/members.js";
import { addCover, addLayer, checkRotationPeople, loadOnCall, removeLayer, rotationRole, setDefaultLayer, vettedOnly, type OnCall } from "../../src/domain/oncall.js";
import { findOrg, getRoster, type Organisation } from "../../src/domain/orgs.js";
import {
  ALL_DAYS,
  describeDays,
  describeShift,
  formatLocal,
  localToday,
  onCall,
  onCallByLayer,
  parseClockTime,
  parseDays,
  parseShift,
  parseStartDate,
  shiftChanges,
  type Layer,
} from "../../src/domain/rotation.js";

/**
 * `/ppp rotation add|list|remove`, `/ppp oncall`, `/ppp cover`: who an organisation pages
 * at level 1, as rotation layers with shifts and covers (docs/contract.md §8).
 */

const people = (ps: readonly MemberView[]): Rich => (ps.length ? joinRich(ps.map((p) => [mention(personRef(p))])) : rich`nobody`);

/** Coordinators manage every organisation's layers; an exchange's leads manage its own. */
async function checkEditor(ctx: CommandContext, org: Organisation): Promise<void> {
  if (isCoordinator(ctx.caller)) return;
  if (org.kind === "EXCHANGE") {
    const leads = await getRoster(ctx.tx, org.id, "lead");
    if (leads.some((l) => l.id === ctx.caller.member?.id)) return;
    throw new UserError("forbidden", `only coordinators and ${org.code}'s leads can set its on-call rotation`, { denial: {} });
  }
  throw new UserError("forbidden", `only coordinators can set an agency's on-call rotation`, { denial: {} });
}

const callerZone = (ctx: CommandContext, org: Organisation) => ctx.caller.member?.org?.timeZone ?? org.timeZone;

function layerLine(l: Layer): Rich {
  if (l.everyMinutes === null) return rich`${strong(l.name)}: always, everyone listed — ${people(l.people)}`;
  return rich`${strong(l.name)}: ${describeDays(l.days)} ${describeShift(l)} ${l.zone}, next person every ${formatDuration(l.everyMinutes * 60_000)} from ${l.startDate} — ${people(l.people)}`;
}

export const rotationAdd = defineCommand({
  family: "ppp",
  path: ["rotation", "add"],
  summary: "add a rotation layer: who is on shift when (leads, coordinators)",
  access: "vetted",
  options: {
    org: opt.org("the organisation", { positional: 0 }),
    name: opt.layer("a name for the layer, e.g. day, night, weekend"),
    people: opt.people("the people it rotates through, in order"),
    shift: opt.word("hours HH:MM-HH:MM in tz (22:00-06:00 runs past midnight); none: all day", { optional: true, placeholder: "HH:MM-HH:MM" }),
    days: opt.word("mon-fri, mon,wed,fri, sat-sun or all (default all)", { optional: true, placeholder: "mon-fri" }),
    every: opt.duration("how often the next person takes over, e.g. 1d or 1w (default 1w)", { optional: true, placeholder: "1w" }),
    tz: opt.timezone("IANA zone of the shift hours (default the organisation's)", { optional: true }),
    start: opt.word("the date the rotation counts from, YYYY-MM-DD (default today)", { optional: true, placeholder: "date" }),
  },
  async run(ctx, o) {
    const org = await findOrg(ctx.tx, o.org);
    await checkEditor(ctx, org);
    const zone = o.tz ?? org.timeZone;
    const refuse = (field: string, problem: string) => UserError.about(field, "invalid_option", problem);
    const shift = o.shift === undefined ? null : parseShift(o.shift);
    if (shift && !shift.ok) throw refuse("shift", shift.problem);
    const days = o.days === undefined ? { ok: true as const, value: ALL_DAYS } : parseDays(o.days);
    if (!days.ok) throw refuse("days", days.problem);
    const start = o.start === undefined ? { ok: true as const, value: localToday(zone, ctx.now) } : parseStartDate(o.start, zone, ctx.now);
    if (!start.ok) throw refuse("start", start.problem);
    const every = o.every ?? 7 * 86_400_000;
    if (every < 3_600_000) throw refuse("every", `every: ${formatDuration(every)} is too short; the next person takes over every hour at most often`);
    if (every % 60_000 !== 0) throw refuse("every", `every: ${formatDuration(every)} is not a whole number of minutes`);
    if (o.name === "default") throw refuse("name", `name: "default" is the always-on layer that /ppp oncall ${org.code} @a @b sets; choose another name`);
    const listed = await resolvePeople(ctx.tx, o.people);
    if (listed.length === 0) throw refuse("people", "people: name at least one person");
    const spec = {
      name: o.name,
      days: days.value,
      shiftStart: shift?.ok ? shift.value.start : null,
      shiftEnd: shift?.ok ? shift.value.end : null,
      everyMinutes: every / 60_000,
      zone,
      startDate: start.value,
    };
    await addLayer(ctx.tx, ctx.caller, org, spec, listed, ctx.now);
    return privateReply(para(rich`Added to ${org.code}'s on-call: ${layerLine({ ...spec, id: 0, people: listed })}.`), ...(await nowAndNext(ctx, org)));
  },
});

export const rotationList = defineCommand({
  family: "ppp",
  path: ["rotation", "list"],
  summary: "an organisation's rotation layers",
  access: "vetted",
  options: { org: opt.org("the organisation", { positional: 0 }) },
  async run(ctx, o) {
    const org = await findOrg(ctx.tx, o.org);
    const { layers } = (await loadOnCall(ctx.tx, [org.id], ctx.now)).get(org.id)!;
    if (layers.length === 0) return privateReply(para(noLayers(org)));
    return privateReply(para(rich`${org.code}'s rotation layers:`), list(layers.map(layerLine)));
  },
});

export const rotationRemove = defineCommand({
  family: "ppp",
  path: ["rotation", "remove"],
  summary: "remove a rotation layer (leads, coordinators)",
  access: "vetted",
  options: { org: opt.org("the organisation", { positional: 0 }), name: opt.layer("the layer to remove") },
  async run(ctx, o) {
    const org = await findOrg(ctx.tx, o.org);
    await checkEditor(ctx, org);
    await removeLayer(ctx.tx, ctx.caller, org, o.name, ctx.now);
    return privateReply(para(rich`Removed the layer ${strong(o.name)} from ${org.code}'s on-call.`), ...(await nowAndNext(ctx, org)));
  },
});

const noLayers = (org: Organisation): Rich =>
  rich`${org.code} has no on-call set: a case paged now would find nobody on shift (a coverage gap) and page ${org.kind === "EXCHANGE" ? "its leads" : "nobody"} at once. Add a layer with ${code(`/ppp rotation add ${org.code}`)} or everyone at once with ${code(`/ppp oncall ${org.code} @a @b`)}.`;

/** Who is on call now in each layer, covers, and the next changes, in the caller's zone. */
async function nowAndNext(ctx: CommandContext, org: Organisation, schedule?: OnCall): Promise<Block[]> {
  const s = vettedOnly(schedule ?? (await loadOnCall(ctx.tx, [org.id], ctx.now)).get(org.id)!, ctx.now, org.id);
  if (s.layers.length === 0) return [para(noLayers(org))];
  const zone = callerZone(ctx, org);
  const by = onCallByLayer(s.layers, s.covers, ctx.now);
  const blocks: Block[] = [
    para(rich`${org.code} on call now (times in ${zone}):`),
    list(
      by.map((l) => {
        const covered = [...l.covering].map(([forId, c]) => {
          const forWhom = l.layer.people.find((p) => p.id === forId);
          return rich` (${mention(personRef(c.member))} covering for ${forWhom ? mention(personRef(forWhom)) : "someone"} until ${formatLocal(c.to, zone)})`;
        });
        return rich`${strong(l.layer.name)}: ${l.people.length ? people(l.people) : rich`nobody on shift`}${covered.flat()}`;
      }),
    ),
  ];
  if (onCall(s.layers, s.covers, ctx.now).length === 0) blocks.push(para(rich`Nobody is on call at ${org.code} now: a case paged now is a coverage gap.`));
  const changes = shiftChanges(s.layers, s.covers, ctx.now, new Date(ctx.now.getTime() + 14 * 86_400_000)).slice(0, 6);
  if (changes.length > 0) {
    blocks.push(
      para(rich`Next changes:`),
      list(changes.map((c) => rich`${formatLocal(c.at, zone)} — ${joinRich(c.layers.map((l) => rich`${l.name}: ${people(l.before)} → ${people(l.after)}`), "; ")}`)),
    );
  }
  return blocks;
}

export const oncallCommand = defineCommand({
  family: "ppp",
  path: ["oncall"],
  summary: "who is on call at an organisation now and next; with people, set its always-on default layer",
  access: "vetted",
  options: {
    org: opt.org("the organisation", { positional: 0 }),
    people: opt.people("people on call at all times, all at once (the default layer)", { positional: 1, optional: true }),
  },
  async run(ctx, o) {
    const org = await findOrg(ctx.tx, o.org);
    if (!o.people || o.people.length === 0) return privateReply(...(await nowAndNext(ctx, org)));
    await checkEditor(ctx, org);
    const listed = await resolvePeople(ctx.tx, o.people);
    await setDefaultLayer(ctx.tx, ctx.caller, org, listed, ctx.now);
    return privateReply(para(rich`${org.code}'s default layer (always on call, all at once) is now: ${people(listed)}.`), ...(await nowAndNext(ctx, org)));
  },
});

/** A time for a cover: `HH:MM` (in the caller's zone), a span from now (4h), or a date-time. */
function when(field: "from" | "to", text: string, ctx: CommandContext, zone: string, after: Date): Date {
  const clock = parseClockTime(text, zone, after);
  if (clock) return clock;
  const at = parseDeadline(text, field === "to" ? after : ctx.now, zone);
  if (!at.ok) throw UserError.about(field, "invalid_option", `${field}: ${at.problem.replace("a deadline", "a time")} (or a time of day like 14:00)`);
  return at.value;
}

export const coverCommand = defineCommand({
  family: "ppp",
  path: ["cover"],
  summary: "take someone's on-call shift for a while (for yourself; leads and coordinators for anyone)",
  access: "vetted",
  options: {
    org: opt.org("the organisation", { positional: 0 }),
    who: opt.person("who covers (default you; naming someone else: leads and coordinators)", { positional: 1, optional: true }),
    for: opt.person("whose shift is covered (default whoever is on call now)", { optional: true }),
    from: opt.word("when the cover starts: 14:00, 2h or 2026-12-07T09:00 (default now)", { optional: true, placeholder: "time" }),
    to: opt.word("when it ends: 18:00, 4h or 2026-12-07T17:00", { optional: true, placeholder: "time" }),
    hours: opt.word("or how many hours it lasts", { optional: true, pattern: /^\d{1,3}(\.\d+)?$/, placeholder: "n" }),
  },
  async run(ctx, o) {
    const org = await findOrg(ctx.tx, o.org);
    const zone = callerZone(ctx, org);
    const me = ctx.caller.member!;
    const coverer = o.who ? await resolvePerson(ctx.tx, o.who) : me;
    if (coverer.id !== me.id) await checkEditor(ctx, org);
    const role = rotationRole(org);
    if (coverer.org?.id !== org.id || coverer.role !== role) {
      throw UserError.about(o.who ? "who" : "org", "invalid_option", `${coverer.id === me.id ? "you are" : `${coverer.name} is`} not ${role === "investigator" ? "an investigator" : "a liaison"} of ${org.code}, so cannot take its shifts`);
    }
    if ((o.to === undefined) === (o.hours === undefined)) throw UserError.about("to", "missing_option", "say how long the cover lasts: to:<time> or hours:<n> (one of them)");
    const from = o.from === undefined ? ctx.now : when("from", o.from, ctx, zone, ctx.now);
    const to = o.hours !== undefined ? new Date(from.getTime() + Number(o.hours) * 3_600_000) : when("to", o.to!, ctx, zone, from);
    if (to.getTime() <= from.getTime()) throw UserError.about("to", "invalid_option", `to: the cover would end (${formatLocal(to, zone)}) before it starts (${formatLocal(from, zone)})`);
    if (to.getTime() <= ctx.now.getTime()) throw UserError.about("to", "invalid_option", `to: ${formatLocal(to, zone)} is already past`);
    if (to.getTime() - from.getTime() > 31 * 86_400_000) throw UserError.about("to", "invalid_option", "to: a cover lasts at most 31 days; for longer, change the rotation (/ppp rotation)");
    const schedule = (await loadOnCall(ctx.tx, [org.id], ctx.now)).get(org.id)!;
    let covered: MemberView;
    if (o.for) covered = await resolvePerson(ctx.tx, o.for);
    else {
      const on = onCall(schedule.layers, schedule.covers, from).filter((p) => p.id !== coverer.id);
      if (on.length !== 1) {
        throw UserError.about("for", "missing_option", on.length === 0 ? `for: nobody else is on call at ${org.code} at ${formatLocal(from, zone)}; name whose shift you take with for:@someone` : `for: ${on.map((p) => `@${p.name}`).join(", ")} are on call then; name whose shift you take with for:@someone`);
      }
      covered = on[0]!;
    }
    if (covered.id === coverer.id) throw UserError.about("for", "invalid_option", "for: a cover takes someone else's shift");
    checkRotationPeople(org, [coverer], ctx.now);
    const overlapping = schedule.covers.find((c) => c.forMemberId === covered.id && c.from.getTime() < to.getTime() && from.getTime() < c.to.getTime());
    if (overlapping) {
      throw UserError.about("from", "invalid_option", `${covered.name}'s shifts are already covered by ${overlapping.member.name} from ${formatLocal(overlapping.from, zone)} to ${formatLocal(overlapping.to, zone)}; choose a time that does not overlap`);
    }
    if (!schedule.layers.some((l) => l.people.some((p) => p.id === covered.id))) {
      throw UserError.about("for", "invalid_option", `for: ${covered.name} is in none of ${org.code}'s rotation layers (see /ppp rotation list ${org.code})`);
    }
    await addCover(ctx.tx, ctx.caller, org, { member: coverer, forMember: covered, from, to }, ctx.now);
    const who = coverer.id === me.id ? rich`You take` : rich`${mention(personRef(coverer))} takes`;
    return privateReply(
      para(rich`${who} ${mention(personRef(covered))}'s shifts at ${org.code} from ${formatLocal(from, zone)} to ${formatLocal(to, zone)}.`),
      ...(await nowAndNext(ctx, org)),
    );
  },
});


