import { UNCLAIMED } from "./claims.js";
import { statement, toDate, toInt, toIntOrNull, toStr, toStrOrNull } from "../sql.js";
import { updateRows } from "./rows-json.js";

/**
 * The delivery loop's statements. A round claims, per order key, the first few unfinished
 * messages that are due (never one behind a message still being sent or waiting to retry),
 * delivers each key's messages in order, and records every outcome in one transaction.
 */

export interface ClaimedMessage {
  id: number;
  key: string;
  kind: string;
  platform: string;
  channelId: string;
  caseThreadId: number | null;
  caseId: number | null;
  audience: string;
  memberId: number | null;
  bindingId: number | null;
  orderKey: string;
  payload: string;
  attempts: number;
  deadlineAt: Date;
}

const readClaimed = (r: Record<string, unknown>): ClaimedMessage => ({
  id: toInt(r.id),
  key: toStr(r.key),
  kind: toStr(r.kind),
  platform: toStr(r.platform),
  channelId: toStr(r.channel_id),
  caseThreadId: toIntOrNull(r.case_thread_id),
  caseId: toIntOrNull(r.case_id),
  audience: toStr(r.audience),
  memberId: toIntOrNull(r.member_id),
  bindingId: toIntOrNull(r.binding_id),
  orderKey: toStr(r.order_key),
  payload: toStr(r.payload),
  attempts: toInt(r.attempts),
  deadlineAt: toDate(r.deadline_at),
});

const CLAIMED = `"outbox".id, "outbox".key, "outbox".kind, "outbox".platform, "outbox".channel_id, "outbox".case_thread_id, "outbox".case_id,
  "outbox".audience, "outbox".member_id, "outbox".binding_id, "outbox".order_key, "outbox".payload, "outbox".attempts, "outbox".deadline_at`;

/** Rows whose sender died or stalled past its lease go back to the queue. */
export const reapOutbox = statement<{ now: Date }>(
  "reap_outbox",
  `UPDATE "outbox" SET state = 'pending', ${UNCLAIMED}, next_attempt_at = @now
    WHERE state = 'sending' AND lease_expires_at < @now`,
);

const GATED = (alias: string) =>
  `EXISTS (SELECT 1 FROM "rate_gate" g WHERE g.destination IN (${alias}.platform || ':' || ${alias}.channel_id, ${alias}.platform || ':*') AND g.blocked_until > @now)`;

/**
 * The claimable rows, as ids in delivery order. Keys come from their heads — the oldest
 * unfinished row of a key, due, not behind a closed gate — at most `scan` of them, the
 * longest waiting first; within each key, the unfinished rows before the first one being
 * sent or not yet due are candidates, at most `perKey` of them.
 */
const candidates = (platforms: string) => `
  keys AS (
    SELECT o.order_key FROM "outbox" o
     WHERE o.state = 'pending' AND o.next_attempt_at <= @now AND o.platform IN (${platforms})
       AND NOT EXISTS (SELECT 1 FROM "outbox" p WHERE p.order_key = o.order_key AND p.state IN ('pending', 'sending') AND p.id < o.id)
       AND NOT ${GATED("o")}
     ORDER BY o.next_attempt_at LIMIT @scan),
  ranked AS (
    SELECT o.id, o.state, o.order_key,
           row_number() OVER (PARTITION BY o.order_key ORDER BY o.id) AS n,
           MIN(CASE WHEN o.state = 'sending' OR o.next_attempt_at > @now THEN o.id END) OVER (PARTITION BY o.order_key) AS block
      FROM "outbox" o
     WHERE o.order_key IN (SELECT order_key FROM keys) AND o.state IN ('pending', 'sending')),
  picked AS (
    SELECT r.id, r.order_key FROM ranked r
     WHERE r.state = 'pending' AND (r.block IS NULL OR r.id < r.block) AND r.n <= @perKey
     ORDER BY r.id LIMIT @limit)`;

type ClaimParams = { now: Date; platforms: string[]; owner: string; token: string; until: Date; limit: number; perKey: number; scan: number };

/**
 * Claims the next messages to deliver with a fresh lease token. PostgreSQL: rows another
 * worker is claiming right now are skipped, and so is everything after them in their key
 * (so a key's order holds across workers); SQLite has one writer at a time.
 */
export const claimOutbox = statement<ClaimParams, ClaimedMessage>(
  "claim_outbox",
  {
    sqlite: `WITH ${candidates("SELECT value FROM json_each(@platforms)")}
      UPDATE "outbox" SET state = 'sending', attempts = attempts + 1, lease_owner = @owner, lease_token = @token, lease_expires_at = @until
       WHERE id IN (SELECT id FROM picked)
      RETURNING ${CLAIMED}`,
    postgresql: `WITH ${candidates("SELECT json_array_elements_text(@platforms::json)")},
      locked AS (
        SELECT o.id, o.order_key FROM "outbox" o WHERE o.id IN (SELECT id FROM picked) AND o.state = 'pending'
         FOR UPDATE OF o SKIP LOCKED),
      kept AS (
        SELECT l.id FROM locked l
         WHERE NOT EXISTS (SELECT 1 FROM picked p WHERE p.order_key = l.order_key AND p.id < l.id AND p.id NOT IN (SELECT id FROM locked)))
      UPDATE "outbox" SET state = 'sending', attempts = "outbox".attempts + 1, lease_owner = @owner, lease_token = @token, lease_expires_at = @until
        FROM kept WHERE "outbox".id = kept.id
      RETURNING ${CLAIMED}`,
  },
  readClaimed,
);

/**
 * PostgreSQL, when a claim got nothing: were there candidates, all being claimed by another
 * worker at that moment? Then there is work to look at again right away.
 */
export const contendedOutbox = statement<Omit<ClaimParams, "owner" | "token" | "until">, { n: number }>(
  "contended_outbox",
  `WITH ${candidates("SELECT json_array_elements_text(@platforms::json)")} SELECT COUNT(*) AS n FROM picked`,
  (r) => ({ n: toInt(r.n) }),
);

export interface DeliveryThread {
  id: number;
  cardMessageId: string | null;
  threadId: string | null;
  memberId: number | null;
}

export const deliveryThreads = statement<{ ids: number[] }, DeliveryThread>(
  "delivery_threads",
  {
    sqlite: `SELECT id, card_message_id, thread_id, member_id FROM "case_thread" WHERE id IN (SELECT value FROM json_each(@ids))`,
    postgresql: `SELECT id, card_message_id, thread_id, member_id FROM "case_thread" WHERE id = ANY(@ids::int[])`,
  },
  (r) => ({ id: toInt(r.id), cardMessageId: toStrOrNull(r.card_message_id), threadId: toStrOrNull(r.thread_id), memberId: toIntOrNull(r.member_id) }),
);

const stillMine = `AND "outbox".state = 'sending' AND "outbox".lease_token = @token`;

/** Delivered: `[id, platform message id]` rows, each only while the claim is still ours. */
export const markSent = statement<{ rows: unknown[][]; token: string; now: Date }>(
  "mark_sent",
  updateRows("outbox", ["id", "int"], [["platform_message_id", "text"]], stillMine, `state = 'sent', sent_at = @now, ${UNCLAIMED}, last_error = NULL`),
);

/** Not sent this round, through no fault of theirs (behind a failure, a gate, the round's time): back to the queue, attempt given back. */
export const releaseClaims = statement<{ ids: number[]; token: string }>("release_claims", {
  sqlite: `UPDATE "outbox" SET state = 'pending', attempts = attempts - 1, ${UNCLAIMED}
    WHERE id IN (SELECT value FROM json_each(@ids)) ${stillMine}`,
  postgresql: `UPDATE "outbox" SET state = 'pending', attempts = "outbox".attempts - 1, ${UNCLAIMED}
    WHERE id = ANY(@ids::int[]) ${stillMine}`,
});

/** A failed delivery: retried at `nextAttemptAt` (a 429 gives its attempt back), or dead. */
export const markFailed = statement<{ id: number; token: string; state: "pending" | "dead"; nextAttemptAt: Date | null; giveBack: boolean; error: string }>(
  "mark_failed",
  {
    sqlite: `UPDATE "outbox" SET state = @state, next_attempt_at = COALESCE(@nextAttemptAt, next_attempt_at), attempts = attempts - @giveBack,
        last_error = @error, ${UNCLAIMED}
      WHERE id = @id ${stillMine}`,
    postgresql: `UPDATE "outbox" SET state = @state, next_attempt_at = COALESCE(@nextAttemptAt::timestamp(3), next_attempt_at),
        attempts = "outbox".attempts - CASE WHEN @giveBack::boolean THEN 1 ELSE 0 END,
        last_error = @error, ${UNCLAIMED}
      WHERE id = @id ${stillMine}`,
  },
);

/** A case thread's card went out: where it is, and where its thread is (null: not made yet). */
export const recordCards = statement<{ rows: unknown[][] }>(
  "record_cards",
  updateRows("case_thread", ["id", "int"], [
    ["card_message_id", "text"],
    ["thread_id", "text"],
  ]),
);

export const closeGate = statement<{ destination: string; until: Date }>(
  "close_gate",
  `INSERT INTO "rate_gate" (destination, blocked_until) VALUES (@destination, @until)
   ON CONFLICT (destination) DO UPDATE SET blocked_until = excluded.blocked_until`,
);

/** When the delivery loop next has something to do: the next due row or expiring lease. */
export const nextOutboxDue = statement<Record<string, never>, { at: Date | null }>(
  "next_outbox_due",
  `SELECT MIN(at) AS at FROM (
      SELECT MIN(next_attempt_at) AS at FROM "outbox" WHERE state = 'pending'
      UNION ALL SELECT MIN(lease_expires_at) AS at FROM "outbox" WHERE state = 'sending') x`,
  (r) => ({ at: r.at === null || r.at === undefined ? null : toDate(r.at) }),
);
