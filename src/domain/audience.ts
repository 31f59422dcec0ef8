import { standingOf, type MemberView, type Standing } from "./members.js";

/**
 * The one audience rule: who may receive a case's content, and which channels may carry
 * it. It decides when a message is addressed and again when the outbox delivers it, and
 * the same rule answers need-to-know for every read (/case show, lists, digests,
 * autocomplete, exports). Pure: it looks only at what it is given.
 *
 * - A person receives a case's content only while vetted, and only as a coordinator, a
 *   liaison of the case's agency, or an investigator of its current exchange. TLP:RED
 *   narrows both sides to the people named on the case. An emergency does not exist for
 *   the exchange until it is confirmed.
 * - A channel carries a case only while bound to both of its organisations: TLP:AMBER to
 *   channels bound to exactly those two, GREEN and CLEAR to any channel bound to both,
 *   RED to none, and an unconfirmed emergency to none (the exchange reads the channel).
 */

export type Side = "coordinator" | "agency" | "exchange";

/** The parts of a case the rule reads. */
export interface CaseAudience {
  ref: string;
  tlp: "red" | "amber" | "green" | "clear";
  type: string;
  pagedAt: Date | null;
  agency: { id: number; code: string };
  exchange: { id: number; code: string };
  /** Everyone named on the case: opener, confirmer, paged, acknowledged, assignee, handoff targets. */
  named: ReadonlySet<number>;
  /** An open offer to hand the case to another organisation (its investigators may see it to accept). */
  offeredToOrg: number | null;
}

export type Verdict = { ok: true; side: Side | null } | { ok: false; reason: string; code: WithheldCode };

export type WithheldCode =
  | "recipient_not_vetted"
  | "recipient_not_party"
  | "recipient_not_named"
  | "emergency_unconfirmed"
  | "channel_unbound"
  | "channel_not_allowed"
  | "thread_retired"
  | "digest_stale"
  | "not_coordinator";

const unconfirmedEmergency = (c: Pick<CaseAudience, "type" | "pagedAt">) => c.type === "emergency" && c.pagedAt === null;

const STANDING_WORDS = { unregistered: "is not registered", pending: "is not vetted yet", suspended: "is suspended", expired: "has an expired vetting" } as const;

/** Whether this person, standing as they do now, may receive (and read) the case's content, and as which side. */
export function personVerdict(c: CaseAudience, m: MemberView, standing: Standing): Verdict {
  if (standing !== "vetted") return { ok: false, code: "recipient_not_vetted", reason: `@${m.name} ${STANDING_WORDS[standing]}` };
  if (m.role === "coordinator") return { ok: true, side: "coordinator" };
  const named = c.named.has(m.id);
  if (m.org?.id === c.agency.id && m.role === "liaison") {
    if (c.tlp === "red" && !named) return notNamed(c, m);
    return { ok: true, side: "agency" };
  }
  if (m.org?.id === c.exchange.id && m.role === "investigator") {
    if (unconfirmedEmergency(c)) return { ok: false, code: "emergency_unconfirmed", reason: `${c.ref} is an emergency not confirmed yet; ${c.exchange.code} is not told` };
    if (c.tlp === "red" && !named) return notNamed(c, m);
    return { ok: true, side: "exchange" };
  }
  const org = m.org ? `${m.org.code} ` : "";
  return { ok: false, code: "recipient_not_party", reason: `@${m.name} (${org}${m.role ?? "no role"}) is not on ${c.agency.code} or ${c.exchange.code}, the case's organisations` };
}

function notNamed(c: CaseAudience, m: MemberView): Verdict {
  return { ok: false, code: "recipient_not_named", reason: `${c.ref} is TLP:RED and @${m.name} is not named on it` };
}

/**
 * Who may receive a message about the case: anyone who may see it, and — for an offer to
 * hand it to another organisation — that organisation's vetted investigators, so they can
 * decide whether to accept it.
 */
export function recipientVerdict(c: CaseAudience, m: MemberView, now: Date): Verdict {
  const seen = personVerdict(c, m, standingOf(m, now));
  if (seen.ok || seen.code === "recipient_not_vetted") return seen;
  if (c.offeredToOrg !== null && m.org?.id === c.offeredToOrg && m.role === "investigator") {
    // The receiving organisation is told no more than its own exchange would be.
    if (unconfirmedEmergency(c)) return { ok: false, code: "emergency_unconfirmed", reason: `${c.ref} is an emergency not confirmed yet` };
    if (c.tlp === "red" && !c.named.has(m.id)) return notNamed(c, m);
    return { ok: true, side: "exchange" };
  }
  return seen;
}

/** Whether a channel bound to these organisations may carry the case now. */
export function channelVerdict(c: CaseAudience, boundOrgIds: readonly number[] | null, channel: string): Verdict {
  if (boundOrgIds === null) return { ok: false, code: "channel_unbound", reason: `${channel} is no longer a liaison channel` };
  if (c.tlp === "red") return { ok: false, code: "channel_not_allowed", reason: `${c.ref} is TLP:RED: direct messages to named people only, never a channel` };
  if (unconfirmedEmergency(c)) return { ok: false, code: "emergency_unconfirmed", reason: `${c.ref} is an emergency not confirmed yet; ${c.exchange.code} is not told` };
  const bound = new Set(boundOrgIds);
  if (!bound.has(c.agency.id) || !bound.has(c.exchange.id)) {
    return { ok: false, code: "channel_not_allowed", reason: `${channel} is not bound to both ${c.agency.code} and ${c.exchange.code}` };
  }
  if (c.tlp === "amber" && bound.size > 2) {
    return { ok: false, code: "channel_not_allowed", reason: `${channel} is bound to ${bound.size} organisations; TLP:AMBER goes only to channels of ${c.agency.code} and ${c.exchange.code} alone` };
  }
  return { ok: true, side: null };
}

/** Whether a message meant for coordinators (registration requests) may still go to this person. */
export function coordinatorVerdict(m: MemberView, now: Date): Verdict {
  if (standingOf(m, now) === "vetted" && m.role === "coordinator") return { ok: true, side: "coordinator" };
  return { ok: false, code: "not_coordinator", reason: `@${m.name} is no longer a vetted coordinator` };
}

/** Whether a message about a member's own standing (vetting expiry) may still go to them. */
export function selfVerdict(m: MemberView, now: Date): Verdict {
  const standing = standingOf(m, now);
  if (standing === "vetted") return { ok: true, side: null };
  return { ok: false, code: "recipient_not_vetted", reason: `@${m.name} ${STANDING_WORDS[standing]}` };
}
