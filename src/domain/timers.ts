import type { Tx } from "../db/database.js";

/**
 * Scheduling durable timers. A timer is a row; writing it belongs to the transaction of
 * the change that makes it due (a page schedules its reminders, an acknowledgement
 * cancels them). Each step has a dedupe key, so scheduling it twice changes nothing.
 */

export type TimerKind = "reminder" | "level2" | "level3" | "handoff" | "stale" | "vetting_expiry" | "digest";
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
    INSERT INTO "timer" ("kind", "dedupe_key", "due_at", "state", "attempts", "case_id", "member_id", "binding_id", "payload", "created_at", "updated_at")
    VALUES (${t.kind}, ${t.key}, ${t.dueAt}, 'scheduled', 0, ${t.caseId ?? null}, ${t.memberId ?? null}, ${t.bindingId ?? null}, ${payload}, ${now}, ${now})
    ON CONFLICT ("dedupe_key") DO NOTHING`;
}

/** Cancels a case's pending timers of the given kinds (an acknowledgement stops the ack cycle). */
export async function cancelCaseTimers(tx: Tx, caseId: number, kinds: TimerKind[] | "all", now: Date): Promise<number> {
  const r = await tx.timer.updateMany({
    where: { caseId, state: { in: ["scheduled", "paused"] }, ...(kinds === "all" ? {} : { kind: { in: kinds } }) },
    data: { state: "cancelled", updatedAt: now },
  });
  return r.count;
}

/** Holds the ack cycle while the case waits on the agency. */
export async function pauseAckCycle(tx: Tx, caseId: number, now: Date): Promise<void> {
  await tx.timer.updateMany({ where: { caseId, state: "scheduled", kind: { in: ACK_CYCLE } }, data: { state: "paused", updatedAt: now } });
}

/** Resumes it, every step later by as long as the agency took. */
export async function resumeAckCycle(tx: Tx, caseId: number, waitedMs: number, now: Date): Promise<void> {
  const paused = await tx.timer.findMany({ where: { caseId, state: "paused" }, select: { id: true, dueAt: true } });
  for (const t of paused) {
    await tx.timer.update({ where: { id: t.id }, data: { state: "scheduled", dueAt: new Date(t.dueAt.getTime() + waitedMs), updatedAt: now } });
  }
}

export async function cancelBindingTimers(tx: Tx, bindingId: number, now: Date): Promise<void> {
  await tx.timer.updateMany({ where: { bindingId, state: { in: ["scheduled", "paused"] } }, data: { state: "cancelled", updatedAt: now } });
}
