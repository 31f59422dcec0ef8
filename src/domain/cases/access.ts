import { UserError } from "../../model/errors.js";
import { isCoordinator, type Caller } from "../members.js";
import { awaitingConfirmation, isClosed, type CaseRecord } from "./model.js";

/**
 * Need-to-know (SPEC §6). A case is visible to coordinators, to members of its agency, and
 * to members of its exchange once the exchange has been paged. TLP:RED narrows the
 * exchange side to the people named on the case. Anyone else is told exactly what they
 * would be told about a reference that does not exist.
 */

export type Side = "coordinator" | "agency" | "exchange";

export function sideOf(c: CaseRecord, caller: Caller): Side | null {
  if (isCoordinator(caller)) return "coordinator";
  const m = caller.member;
  if (!m || caller.standing !== "vetted" || !m.org) return null;
  if (m.org.id === c.agency.id && m.role === "liaison") return "agency";
  if (m.org.id === c.exchange.id && m.role === "investigator") {
    if (awaitingConfirmation(c)) return null;
    if (c.tlp === "red" && !isNamed(c, m.id)) return null;
    return "exchange";
  }
  return null;
}

export const isNamed = (c: CaseRecord, memberId: number) =>
  c.participants.some((p) => p.member.id === memberId) || c.assignee?.id === memberId || c.pendingHandoff?.toMember?.id === memberId;

export function unknownCase(ref: string): UserError {
  return new UserError("not_found", `unknown case reference ${ref}`);
}

/** The case if the caller may see it; otherwise the same refusal a missing case gets. */
export function requireVisible(c: CaseRecord | null, ref: string, caller: Caller): { c: CaseRecord; side: Side } {
  if (!c) throw unknownCase(ref);
  const side = sideOf(c, caller);
  if (!side) {
    // Same words as for a missing case; only the audit log knows the difference.
    throw new UserError("not_found", unknownCase(ref).message, { target: `case:${c.ref}` });
  }
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
  throw new UserError("forbidden", `only ${who} can ${action} ${c.ref}`, { target: `case:${c.ref}` });
}

export function requireNotClosed(c: CaseRecord, action: string): void {
  if (isClosed(c)) throw new UserError("invalid_state", `${c.ref} is closed; reopen it (/case reopen ${c.ref}) before you ${action} it`);
}
