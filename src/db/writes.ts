import type { Tx } from "./database.js";
import { CASE_STATE, insertAmounts, insertAudits, insertEvents, insertLinks, insertSubjects, insertThreads, updateCases, updateHandoffs, updateThreads, upsertParticipants } from "./sql/case-writes.js";
import { insertOutbox } from "./sql/outbox-writes.js";
import { cancelTimers, pauseTimers, resumeTimers, scheduleTimers } from "./sql/timer-writes.js";
import { insertRows } from "./sql/rows-json.js";
import { statement } from "./sql.js";

/**
 * Everything a batch of case changes writes, as rows, and the one place that writes it:
 * each table once (one multi-row statement), in an order that lets later rows name earlier
 * ones. Ids are known beforehand (see sql/ids.ts) except those of new case threads, which
 * the outbox rows name by a stand-in (a negative id) until the threads are written.
 */

/** A case's mutable columns (CASE_STATE), as they should read after the change. */
export interface CaseStateRow {
  id: number;
  title: string;
  summary: string | null;
  tlp: string;
  status: string;
  whose_move: string;
  exchange_id: number;
  assignee_id: number | null;
  confirmed_by_id: number | null;
  confirmed_at: Date | null;
  paged_at: Date | null;
  ack_at: Date | null;
  ack_by_id: number | null;
  resolved_at: Date | null;
  outcome: string | null;
  result: string | null;
  preserved_until: Date | null;
  freeze_until: Date | null;
  held_at: Date | null;
  hold_reason: string | null;
  erased_at: Date | null;
  closed_at: Date | null;
  waiting_since: Date | null;
  agency_wait_seconds: number;
  escalation_level: number;
  last_activity_at: Date;
  event_count: number;
  head_hash: string;
  updated_at: Date;
}

/** What a new case is, besides its mutable state. */
export interface NewCaseIdentity {
  ref: string;
  agency_id: number;
  year: number;
  seq: number;
  severity: string;
  type: string;
  opened_by_id: number;
  external_ref: string | null;
  deadline: Date | null;
  created_at: Date;
}

export type NewCaseRow = NewCaseIdentity & CaseStateRow;

export interface OutboxRow {
  key: string;
  platform: string;
  kind: string;
  channelId: string;
  /** Negative: a thread written in this batch (see `threads[].stand`). */
  caseThreadId: number | null;
  caseId: number | null;
  audience: string;
  memberId: number | null;
  bindingId: number | null;
  /** Null for a thread's message: `thread:<id>` once the thread's id is known. */
  orderKey: string | null;
  payload: string;
  nextAttemptAt: Date;
  deadlineAt: Date;
  createdAt: Date;
}

export type TimerOp =
  | { op: "schedule"; kind: string; key: string; dueAt: Date; caseId: number | null; memberId: number | null; bindingId: number | null; payload: string }
  | { op: "cancel"; caseId: number; kinds: string[] }
  | { op: "pause"; caseId: number; kinds: string[] }
  | { op: "resume"; caseId: number; waitedMs: number };

export interface Writes {
  now: Date;
  newCases: NewCaseRow[];
  cases: CaseStateRow[];
  subjects: [caseId: number, position: number, kind: string, chain: string, value: string, display: string][];
  amounts: [caseId: number, position: number, kind: string, asset: string, amount: string, usd: string | null][];
  participants: [caseId: number, memberId: number, reason: string, pagedAt: Date | null, createdAt: Date][];
  events: [caseId: number, seq: number, at: Date, actorId: number | null, type: string, data: string, prevHash: string, hash: string][];
  handoffs: { id: number; caseId: number; fromId: number; toMemberId: number | null; toOrgId: number | null; note: string; state: string; offeredAt: Date }[];
  handoffUpdates: { id: number; state: string; decidedAt: Date | null; decidedById: number | null; acceptedById: number | null; acceptedAt: Date | null; consentedById: number | null; consentedAt: Date | null }[];
  links: [caseId: number, linkedCaseId: number, at: Date][];
  threads: { stand: number; caseId: number; platform: string; channelId: string; bindingId: number | null; memberId: number | null; active: boolean }[];
  threadUpdates: { id: number; active: boolean; bindingId: number | null; memberId: number | null; cardMessageId: string | null; threadId: string | null }[];
  outbox: OutboxRow[];
  timers: TimerOp[];
  audits: [at: Date, actorId: number | null, account: string, action: string, target: string | null, detail: string | null][];
}

export function emptyWrites(now: Date): Writes {
  return { now, newCases: [], cases: [], subjects: [], amounts: [], participants: [], events: [], handoffs: [], handoffUpdates: [], links: [], threads: [], threadUpdates: [], outbox: [], timers: [], audits: [] };
}

const NEW_CASE_COLUMNS = [
  ["id", "int"],
  ["ref", "text"],
  ["agency_id", "int"],
  ["year", "int"],
  ["seq", "int"],
  ["severity", "text"],
  ["type", "text"],
  ["opened_by_id", "int"],
  ["external_ref", "text"],
  ["deadline", "ts"],
  ["created_at", "ts"],
  ...CASE_STATE,
] as const;

const insertCases = statement<{ rows: unknown[][] }>("insert_cases", insertRows("case", NEW_CASE_COLUMNS));

const insertHandoffRows = statement<{ rows: unknown[][] }>(
  "insert_handoff_rows",
  insertRows("handoff", [["id", "int"], ["case_id", "int"], ["from_id", "int"], ["to_member_id", "int"], ["to_org_id", "int"], ["note", "text"], ["state", "text"], ["offered_at", "ts"]]),
);

/** Writes the batch. Statements for tables the batch does not touch are not sent. */
export async function applyWrites(tx: Tx, w: Writes): Promise<void> {
  const { sql } = tx;
  if (w.newCases.length > 0) await sql.run(insertCases, { rows: w.newCases.map((c) => NEW_CASE_COLUMNS.map(([col]) => c[col as keyof NewCaseRow] ?? null)) });
  if (w.cases.length > 0) await sql.run(updateCases, { rows: w.cases.map((c) => [c.id, ...CASE_STATE.map(([col]) => c[col as keyof CaseStateRow] ?? null)]) });
  if (w.subjects.length > 0) await sql.run(insertSubjects, { rows: w.subjects });
  if (w.amounts.length > 0) await sql.run(insertAmounts, { rows: w.amounts });
  if (w.participants.length > 0) await sql.run(upsertParticipants, { rows: w.participants });
  if (w.events.length > 0) await sql.run(insertEvents, { rows: w.events });
  if (w.handoffs.length > 0) {
    await sql.run(insertHandoffRows, {
      rows: w.handoffs.map((h) => [h.id, h.caseId, h.fromId, h.toMemberId, h.toOrgId, h.note, h.state, h.offeredAt]),
    });
  }
  if (w.handoffUpdates.length > 0) {
    await sql.run(updateHandoffs, {
      rows: w.handoffUpdates.map((h) => [h.id, h.state, h.decidedAt, h.decidedById, h.acceptedById, h.acceptedAt, h.consentedById, h.consentedAt]),
    });
  }
  if (w.links.length > 0) await sql.run(insertLinks, { rows: w.links });
  if (w.threadUpdates.length > 0) {
    await sql.run(updateThreads, { rows: w.threadUpdates.map((t) => [t.id, t.active, t.bindingId, t.memberId, t.cardMessageId, t.threadId]) });
  }
  const stands = new Map<number, number>();
  if (w.threads.length > 0) {
    const made = await sql.all(insertThreads, {
      rows: w.threads.map((t) => [t.caseId, t.platform, t.channelId, t.bindingId, t.memberId, t.active, w.now]),
    });
    for (const t of w.threads) {
      const row = made.find((m) => m.caseId === t.caseId && m.platform === t.platform && m.channelId === t.channelId);
      if (!row) throw new Error(`thread ${t.platform}:${t.channelId} of case ${t.caseId} was not written`);
      stands.set(t.stand, row.id);
    }
  }
  if (w.outbox.length > 0) {
    await sql.run(insertOutbox, {
      rows: w.outbox.map((o) => {
        const thread = o.caseThreadId !== null && o.caseThreadId < 0 ? stands.get(o.caseThreadId)! : o.caseThreadId;
        const orderKey = o.orderKey ?? `thread:${thread}`;
        return [o.key, o.platform, o.kind, o.channelId, thread, o.caseId, o.audience, o.memberId, o.bindingId, orderKey, o.payload, o.nextAttemptAt, o.deadlineAt, o.createdAt];
      }),
    });
  }
  await applyTimers(tx, w);
  if (w.audits.length > 0) await sql.run(insertAudits, { rows: w.audits });
}

/**
 * Timer operations keep their order within the batch: cancelling and pausing happen first
 * (one statement per set of kinds), then the schedules that a later cancel in the same batch
 * did not take back, then resumes.
 */
async function applyTimers(tx: Tx, w: Writes): Promise<void> {
  const { sql } = tx;
  const schedules: Extract<TimerOp, { op: "schedule" }>[] = [];
  const cancels = new Map<string, { kinds: string[]; caseIds: number[] }>();
  for (const op of w.timers) {
    if (op.op === "schedule") schedules.push(op);
    else if (op.op === "cancel") {
      // A schedule written earlier in the batch that this cancels is not written at all.
      for (let i = schedules.length - 1; i >= 0; i--) {
        const s = schedules[i]!;
        if (s.caseId === op.caseId && (op.kinds.length === 0 || op.kinds.includes(s.kind))) schedules.splice(i, 1);
      }
      const key = op.kinds.join(",");
      const group = cancels.get(key) ?? { kinds: op.kinds, caseIds: [] };
      group.caseIds.push(op.caseId);
      cancels.set(key, group);
    }
  }
  for (const group of cancels.values()) await sql.run(cancelTimers, { caseIds: group.caseIds, kinds: group.kinds, now: w.now });
  for (const op of w.timers) if (op.op === "pause") await sql.run(pauseTimers, { caseId: op.caseId, kinds: op.kinds, now: w.now });
  if (schedules.length > 0) {
    await sql.run(scheduleTimers, {
      rows: schedules.map((t) => [t.kind, t.key, t.dueAt, "scheduled", 0, t.caseId, t.memberId, t.bindingId, t.payload, w.now, w.now]),
    });
  }
  for (const op of w.timers) if (op.op === "resume") await sql.run(resumeTimers, { caseId: op.caseId, waitedMs: op.waitedMs, now: w.now });
}
