import { joinRich, page, para, rich, type Block } from "../../model/message.js";
import { coordinators, personRef, standingOf, type MemberView } from "../members.js";
import { getRoster } from "../orgs.js";
import { pagedNow, type CaseRecord } from "./model.js";
import { ensureThreads, notifyPeople, notifyThreads, type CaseEnv } from "./notify.js";
import { appendEvent } from "../timeline.js";

/**
 * Paging by level (SPEC §3): 1 the exchange's on-call rotation, 2 its leads, 3 the
 * coordinators. A page is posted in the case thread mentioning everyone paged so far and
 * sent once, by direct message, to each person it pages for the first time.
 */

export type Level = 1 | 2 | 3;
export const LEVEL_NAMES: Record<Level, string> = { 1: "on-call investigators", 2: "team leads", 3: "coordinators" };

export async function levelMembers(env: CaseEnv, c: CaseRecord, level: Level): Promise<MemberView[]> {
  const key = `level:${level}:${level === 3 ? "" : c.exchange.id}`;
  const known = env.memo?.get(key) as MemberView[] | undefined;
  if (known) return known;
  let people: MemberView[];
  if (level === 1) people = await getRoster(env.tx, c.exchange.id, "oncall");
  else if (level === 2) people = await getRoster(env.tx, c.exchange.id, "lead");
  else people = await coordinators(env.tx, env.now);
  const vetted = people.filter((p) => standingOf(p, env.now) === "vetted");
  env.memo?.set(key, vetted);
  return vetted;
}

/** Marks people as paged on the case; returns those paged for the first time. */
async function markPaged(env: CaseEnv, c: CaseRecord, people: MemberView[], reason: string): Promise<MemberView[]> {
  const fresh: MemberView[] = [];
  for (const person of people) {
    const existing = c.participants.find((p) => p.member.id === person.id);
    if (existing?.pagedAt) continue;
    if (existing) {
      await env.tx.caseParticipant.update({ where: { caseId_memberId: { caseId: c.id, memberId: person.id } }, data: { pagedAt: env.now } });
      existing.pagedAt = env.now;
    } else {
      await env.tx.caseParticipant.create({ data: { caseId: c.id, memberId: person.id, reason, pagedAt: env.now, createdAt: env.now } });
      c.participants.push({ member: person, reason, pagedAt: env.now });
    }
    fresh.push(person);
  }
  return fresh;
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

/**
 * Pages a level and posts it. When a level has nobody to page (no on-call rotation, no
 * leads), the next level is paged instead: a page must always reach someone.
 */
export async function pageLevel(
  env: CaseEnv,
  c: CaseRecord,
  requested: Level,
  how: { actorId: number | null; cause: PageCause; reason?: string },
): Promise<PageResult> {
  let level = requested;
  let people = await levelMembers(env, c, level);
  while (people.length === 0 && level < 3) {
    level = (level + 1) as Level;
    people = await levelMembers(env, c, level);
  }
  const fresh = await markPaged(env, c, people, level === 1 ? "oncall" : level === 2 ? "lead" : "coordinator");
  if (level > c.escalationLevel) {
    c.escalationLevel = level;
    await env.tx.case.update({ where: { id: c.id }, data: { escalationLevel: level } });
  }
  // New places (every bound channel on the first page, a RED case's newly named people)
  // get the card first, already showing who is paged.
  if (how.cause === "paged" || c.tlp === "red") await ensureThreads(env, c, c.eventCount);
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: how.actorId,
    type: how.cause,
    data: {
      level,
      requestedLevel: requested,
      // A reminder goes to everyone paged so far; a page to the level's people.
      paged: (how.cause === "reminder" ? pagedNow(c, env.now) : people).map((p) => p.id),
      newlyPaged: fresh.map((p) => p.id),
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
  await notifyThreads(env, c, event.seq, { post, updateCard: how.cause === "escalated" });
  if (fresh.length > 0 && c.tlp !== "red") {
    const intro = level === 1 ? "You are paged" : `You are paged at escalation level ${level} (${LEVEL_NAMES[level]})`;
    await notifyPeople(env, c, event.seq, fresh, pageDm(c, intro));
  }
  return { level, paged: people, fresh };
}
