import { joinRich, page, para, rich, type Block } from "../../model/message.js";
import { personRef, standingOf, type MemberView } from "../members.js";
import type { CaseEnv } from "./context.js";
import { pagedNow, type CaseRecord } from "./model.js";
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
    },
  });

  const everyone = pagedNow(c, env.now).map((p) => [page(personRef(p))]);
  const what =
    how.cause === "paged" ? `Paging ${LEVEL_NAMES[level]}` : how.cause === "reminder" ? "Reminder" : `Escalated to level ${level} (${LEVEL_NAMES[level]})`;
  const because = how.reason ? rich` — ${how.reason}` : [];
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
  return { level, paged: people, fresh: fresh.map((f) => f.member) };
}
