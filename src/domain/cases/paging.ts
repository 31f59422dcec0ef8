import { joinRich, page, para, rich, type Block } from "../../model/message.js";
import { personRef, standingOf, type MemberView } from "../members.js";
import type { CaseEnv } from "./context.js";
import { recipientVerdict } from "../audience.js";
import { audienceOf, isActive, pagedNow, type CaseRecord } from "./model.js";
import { ensureThreads, notifyPeople, notifyThreads } from "./notify.js";

/**
 * Paging by level: 1 the exchange's on-call rotation, 2 its leads, 3 the coordinators.
 * Escalation is cumulative: reaching a level pages everyone of every level up to it who has
 * not been paged yet, each once, whatever order the timers fire in. A page is posted in the
 * case thread mentioning everyone paged so far and sent once, by direct message, to each
 * person it pages for the first time.
 */

export type Level = 1 | 2 | 3;
export const LEVEL_NAMES: Record<Level, string> = { 1: "on-call investigators", 2: "team leads", 3: "coordinators" };
const REASONS: Record<Level, string> = { 1: "oncall", 2: "lead", 3: "coordinator" };

/** The vetted people of one level. */
export function levelMembers(env: CaseEnv, c: CaseRecord, level: Level): MemberView[] {
  const people =
    level === 1 ? env.context.roster(c.exchange.id, "oncall") : level === 2 ? env.context.roster(c.exchange.id, "lead") : env.context.coordinators();
  return people.filter((p) => standingOf(p, env.now) === "vetted");
}

/** Everyone of levels 1 to `level`, each with the (lowest) level they are paged for. */
function upTo(env: CaseEnv, c: CaseRecord, level: Level): { member: MemberView; level: Level }[] {
  const seen = new Map<number, { member: MemberView; level: Level }>();
  for (let l = 1 as Level; l <= level; l = (l + 1) as Level) {
    for (const member of levelMembers(env, c, l)) if (!seen.has(member.id)) seen.set(member.id, { member, level: l });
  }
  return [...seen.values()];
}

export function pageDm(c: CaseRecord, intro: string, ack = true): Block[] {
  return [
    para(rich`${intro}: ${c.ref} — ${c.severity} ${c.type}, ${c.agency.code} → ${c.exchange.code}: ${c.title}`),
    para(ack ? rich`Acknowledge with /case ack ${c.ref} (or the button on the card); /case show ${c.ref} shows everything.` : rich`/case show ${c.ref} shows everything.`),
  ];
}

export type PageCause = "paged" | "escalated" | "reminder";

/** The exchange's layers as paging found them: who was on call in each (recorded on the page event). */
function layersInForce(env: CaseEnv, c: CaseRecord) {
  return env.context.layersNow(c.exchange.id).map((l) => ({ layer: l.layer.name, onCall: l.people.map((p) => p.id) }));
}

export interface PageResult {
  level: Level;
  paged: MemberView[];
  fresh: MemberView[];
}

/** Whether reaching `level` would page anyone not paged yet. */
export function hasUnpaged(env: CaseEnv, c: CaseRecord, level: Level): boolean {
  return upTo(env, c, level).some(({ member }) => !c.participants.find((p) => p.member.id === member.id)?.pagedAt);
}

/**
 * Pages a level and posts it. When a level has nobody to page (no on-call rotation, no
 * leads), the next level is paged instead: a page must always reach someone.
 */
export function pageLevel(env: CaseEnv, c: CaseRecord, requested: Level, how: { actorId: number | null; cause: PageCause; reason?: string }): PageResult {
  let level = requested;
  let people = levelMembers(env, c, level);
  // Nobody on shift when the exchange is paged: a coverage gap; its leads are paged at once.
  const gap = requested === 1 && people.length === 0 && how.cause === "paged";
  while (people.length === 0 && level < 3) {
    level = (level + 1) as Level;
    people = levelMembers(env, c, level);
  }
  // Everyone up to this level not paged yet: a level passed over (its timer late) is not skipped.
  const fresh = upTo(env, c, level).filter(({ member }) => !c.participants.find((p) => p.member.id === member.id)?.pagedAt);
  for (const { member, level: l } of fresh) env.change.participant(c, member, REASONS[l], env.now);
  if (level > c.escalationLevel) {
    c.escalationLevel = level;
    env.change.touch(c);
  }
  // New places (every bound channel on the first page, a RED case's newly named people)
  // get the card first, already showing who is paged.
  if (how.cause === "paged" || c.tlp === "red") ensureThreads(env, c, c.eventCount);
  const event = env.change.event(c, {
    at: env.now,
    actorId: how.actorId,
    type: how.cause,
    data: {
      level,
      requestedLevel: requested,
      // A reminder goes to everyone paged so far; a page to the level's people.
      paged: (how.cause === "reminder" ? pagedNow(c, env.now) : people).map((p) => p.id),
      newlyPaged: fresh.map((f) => f.member.id),
      reason: how.reason ?? null,
      ...(requested === 1 && how.cause === "paged" ? { layers: layersInForce(env, c) } : {}),
      ...(gap ? { coverageGap: true } : {}),
    },
  });

  const everyone = pagedNow(c, env.now).map((p) => [page(personRef(p))]);
  const what =
    how.cause === "paged" ? `Paging ${LEVEL_NAMES[level]}` : how.cause === "reminder" ? "Reminder" : `Escalated to level ${level} (${LEVEL_NAMES[level]})`;
  const because = gap ? rich` — coverage gap: nobody is on call at ${c.exchange.code} now` : how.reason ? rich` — ${how.reason}` : [];
  const post: Block[] =
    people.length === 0
      ? [para(rich`${what}: nobody could be paged (no vetted ${LEVEL_NAMES[level]}). Coordinators, set /ppp oncall ${c.exchange.code}.`)]
      : [para(rich`${what}${because}. ${joinRich(everyone)}: ${c.ref} is not acknowledged yet; acknowledge with /case ack ${c.ref}.`)];
  notifyThreads(env, c, event.seq, { post, updateCard: how.cause === "escalated" });
  if (fresh.length > 0 && c.tlp !== "red") {
    // Each hears of the level they are paged for (a lead paged late, with the coordinators, hears "team leads").
    for (const l of [1, 2, 3] as Level[]) {
      const of = fresh.filter((f) => f.level === l).map((f) => f.member);
      if (of.length === 0) continue;
      const intro = l === 1 ? "You are paged" : `You are paged at escalation level ${l} (${LEVEL_NAMES[l]})`;
      notifyPeople(env, c, event.seq, of, pageDm(c, intro));
    }
  }
  if (gap) {
    const tell = [para(rich`Coverage gap at ${c.exchange.code}: nobody was on call when ${c.ref} (${c.severity}) was paged, so ${level === 2 ? "its team leads were" : "the coordinators were"} paged at once. Set shifts with /ppp rotation add ${c.exchange.code} or a cover with /ppp cover ${c.exchange.code}.`)];
    notifyPeople(env, c, event.seq, env.context.coordinators(), tell, "coverage-gap");
  }
  return { level, paged: people, fresh: fresh.map((f) => f.member) };
}

/**
 * A shift change: who came on call is paged for the case if it still waits for an
 * acknowledgement, and the handoff is on the timeline either way.
 */
export function shiftHandoff(env: CaseEnv, c: CaseRecord, shift: { orgId: number; incoming: MemberView[]; outgoing: MemberView[]; layers: string[] }): void {
  const exchangeSide = shift.orgId === c.exchange.id;
  const waitingForAck = exchangeSide && isActive(c) && c.pagedAt !== null && (c.ackAt === null || c.status === "REOPENED") && c.whoseMove === "exchange";
  // Only people who may see the case as it is (a TLP:RED case names its people: the incoming
  // on-call is not added to one by a shift change; its escalation goes on as before).
  const audience = audienceOf(c);
  const fresh = waitingForAck
    ? shift.incoming.filter((m) => !c.participants.find((p) => p.member.id === m.id)?.pagedAt && recipientVerdict(audience, m, env.now).ok)
    : [];
  for (const m of fresh) env.change.participant(c, m, REASONS[1], env.now);
  if (fresh.length > 0 && c.tlp === "red") ensureThreads(env, c, c.eventCount);
  const event = env.change.event(c, {
    at: env.now,
    actorId: null,
    type: "shift_handoff",
    data: { org: shift.orgId, layers: shift.layers, from: shift.outgoing.map((m) => m.id), to: shift.incoming.map((m) => m.id), newlyPaged: fresh.map((m) => m.id) },
  });
  if (fresh.length === 0) return;
  const names = (people: MemberView[]) => (people.length ? joinRich(people.map((p) => [page(personRef(p))])) : rich`nobody`);
  const off = shift.outgoing.length ? rich` (taking over from ${joinRich(shift.outgoing.map((p) => rich`@${p.name}`))})` : [];
  notifyThreads(env, c, event.seq, {
    post: [para(rich`Shift change at ${c.exchange.code}: ${names(fresh)} now on call${off}. ${c.ref} is not acknowledged yet; acknowledge with /case ack ${c.ref}.`)],
  });
  if (c.tlp !== "red") notifyPeople(env, c, event.seq, fresh, pageDm(c, `You are paged: your shift at ${c.exchange.code} has started`));
}
