import { UserError } from "../../model/errors.js";
import { mention, para, rich } from "../../model/message.js";
import { personRef, standingOf, type MemberView } from "../members.js";
import type { Organisation } from "../orgs.js";
import { requireNotClosed, requireSide } from "./access.js";
import { recordAck, requirePaged, setWhoseMove, type Acting } from "./actions.js";
import type { CaseEnv } from "./context.js";
import { scheduleHandoffExpiry } from "./escalation.js";
import { isActive, namedOn, type CaseRecord, type HandoffView } from "./model.js";
import { ensureThreads, notifyPeople, notifyThreads, retireThreads } from "./notify.js";
import { consentAskable } from "./people.js";

/**
 * Handoffs: offered, then accepted by the person or organisation they were offered to. The
 * timeline records who, to whom, why and when. A handoff to another exchange moves the case
 * only with the agency's consent: the move completes once that exchange accepts and the
 * agency consents (its opener, a liaison named on the case, or a coordinator), in either
 * order; until then the case stays where it is. Once moved, the old exchange's people and
 * channels are off it.
 */

export type HandoffTarget = { member: MemberView; org: null } | { member: null; org: Organisation };

/** Checks a person or organisation the case may be handed to. */
function checkTarget(env: CaseEnv, c: CaseRecord, target: HandoffTarget): void {
  if (target.member) {
    const member = target.member;
    if (standingOf(member, env.now) !== "vetted") throw UserError.about("to", "invalid_option", `to: ${member.name} is not vetted`);
    const isExchangeInvestigator = member.role === "investigator" && member.org?.id === c.exchange.id;
    if (!isExchangeInvestigator && member.role !== "coordinator") {
      throw UserError.about("to", "invalid_option", `to: ${member.name} is not an investigator of ${c.exchange.code}; hand off to a colleague, a coordinator, or an exchange by its code`);
    }
    return;
  }
  if (target.org.kind !== "EXCHANGE") throw UserError.about("to", "invalid_option", `to: ${target.org.code} is an agency; a case is handed to a person or an exchange`);
}

/** An offer that moves the case to another organisation (and so needs the agency's consent). */
const isMove = (c: CaseRecord, offer: HandoffView) => offer.toOrg !== null && offer.toOrg.id !== c.exchange.id;

/** `handoffId`: the id the new offer gets (taken beforehand). */
export function offerHandoff(env: CaseEnv, { c, side, me }: Acting, target: HandoffTarget, note: string, handoffId: number): void {
  requireSide(c, side, ["exchange", "coordinator"], "hand off");
  requireNotClosed(c, "hand it off");
  requirePaged(c, "handed off");
  if (!isActive(c)) throw new UserError("invalid_state", `${c.ref} is resolved; reopen it before handing it off`);
  checkTarget(env, c, target);
  if (target.member?.id === me.id) throw UserError.about("to", "invalid_option", "to: you cannot hand a case to yourself");
  if (target.member && c.assignee?.id === target.member.id) throw UserError.about("to", "invalid_option", `to: ${target.member.name} already has ${c.ref}`);
  // Whoever is offered the case is named on it: the person, or the receiving organisation's on-call.
  const recipients = target.member ? [target.member] : env.context.roster(target.org.id, "oncall");
  if (c.tlp === "red" && !recipients.some((p) => standingOf(p, env.now) === "vetted")) {
    throw UserError.about("to", "invalid_option", `to: nobody is on call at ${target.org!.code} to be offered a TLP:RED case by name; its on-call rotation must be set first (/ppp oncall ${target.org!.code})`);
  }

  const replaced = c.pendingHandoff?.id ?? null;
  if (c.pendingHandoff) {
    env.change.decideOffer(c, { ...offerRow(c.pendingHandoff, env.now), state: "withdrawn", decidedAt: env.now, decidedById: me.id });
  }
  const offer: HandoffView = { id: handoffId, fromId: me.id, toMember: target.member, toOrg: target.org, note, offeredAt: env.now, acceptedById: null, consentedById: null };
  c.pendingHandoff = offer;
  env.change.offer(c, offer);
  for (const person of recipients.filter((p) => standingOf(p, env.now) === "vetted")) {
    if (!c.participants.some((p) => p.member.id === person.id)) env.change.participant(c, person, "handoff");
  }
  c.lastActivityAt = env.now;
  env.change.touch(c);
  const event = env.change.event(c, {
    at: env.now,
    actorId: me.id,
    type: "handoff_offered",
    data: { handoff: handoffId, toMember: target.member?.id ?? null, toOrg: target.org?.code ?? null, note, replaced },
  });
  scheduleHandoffExpiry(env, c, handoffId, 1);
  if (c.tlp === "red") ensureThreads(env, c, event.seq);
  const whom = target.member ? [mention(personRef(target.member))] : rich`${target.org!.code}`;
  const how = isMove(c, offer)
    ? rich`${target.org!.code} accepts with /case accept ${c.ref}; moving the case also needs ${c.agency.code}'s consent (/case accept ${c.ref} by its opener, a liaison named on it, or a coordinator).`
    : rich`Accept with /case accept ${c.ref}.`;
  notifyThreads(env, c, event.seq, {
    post: [para(rich`${mention(personRef(me))} offers the case to ${whom}: ${note}`), para(how)],
    updateCard: true,
  });
  notifyPeople(env, c, event.seq, recipients, [
    para(rich`${me.name} offers you ${c.ref} (${c.severity} ${c.type}, ${c.agency.code}): ${c.title}`),
    para(rich`Their note: ${note}`),
    para(rich`Accept with /case accept ${c.ref}.`),
  ]);
}

/** The offer's row as it stands. */
function offerRow(offer: HandoffView, now: Date) {
  return {
    id: offer.id,
    state: "offered",
    decidedAt: null,
    decidedById: null,
    acceptedById: offer.acceptedById,
    acceptedAt: offer.acceptedById !== null ? (offer.acceptedAt ?? now) : null,
    consentedById: offer.consentedById,
    consentedAt: offer.consentedById !== null ? (offer.consentedAt ?? now) : null,
  };
}

type Role = "receiver" | "consent";

/**
 * What the caller may do about the offer: accept it (its target) or consent to the move (the
 * agency). An offer to an organisation is for its investigators — of a TLP:RED case, only for
 * those it was offered to by name (its on-call when it was offered).
 */
export function roleIn(c: CaseRecord, offer: HandoffView, me: MemberView, agencySide: boolean): Role | null {
  if (isMove(c, offer) && agencySide && (me.role === "coordinator" || namedOn(c).has(me.id))) return "consent";
  if (offer.toMember?.id === me.id) return "receiver";
  if (offer.toOrg && me.org?.id === offer.toOrg.id && me.role === "investigator" && (c.tlp !== "red" || namedOn(c).has(me.id))) return "receiver";
  return null;
}

/** Whether the one who accepted may still receive the case (they may have been suspended since). */
const stillReceiver = (offer: HandoffView, m: MemberView, now: Date) =>
  standingOf(m, now) === "vetted" && m.role === "investigator" && m.org?.id === offer.toOrg?.id;

export interface Acceptance {
  /** The move still waits for the other half: the receiving organisation or the agency's consent. */
  waitingFor: "consent" | "acceptance" | null;
  /** Who has the case now, when the handoff completed. */
  receiver: MemberView | null;
}

export function acceptHandoff(env: CaseEnv, { c, side, me }: Acting): Acceptance {
  const offer = c.pendingHandoff;
  const role = offer ? roleIn(c, offer, me, side === "agency" || side === "coordinator") : null;
  if (!offer || !role) throw new UserError("forbidden", `no handoff of ${c.ref} is offered to you`, { denial: { target: `case:${c.ref}` } });
  requireNotClosed(c, "accept it");
  requirePaged(c, "handed off");

  if (!isMove(c, offer)) {
    completeHandoff(env, c, offer, me);
    return { waitingFor: null, receiver: me };
  }
  if (role === "receiver") {
    if (offer.acceptedById !== null) throw new UserError("conflict", `${offer.toOrg!.code} already accepted ${c.ref}; it waits for ${c.agency.code}'s consent`);
    offer.acceptedById = me.id;
    offer.acceptedAt = env.now;
  } else {
    if (offer.consentedById !== null) throw new UserError("conflict", `${c.agency.code} already consented to moving ${c.ref} to ${offer.toOrg!.code}`);
    offer.consentedById = me.id;
    offer.consentedAt = env.now;
  }
  if (offer.acceptedById !== null && offer.consentedById !== null) {
    const receiver = offer.acceptedById === me.id ? me : env.context.person(offer.acceptedById);
    if (stillReceiver(offer, receiver, env.now)) {
      completeHandoff(env, c, offer, receiver);
      return { waitingFor: null, receiver };
    }
    // The one who accepted may no longer take it (suspended, moved on): their acceptance lapses.
    offer.acceptedById = null;
    offer.acceptedAt = null;
  }
  env.change.decideOffer(c, offerRow(offer, env.now));
  const waitingFor = offer.acceptedById === null ? "acceptance" : "consent";
  // While the agency is asked, the move is theirs to make.
  if (waitingFor === "consent") setWhoseMove(env, c, "agency");
  c.lastActivityAt = env.now;
  env.change.touch(c);
  const event = env.change.event(c, {
    at: env.now,
    actorId: me.id,
    type: role === "receiver" ? "move_accepted" : "move_consented",
    data: { handoff: offer.id, to: offer.toOrg!.code },
  });
  if (role === "receiver") {
    // The agency is asked; the case stays with its exchange until then.
    notifyPeople(env, c, event.seq, consentAskable(env, c), [
      para(rich`${me.name} of ${offer.toOrg!.code} accepted ${c.ref} (${c.severity} ${c.type}, offered by ${c.exchange.code}). It moves there once ${c.agency.code} consents: /case accept ${c.ref}`),
    ], "consent");
    notifyThreads(env, c, event.seq, {
      post: [para(rich`${me.name} of ${offer.toOrg!.code} accepted the handoff; the case moves once ${c.agency.code} consents (/case accept ${c.ref}).`)],
      updateCard: true,
    });
  } else {
    notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} consented for ${c.agency.code} to moving the case to ${offer.toOrg!.code}; it moves once ${offer.toOrg!.code} accepts.`)] });
  }
  return { waitingFor, receiver: null };
}

/** The handoff takes effect: the case is the receiver's (and, for a move, their exchange's). */
function completeHandoff(env: CaseEnv, c: CaseRecord, offer: HandoffView, receiver: MemberView): void {
  env.change.decideOffer(c, { ...offerRow(offer, env.now), state: "accepted", decidedAt: env.now, decidedById: receiver.id });
  c.pendingHandoff = null;
  const movedFrom = isMove(c, offer) ? c.exchange : null;
  if (movedFrom) c.exchange = offer.toOrg!;
  recordAck(env, c, receiver);
  env.change.cancelTimers(c.id, ["handoff"]);
  if (movedFrom) setWhoseMove(env, c, "exchange");
  Object.assign(c, { assignee: receiver, status: "IN_PROGRESS", lastActivityAt: env.now });
  env.change.touch(c);
  const event = env.change.event(c, {
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
    retireThreads(env, c, event.seq, [para(rich`${c.ref} was handed to ${c.exchange.code}; it is no longer followed here.`)]);
    ensureThreads(env, c, event.seq);
  }
  notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(receiver))} accepted the handoff and now has the case.`)], updateCard: true });
}
