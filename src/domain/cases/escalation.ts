import { page, para, rich } from "../../model/message.js";
import { recipientVerdict } from "../audience.js";
import { formatAge, formatDuration } from "../durations.js";
import { personRef } from "../members.js";
import { isImpactCrossing, scheduleImpact } from "./impact.js";
import type { CaseEnv } from "./context.js";
import { audienceOf, isActive, type CaseRecord } from "./model.js";
import { notifyPeople, notifyThreads } from "./notify.js";
import { hasUnpaged, pageLevel, type Level } from "./paging.js";
import { consentAskable } from "./people.js";
import { fireClock, startPreservation } from "./requests.js";

/**
 * Escalation by timer. From the page: a reminder every `remind` until someone acknowledges,
 * the leads at `level2`, the coordinators at `level3`. A handoff nobody accepts within `ack`
 * escalates the same way; an acknowledged case idle for `stale` gets a nudge. Every firing
 * reads the case as it is now (locked): a step that no longer applies (acknowledged,
 * already escalated, closed) does nothing.
 */

export interface TimerRow {
  id: number;
  kind: string;
  dueAt: Date;
  caseId: number | null;
  memberId: number | null;
  bindingId: number | null;
  payload: string;
}

const needsAck = (c: CaseRecord) => isActive(c) && c.pagedAt !== null && (c.ackAt === null || c.status === "REOPENED");

/** The moment the exchange is paged: the SLA clock and the ack cycle start. */
export function startPaging(env: CaseEnv, c: CaseRecord, actorId: number | null) {
  c.pagedAt = env.now;
  c.escalationLevel = 0;
  env.change.touch(c);
  const result = pageLevel(env, c, 1, { actorId, cause: "paged" });
  scheduleAckCycle(env, c, env.now);
  startPreservation(env, c);
  return result;
}

/** The ack cycle of one page (or reopening), keyed by the event that started it. */
export function scheduleAckCycle(env: CaseEnv, c: CaseRecord, from: Date): void {
  const p = env.services.policy.severities[c.severity];
  const cycle = c.eventCount;
  const base = { caseId: c.id, payload: { cycle, from: from.toISOString() } };
  // Escalations first: at the same instant, a reminder should already name the newly paged.
  env.change.schedule({ ...base, kind: "level2", key: `case:${c.id}:cycle${cycle}:level2`, dueAt: new Date(from.getTime() + p.level2) });
  env.change.schedule({ ...base, kind: "level3", key: `case:${c.id}:cycle${cycle}:level3`, dueAt: new Date(from.getTime() + p.level3) });
  env.change.schedule({
    ...base,
    kind: "reminder",
    key: `case:${c.id}:cycle${cycle}:reminder:1`,
    dueAt: new Date(from.getTime() + p.remind),
    payload: { ...base.payload, n: 1 },
  });
}

export function scheduleStale(env: CaseEnv, c: CaseRecord, due: Date): void {
  env.change.schedule({ kind: "stale", key: `case:${c.id}:stale:${due.getTime()}`, dueAt: due, caseId: c.id });
}

export function scheduleHandoffExpiry(env: CaseEnv, c: CaseRecord, handoffId: number, step: number): void {
  const due = new Date(env.now.getTime() + env.services.policy.severities[c.severity].ack);
  env.change.schedule({ kind: "handoff", key: `handoff:${handoffId}:${step}`, dueAt: due, caseId: c.id, payload: { handoff: handoffId, step } });
}

function remind(env: CaseEnv, c: CaseRecord, payload: { cycle: number; from: string; n: number }) {
  if (!needsAck(c) || c.whoseMove === "agency") return;
  pageLevel(env, c, Math.max(1, c.escalationLevel) as Level, { actorId: null, cause: "reminder" });
  // After downtime, one reminder for all the missed ones: the next is the first slot after
  // now, or the one after it if that would come too close on the heels of this one.
  const every = env.services.policy.severities[c.severity].remind;
  const from = new Date(payload.from).getTime();
  let slot = Math.floor((env.now.getTime() - from) / every) + 1;
  if (from + slot * every - env.now.getTime() < every / 2) slot++;
  env.change.schedule({
    kind: "reminder",
    key: `case:${c.id}:cycle${payload.cycle}:reminder:${slot}`,
    dueAt: new Date(from + slot * every),
    caseId: c.id,
    payload: { ...payload, n: slot },
  });
}

/** While the case waits on the agency: the first agency reminder, `agency_remind` after the ball moved there. */
export function scheduleAgencyReminder(env: CaseEnv, c: CaseRecord, since: Date, n = 1): void {
  const every = env.services.policy.agencyRemind[c.severity];
  env.change.schedule({
    kind: "agency_remind",
    key: `case:${c.id}:agency:${since.getTime()}:${n}`,
    dueAt: new Date(since.getTime() + n * every),
    caseId: c.id,
    payload: { since: since.toISOString(), n },
  });
}

/**
 * Reminds the agency's on-call (else the opener) that the case waits on it. Ends by itself
 * once the agency answers (the ball moves back) or the case is resolved or closed.
 */
function agencyReminder(env: CaseEnv, c: CaseRecord, payload: { since: string; n: number }) {
  if (!isActive(c) || c.whoseMove !== "agency" || c.waitingSince?.toISOString() !== payload.since) return;
  const audience = audienceOf(c);
  const onCall = env.context.roster(c.agency.id, "oncall").filter((m) => recipientVerdict(audience, m, env.now).ok);
  const to = onCall.length > 0 ? onCall : [c.openedBy];
  const since = new Date(payload.since);
  const waited = formatAge(env.now.getTime() - since.getTime());
  const event = env.change.event(c, { at: env.now, actorId: null, type: "agency_reminded", data: { to: to.map((m) => m.id), waitingFor: waited, n: payload.n } });
  notifyPeople(env, c, event.seq, to, [
    para(rich`${c.ref} (${c.severity}) has been waiting on ${c.agency.code} for ${waited}: ${c.exchange.code} needs an answer. Reply with /case note ${c.ref} "…"; /case show ${c.ref} shows what was asked.`),
  ], "agency-remind");
  // After downtime, one reminder for the missed ones: the next is the first slot after now.
  const every = env.services.policy.agencyRemind[c.severity];
  const next = Math.max(payload.n + 1, Math.floor((env.now.getTime() - since.getTime()) / every) + 1);
  scheduleAgencyReminder(env, c, since, next);
}

function escalateByTimer(env: CaseEnv, c: CaseRecord, level: Level) {
  if (!needsAck(c) || c.whoseMove === "agency") return;
  // Already past this level: only someone it should have paged and nobody did (the timer of a
  // lower level that fires late after a higher one) is paged now.
  if (c.escalationLevel >= level && !hasUnpaged(env, c, level)) return;
  const p = env.services.policy.severities[c.severity];
  const after = formatDuration(level === 2 ? p.level2 : p.level3);
  pageLevel(env, c, level, { actorId: null, cause: "escalated", reason: `not acknowledged within ${after}` });
}

function handoffExpired(env: CaseEnv, c: CaseRecord, payload: { handoff: number; step: number }) {
  const offer = c.pendingHandoff;
  if (!offer || offer.id !== payload.handoff || !isActive(c)) return;
  if (offer.acceptedById !== null) {
    // Accepted by the receiving exchange: it is the agency's consent that is awaited, not anyone's acknowledgement.
    const ask = [para(rich`${c.ref} is still waiting for ${c.agency.code}'s consent to move it to ${offer.toOrg!.code}: /case accept ${c.ref}`)];
    notifyPeople(env, c, c.eventCount, consentAskable(env, c), ask, `consent-reminder-${payload.step}`);
    scheduleHandoffExpiry(env, c, offer.id, payload.step + 1);
    return;
  }
  const to = offer.toMember ? offer.toMember.name : offer.toOrg!.code;
  const waited = formatDuration(env.services.policy.severities[c.severity].ack * payload.step);
  if (c.escalationLevel < 3) {
    pageLevel(env, c, (Math.max(1, c.escalationLevel) + 1) as Level, {
      actorId: null,
      cause: "escalated",
      reason: `the handoff to ${to} was not accepted within ${waited}`,
    });
  } else {
    const event = env.change.event(c, { at: env.now, actorId: null, type: "handoff_unaccepted", data: { handoff: offer.id, waited } });
    notifyThreads(env, c, event.seq, { post: [para(rich`The handoff to ${to} is still not accepted after ${waited}.`)] });
  }
  if (offer.toMember) {
    notifyPeople(env, c, c.eventCount, [offer.toMember], [para(rich`${c.ref} is still waiting for you to accept it: /case accept ${c.ref}`)], `handoff-reminder-${payload.step}`);
  }
  scheduleHandoffExpiry(env, c, offer.id, payload.step + 1);
}

function staleNudge(env: CaseEnv, c: CaseRecord) {
  if (!isActive(c) || !c.ackAt) return;
  const stale = env.services.policy.stale;
  const quietSince = c.lastActivityAt.getTime();
  if (env.now.getTime() - quietSince < stale) {
    scheduleStale(env, c, new Date(quietSince + stale));
    return;
  }
  const event = env.change.event(c, { at: env.now, actorId: null, type: "stale", data: { quietFor: formatDuration(stale) } });
  const who = c.assignee ? [page(personRef(c.assignee))] : rich`${c.exchange.code}`;
  notifyThreads(env, c, event.seq, {
    post: [para(rich`${who}: nothing has happened on ${c.ref} for ${formatDuration(stale)}. Add a note, resolve it, or hand it off.`)],
  });
  if (c.assignee) notifyPeople(env, c, event.seq, [c.assignee], [para(rich`${c.ref} has been quiet for ${formatDuration(stale)}: is it still moving?`)]);
  scheduleStale(env, c, new Date(env.now.getTime() + stale));
}

/** What a due case timer does to its case (locked and loaded with the batch). */
export function fireCaseTimer(env: CaseEnv, c: CaseRecord, t: TimerRow): void {
  const payload = JSON.parse(t.payload) as Record<string, unknown>;
  switch (t.kind) {
    case "reminder":
      return remind(env, c, payload as { cycle: number; from: string; n: number });
    case "level2":
      return escalateByTimer(env, c, 2);
    case "level3":
      return escalateByTimer(env, c, 3);
    case "handoff":
      return handoffExpired(env, c, payload as { handoff: number; step: number });
    case "stale":
      return staleNudge(env, c);
    case "agency_remind":
      return agencyReminder(env, c, payload as { since: string; n: number });
    case "preservation":
    case "freeze_hold":
      return fireClock(env, c, t.kind, payload as { until: string; step: "warn" | "end"; before?: number });
    case "impact":
      return impactTick(env, c, new Date(String(payload.at)));
  }
}

/** A band of the impact score is crossed (deadline nearer, a longer wait): the cards show the new ranking. */
function impactTick(env: CaseEnv, c: CaseRecord, at: Date): void {
  if (isImpactCrossing(c, env.services.policy, at)) notifyThreads(env, c, `impact@${at.getTime()}`, { updateCard: true });
  // Crossing or not (the case changed, the weights changed since), the chain goes on.
  scheduleImpact(env.change, c, env.services.policy, env.now);
}
