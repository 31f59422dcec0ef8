import { UNCLAIMED } from "./claims.js";
import { statement, toDate, toInt, toIntOrNull, toStr } from "../sql.js";

/**
 * The scheduler's statements: reap expired leases, claim due timers (the rows come back
 * with the claim, nothing is read again), complete a batch behind the lease-token fence,
 * send a failed one back, and find when the next one falls due.
 */

export interface ClaimedTimer {
  id: number;
  kind: string;
  dueAt: Date;
  caseId: number | null;
  memberId: number | null;
  bindingId: number | null;
  payload: string;
  attempts: number;
}

const readClaimed = (r: Record<string, unknown>): ClaimedTimer => ({
  id: toInt(r.id),
  kind: toStr(r.kind),
  dueAt: toDate(r.due_at),
  caseId: toIntOrNull(r.case_id),
  memberId: toIntOrNull(r.member_id),
  bindingId: toIntOrNull(r.binding_id),
  payload: toStr(r.payload),
  attempts: toInt(r.attempts),
});

/** Expired leases: back to the queue, or dead once they had their last attempt. One statement. */
export const reapTimers = statement<{ now: Date; maxAttempts: number }>("reap_timers", {
  sqlite: `UPDATE "timer" SET
      state = CASE WHEN attempts >= @maxAttempts THEN 'dead' ELSE 'scheduled' END,
      last_error = CASE WHEN attempts >= @maxAttempts THEN 'lease expired on the last attempt' ELSE last_error END,
      ${UNCLAIMED}, updated_at = @now
    WHERE state = 'running' AND lease_expires_at < @now`,
  postgresql: `UPDATE "timer" SET
      state = CASE WHEN attempts >= @maxAttempts::int THEN 'dead' ELSE 'scheduled' END,
      last_error = CASE WHEN attempts >= @maxAttempts::int THEN 'lease expired on the last attempt' ELSE last_error END,
      ${UNCLAIMED}, updated_at = @now
    WHERE state = 'running' AND lease_expires_at < @now`,
});

const CLAIMED = `"timer".id, "timer".kind, "timer".due_at, "timer".case_id, "timer".member_id, "timer".binding_id, "timer".payload, "timer".attempts`;

/**
 * Claims up to `limit` due timers for this worker with a fresh lease token and returns them
 * in the order they fell due. PostgreSQL skips rows another worker is claiming.
 */
export const claimTimers = statement<{ now: Date; limit: number; owner: string; token: string; until: Date }, ClaimedTimer>(
  "claim_timers",
  {
    sqlite: `UPDATE "timer" SET state = 'running', attempts = attempts + 1, lease_owner = @owner,
        lease_token = @token, lease_expires_at = @until, updated_at = @now
      WHERE id IN (SELECT id FROM "timer" WHERE state = 'scheduled' AND due_at <= @now ORDER BY due_at, id LIMIT @limit)
      RETURNING ${CLAIMED}`,
    postgresql: `WITH due AS (
        SELECT id FROM "timer" WHERE state = 'scheduled' AND due_at <= @now
         ORDER BY due_at, id LIMIT @limit FOR UPDATE SKIP LOCKED)
      UPDATE "timer" SET state = 'running', attempts = "timer".attempts + 1, lease_owner = @owner,
             lease_token = @token, lease_expires_at = @until, updated_at = @now
        FROM due WHERE "timer".id = due.id
      RETURNING ${CLAIMED}`,
  },
  readClaimed,
);

/**
 * The fence: marks the timers done only while this worker's token still holds them. The
 * caller compares the count with what it fired and rolls everything back on a shortfall.
 */
export const completeTimers = statement<{ ids: number[]; token: string; now: Date }>("complete_timers", {
  sqlite: `UPDATE "timer" SET state = 'done', ${UNCLAIMED}, last_error = NULL, updated_at = @now
    WHERE id IN (SELECT value FROM json_each(@ids)) AND state = 'running' AND lease_token = @token`,
  postgresql: `UPDATE "timer" SET state = 'done', ${UNCLAIMED}, last_error = NULL, updated_at = @now
    WHERE id = ANY(@ids::int[]) AND state = 'running' AND lease_token = @token`,
});

/** A timer that failed: retried at `dueAt`, or dead; only while the token is still ours. */
export const failTimer = statement<{ id: number; token: string; state: "scheduled" | "dead"; dueAt: Date; error: string; now: Date }>("fail_timer", {
  sqlite: `UPDATE "timer" SET state = @state, due_at = @dueAt, last_error = @error, ${UNCLAIMED}, updated_at = @now
    WHERE id = @id AND state = 'running' AND lease_token = @token`,
  postgresql: `UPDATE "timer" SET state = @state, due_at = @dueAt, last_error = @error, ${UNCLAIMED}, updated_at = @now
    WHERE id = @id AND state = 'running' AND lease_token = @token`,
});

/** When the scheduler next has something to do: the earliest due timer or expiring lease. */
export const nextTimerDue = statement<Record<string, never>, { at: Date | null }>(
  "next_timer_due",
  `SELECT MIN(at) AS at FROM (
      SELECT MIN(due_at) AS at FROM "timer" WHERE state = 'scheduled'
      UNION ALL SELECT MIN(lease_expires_at) AS at FROM "timer" WHERE state = 'running') x`,
  (r) => ({ at: r.at === null || r.at === undefined ? null : toDate(r.at) }),
);
