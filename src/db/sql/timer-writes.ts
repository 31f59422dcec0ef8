import { statement } from "../sql.js";
import { insertRows } from "./rows-json.js";

/**
 * Scheduling and cancelling durable timers. A timer's key (its idempotency key) makes scheduling the same
 * step twice a no-op (in any state) — save a cancelled impact crossing, which is scheduled again.
 */

export const scheduleTimers = statement<{ rows: unknown[][] }>(
  "schedule_timers",
  insertRows(
    "timer",
    [
      ["kind", "text"],
      ["key", "text"],
      ["due_at", "ts"],
      ["state", "text"],
      ["attempts", "int"],
      ["case_id", "int"],
      ["member_id", "int"],
      ["binding_id", "int"],
      ["payload", "text"],
      ["created_at", "ts"],
      ["updated_at", "ts"],
    ],
    // An impact crossing cancelled when its case was resolved or closed comes back when the
    // case is reopened before that moment (the same key: the same crossing of the same case).
    `ON CONFLICT ("key") DO UPDATE SET state = 'scheduled', updated_at = excluded.updated_at WHERE "timer".kind = 'impact' AND "timer".state = 'cancelled'`,
  ),
);

/** Cancels the pending timers of these kinds (all kinds when `kinds` is empty) of the cases. */
export const cancelTimers = statement<{ caseIds: number[]; kinds: string[]; now: Date }>("cancel_timers", {
  sqlite: `UPDATE "timer" SET state = 'cancelled', updated_at = @now
    WHERE case_id IN (SELECT value FROM json_each(@caseIds)) AND state IN ('scheduled', 'paused')
      AND (json_array_length(@kinds) = 0 OR kind IN (SELECT value FROM json_each(@kinds)))`,
  postgresql: `UPDATE "timer" SET state = 'cancelled', updated_at = @now
    WHERE case_id = ANY(@caseIds::int[]) AND state IN ('scheduled', 'paused')
      AND (json_array_length(@kinds::json) = 0 OR kind IN (SELECT json_array_elements_text(@kinds::json)))`,
});

/** Holds a case's acknowledgement cycle while the case waits on the agency. */
export const pauseTimers = statement<{ caseId: number; kinds: string[]; now: Date }>("pause_timers", {
  sqlite: `UPDATE "timer" SET state = 'paused', updated_at = @now
    WHERE case_id = @caseId AND state = 'scheduled' AND kind IN (SELECT value FROM json_each(@kinds))`,
  postgresql: `UPDATE "timer" SET state = 'paused', updated_at = @now
    WHERE case_id = @caseId AND state = 'scheduled' AND kind IN (SELECT json_array_elements_text(@kinds::json))`,
});

/** Resumes it, every step later by as long as the agency took. */
export const resumeTimers = statement<{ caseId: number; waitedMs: number; now: Date }>("resume_timers", {
  sqlite: `UPDATE "timer" SET state = 'scheduled', due_at = due_at + @waitedMs, updated_at = @now WHERE case_id = @caseId AND state = 'paused'`,
  postgresql: `UPDATE "timer" SET state = 'scheduled', due_at = due_at + (@waitedMs::int * interval '1 millisecond'), updated_at = @now
    WHERE case_id = @caseId AND state = 'paused'`,
});
