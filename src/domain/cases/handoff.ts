import { UserError } from "../../model/errors.js";
import { mention, para, rich } from "../../model/message.js";
import { personRef, resolvePerson, standingOf, type Caller, type MemberView } from "../members.js";
import { findOrg, getRoster, type Organisation } from "../orgs.js";
import { appendEvent } from "../timeline.js";
import { requireNotClosed, requireSide } from "./access.js";
import { actOn, recordAck } from "./actions.js";
import { scheduleHandoffExpiry } from "./escalation.js";
import { cancelCaseTimers } from "../timers.js";
import { isActive, loadCase, lockCase, type CaseRecord } from "./model.js";
import { channelsFor, ensureThreads, notifyPeople, notifyThreads, retireThreads, type CaseEnv } from "./notify.js";

/**
 * Handoffs (SPEC §2): offered, then accepted by the person or organisation they were
 * offered to. The timeline records who, to whom, why and when. A handoff to another
 * exchange moves the case there once accepted; the old exchange stops seeing it.
 */

async function resolveTarget(env: CaseEnv, c: CaseRecord, to: string): Promise<{ member: MemberView | null; org: Organisation | null }> {
  if (to.includes(":")) {
    const member = await resolvePerson(env.tx, to);
    if (standingOf(member, env.now) !== "vetted") throw new UserError("invalid_option", `to: ${member.name} is not vetted`);
    const isExchangeInvestigator = member.role === "investigator" && member.org?.id === c.exchange.id;
    if (!isExchangeInvestigator && member.role !== "coordinator") {
      throw new UserError("invalid_option", `to: ${member.name} is not an investigator of ${c.exchange.code}; hand off to a colleague, a coordinator, or an exchange by its code`);
    }
    return { member, org: null };
  }
  const org = await findOrg(env.tx, to);
  if (org.kind !== "EXCHANGE") throw new UserError("invalid_option", `to: ${org.code} is an agency; a case is handed to a person or an exchange`);
  return { member: null, org };
}

export async function offerHandoff(env: CaseEnv, caller: Caller, ref: string, to: string, note: string): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["exchange", "coordinator"], "hand off");
  requireNotClosed(c, "hand off");
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is resolved; reopen it before handing it off`);
  const target = await resolveTarget(env, c, to);
  if (target.member?.id === me.id) throw new UserError("invalid_option", "to: you cannot hand a case to yourself");
  if (target.member && c.assignee?.id === target.member.id) throw new UserError("invalid_option", `to: ${target.member.name} already has ${c.ref}`);

  const replaced = c.pendingHandoff?.id ?? null;
  if (c.pendingHandoff) {
    await env.tx.handoff.update({ where: { id: c.pendingHandoff.id }, data: { state: "withdrawn", decidedAt: env.now, decidedById: me.id } });
  }
  const row = await env.tx.handoff.create({
    data: { caseId: c.id, fromId: me.id, toMemberId: target.member?.id ?? null, toOrgId: target.org?.id ?? null, note, state: "offered", offeredAt: env.now },
  });
  c.pendingHandoff = { id: row.id, fromId: me.id, toMember: target.member, toOrg: target.org, note, offeredAt: env.now };
  if (target.member && !c.participants.some((p) => p.member.id === target.member!.id)) {
    await env.tx.caseParticipant.create({ data: { caseId: c.id, memberId: target.member.id, reason: "handoff", createdAt: env.now } });
    c.participants.push({ member: target.member, reason: "handoff", pagedAt: null });
  }
  await env.tx.case.update({ where: { id: c.id }, data: { lastActivityAt: env.now, updatedAt: env.now } });
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: me.id,
    type: "handoff_offered",
    data: { handoff: row.id, toMember: target.member?.id ?? null, toOrg: target.org?.code ?? null, note, replaced },
  });
  await scheduleHandoffExpiry(env, c, row.id, 1);
  if (c.tlp === "red") await ensureThreads(env, c, event.seq);
  const whom = target.member ? [mention(personRef(target.member))] : rich`${target.org!.code}`;
  await notifyThreads(env, c, event.seq, {
    post: [para(rich`${mention(personRef(me))} offers the case to ${whom}: ${note}`), para(rich`Accept with /case accept ${c.ref}.`)],
    updateCard: true,
  });
  const recipients = target.member ? [target.member] : await getRoster(env.tx, target.org!.id, "oncall");
  if (c.tlp !== "red" || target.member) {
    await notifyPeople(env, c, event.seq, recipients, [
      para(rich`${me.name} offers you ${c.ref} (${c.severity} ${c.type}, ${c.agency.code}): ${c.title}`),
      para(rich`Their note: ${note}`),
      para(rich`Accept with /case accept ${c.ref}.`),
    ]);
  }
  return c;
}

export async function acceptHandoff(env: CaseEnv, caller: Caller, ref: string): Promise<CaseRecord> {
  const { c, me } = await actOn(env, caller, ref).catch(async (error: unknown) => {
    // A handoff to another exchange makes the case visible to its investigators for accepting.
    if (!(error instanceof UserError) || error.code !== "not_found") throw error;
    return acceptingFromOtherExchange(env, caller, ref, error);
  });
  const offer = c.pendingHandoff;
  const forMe = offer && (offer.toMember?.id === me.id || (offer.toOrg && me.org?.id === offer.toOrg.id && me.role === "investigator"));
  if (!offer || !forMe) throw new UserError("forbidden", `no handoff of ${c.ref} is offered to you`, { target: `case:${c.ref}` });
  requireNotClosed(c, "accept");

  await env.tx.handoff.update({ where: { id: offer.id }, data: { state: "accepted", decidedAt: env.now, decidedById: me.id } });
  c.pendingHandoff = null;
  const movedFrom = offer.toOrg && offer.toOrg.id !== c.exchange.id ? c.exchange : null;
  if (movedFrom) {
    c.exchange = offer.toOrg!;
    await env.tx.case.update({ where: { id: c.id }, data: { exchangeId: c.exchange.id } });
  }
  await recordAck(env, c, me);
  await cancelCaseTimers(env.tx, c.id, ["handoff"], env.now);
  await env.tx.case.update({ where: { id: c.id }, data: { assigneeId: me.id, status: "IN_PROGRESS", lastActivityAt: env.now, updatedAt: env.now } });
  c.assignee = me;
  c.status = "IN_PROGRESS";
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: me.id,
    type: "handoff_accepted",
    data: { handoff: offer.id, from: offer.fromId, movedFrom: movedFrom?.code ?? null, movedTo: movedFrom ? c.exchange.code : null },
  });
  if (movedFrom) {
    await retireThreads(env, c, event.seq, await channelsFor(env.tx, c), [
      para(rich`${c.ref} was handed to ${c.exchange.code}; it is no longer followed here.`),
    ]);
    await ensureThreads(env, c, event.seq);
  }
  await notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} accepted the handoff and now has the case.`)], updateCard: true });
  return c;
}

/** Lets an investigator of the exchange a case was offered to find it before accepting. */
async function acceptingFromOtherExchange(env: CaseEnv, caller: Caller, ref: string, notVisible: UserError) {
  await lockCase(env.tx, env.services.provider, { ref });
  const c = await loadCase(env.tx, { ref });
  const me = caller.member;
  const offer = c?.pendingHandoff;
  if (!c || !me || caller.standing !== "vetted" || !offer?.toOrg || me.org?.id !== offer.toOrg.id || me.role !== "investigator") throw notVisible;
  requireSide(c, "exchange", ["exchange"], "accept");
  return { c, side: "exchange" as const, me };
}
