import { UserError } from "../../model/errors.js";
import { personVerdict, type Side } from "../audience.js";
import type { Caller } from "../members.js";
import { audienceOf, isClosed, namedOn, type CaseRecord } from "./model.js";

/**
 * Need-to-know for the one calling: the audience rule (audience.ts) applied to the caller.
 * Anyone who may not see a case is told exactly what they would be told about a reference
 * that does not exist, by the same path: both leave an access.denied audit entry, and only
 * that entry records which of the two it was.
 */

export type { Side } from "../audience.js";

export function sideOf(c: CaseRecord, caller: Caller): Side | null {
  if (!caller.member) return null;
  const verdict = personVerdict(audienceOf(c), caller.member, caller.standing);
  return verdict.ok ? verdict.side : null;
}

export const isNamed = (c: CaseRecord, memberId: number) => namedOn(c).has(memberId);

/** The refusal for a case the caller may not see, or that does not exist: the same words either way. */
export function unknownCase(ref: string, exists = false): UserError {
  return new UserError("not_found", `unknown case reference ${ref}`, { denial: { target: `case:${ref}`, exists } });
}

/** The case if the caller may see it; otherwise the same refusal a missing case gets. */
export function requireVisible(c: CaseRecord | null, ref: string, caller: Caller): { c: CaseRecord; side: Side } {
  if (!c) throw unknownCase(ref);
  const side = sideOf(c, caller);
  if (!side) throw unknownCase(c.ref, true);
  return { c, side };
}

const SIDE_NAMES: Record<Side, string> = {
  coordinator: "coordinators",
  agency: "the agency's liaisons",
  exchange: "the exchange's investigators",
};

/** Refuses a visible case's action to a side that may not take it. */
export function requireSide(c: CaseRecord, side: Side, allowed: Side[], action: string): void {
  if (allowed.includes(side)) return;
  const who = allowed.map((s) => SIDE_NAMES[s]).join(" or ");
  throw new UserError("forbidden", `only ${who} can ${action} ${c.ref}`, { denial: { target: `case:${c.ref}` } });
}

export function requireNotClosed(c: CaseRecord, action: string): void {
  if (isClosed(c)) throw new UserError("invalid_state", `${c.ref} is closed; reopen it (/case reopen ${c.ref}) before you ${action}`);
}
