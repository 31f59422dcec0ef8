import { impactOf, type Impact } from "../impact.js";
import type { Policy } from "../policy.js";
import type { NewTimer } from "../timers.js";
import { isActive, type CaseRecord } from "./model.js";

/**
 * Impact on a case record (docs/contract.md §2): computed when it is read, so it is never
 * stale in a list, a digest or the board; and one durable timer per band crossing, so a
 * card posted in a channel shows the rise (deadline nearer, longer wait) without anyone
 * touching the case — the scheduler fires it like any other timer, no polling.
 */

export function caseImpact(c: CaseRecord, policy: Policy, now: Date): Impact | null {
  if (!isActive(c)) return null;
  return impactOf({ ...c, exchange: c.exchange.code }, policy.impact, now);
}

/** Highest impact first; cases with none (resolved, closed) after, newest first; then by reference. */
export function byImpact(cases: readonly CaseRecord[], policy: Policy, now: Date): CaseRecord[] {
  const scored = cases.map((c) => ({ c, score: caseImpact(c, policy, now)?.score ?? -1 }));
  scored.sort((a, b) => b.score - a.score || b.c.createdAt.getTime() - a.c.createdAt.getTime() || a.c.ref.localeCompare(b.c.ref));
  return scored.map((s) => s.c);
}

/**
 * The timer for the case's next band crossing. Keyed by that moment, so writing it again
 * changes nothing, and a timer left from before a change finds its moment no longer a
 * crossing and does nothing (impactTick).
 */
export function scheduleImpact(change: { schedule(t: NewTimer): void }, c: CaseRecord, policy: Policy, now: Date): void {
  const next = caseImpact(c, policy, now)?.nextChange;
  if (!next) return;
  change.schedule({ kind: "impact", key: `case:${c.id}:impact:${next.getTime()}`, dueAt: next, caseId: c.id, payload: { at: next.toISOString() } });
}

/** Whether a timer set for `at` still marks a crossing of the case as it is now. */
export function isImpactCrossing(c: CaseRecord, policy: Policy, at: Date): boolean {
  // Just before the moment, the next change was `at`.
  return caseImpact(c, policy, new Date(at.getTime() - 1))?.nextChange?.getTime() === at.getTime();
}
