import type { Clock } from "../../clock.js";
import type { DomainServices } from "../services.js";
import type { Tx } from "../../db/database.js";
import { applyWrites } from "../../db/writes.js";
import { UserError } from "../../model/errors.js";
import type { Caller } from "../members.js";
import { requireVisible, unknownCase, type Side } from "./access.js";
import { caseEnv, CaseContext, type Acting, type CaseEnv, type Needs } from "./context.js";
import { fireCaseTimer, type TimerRow } from "./escalation.js";
import { awaitingConfirmation, loadCase, loadCases, namedOn, type CaseRecord } from "./model.js";

/**
 * The one path of every change to a case: load (the case locked, with what deciding it
 * needs, a statement per aggregate), decide (pure: src/domain/cases/*), apply (each table
 * once: src/db/writes.ts). A command is a batch of one; due timers are a batch of many.
 * The time of a change is read once its cases are locked, so a timeline never goes back.
 */

export interface Runner {
  tx: Tx;
  clock: Clock;
  services: DomainServices;
}

/** Loads, decides and writes a change the caller makes to the case `ref`. */
export async function changeCase<R>(
  run: Runner & { caller: Caller },
  ref: string,
  needs: Needs | ((c: CaseRecord) => Needs),
  decide: (env: CaseEnv, acting: Acting) => R,
  options: { offered?: boolean } = {},
): Promise<{ result: R; c: CaseRecord; env: CaseEnv }> {
  const { tx, clock, services, caller } = run;
  const loaded = await loadCase(tx, { ref }, true);
  const { c, side } = options.offered ? visibleOrOffered(loaded, ref, caller) : requireVisible(loaded, ref, caller);
  const now = clock.now();
  const context = await CaseContext.load(tx, now, [c], typeof needs === "function" ? needs(c) : needs);
  const env = caseEnv(now, services, context);
  const result = decide(env, { c, side, me: caller.member! });
  await applyWrites(tx, env.change.writes());
  return { result, c, env };
}

/**
 * For accepting a handoff: the case as its own people see it, or as the investigators of an
 * exchange it is offered to do (a TLP:RED case: only those it was offered to by name).
 */
function visibleOrOffered(c: CaseRecord | null, ref: string, caller: Caller): { c: CaseRecord; side: Side } {
  try {
    return requireVisible(c, ref, caller);
  } catch (error) {
    if (!(error instanceof UserError) || error.code !== "not_found" || !c) throw error;
    const me = caller.member;
    const offer = c.pendingHandoff;
    const offeredToMe = offer?.toOrg && me?.org?.id === offer.toOrg.id && me.role === "investigator" && (c.tlp !== "red" || namedOn(c).has(me.id));
    if (!me || caller.standing !== "vetted" || !offeredToMe || awaitingConfirmation(c)) throw unknownCase(c.ref, true);
    return { c, side: "exchange" };
  }
}

/** What firing may need: every roster and the coordinators (escalations page them). */
const TIMER_NEEDS: Needs = { rosters: true, coordinators: true };

/**
 * Fires due case timers together: their cases locked (in id order) and loaded once, each
 * timer decided in turn on the cases as the earlier ones left them, everything written at
 * once. Timers whose case no longer exists do nothing. With `skipLocked`, cases another
 * transaction holds are not waited for: their timers are returned, unfired.
 */
export async function fireCaseTimers(run: Runner, timers: readonly TimerRow[], options: { skipLocked?: boolean } = {}): Promise<TimerRow[]> {
  const ids = [...new Set(timers.flatMap((t) => (t.caseId === null ? [] : [t.caseId])))].sort((a, b) => a - b);
  if (ids.length === 0) return [];
  const cases = new Map((await loadCases(run.tx, ids, options.skipLocked ? "skipLocked" : true)).map((c) => [c.id, c]));
  const skipped = options.skipLocked ? timers.filter((t) => t.caseId !== null && !cases.has(t.caseId)) : [];
  const now = run.clock.now();
  const env = caseEnv(now, run.services, await CaseContext.load(run.tx, now, [...cases.values()], TIMER_NEEDS));
  for (const t of timers) {
    const c = t.caseId === null ? undefined : cases.get(t.caseId);
    if (c) fireCaseTimer(env, c, t);
  }
  await applyWrites(run.tx, env.change.writes());
  return skipped;
}
