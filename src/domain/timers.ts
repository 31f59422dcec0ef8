import type { Tx } from "../db/database.js";

/**
 * Scheduling durable timers. A timer is a row; writing it belongs to the transaction of
 * the change that makes it due (a page schedules its reminders, an acknowledgement
 * cancels them). Each step has a key (its idempotency key), so scheduling it twice changes nothing.
 */

export type TimerKind = "reminder" | "level2" | "level3" | "handoff" | "stale" | "agency_remind" | "preservation" | "freeze_hold" | "retention" | "vetting_expiry" | "digest" | "shift" | "impact";
export const ACK_CYCLE: TimerKind[] = ["reminder", "level2", "level3"];

export interface NewTimer {
  kind: TimerKind;
  key: string;
  dueAt: Date;
  caseId?: number | null;
  memberId?: number | null;
  bindingId?: number | null;
  payload?: Record<string, unknown>;
}

/** Inserts the timer unless a timer with the same key exists (in any state). */
export async function schedule(tx: Tx, now: Date, t: NewTimer): Promise<void> {
  const payload = JSON.stringify(t.payload ?? {});
  await tx.$executeRaw`
    INSERT INTO "timer" ("kind", "key", "due_at", "state", "attempts", "case_id", "member_id", "binding_id", "payload", "created_at", "updated_at")
    VALUES (${t.kind}, ${t.key}, ${t.dueAt}, 'scheduled', 0, ${t.caseId ?? null}, ${t.memberId ?? null}, ${t.bindingId ?? null}, ${payload}, ${now}, ${now})
    ON CONFLICT ("key") DO NOTHING`;
}

export async function cancelBindingTimers(tx: Tx, bindingId: number, now: Date): Promise<void> {
  await tx.timer.updateMany({ where: { bindingId, state: { in: ["scheduled", "paused"] } }, data: { state: "cancelled", updatedAt: now } });
}
