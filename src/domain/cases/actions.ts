import { UserError } from "../../model/errors.js";
import { mention, para, rich, type Block } from "../../model/message.js";
import type { Amount } from "../amounts.js";
import { formatAge } from "../durations.js";
import { personRef, type MemberView } from "../members.js";
import { ACK_CYCLE, type TimerKind } from "../timers.js";
import { resultOf, startFreezeHold, type Result } from "./requests.js";
import { scheduleRetention } from "./retention.js";
import { requireNotClosed, requireSide, type Side } from "./access.js";
import { formatAmounts } from "./card.js";
import type { CaseEnv } from "./context.js";
import { scheduleAckCycle, scheduleAgencyReminder, scheduleStale } from "./escalation.js";
import { awaitingConfirmation, isActive, type CaseRecord, type Tlp, type WhoseMove } from "./model.js";
import { ensureThreads, notifyPeople, notifyThreads, retireThreads } from "./notify.js";
import { pageLevel, type Level } from "./paging.js";

/**
 * What people do to a case once it is open, each decided from the case as loaded (and
 * locked) and the time, into the change that is then written at once (see run.ts).
 */

export type { Acting } from "./context.js";
import type { Acting } from "./context.js";

export function requirePaged(c: CaseRecord, action: string) {
  if (awaitingConfirmation(c)) {
    throw new UserError("invalid_state", `${c.ref} is an emergency awaiting confirmation; it cannot be ${action} until it is confirmed (/case confirm ${c.ref})`);
  }
}

/** Sets state on the case record and marks the case active now. */
function update(env: CaseEnv, c: CaseRecord, data: Partial<CaseRecord>): void {
  Object.assign(c, data, { lastActivityAt: env.now });
  env.change.touch(c);
}

/** Moves the ball; time spent waiting on the agency is set aside from the exchange's SLA. */
export function setWhoseMove(env: CaseEnv, c: CaseRecord, move: WhoseMove): boolean {
  if (c.whoseMove === move) return false;
  if (move === "exchange" && c.waitingSince) {
    const waited = env.now.getTime() - c.waitingSince.getTime();
    c.agencyWaitSeconds += Math.round(waited / 1000);
    env.change.resumeTimers(c.id, waited);
  }
  if (move === "agency") env.change.pauseTimers(c.id, ACK_CYCLE);
  c.whoseMove = move;
  c.waitingSince = move === "agency" ? env.now : null;
  env.change.touch(c);
  // Waiting on the agency while the case is open: its on-call is reminded (a resolved case waits only to be closed).
  if (move === "agency" && isActive(c)) scheduleAgencyReminder(env, c, env.now);
  return true;
}

function addParticipant(env: CaseEnv, c: CaseRecord, member: MemberView, reason: string): void {
  if (!c.participants.some((p) => p.member.id === member.id)) env.change.participant(c, member, reason);
}

const ackDelay = (c: CaseRecord, at: Date) => (c.pagedAt ? ` (${formatAge(at.getTime() - c.pagedAt.getTime())} after the page)` : "");

/**
 * Records the acknowledgement, if there is none yet. With it the ack cycle's pending
 * reminders and escalations are cancelled and the stale clock starts.
 */
export function recordAck(env: CaseEnv, c: CaseRecord, me: MemberView): boolean {
  if (c.ackAt && c.status !== "REOPENED") return false;
  const status = c.status === "REOPENED" ? "IN_PROGRESS" : "ACKNOWLEDGED";
  update(env, c, { ackAt: c.ackAt ?? env.now, ackById: c.ackById ?? me.id, status });
  addParticipant(env, c, me, "acknowledged");
  env.change.cancelTimers(c.id, ACK_CYCLE);
  scheduleStale(env, c, new Date(env.now.getTime() + env.services.policy.stale));
  return true;
}

function announce(env: CaseEnv, c: CaseRecord, seq: number, post: Block[]): void {
  notifyThreads(env, c, seq, { post, updateCard: true });
}

export function acknowledge(env: CaseEnv, { c, side, me }: Acting): void {
  requireSide(c, side, ["exchange", "coordinator"], "acknowledge");
  requireNotClosed(c, "acknowledge it");
  requirePaged(c, "acknowledged");
  if (c.ackAt && c.status !== "REOPENED") {
    const by = c.participants.find((p) => p.member.id === c.ackById)?.member.name ?? "someone";
    throw new UserError("conflict", `${c.ref} was already acknowledged by ${by} at ${c.ackAt.toISOString().slice(0, 16).replace("T", " ")} UTC`);
  }
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is ${c.status.toLowerCase()}; there is nothing to acknowledge`);
  recordAck(env, c, me);
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "acknowledged", data: {} });
  announce(env, c, event.seq, [para(rich`Acknowledged by ${mention(personRef(me))}${ackDelay(c, env.now)}.`)]);
}

export function take(env: CaseEnv, { c, side, me }: Acting): void {
  requireSide(c, side, ["exchange", "coordinator"], "take");
  requireNotClosed(c, "take it");
  requirePaged(c, "taken");
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is resolved; reopen it to work on it again`);
  if (c.assignee?.id === me.id) throw new UserError("conflict", `you already have ${c.ref}`);
  const acked = recordAck(env, c, me);
  update(env, c, { assignee: me, status: "IN_PROGRESS" });
  addParticipant(env, c, me, "assignee");
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "assigned", data: { assignee: me.id, alsoAcknowledged: acked } });
  announce(env, c, event.seq, [para(rich`${mention(personRef(me))} took the case${acked ? ` and acknowledged it${ackDelay(c, env.now)}` : ""}.`)]);
}

/** Funds frozen or seized while the case goes on: they stop counting as at risk (§2, Impact). */
export interface Recovered {
  frozen: Amount[];
  seized: Amount[];
}

function recordRecovered(env: CaseEnv, c: CaseRecord, r: Recovered) {
  const recovered = [...r.frozen.map((a) => ({ ...a, kind: "frozen" as const })), ...r.seized.map((a) => ({ ...a, kind: "seized" as const }))];
  for (const a of recovered) env.change.amount(c, c.amounts.push(a) - 1, a);
  return recovered;
}

export function addNote(env: CaseEnv, { c, side, me }: Acting, text: string, waiting: WhoseMove | undefined, r: Recovered = { frozen: [], seized: [] }): void {
  requireNotClosed(c, "add a note to it");
  // An answer from the agency hands the ball back to the exchange unless it says otherwise.
  const move = waiting ?? (side === "agency" && c.whoseMove === "agency" ? "exchange" : undefined);
  if (move === "agency" && side === "agency") throw UserError.about("waiting", "invalid_option", "waiting: the agency cannot wait on itself; use waiting:exchange");
  const moved = move ? setWhoseMove(env, c, move) : false;
  update(env, c, {});
  const recovered = recordRecovered(env, c, r);
  const amounts = recovered.length > 0 ? { frozen: r.frozen, seized: r.seized } : {};
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "note", data: { text, waiting: moved ? move! : null, ...amounts } });
  const from = me.org ? ` (${me.org.code})` : "";
  const post = [para(rich`Note from ${mention(personRef(me))}${from}: ${text}`)];
  if (recovered.length > 0) post.push(para(rich`Frozen / seized: ${formatAmounts(recovered)}.`));
  if (moved) post.push(para(rich`Now waiting on ${move === "agency" ? `the agency (${c.agency.code})` : `the exchange (${c.exchange.code})`}.`));
  notifyThreads(env, c, event.seq, { post, updateCard: moved || recovered.length > 0 });
}

export function escalate(env: CaseEnv, { c, me }: Acting, reason: string): Level {
  requireNotClosed(c, "escalate it");
  requirePaged(c, "escalated");
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is resolved; there is nothing to escalate`);
  if (c.escalationLevel >= 3) throw new UserError("invalid_state", `${c.ref} is already at the top level (coordinators are paged)`);
  const result = pageLevel(env, c, (c.escalationLevel + 1) as Level, { actorId: me.id, cause: "escalated", reason: `${me.name}: ${reason}` });
  update(env, c, {});
  return result.level;
}

export interface Resolution {
  outcome: string;
  result?: Result;
  frozen: Amount[];
  seized: Amount[];
}

/** What resolving ends: the work of acknowledging and answering, not the clocks the law sets (§9). */
const WORK_TIMERS: TimerKind[] = ["reminder", "level2", "level3", "handoff", "stale", "agency_remind", "impact"];

export function resolve(env: CaseEnv, { c, side, me }: Acting, r: Resolution): void {
  requireSide(c, side, ["exchange", "coordinator"], "resolve");
  requireNotClosed(c, "resolve it");
  requirePaged(c, "resolved");
  if (c.status === "RESOLVED") throw new UserError("conflict", `${c.ref} is already resolved`);
  // Funds frozen earlier (`/case note … frozen:`) count as much as those named now.
  const frozenBefore = c.amounts.filter((a) => a.kind === "frozen");
  const result = resultOf(c, { result: r.result, outcome: r.outcome, frozen: [...frozenBefore, ...r.frozen] });
  const acked = recordAck(env, c, me);
  update(env, c, { status: "RESOLVED", resolvedAt: env.now, outcome: r.outcome, result });
  setWhoseMove(env, c, "agency");
  env.change.cancelTimers(c.id, WORK_TIMERS);
  if (r.frozen.length > 0 || frozenBefore.length > 0) startFreezeHold(env, c);
  const recovered = recordRecovered(env, c, r);
  const event = env.change.event(c, {
    at: env.now,
    actorId: me.id,
    type: "resolved",
    data: { outcome: r.outcome, result, frozen: r.frozen, seized: r.seized, alsoAcknowledged: acked, ...(c.freezeUntil ? { freezeUntil: c.freezeUntil.toISOString() } : {}) },
  });
  const post = [para(rich`Resolved by ${mention(personRef(me))} (${result}): ${r.outcome}`)];
  if (recovered.length > 0) post.push(para(rich`Frozen / seized: ${formatAmounts(recovered)}.`));
  post.push(para(rich`${c.agency.code}: close it with /case close ${c.ref}, or reopen it.`));
  announce(env, c, event.seq, post);
  if (c.openedBy.id !== me.id) notifyPeople(env, c, event.seq, [c.openedBy], [para(rich`${c.ref} was resolved by ${me.name}: ${r.outcome}`)]);
}

export function close(env: CaseEnv, { c, side, me }: Acting, reason: string | undefined): void {
  requireSide(c, side, ["agency", "coordinator"], "close");
  if (c.status === "CLOSED") throw new UserError("conflict", `${c.ref} is already closed`);
  const wasResolved = c.status === "RESOLVED";
  update(env, c, { status: "CLOSED", closedAt: env.now });
  // Nobody's move once closed (the ball with the agency, which reopens); reopened, the closed time is not the exchange's wait.
  setWhoseMove(env, c, "agency");
  // The work ends; the clocks the law sets (a preservation, a freeze hold) run on (§9).
  env.change.cancelTimers(c.id, WORK_TIMERS);
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "closed", data: { reason: reason ?? null, withdrawn: !wasResolved } });
  scheduleRetention(env, c, env.now);
  const why = reason ? `: ${reason}` : "";
  announce(env, c, event.seq, [para(rich`${wasResolved ? "Closed" : "Withdrawn and closed"} by ${mention(personRef(me))}${why}.`)]);
}

export function reopen(env: CaseEnv, { c, side, me }: Acting, reason: string | undefined): void {
  requireSide(c, side, ["agency", "coordinator"], "reopen");
  if (c.erasedAt) throw new UserError("invalid_state", `${c.ref} was erased by retention; open a new case instead`);
  if (c.status !== "RESOLVED" && c.status !== "CLOSED") throw new UserError("invalid_state", `${c.ref} is ${c.status.toLowerCase().replace("_", " ")}; only resolved or closed cases can be reopened`);
  setWhoseMove(env, c, "exchange");
  update(env, c, { status: "REOPENED", closedAt: null, escalationLevel: 1 });
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "reopened", data: { reason: reason ?? null } });
  scheduleAckCycle(env, c, env.now);
  const why = reason ? `: ${reason}` : "";
  announce(env, c, event.seq, [para(rich`Reopened by ${mention(personRef(me))}${why}. ${c.exchange.code}: acknowledge it again with /case ack ${c.ref}.`)]);
  if (c.assignee) notifyPeople(env, c, event.seq, [c.assignee], [para(rich`${c.ref}, which you had, was reopened by ${me.name}${why}.`)]);
}

/**
 * Changes who may see a case (TLP). It takes effect on the very next message: places that
 * may no longer carry it are let go (a channel is told only the reference), places that now
 * may get the card.
 */
export function changeTlp(env: CaseEnv, { c, side, me }: Acting, tlp: Tlp, reason: string | undefined): void {
  requireSide(c, side, ["agency", "coordinator"], "change the TLP of");
  requireNotClosed(c, "change its TLP");
  if (c.tlp === tlp) throw new UserError("conflict", `${c.ref} is already TLP:${tlp.toUpperCase()}`);
  const from = c.tlp;
  update(env, c, { tlp });
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "tlp_changed", data: { from, to: tlp, reason: reason ?? null } });
  const farewell =
    tlp === "red"
      ? rich`${c.ref} is now TLP:RED, for the people named on it only; it is no longer followed here.`
      : rich`${c.ref} is now TLP:${tlp.toUpperCase()}, which this channel may not carry; it is no longer followed here.`;
  retireThreads(env, c, event.seq, [para(farewell)]);
  ensureThreads(env, c, event.seq);
  const why = reason ? `: ${reason}` : "";
  announce(env, c, event.seq, [para(rich`${mention(personRef(me))} changed the marking from TLP:${from.toUpperCase()} to TLP:${tlp.toUpperCase()}${why}.`)]);
}
