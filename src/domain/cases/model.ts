import type { Tx } from "../../db/database.js";
import type { Provider } from "../../db/migrate.js";
import { memberInclude, toMemberView, type MemberView } from "../members.js";
import { toOrganisation, type Organisation } from "../orgs.js";
import type { Severity } from "../policy.js";
import type { CaseAudience } from "../audience.js";
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
  consentedById: number | null;
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
  confirmedAt: Date | null;
  pagedAt: Date | null;
  ackAt: Date | null;
  ackById: number | null;
  resolvedAt: Date | null;
  outcome: string | null;
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

/** An emergency the exchange has not been paged for yet. */
export const awaitingConfirmation = (c: Pick<CaseRecord, "type" | "pagedAt">) => c.type === "emergency" && c.pagedAt === null;

// People are loaded separately, all in one query (see toRecord): nesting them under each
// relation would cost three queries per relation.
const caseInclude = {
  agency: true,
  exchange: true,
  subjects: { orderBy: { position: "asc" } },
  amounts: { orderBy: { position: "asc" } },
  participants: { orderBy: { id: "asc" } },
  handoffs: { where: { state: "offered" }, orderBy: { id: "desc" }, take: 1 },
} as const;

type CaseRow = NonNullable<Awaited<ReturnType<typeof findRow>>>;

function findRow(tx: Tx, where: { ref: string } | { id: number }) {
  return tx.case.findUnique({ where, include: caseInclude });
}

/** The people of several cases, in one query. */
async function peopleOf(tx: Tx, rows: CaseRow[]): Promise<Map<number, MemberView>> {
  const ids = new Set<number>();
  for (const row of rows) {
    ids.add(row.openedById);
    for (const p of row.participants) ids.add(p.memberId);
    if (row.assigneeId !== null) ids.add(row.assigneeId);
    if (row.handoffs[0]?.toMemberId) ids.add(row.handoffs[0].toMemberId);
  }
  return new Map((await tx.member.findMany({ where: { id: { in: [...ids] } }, include: memberInclude })).map((m) => [m.id, toMemberView(m)]));
}

async function toRecord(tx: Tx, row: CaseRow, people: Map<number, MemberView>): Promise<CaseRecord> {
  const offered = row.handoffs[0];
  const person = (id: number) => people.get(id)!;
  let pendingHandoff: HandoffView | null = null;
  if (offered) {
    const toMember = offered.toMemberId ? person(offered.toMemberId) : null;
    const toOrg = offered.toOrgId ? toOrganisation(await tx.organisation.findUniqueOrThrow({ where: { id: offered.toOrgId } })) : null;
    pendingHandoff = {
      id: offered.id,
      fromId: offered.fromId,
      toMember,
      toOrg,
      note: offered.note,
      offeredAt: offered.offeredAt,
      acceptedById: offered.acceptedById,
      consentedById: offered.consentedById,
    };
  }
  return {
    id: row.id,
    ref: row.ref,
    title: row.title,
    summary: row.summary,
    severity: row.severity as Severity,
    type: row.type as CaseType,
    tlp: row.tlp as Tlp,
    status: row.status as Status,
    whoseMove: row.whoseMove as WhoseMove,
    agency: toOrganisation(row.agency),
    exchange: toOrganisation(row.exchange),
    openedBy: person(row.openedById),
    assignee: row.assigneeId !== null ? person(row.assigneeId) : null,
    externalRef: row.externalRef,
    deadline: row.deadline,
    confirmedAt: row.confirmedAt,
    pagedAt: row.pagedAt,
    ackAt: row.ackAt,
    ackById: row.ackById,
    resolvedAt: row.resolvedAt,
    outcome: row.outcome,
    closedAt: row.closedAt,
    waitingSince: row.waitingSince,
    agencyWaitSeconds: row.agencyWaitSeconds,
    escalationLevel: row.escalationLevel,
    lastActivityAt: row.lastActivityAt,
    createdAt: row.createdAt,
    eventCount: row.eventCount,
    headHash: row.headHash,
    subjects: row.subjects.map((s) => ({ kind: s.kind as "address" | "tx", chain: s.chain as Chain, value: s.value, display: s.display })),
    amounts: row.amounts.map((a) => ({ kind: a.kind as AmountView["kind"], asset: a.asset, amount: a.amount, usd: a.usd })),
    participants: row.participants.map((p) => ({ member: person(p.memberId), reason: p.reason, pagedAt: p.pagedAt })),
    pendingHandoff,
  };
}

/**
 * Takes the case row's write lock for the rest of the transaction, so that concurrent
 * changes to one case (two acks, a timer firing during an ack) happen one after another.
 * SQLite transactions already hold the database's write lock (BEGIN IMMEDIATE).
 */
export async function lockCase(tx: Tx, provider: Provider, where: { ref: string } | { id: number }): Promise<boolean> {
  if (provider === "sqlite") return (await tx.case.count({ where })) > 0;
  const rows =
    "ref" in where
      ? await tx.$queryRaw<{ id: number }[]>`SELECT id FROM "case" WHERE ref = ${where.ref} FOR UPDATE`
      : await tx.$queryRaw<{ id: number }[]>`SELECT id FROM "case" WHERE id = ${where.id} FOR UPDATE`;
  return rows.length > 0;
}

/** Locks several cases at once, in id order so that two batches can never deadlock. */
export async function lockCases(tx: Tx, provider: Provider, ids: number[]): Promise<void> {
  if (provider === "sqlite" || ids.length === 0) return;
  await tx.$queryRaw`SELECT id FROM "case" WHERE id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE`;
}

export async function loadCase(tx: Tx, where: { ref: string } | { id: number }): Promise<CaseRecord | null> {
  const row = await findRow(tx, where);
  return row ? toRecord(tx, row, await peopleOf(tx, [row])) : null;
}

export async function loadCases(tx: Tx, ids: number[]): Promise<CaseRecord[]> {
  const rows = await tx.case.findMany({ where: { id: { in: ids } }, include: caseInclude, orderBy: { id: "desc" } });
  const people = await peopleOf(tx, rows);
  const records: CaseRecord[] = [];
  for (const row of rows) records.push(await toRecord(tx, row, people));
  return records;
}
