import { standingOf, type MemberView } from "../members.js";
import type { CaseEnv } from "./context.js";
import type { CaseRecord } from "./model.js";

/** Who of the agency may consent to a move: its liaisons named on the case, else the coordinators. */
export function consentAskable(env: CaseEnv, c: CaseRecord): MemberView[] {
  const named = [c.openedBy, ...c.participants.map((p) => p.member)].filter(
    (m, i, all) => m.org?.id === c.agency.id && m.role === "liaison" && standingOf(m, env.now) === "vetted" && all.findIndex((x) => x.id === m.id) === i,
  );
  return named.length > 0 ? named : env.context.coordinators();
}
