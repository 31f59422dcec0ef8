import { UserError } from "../../model/errors.js";
import { mention, para, rich } from "../../model/message.js";
import { loadMember, personRef, resolvePerson, standingOf, type Caller, type MemberView } from "../members.js";
import { findOrg, getRoster, type Organisation } from "../orgs.js";
import { appendEvent } from "../timeline.js";
import { requireNotClosed, requireSide, unknownCase } from "./access.js";
import { actOn, recordAck, requirePaged, setWhoseMove } from "./actions.js";
import { scheduleHandoffExpiry } from "./escalation.js";
import { cancelCaseTimers } from "../timers.js";
import { awaitingConfirmation, isActive, loadCase, lockCase, namedOn, type CaseRecord, type HandoffView } from "./model.js";
import { ensureThreads, notifyPeople, notifyThreads, retireThreads, type CaseEnv } from "./notify.js";
import { consentAskable } from "./people.js";

/**
 * Handoffs: offered, then accepted by the person or organisation they were offered to. The
 * timeline records who, to whom, why and when. A handoff to another exchange moves the case
 * only with the agency's consent: the move completes once that exchange accepts and the
 * agency consents (its opener, a liaison named on the case, or a coordinator), in either
 * order; until then the case stays where it is. Once moved, the old exchange's people and
 * channels are off it.
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

/** An offer that moves the case to another organisation (and so needs the agency's consent). */
const isMove = (c: CaseRecord, offer: HandoffView) => offer.toOrg !== null && offer.toOrg.id !== c.exchange.id;

export async function offerHandoff(env: CaseEnv, caller: Caller, ref: string, to: string, note: string): Promise<CaseRecord> {
  const { c, side, me } = await actOn(env, caller, ref);
  requireSide(c, side, ["exchange", "coordinator"], "hand off");
  requireNotClosed(c, "hand off");
  requirePaged(c, "handed off");
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
  const offer: HandoffView = { id: row.id, fromId: me.id, toMember: target.member, toOrg: target.org, note, offeredAt: env.now, acceptedById: null, consentedById: null };
  c.pendingHandoff = offer;
  // Whoever is offered the case is named on it: the person, or the receiving organisation's on-call.
  const recipients = target.member ? [target.member] : await getRoster(env.tx, target.org!.id, "oncall");
  if (c.tlp === "red" && !recipients.some((p) => standingOf(p, env.now) === "vetted")) {
    throw new UserError("invalid_option", `to: nobody is on call at ${target.org!.code} to be offered a TLP:RED case by name; its on-call rotation must be set first (/ppp oncall ${target.org!.code})`);
  }
  for (const person of recipients.filter((p) => standingOf(p, env.now) === "vetted")) {
    if (c.participants.some((p) => p.member.id === person.id)) continue;
    await env.tx.caseParticipant.create({ data: { caseId: c.id, memberId: person.id, reason: "handoff", createdAt: env.now } });
    c.participants.push({ member: person, reason: "handoff", pagedAt: null });
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
  const how = isMove(c, offer)
    ? rich`${target.org!.code} accepts with /case accept ${c.ref}; moving the case also needs ${c.agency.code}'s consent (/case accept ${c.ref} by its opener, a liaison named on it, or a coordinator).`
    : rich`Accept with /case accept ${c.ref}.`;
  await notifyThreads(env, c, event.seq, {
    post: [para(rich`${mention(personRef(me))} offers the case to ${whom}: ${note}`), para(how)],
    updateCard: true,
  });
  {
    await notifyPeople(env, c, event.seq, recipients, [
      para(rich`${me.name} offers you ${c.ref} (${c.severity} ${c.type}, ${c.agency.code}): ${c.title}`),
      para(rich`Their note: ${note}`),
      para(rich`Accept with /case accept ${c.ref}.`),
    ]);
  }
  return c;
}

type Role = "receiver" | "consent";

/**
 * What the caller may do about the offer: accept it (its target) or consent to the move (the
 * agency). An offer to an organisation is for its investigators — of a TLP:RED case, only for
 * those it was offered to by name (its on-call when it was offered).
 */
function roleIn(c: CaseRecord, offer: HandoffView, me: MemberView, agencySide: boolean): Role | null {
  if (isMove(c, offer) && agencySide && (me.role === "coordinator" || namedOn(c).has(me.id))) return "consent";
  if (offer.toMember?.id === me.id) return "receiver";
  if (offer.toOrg && me.org?.id === offer.toOrg.id && me.role === "investigator" && (c.tlp !== "red" || namedOn(c).has(me.id))) return "receiver";
  return null;
}

/** Whether the one who accepted may still receive the case (they may have been suspended since). */
const stillReceiver = (offer: HandoffView, m: MemberView, now: Date) =>
  standingOf(m, now) === "vetted" && m.role === "investigator" && m.org?.id === offer.toOrg?.id;

export interface Acceptance {
  c: CaseRecord;
  /** The move still waits for the other half: the receiving organisation or the agency's consent. */
  waitingFor: "consent" | "acceptance" | null;
  /** Who has the case now, when the handoff completed. */
  receiver: MemberView | null;
}

export async function acceptHandoff(env: CaseEnv, caller: Caller, ref: string): Promise<Acceptance> {
  const { c, side, me } = await actOn(env, caller, ref).catch(async (error: unknown) => {
    // A case offered to another exchange may be found by its investigators, to accept it.
    if (!(error instanceof UserError) || error.code !== "not_found") throw error;
    return acceptingFromOtherExchange(env, caller, ref, error);
  });
  const offer = c.pendingHandoff;
  const role = offer ? roleIn(c, offer, me, side === "agency" || side === "coordinator") : null;
  if (!offer || !role) throw new UserError("forbidden", `no handoff of ${c.ref} is offered to you`, { target: `case:${c.ref}` });
  requireNotClosed(c, "accept");
  requirePaged(c, "handed off");

  if (!isMove(c, offer)) {
    await completeHandoff(env, c, offer, me);
    return { c, waitingFor: null, receiver: me };
  }
  if (role === "receiver") {
    if (offer.acceptedById !== null) throw new UserError("conflict", `${offer.toOrg!.code} already accepted ${c.ref}; it waits for ${c.agency.code}'s consent`);
    await env.tx.handoff.update({ where: { id: offer.id }, data: { acceptedById: me.id, acceptedAt: env.now } });
    offer.acceptedById = me.id;
  } else {
    if (offer.consentedById !== null) throw new UserError("conflict", `${c.agency.code} already consented to moving ${c.ref} to ${offer.toOrg!.code}`);
    await env.tx.handoff.update({ where: { id: offer.id }, data: { consentedById: me.id, consentedAt: env.now } });
    offer.consentedById = me.id;
  }
  if (offer.acceptedById !== null && offer.consentedById !== null) {
    const receiver = offer.acceptedById === me.id ? me : await loadMember(env.tx, offer.acceptedById);
    if (stillReceiver(offer, receiver, env.now)) {
      await completeHandoff(env, c, offer, receiver);
      return { c, waitingFor: null, receiver };
    }
    // The one who accepted may no longer take it (suspended, moved on): their acceptance lapses.
    await env.tx.handoff.update({ where: { id: offer.id }, data: { acceptedById: null, acceptedAt: null } });
    offer.acceptedById = null;
  }
  const waitingFor = offer.acceptedById === null ? "acceptance" : "consent";
  // While the agency is asked, the move is theirs to make.
  if (waitingFor === "consent") await setWhoseMove(env, c, "agency");
  await env.tx.case.update({ where: { id: c.id }, data: { lastActivityAt: env.now, updatedAt: env.now } });
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: me.id,
    type: role === "receiver" ? "move_accepted" : "move_consented",
    data: { handoff: offer.id, to: offer.toOrg!.code },
  });
  if (role === "receiver") {
    // The agency is asked; the case stays with its exchange until then.
    await notifyPeople(env, c, event.seq, await consentAskable(env, c), [
      para(rich`${me.name} of ${offer.toOrg!.code} accepted ${c.ref} (${c.severity} ${c.type}, offered by ${c.exchange.code}). It moves there once ${c.agency.code} consents: /case accept ${c.ref}`),
    ], "consent");
    await notifyThreads(env, c, event.seq, {
      post: [para(rich`${me.name} of ${offer.toOrg!.code} accepted the handoff; the case moves once ${c.agency.code} consents (/case accept ${c.ref}).`)],
      updateCard: true,
    });
  } else {
    await notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} consented for ${c.agency.code} to moving the case to ${offer.toOrg!.code}; it moves once ${offer.toOrg!.code} accepts.`)] });
  }
  return { c, waitingFor, receiver: null };
}


/** The handoff takes effect: the case is the receiver's (and, for a move, their exchange's). */
async function completeHandoff(env: CaseEnv, c: CaseRecord, offer: HandoffView, receiver: MemberView): Promise<void> {
  await env.tx.handoff.update({ where: { id: offer.id }, data: { state: "accepted", decidedAt: env.now, decidedById: receiver.id } });
  c.pendingHandoff = null;
  const movedFrom = isMove(c, offer) ? c.exchange : null;
  if (movedFrom) {
    c.exchange = offer.toOrg!;
    await env.tx.case.update({ where: { id: c.id }, data: { exchangeId: c.exchange.id } });
  }
  await recordAck(env, c, receiver);
  await cancelCaseTimers(env.tx, c.id, ["handoff"], env.now);
  if (movedFrom) await setWhoseMove(env, c, "exchange");
  await env.tx.case.update({ where: { id: c.id }, data: { assigneeId: receiver.id, status: "IN_PROGRESS", lastActivityAt: env.now, updatedAt: env.now } });
  c.assignee = receiver;
  c.status = "IN_PROGRESS";
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: receiver.id,
    type: "handoff_accepted",
    data: {
      handoff: offer.id,
      from: offer.fromId,
      movedFrom: movedFrom?.code ?? null,
      movedTo: movedFrom ? c.exchange.code : null,
      ...(movedFrom ? { consentedBy: offer.consentedById } : {}),
    },
  });
  if (movedFrom) {
    // The old exchange is off the case: its channels say goodbye, its people's threads stop.
    await retireThreads(env, c, event.seq, [para(rich`${c.ref} was handed to ${c.exchange.code}; it is no longer followed here.`)]);
    await ensureThreads(env, c, event.seq);
  }
  await notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(receiver))} accepted the handoff and now has the case.`)], updateCard: true });
}

/** Lets an investigator of the exchange a case was offered to find it before accepting. */
async function acceptingFromOtherExchange(env: CaseEnv, caller: Caller, ref: string, notVisible: UserError) {
  await lockCase(env.tx, env.services.provider, { ref });
  const c = await loadCase(env.tx, { ref });
  const me = caller.member;
  const offer = c?.pendingHandoff;
  const offeredToMe = offer?.toOrg && me?.org?.id === offer.toOrg.id && me.role === "investigator" && (c!.tlp !== "red" || namedOn(c!).has(me.id));
  if (!c || !me || caller.standing !== "vetted" || !offeredToMe || awaitingConfirmation(c)) {
    throw c ? unknownCase(c.ref, true) : notVisible;
  }
  requireSide(c, "exchange", ["exchange"], "accept");
  return { c, side: "exchange" as const, me };
}
