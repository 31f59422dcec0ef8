import { UserError } from "../../model/errors.js";
import { para, rich } from "../../model/message.js";
import type { Amount } from "../amounts.js";
import { standingOf, type MemberView } from "../members.js";
import type { Organisation } from "../orgs.js";
import type { Severity } from "../policy.js";
import type { Subject } from "../subjects.js";
import { GENESIS_HASH } from "../timeline.js";
import type { Acting } from "./context.js";
import type { CaseEnv } from "./context.js";
import { deconflict } from "./deconflict.js";
import { startPaging } from "./escalation.js";
import { awaitingConfirmation, type CaseRecord, type CaseType, type Tlp } from "./model.js";
import { notifyPeople } from "./notify.js";

/** Opening a case, and the second-person confirmation of emergencies. */

export interface NewCase {
  title: string;
  severity: Severity;
  type: CaseType;
  tlp: Tlp;
  subjects: Subject[];
  summary?: string | undefined;
  externalRef?: string | undefined;
  amounts: Amount[];
  /** Resolved against the agency's time zone by the caller. */
  deadline?: Date | undefined;
}

/** What was settled before deciding: the parties, the reference number, the id. */
export interface Opening {
  id: number;
  agency: Organisation;
  exchange: Organisation;
  year: number;
  seq: number;
}

const yearFormats = new Map<string, Intl.DateTimeFormat>();

/** The year of an instant in a time zone (references count per agency and its year). */
export function yearIn(timeZone: string, at: Date): number {
  let f = yearFormats.get(timeZone);
  if (!f) yearFormats.set(timeZone, (f = new Intl.DateTimeFormat("en", { timeZone, year: "numeric" })));
  return Number(f.format(at));
}

export function openCase(env: CaseEnv, opener: MemberView, o: Opening, input: NewCase): CaseRecord {
  const { now, change } = env;
  if (o.exchange.kind !== "EXCHANGE") throw UserError.about("exchange", "invalid_option", `exchange: ${o.exchange.code} is an agency, not an exchange`);
  if (input.deadline && input.deadline.getTime() <= now.getTime()) throw UserError.about("deadline", "invalid_option", "deadline: it is already past");
  const ref = `${o.agency.code}-${o.year}-${String(o.seq).padStart(4, "0")}`;
  const c: CaseRecord = {
    id: o.id,
    ref,
    title: input.title,
    summary: input.summary ?? null,
    severity: input.severity,
    type: input.type,
    tlp: input.tlp,
    status: "OPEN",
    whoseMove: "exchange",
    agency: o.agency,
    exchange: o.exchange,
    openedBy: opener,
    assignee: null,
    externalRef: input.externalRef ?? null,
    deadline: input.deadline ?? null,
    confirmedById: null,
    confirmedAt: null,
    pagedAt: null,
    ackAt: null,
    ackById: null,
    resolvedAt: null,
    outcome: null,
    result: null,
    preservedUntil: null,
    freezeUntil: null,
    heldAt: null,
    holdReason: null,
    erasedAt: null,
    processes: [],
    closedAt: null,
    waitingSince: null,
    agencyWaitSeconds: 0,
    escalationLevel: 0,
    lastActivityAt: now,
    createdAt: now,
    eventCount: 0,
    headHash: GENESIS_HASH,
    subjects: input.subjects.map((s) => ({ ...s })),
    amounts: input.amounts.map((a) => ({ ...a, kind: "involved" as const })),
    participants: [],
    pendingHandoff: null,
    threads: [],
  };
  change.create(c, {
    ref,
    agency_id: o.agency.id,
    year: o.year,
    seq: o.seq,
    severity: input.severity,
    type: input.type,
    opened_by_id: opener.id,
    external_ref: c.externalRef,
    deadline: c.deadline,
    created_at: now,
  });
  c.subjects.forEach((s, position) => change.subject(c, position, s));
  c.amounts.forEach((a, position) => change.amount(c, position, a));
  change.participant(c, opener, "opener");
  change.event(c, {
    at: now,
    actorId: opener.id,
    type: "opened",
    data: {
      title: input.title,
      summary: input.summary ?? null,
      agency: o.agency.code,
      exchange: o.exchange.code,
      severity: input.severity,
      type: input.type,
      tlp: input.tlp,
      subjects: input.subjects.map((s) => ({ kind: s.kind, chain: s.chain, value: s.display })),
      amounts: input.amounts,
      deadline: input.deadline?.toISOString() ?? null,
      externalRef: input.externalRef ?? null,
    },
  });
  deconflict(env, c);
  if (input.type === "emergency") requestConfirmation(env, c);
  else startPaging(env, c, opener.id);
  return c;
}

/**
 * Who may confirm an emergency: the agency's other liaisons and the coordinators. A TLP:RED
 * case is for named people only, so other liaisons cannot see it: only coordinators are asked.
 */
function confirmers(env: CaseEnv, c: CaseRecord): MemberView[] {
  const coordinators = env.context.coordinators();
  const liaisons = c.tlp === "red" ? [] : env.context.liaisons(c.agency.id);
  return [...coordinators, ...liaisons]
    .filter((m) => m.id !== c.openedBy.id && standingOf(m, env.now) === "vetted")
    .sort((a, b) => a.id - b.id)
    .filter((m, i, all) => all.findIndex((x) => x.id === m.id) === i);
}

function requestConfirmation(env: CaseEnv, c: CaseRecord) {
  const people = confirmers(env, c);
  const event = env.change.event(c, { at: env.now, actorId: null, type: "confirmation_requested", data: { askedOf: people.map((p) => p.id) } });
  notifyPeople(env, c, event.seq, people, [
    para(rich`Emergency case ${c.ref} (${c.severity}, ${c.agency.code} → ${c.exchange.code}) needs a second person before ${c.exchange.code} is paged: ${c.title}`),
    para(rich`If you have verified it, confirm with /case confirm ${c.ref}. Forged emergency requests are a known attack: check it through a channel you trust.`),
  ]);
}

export function confirmCase(env: CaseEnv, { c, side, me }: Acting): void {
  if (c.type !== "emergency") throw new UserError("invalid_state", `${c.ref} is not an emergency case; only emergencies need confirming`);
  if (!awaitingConfirmation(c)) throw new UserError("invalid_state", `${c.ref} was already confirmed`);
  if (side !== "agency" && side !== "coordinator") {
    throw new UserError("forbidden", `only a second liaison of ${c.agency.code} or a coordinator can confirm ${c.ref}`, { denial: { target: `case:${c.ref}` } });
  }
  if (me.id === c.openedBy.id) {
    throw new UserError("forbidden", `you opened ${c.ref}; a second liaison of ${c.agency.code} or a coordinator must confirm it`, { denial: { target: `case:${c.ref}` } });
  }
  Object.assign(c, { confirmedById: me.id, confirmedAt: env.now, lastActivityAt: env.now });
  env.change.touch(c);
  if (!c.participants.some((p) => p.member.id === me.id)) env.change.participant(c, me, "confirmer");
  env.change.event(c, { at: env.now, actorId: me.id, type: "confirmed", data: {} });
  startPaging(env, c, me.id);
}
