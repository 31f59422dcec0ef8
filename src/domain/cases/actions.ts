import { UserError } from "../../model/errors.js";
import { mention, para, rich, type Block } from "../../model/message.js";
import type { Amount } from "../amounts.js";
import { formatAge } from "../durations.js";
import { personRef, type Caller, type MemberView } from "../members.js";
import { ACK_CYCLE, cancelCaseTimers, pauseAckCycle, resumeAckCycle } from "../timers.js";
import { appendEvent } from "../timeline.js";
import { requireNotClosed, requireSide, requireVisible, type Side } from "./access.js";
import { formatAmounts } from "./card.js";
import { awaitingConfirmation, isActive, loadCase, lockCase, type CaseRecord, type Tlp, type WhoseMove } from "./model.js";
import { ensureThreads, notifyPeople, notifyThreads, retireThreads, type CaseEnv } from "./notify.js";
import { scheduleAckCycle, scheduleStale } from "./escalation.js";
import { pageLevel, type Level } from "./paging.js";

/** What people do to a case once it is open (SPEC §2). Each is one transaction. */

export interface Acting {
  c: CaseRecord;
  side: Side;
  me: MemberView;
}

/** Locks the case, loads it, and applies need-to-know: the start of every change. */
export async function actOn(env: CaseEnv, caller: Caller, ref: string): Promise<Acting> {
  await lockCase(env.tx, env.services.provider, { ref });
  const { c, side } = requireVisible(await loadCase(env.tx, { ref }), ref, caller);
  return { c, side, me: caller.member! };
}

export function requirePaged(c: CaseRecord, action: string) {
  if (awaitingConfirmation(c)) {
    throw new UserError("invalid_state", `${c.ref} is an emergency awaiting confirmation; it cannot be ${action} until it is confirmed (/case confirm ${c.ref})`);
  }
}

/** Moves the ball; time spent waiting on the agency is set aside from the exchange's SLA. */
export async function setWhoseMove(env: CaseEnv, c: CaseRecord, move: WhoseMove): Promise<boolean> {
  if (c.whoseMove === move) return false;
  const data: { whoseMove: WhoseMove; waitingSince: Date | null; agencyWaitSeconds?: number } = {
    whoseMove: move,
    waitingSince: move === "agency" ? env.now : null,
  };
  if (move === "exchange" && c.waitingSince) {
    const waited = env.now.getTime() - c.waitingSince.getTime();
    data.agencyWaitSeconds = c.agencyWaitSeconds + Math.round(waited / 1000);
    c.agencyWaitSeconds = data.agencyWaitSeconds;
    await resumeAckCycle(env.tx, c.id, waited, env.now);
  }
  if (move === "agency") await pauseAckCycle(env.tx, c.id, env.now);
  await env.tx.case.update({ where: { id: c.id }, data });
  c.whoseMove = move;
  c.waitingSince = data.waitingSince;
  return true;
}

async function update(env: CaseEnv, c: CaseRecord, data: Parameters<CaseEnv["tx"]["case"]["update"]>[0]["data"]) {
  await env.tx.case.update({ where: { id: c.id }, data: { ...data, updatedAt: env.now, lastActivityAt: env.now } });
  Object.assign(c, data, { lastActivityAt: env.now });
}

async function addParticipant(env: CaseEnv, c: CaseRecord, member: MemberView, reason: string) {
  if (c.participants.some((p) => p.member.id === member.id)) return;
  await env.tx.caseParticipant.create({ data: { caseId: c.id, memberId: member.id, reason, createdAt: env.now } });
  c.participants.push({ member, reason, pagedAt: null });
}

const ackDelay = (c: CaseRecord, at: Date) => (c.pagedAt ? ` (${formatAge(at.getTime() - c.pagedAt.getTime())} after the page)` : "");

/**
 * Records the acknowledgement, if there is none yet. In the same transaction it cancels the
 * ack cycle's pending reminders and escalations, and starts the stale clock.
 */
export async function recordAck(env: CaseEnv, c: CaseRecord, me: MemberView): Promise<boolean> {
  if (c.ackAt && c.status !== "REOPENED") return false;
  const status = c.status === "REOPENED" ? "IN_PROGRESS" : "ACKNOWLEDGED";
  await update(env, c, { ackAt: c.ackAt ?? env.now, ackById: c.ackById ?? me.id, status });
  await addParticipant(env, c, me, "acknowledged");
  await cancelCaseTimers(env.tx, c.id, ACK_CYCLE, env.now);
  await scheduleStale(env, c, new Date(env.now.getTime() + env.services.policy.stale));
  return true;
}

async function announce(env: CaseEnv, c: CaseRecord, seq: number, post: Block[]) {
  await notifyThreads(env, c, seq, { post, updateCard: true });
}

export async function acknowledge(env: CaseEnv, caller: Caller, ref: string): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["exchange", "coordinator"], "acknowledge");
  requireNotClosed(c, "acknowledge");
  requirePaged(c, "acknowledged");
  if (c.ackAt && c.status !== "REOPENED") {
    const by = c.participants.find((p) => p.member.id === c.ackById)?.member.name ?? "someone";
    throw new UserError("conflict", `${c.ref} was already acknowledged by ${by} at ${c.ackAt.toISOString().slice(0, 16).replace("T", " ")} UTC`);
  }
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is ${c.status.toLowerCase()}; there is nothing to acknowledge`);
  await recordAck(env, c, me);
  const event = await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "acknowledged", data: {} });
  await announce(env, c, event.seq, [para(rich`Acknowledged by ${mention(personRef(me))}${ackDelay(c, env.now)}.`)]);
  return c;
}

export async function take(env: CaseEnv, caller: Caller, ref: string): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["exchange", "coordinator"], "take");
  requireNotClosed(c, "take");
  requirePaged(c, "taken");
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is resolved; reopen it to work on it again`);
  if (c.assignee?.id === me.id) throw new UserError("conflict", `you already have ${c.ref}`);
  const acked = await recordAck(env, c, me);
  await update(env, c, { assigneeId: me.id, status: "IN_PROGRESS" });
  c.assignee = me;
  await addParticipant(env, c, me, "assignee");
  const event = await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "assigned", data: { assignee: me.id, acknowledged: acked } });
  await announce(env, c, event.seq, [para(rich`${mention(personRef(me))} took the case${acked ? ` and acknowledged it${ackDelay(c, env.now)}` : ""}.`)]);
  return c;
}

export async function addNote(env: CaseEnv, caller: Caller, ref: string, text: string, waiting: WhoseMove | undefined): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireNotClosed(c, "add a note to");
  // An answer from the agency hands the ball back to the exchange unless it says otherwise.
  const move = waiting ?? (side === "agency" && c.whoseMove === "agency" ? "exchange" : undefined);
  if (move === "agency" && side === "agency") throw new UserError("invalid_option", "waiting: the agency cannot wait on itself; use waiting:exchange");
  const moved = move ? await setWhoseMove(env, c, move) : false;
  await update(env, c, {});
  const event = await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "note", data: { text, waiting: moved ? move! : null } });
  const from = me.org ? ` (${me.org.code})` : "";
  const post = [para(rich`Note from ${mention(personRef(me))}${from}: ${text}`)];
  if (moved) post.push(para(rich`Now waiting on ${move === "agency" ? `the agency (${c.agency.code})` : `the exchange (${c.exchange.code})`}.`));
  await notifyThreads(env, c, event.seq, { post, updateCard: moved });
  return c;
}

export async function escalate(env: CaseEnv, caller: Caller, ref: string, reason: string): Promise<{ c: CaseRecord; level: Level }> {
  const { c, me } = await actOn(env, caller, ref);
  requireNotClosed(c, "escalate");
  requirePaged(c, "escalated");
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is resolved; there is nothing to escalate`);
  if (c.escalationLevel >= 3) throw new UserError("invalid_state", `${c.ref} is already at the top level (coordinators are paged)`);
  const result = await pageLevel(env, c, (c.escalationLevel + 1) as Level, { actorId: me.id, cause: "escalated", reason: `${me.name}: ${reason}` });
  await update(env, c, {});
  return { c, level: result.level };
}

export interface Resolution {
  outcome: string;
  frozen: Amount[];
  seized: Amount[];
}

export async function resolve(env: CaseEnv, caller: Caller, ref: string, r: Resolution): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["exchange", "coordinator"], "resolve");
  requireNotClosed(c, "resolve");
  requirePaged(c, "resolved");
  if (c.status === "RESOLVED") throw new UserError("conflict", `${c.ref} is already resolved`);
  const acked = await recordAck(env, c, me);
  await setWhoseMove(env, c, "agency");
  await update(env, c, { status: "RESOLVED", resolvedAt: env.now, outcome: r.outcome });
  await cancelCaseTimers(env.tx, c.id, "all", env.now);
  const position = c.amounts.length;
  const recovered = [...r.frozen.map((a) => ({ ...a, kind: "frozen" as const })), ...r.seized.map((a) => ({ ...a, kind: "seized" as const }))];
  if (recovered.length > 0) {
    await env.tx.caseAmount.createMany({ data: recovered.map((a, i) => ({ caseId: c.id, position: position + i, ...a })) });
    c.amounts.push(...recovered);
  }
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: me.id,
    type: "resolved",
    data: { outcome: r.outcome, frozen: r.frozen, seized: r.seized, acknowledged: acked },
  });
  const post = [para(rich`Resolved by ${mention(personRef(me))}: ${r.outcome}`)];
  if (recovered.length > 0) post.push(para(rich`Frozen / seized: ${formatAmounts(recovered)}.`));
  post.push(para(rich`${c.agency.code}: close it with /case close ${c.ref}, or reopen it.`));
  await announce(env, c, event.seq, post);
  if (c.openedBy.id !== me.id) await notifyPeople(env, c, event.seq, [c.openedBy], [para(rich`${c.ref} was resolved by ${me.name}: ${r.outcome}`)]);
  return c;
}

export async function close(env: CaseEnv, caller: Caller, ref: string, reason: string | undefined): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["agency", "coordinator"], "close");
  if (c.status === "CLOSED") throw new UserError("conflict", `${c.ref} is already closed`);
  const wasResolved = c.status === "RESOLVED";
  await update(env, c, { status: "CLOSED", closedAt: env.now });
  await cancelCaseTimers(env.tx, c.id, "all", env.now);
  const event = await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "closed", data: { reason: reason ?? null, withdrawn: !wasResolved } });
  const why = reason ? `: ${reason}` : "";
  await announce(env, c, event.seq, [para(rich`${wasResolved ? "Closed" : "Withdrawn and closed"} by ${mention(personRef(me))}${why}.`)]);
  return c;
}

export async function reopen(env: CaseEnv, caller: Caller, ref: string, reason: string | undefined): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["agency", "coordinator"], "reopen");
  if (c.status !== "RESOLVED" && c.status !== "CLOSED") throw new UserError("invalid_state", `${c.ref} is ${c.status.toLowerCase().replace("_", " ")}; only resolved or closed cases can be reopened`);
  await setWhoseMove(env, c, "exchange");
  await update(env, c, { status: "REOPENED", closedAt: null, escalationLevel: 1 });
  const event = await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "reopened", data: { reason: reason ?? null } });
  await scheduleAckCycle(env, c, env.now);
  const why = reason ? `: ${reason}` : "";
  await announce(env, c, event.seq, [para(rich`Reopened by ${mention(personRef(me))}${why}. ${c.exchange.code}: acknowledge it again with /case ack ${c.ref}.`)]);
  if (c.assignee) await notifyPeople(env, c, event.seq, [c.assignee], [para(rich`${c.ref}, which you had, was reopened by ${me.name}${why}.`)]);
  return c;
}

/**
 * Changes who may see a case (TLP). It takes effect on the very next message: places that
 * may no longer carry it are let go (a channel is told only the reference), places that now
 * may get the card.
 */
export async function changeTlp(env: CaseEnv, caller: Caller, ref: string, tlp: Tlp, reason: string | undefined): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["agency", "coordinator"], "change the TLP of");
  requireNotClosed(c, "change the TLP of");
  if (c.tlp === tlp) throw new UserError("conflict", `${c.ref} is already TLP:${tlp.toUpperCase()}`);
  const from = c.tlp;
  await update(env, c, { tlp });
  const event = await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "tlp_changed", data: { from, to: tlp, reason: reason ?? null } });
  const farewell =
    tlp === "red"
      ? rich`${c.ref} is now TLP:RED, for the people named on it only; it is no longer followed here.`
      : rich`${c.ref} is now TLP:${tlp.toUpperCase()}, which this channel may not carry; it is no longer followed here.`;
  await retireThreads(env, c, event.seq, [para(farewell)]);
  await ensureThreads(env, c, event.seq);
  const why = reason ? `: ${reason}` : "";
  await announce(env, c, event.seq, [para(rich`${mention(personRef(me))} changed the marking from TLP:${from.toUpperCase()} to TLP:${tlp.toUpperCase()}${why}.`)]);
  return c;
}
