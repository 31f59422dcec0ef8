import type { AmountRow, CaseRow, Chain, HandoffRow, Organisation, SubjectRow, ThreadRow } from "../rows.js";
import { orgDomains } from "./orgs.js";
import { statement, toBool, toDate, toDateOrNull, toInt, toIntOrNull, toJson, toStrOrNull, type Dialect } from "../sql.js";

/**
 * A case and everything it owns — its organisations, subjects, amounts, participants, the
 * pending handoff, its threads — in one statement, for one case or a batch. Read for a change,
 * the case rows are locked (PostgreSQL: `FOR UPDATE`, in id order so two batches can never
 * deadlock; SQLite transactions already hold the write lock).
 *
 * PostgreSQL, READ COMMITTED: a statement that waited for a row lock returns the case row as
 * the other transaction committed it, but its sub-selects still read the snapshot taken
 * when the statement began — the parts could be older than the case. So a locked read also
 * returns the case's version as that snapshot saw it (`stale` when it differs from the
 * locked row); the loader then reads once more, the locks held, from a fresh snapshot.
 */

const org = (d: Dialect, alias: string) =>
  d === "sqlite"
    ? `json_array(${alias}.id, ${alias}.code, ${alias}.kind, ${alias}.name, ${alias}.jurisdiction, ${alias}.time_zone, ${orgDomains(d, alias)})`
    : `json_build_array(${alias}.id, ${alias}.code, ${alias}.kind, ${alias}.name, ${alias}.jurisdiction, ${alias}.time_zone, ${orgDomains(d, alias)})`;

function parts(d: Dialect): string {
  if (d === "sqlite") {
    return `(SELECT ${org(d, "o")} FROM "organisation" o WHERE o.id = c.agency_id) AS agency,
      (SELECT ${org(d, "o")} FROM "organisation" o WHERE o.id = c.exchange_id) AS exchange,
      (SELECT json_group_array(json_array(s.kind, s.chain, s.value, s.display)) FROM (SELECT * FROM "case_subject" WHERE case_id = c.id ORDER BY position) s) AS subjects,
      (SELECT json_group_array(json_array(a.kind, a.asset, a.amount, a.usd)) FROM (SELECT * FROM "case_amount" WHERE case_id = c.id ORDER BY position) a) AS amounts,
      (SELECT json_group_array(json_array(p.member_id, p.reason, p.paged_at)) FROM (SELECT * FROM "case_participant" WHERE case_id = c.id ORDER BY id) p) AS participants,
      (SELECT json_array(h.id, h.from_id, h.to_member_id, (SELECT ${org(d, "o")} FROM "organisation" o WHERE o.id = h.to_org_id), h.note, h.offered_at, h.accepted_by_id, h.consented_by_id, h.accepted_at, h.consented_at)
         FROM "handoff" h WHERE h.case_id = c.id AND h.state = 'offered' ORDER BY h.id DESC LIMIT 1) AS handoff,
      (SELECT json_group_array(json_array(lp.kind, lp.number, lp.authority, lp.date, lp.recorded_at)) FROM (SELECT * FROM "legal_process" WHERE case_id = c.id ORDER BY id) lp) AS processes,
      (SELECT json_group_array(json_array(t.id, t.platform, t.channel_id, t.binding_id, t.member_id, t.active, t.card_message_id, t.thread_id)) FROM (SELECT * FROM "case_thread" WHERE case_id = c.id ORDER BY id) t) AS threads`;
  }
  return `(SELECT ${org(d, "o")} FROM "organisation" o WHERE o.id = c.agency_id) AS agency,
      (SELECT ${org(d, "o")} FROM "organisation" o WHERE o.id = c.exchange_id) AS exchange,
      (SELECT COALESCE(json_agg(json_build_array(s.kind, s.chain, s.value, s.display) ORDER BY s.position), '[]'::json) FROM "case_subject" s WHERE s.case_id = c.id) AS subjects,
      (SELECT COALESCE(json_agg(json_build_array(a.kind, a.asset, a.amount, a.usd) ORDER BY a.position), '[]'::json) FROM "case_amount" a WHERE a.case_id = c.id) AS amounts,
      (SELECT COALESCE(json_agg(json_build_array(p.member_id, p.reason, p.paged_at) ORDER BY p.id), '[]'::json) FROM "case_participant" p WHERE p.case_id = c.id) AS participants,
      (SELECT json_build_array(h.id, h.from_id, h.to_member_id, (SELECT ${org(d, "o")} FROM "organisation" o WHERE o.id = h.to_org_id), h.note, h.offered_at, h.accepted_by_id, h.consented_by_id, h.accepted_at, h.consented_at)
         FROM "handoff" h WHERE h.case_id = c.id AND h.state = 'offered' ORDER BY h.id DESC LIMIT 1) AS handoff,
      (SELECT COALESCE(json_agg(json_build_array(lp.kind, lp.number, lp.authority, lp.date, lp.recorded_at) ORDER BY lp.id), '[]'::json) FROM "legal_process" lp WHERE lp.case_id = c.id) AS processes,
      (SELECT COALESCE(json_agg(json_build_array(t.id, t.platform, t.channel_id, t.binding_id, t.member_id, t.active, t.card_message_id, t.thread_id) ORDER BY t.id), '[]'::json) FROM "case_thread" t WHERE t.case_id = c.id) AS threads`;
}

const COLUMNS = `c.id, c.ref, c.title, c.summary, c.severity, c.type, c.tlp, c.status, c.whose_move, c.opened_by_id, c.assignee_id,
  c.external_ref, c.deadline, c.confirmed_by_id, c.confirmed_at, c.paged_at, c.ack_at, c.ack_by_id, c.resolved_at, c.outcome, c.result, c.preserved_until, c.freeze_until, c.held_at, c.hold_reason, c.erased_at, c.closed_at,
  c.waiting_since, c.agency_wait_seconds, c.escalation_level, c.last_activity_at, c.created_at, c.event_count, c.head_hash`;

type OrgTuple = [number, string, string, string, string, string, string];
const readOrg = (o: OrgTuple): Organisation => ({
  id: Number(o[0]),
  code: o[1],
  kind: o[2] as Organisation["kind"],
  name: o[3],
  jurisdiction: o[4],
  timeZone: o[5],
  domains: o[6].split(",").filter(Boolean),
});

export function readCase(r: Record<string, unknown>): CaseRow {
  const handoff =
    r.handoff === null || r.handoff === undefined ? null : toJson<[number, number, number | null, OrgTuple | null, string, unknown, number | null, number | null, unknown, unknown]>(r.handoff);
  const pendingHandoff: HandoffRow | null = handoff
    ? {
        id: Number(handoff[0]),
        fromId: Number(handoff[1]),
        toMemberId: handoff[2] === null ? null : Number(handoff[2]),
        toOrg: handoff[3] ? readOrg(handoff[3]) : null,
        note: handoff[4],
        offeredAt: toDate(handoff[5]),
        acceptedById: handoff[6] === null ? null : Number(handoff[6]),
        consentedById: handoff[7] === null ? null : Number(handoff[7]),
        acceptedAt: toDateOrNull(handoff[8]),
        consentedAt: toDateOrNull(handoff[9]),
      }
    : null;
  return {
    id: toInt(r.id),
    ref: String(r.ref),
    title: String(r.title),
    summary: toStrOrNull(r.summary),
    severity: r.severity as CaseRow["severity"],
    type: r.type as CaseRow["type"],
    tlp: r.tlp as CaseRow["tlp"],
    status: r.status as CaseRow["status"],
    whoseMove: r.whose_move as CaseRow["whoseMove"],
    agency: readOrg(toJson<OrgTuple>(r.agency)),
    exchange: readOrg(toJson<OrgTuple>(r.exchange)),
    openedById: toInt(r.opened_by_id),
    assigneeId: toIntOrNull(r.assignee_id),
    externalRef: toStrOrNull(r.external_ref),
    deadline: toDateOrNull(r.deadline),
    confirmedById: toIntOrNull(r.confirmed_by_id),
    confirmedAt: toDateOrNull(r.confirmed_at),
    pagedAt: toDateOrNull(r.paged_at),
    ackAt: toDateOrNull(r.ack_at),
    ackById: toIntOrNull(r.ack_by_id),
    resolvedAt: toDateOrNull(r.resolved_at),
    outcome: toStrOrNull(r.outcome),
    result: toStrOrNull(r.result),
    preservedUntil: toDateOrNull(r.preserved_until),
    freezeUntil: toDateOrNull(r.freeze_until),
    heldAt: toDateOrNull(r.held_at),
    holdReason: toStrOrNull(r.hold_reason),
    erasedAt: toDateOrNull(r.erased_at),
    processes: toJson<[string, string, string, string | null, unknown][]>(r.processes).map(([kind, number, authority, date, at]) => ({ kind, number, authority, date, at: toDate(at) })),
    closedAt: toDateOrNull(r.closed_at),
    waitingSince: toDateOrNull(r.waiting_since),
    agencyWaitSeconds: toInt(r.agency_wait_seconds),
    escalationLevel: toInt(r.escalation_level),
    lastActivityAt: toDate(r.last_activity_at),
    createdAt: toDate(r.created_at),
    eventCount: toInt(r.event_count),
    headHash: String(r.head_hash),
    ...(r.locked_version !== undefined && r.locked_version !== r.snapshot_version ? { stale: true } : {}),
    subjects: toJson<[string, string, string, string][]>(r.subjects).map(([kind, chain, value, display]): SubjectRow => ({ kind: kind as SubjectRow["kind"], chain: chain as Chain, value, display })),
    amounts: toJson<[string, string, string, string | null][]>(r.amounts).map(([kind, asset, amount, usd]): AmountRow => ({ kind: kind as AmountRow["kind"], asset, amount, usd })),
    participants: toJson<[number, string, unknown][]>(r.participants).map(([memberId, reason, pagedAt]) => ({ memberId: Number(memberId), reason, pagedAt: toDateOrNull(pagedAt) })),
    pendingHandoff,
    threads: toJson<[number, string, string, number | null, number | null, unknown, string | null, string | null][]>(r.threads).map(
      ([id, platform, channelId, bindingId, memberId, active, cardMessageId, threadId]): ThreadRow => ({
        id: Number(id),
        platform: platform as ThreadRow["platform"],
        channelId,
        bindingId: bindingId === null ? null : Number(bindingId),
        memberId: memberId === null ? null : Number(memberId),
        active: toBool(active),
        cardMessageId,
        threadId,
      }),
    ),
  };
}

type Lock = false | "wait" | "skip";

const VERSION = (alias: string) => `${alias}.head_hash || ':' || ${alias}.event_count || ':' || ${alias}.updated_at`;

function select(d: Dialect, where: string, lock: Lock): string {
  if (!lock || d === "sqlite") return `SELECT ${COLUMNS}, ${parts(d)} FROM "case" c WHERE ${where} ORDER BY c.id`;
  const snapshot = `${VERSION("c")} AS locked_version, (SELECT ${VERSION("s")} FROM "case" s WHERE s.id = c.id) AS snapshot_version`;
  return `SELECT ${COLUMNS}, ${parts(d)}, ${snapshot} FROM "case" c WHERE ${where} ORDER BY c.id FOR UPDATE OF c${lock === "skip" ? " SKIP LOCKED" : ""}`;
}

const byIds = { sqlite: "c.id IN (SELECT value FROM json_each(@ids))", postgresql: "c.id = ANY(@ids::int[])" };

/** Cases by id, to read. */
export const casesById = statement<{ ids: number[] }, CaseRow>(
  "cases_by_id",
  { sqlite: select("sqlite", byIds.sqlite, false), postgresql: select("postgresql", byIds.postgresql, false) },
  readCase,
);

/** Cases by id, locked for a change. */
export const casesByIdForChange = statement<{ ids: number[] }, CaseRow>(
  "cases_by_id_for_change",
  { sqlite: select("sqlite", byIds.sqlite, "wait"), postgresql: select("postgresql", byIds.postgresql, "wait") },
  readCase,
);

/**
 * Cases by id, locked for a change, leaving out those another transaction holds (PostgreSQL):
 * a batch of due timers fires what it can now and leaves the rest to fire on their own.
 */
export const casesByIdForChangeSkipLocked = statement<{ ids: number[] }, CaseRow>(
  "cases_by_id_for_change_skip_locked",
  { sqlite: select("sqlite", byIds.sqlite, "skip"), postgresql: select("postgresql", byIds.postgresql, "skip") },
  readCase,
);

export const caseByRef = statement<{ ref: string }, CaseRow>(
  "case_by_ref",
  { sqlite: select("sqlite", "c.ref = @ref", false), postgresql: select("postgresql", "c.ref = @ref", false) },
  readCase,
);

export const caseByRefForChange = statement<{ ref: string }, CaseRow>(
  "case_by_ref_for_change",
  { sqlite: select("sqlite", "c.ref = @ref", "wait"), postgresql: select("postgresql", "c.ref = @ref", "wait") },
  readCase,
);
