import type { AccountPlatform } from "../rows.js";
import { statement, toInt, toStr } from "../sql.js";
import { insertRows, updateRows, type Columns } from "./rows-json.js";

/**
 * Writing a batch of case changes: each table once, however many cases and rows the batch
 * holds (see src/db/apply.ts for the order).
 */

/** Every column a change may set: the whole of a case's mutable state, written from memory. */
export const CASE_STATE: Columns = [
  ["title", "text"],
  ["summary", "text"],
  ["tlp", "text"],
  ["status", "text"],
  ["whose_move", "text"],
  ["exchange_id", "int"],
  ["assignee_id", "int"],
  ["confirmed_by_id", "int"],
  ["confirmed_at", "ts"],
  ["paged_at", "ts"],
  ["ack_at", "ts"],
  ["ack_by_id", "int"],
  ["resolved_at", "ts"],
  ["outcome", "text"],
  ["result", "text"],
  ["preserved_until", "ts"],
  ["freeze_until", "ts"],
  ["held_at", "ts"],
  ["hold_reason", "text"],
  ["erased_at", "ts"],
  ["closed_at", "ts"],
  ["waiting_since", "ts"],
  ["agency_wait_seconds", "int"],
  ["escalation_level", "int"],
  ["last_activity_at", "ts"],
  ["event_count", "int"],
  ["head_hash", "text"],
  ["updated_at", "ts"],
];

export const updateCases = statement<{ rows: unknown[][] }>("update_cases", updateRows("case", ["id", "int"], CASE_STATE));

export const insertSubjects = statement<{ rows: unknown[][] }>(
  "insert_subjects",
  insertRows("case_subject", [["case_id", "int"], ["position", "int"], ["kind", "text"], ["chain", "text"], ["value", "text"], ["display", "text"]]),
);

export const insertAmounts = statement<{ rows: unknown[][] }>(
  "insert_amounts",
  insertRows("case_amount", [["case_id", "int"], ["position", "int"], ["kind", "text"], ["asset", "text"], ["amount", "text"], ["usd", "text"]]),
);

/** New participants, and the first page of those already on the case (paged_at is kept once set). */
export const upsertParticipants = statement<{ rows: unknown[][] }>(
  "upsert_participants",
  insertRows(
    "case_participant",
    [["case_id", "int"], ["member_id", "int"], ["reason", "text"], ["paged_at", "ts"], ["created_at", "ts"]],
    `ON CONFLICT (case_id, member_id) DO UPDATE SET paged_at = COALESCE(case_participant.paged_at, excluded.paged_at)`,
  ),
);

export const insertEvents = statement<{ rows: unknown[][] }>(
  "insert_events",
  insertRows("case_event", [["case_id", "int"], ["seq", "int"], ["at", "ts"], ["actor_id", "int"], ["type", "text"], ["data", "text"], ["prev_hash", "text"], ["hash", "text"]]),
);

export const updateHandoffs = statement<{ rows: unknown[][] }>(
  "update_handoffs",
  updateRows("handoff", ["id", "int"], [
    ["state", "text"],
    ["decided_at", "ts"],
    ["decided_by_id", "int"],
    ["accepted_by_id", "int"],
    ["accepted_at", "ts"],
    ["consented_by_id", "int"],
    ["consented_at", "ts"],
  ]),
);

export const insertLinks = statement<{ rows: unknown[][] }>("insert_links", insertRows("case_link", [["case_id", "int"], ["linked_case_id", "int"], ["at", "ts"]]));

export const insertThreads = statement<{ rows: unknown[][] }, { id: number; caseId: number; platform: AccountPlatform; channelId: string }>(
  "insert_threads",
  insertRows(
    "case_thread",
    [["case_id", "int"], ["platform", "text"], ["channel_id", "text"], ["binding_id", "int"], ["member_id", "int"], ["active", "bool"], ["created_at", "ts"]],
    "RETURNING id, case_id, platform, channel_id",
  ),
  (r) => ({ id: toInt(r.id), caseId: toInt(r.case_id), platform: r.platform as AccountPlatform, channelId: toStr(r.channel_id) }),
);

export const updateThreads = statement<{ rows: unknown[][] }>(
  "update_threads",
  updateRows("case_thread", ["id", "int"], [
    ["active", "bool"],
    ["binding_id", "int"],
    ["member_id", "int"],
    ["card_message_id", "text"],
    ["thread_id", "text"],
  ]),
);

export const insertAudits = statement<{ rows: unknown[][] }>(
  "insert_audits",
  insertRows("audit_entry", [["at", "ts"], ["actor_id", "int"], ["account", "text"], ["action", "text"], ["target", "text"], ["detail", "text"]]),
);

/** The next reference number for an agency and year; the counter row stays locked until the transaction ends. */
export const nextCaseNumber = statement<{ agencyId: number; year: number }, { last: number }>(
  "next_case_number",
  `INSERT INTO "ref_counter" ("agency_id", "year", "last") VALUES (@agencyId, @year, 1)
   ON CONFLICT ("agency_id", "year") DO UPDATE SET "last" = "ref_counter"."last" + 1
   RETURNING "last"`,
  (r) => ({ last: toInt(r.last) }),
);
