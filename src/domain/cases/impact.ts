import { impactOf, type Impact, type ImpactInput } from "../impact.js";
import type { Policy } from "../policy.js";
import type { Tx } from "../../db/database.js";
import { schedule, type NewTimer } from "../timers.js";
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

/**
 * At start-up: an open case without a scheduled crossing gets one (cases opened before
 * impact existed; a chain that ended). On a usual restart every open case has one, and
 * this is two reads.
 */
export async function ensureImpactTimers(tx: Tx, policy: Policy, now: Date): Promise<number> {
  const have = new Set(
    (await tx.timer.findMany({ where: { kind: "impact", state: { in: ["scheduled", "running"] } }, select: { caseId: true } })).map((t) => t.caseId),
  );
  const open = await tx.case.findMany({ where: { status: { in: ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "REOPENED"] } }, select: { id: true, ...IMPACT_SELECT } });
  let scheduled = 0;
  for (const c of open) {
    if (have.has(c.id)) continue;
    const next = impactOfRow(c, policy, now).nextChange;
    if (!next) continue;
    await schedule(tx, now, { kind: "impact", key: `case:${c.id}:impact:${next.getTime()}`, dueAt: next, caseId: c.id, payload: { at: next.toISOString() } });
    scheduled++;
  }
  return scheduled;
}

/** The columns impact is computed from, for reads that do not load whole cases (lists, digests). */
export const IMPACT_SELECT = {
  severity: true,
  deadline: true,
  whoseMove: true,
  pagedAt: true,
  waitingSince: true,
  agencyWaitSeconds: true,
  exchange: { select: { code: true } },
  // No order: impact does not depend on it, and an ordered relation read of thousands of
  // cases exceeds SQLite's parameter limit (Prisma does not split it).
  amounts: { select: { kind: true, asset: true, amount: true, usd: true } },
} as const;

/** A row read with IMPACT_SELECT, as the database gives it. */
export interface ImpactRow {
  severity: string;
  deadline: Date | null;
  whoseMove: string;
  pagedAt: Date | null;
  waitingSince: Date | null;
  agencyWaitSeconds: number;
  exchange: { code: string };
  amounts: { kind: string; asset: string; amount: string; usd: string | null }[];
}

/** The impact of a row read with IMPACT_SELECT (whether the case is open is the caller's to know). */
export function impactOfRow(r: ImpactRow, policy: Policy, now: Date): Impact {
  return impactOf(
    { ...r, severity: r.severity as ImpactInput["severity"], whoseMove: r.whoseMove as ImpactInput["whoseMove"], exchange: r.exchange.code, amounts: r.amounts as ImpactInput["amounts"] },
    policy.impact,
    now,
  );
}
