import type { Tx } from "../../db/database.js";
import type { CaseRow, LegalProcessRow, ThreadRow } from "../../db/rows.js";
import { caseByRef, caseByRefForChange, casesById, casesByIdForChange, casesByIdForChangeSkipLocked } from "../../db/sql/cases.js";
import { loadMembers, standingOf, type MemberView } from "../members.js";
import type { Organisation } from "../orgs.js";
import type { Severity } from "../policy.js";
import { personVerdict, type CaseAudience } from "../audience.js";
import type { Chain } from "../subjects.js";

/** What a case is made of, as the rest of the domain reads it. */

export const CASE_TYPES = ["freeze", "disclosure", "preservation", "emergency", "mlat", "intel", "other"] as const;
export type CaseType = (typeof CASE_TYPES)[number];
export const TLPS = ["red", "amber", "green", "clear"] as const;
export type Tlp = (typeof TLPS)[number];
export type Status = "OPEN" | "ACKNOWLEDGED" | "IN_PROGRESS" | "RESOLVED" | "CLOSED" | "REOPENED";
export type WhoseMove = "exchange" | "agency";

export interface AmountView {
  kind: "involved" | "frozen" | "seized";
  asset: string;
  amount: string;
  usd: string | null;
}

export interface HandoffView {
  id: number;
  fromId: number;
  toMember: MemberView | null;
  toOrg: Organisation | null;
  note: string;
  offeredAt: Date;
  /** For a move to another organisation: who there accepted it, and who of the agency consented. */
  acceptedById: number | null;
  acceptedAt?: Date | null;
  consentedById: number | null;
  consentedAt?: Date | null;
}

export interface ParticipantView {
  member: MemberView;
  reason: string;
  pagedAt: Date | null;
}

export interface CaseRecord {
  id: number;
  ref: string;
  title: string;
  summary: string | null;
  severity: Severity;
  type: CaseType;
  tlp: Tlp;
  status: Status;
  whoseMove: WhoseMove;
  agency: Organisation;
  exchange: Organisation;
  openedBy: MemberView;
  assignee: MemberView | null;
  externalRef: string | null;
  deadline: Date | null;
  confirmedById: number | null;
  confirmedAt: Date | null;
  pagedAt: Date | null;
  ackAt: Date | null;
  ackById: number | null;
  resolvedAt: Date | null;
  outcome: string | null;
  result: string | null;
  preservedUntil: Date | null;
  freezeUntil: Date | null;
  heldAt: Date | null;
  holdReason: string | null;
  erasedAt: Date | null;
  processes: LegalProcessRow[];
  closedAt: Date | null;
  waitingSince: Date | null;
  agencyWaitSeconds: number;
  escalationLevel: number;
  lastActivityAt: Date;
  createdAt: Date;
  eventCount: number;
  headHash: string;
  subjects: { kind: "address" | "tx"; chain: Chain; value: string; display: string }[];
  amounts: AmountView[];
  participants: ParticipantView[];
  pendingHandoff: HandoffView | null;
  /** Where the case's card is: channel threads and, for TLP:RED, DM threads (active or retired). */
  threads: ThreadRow[];
}

export const isClosed = (c: Pick<CaseRecord, "status">) => c.status === "CLOSED";
export const isActive = (c: Pick<CaseRecord, "status">) => c.status !== "CLOSED" && c.status !== "RESOLVED";
/** The people named on a case: opener, confirmer, everyone paged, assignees, handoff targets. */
export function namedOn(c: Pick<CaseRecord, "participants" | "assignee" | "pendingHandoff">): Set<number> {
  const named = new Set(c.participants.map((p) => p.member.id));
  if (c.assignee) named.add(c.assignee.id);
  if (c.pendingHandoff?.toMember) named.add(c.pendingHandoff.toMember.id);
  return named;
}

/** What the audience rule needs to know about a case. */
export function audienceOf(c: CaseRecord): CaseAudience {
  const offered = c.pendingHandoff?.toOrg;
  return {
    ref: c.ref,
    tlp: c.tlp,
    type: c.type,
    pagedAt: c.pagedAt,
    agency: c.agency,
    exchange: c.exchange,
    named: namedOn(c),
    offeredToOrg: offered && offered.id !== c.exchange.id ? offered.id : null,
  };
}

/**
 * The people paged on the case who are still on it: a move to another exchange or a
 * suspension takes people off a case, though its history keeps them.
 */
export function pagedNow(c: CaseRecord, now: Date): MemberView[] {
  const audience = audienceOf(c);
  return c.participants.filter((p) => p.pagedAt && personVerdict(audience, p.member, standingOf(p.member, now)).ok).map((p) => p.member);
}

/** An emergency the exchange has not been paged for yet. */
export const awaitingConfirmation = (c: Pick<CaseRecord, "type" | "pagedAt">) => c.type === "emergency" && c.pagedAt === null;

function toRecord(row: CaseRow, people: Map<number, MemberView>): CaseRecord {
  const person = (id: number) => {
    const m = people.get(id);
    if (!m) throw new Error(`member ${id} of case ${row.id} was not loaded`);
    return m;
  };
  const offered = row.pendingHandoff;
  return {
    ...row,
    openedBy: person(row.openedById),
    assignee: row.assigneeId !== null ? person(row.assigneeId) : null,
    participants: row.participants.map((p) => ({ member: person(p.memberId), reason: p.reason, pagedAt: p.pagedAt })),
    pendingHandoff: offered
      ? {
          id: offered.id,
          fromId: offered.fromId,
          toMember: offered.toMemberId !== null ? person(offered.toMemberId) : null,
          toOrg: offered.toOrg,
          note: offered.note,
          offeredAt: offered.offeredAt,
          acceptedById: offered.acceptedById,
          acceptedAt: offered.acceptedAt,
          consentedById: offered.consentedById,
          consentedAt: offered.consentedAt,
        }
      : null,
  };
}

/** The people a batch of cases names, in one statement. */
function peopleOf(tx: Tx, rows: CaseRow[]): Promise<Map<number, MemberView>> {
  const ids: number[] = [];
  for (const row of rows) {
    ids.push(row.openedById, ...row.participants.map((p) => p.memberId));
    if (row.assigneeId !== null) ids.push(row.assigneeId);
    if (row.pendingHandoff?.toMemberId) ids.push(row.pendingHandoff.toMemberId);
  }
  return loadMembers(tx, ids);
}

/**
 * Loads a case (by reference or id) with all it owns, in two statements (the case, its
 * people). `forChange` also takes the case's write lock for the rest of the transaction, so
 * concurrent changes to one case (two acks, a timer firing during an ack) happen one after
 * the other. SQLite transactions already hold the database's write lock (BEGIN IMMEDIATE).
 */
export async function loadCase(tx: Tx, where: { ref: string } | { id: number }, forChange = false): Promise<CaseRecord | null> {
  const read = () =>
    "ref" in where
      ? tx.sql.one(forChange ? caseByRefForChange : caseByRef, { ref: where.ref })
      : tx.sql.one(forChange ? casesByIdForChange : casesById, { ids: [where.id] });
  let row = await read();
  // It waited for the lock: the parts were read from before; the lock is ours now, read again.
  if (row?.stale) row = await read();
  return row ? toRecord(row, await peopleOf(tx, [row])) : null;
}

/**
 * Loads several cases (locked, in id order, with `forChange`), returned in the order of
 * `ids`. With `skipLocked` (PostgreSQL) cases another transaction holds are left out.
 */
export async function loadCases(tx: Tx, ids: number[], forChange: boolean | "skipLocked" = false): Promise<CaseRecord[]> {
  if (ids.length === 0) return [];
  const wanted = [...new Set(ids)];
  const statement = forChange === "skipLocked" ? casesByIdForChangeSkipLocked : forChange ? casesByIdForChange : casesById;
  let rows = await tx.sql.all(statement, { ids: wanted });
  const stale = rows.filter((r) => r.stale).map((r) => r.id);
  if (stale.length > 0) {
    // Those waited for their lock (held now): their parts again, from a fresh snapshot.
    const fresh = new Map((await tx.sql.all(casesByIdForChange, { ids: stale })).map((r) => [r.id, r]));
    rows = rows.map((r) => fresh.get(r.id) ?? r);
  }
  const people = await peopleOf(tx, rows);
  const byId = new Map(rows.map((r) => [r.id, toRecord(r, people)]));
  return wanted.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

