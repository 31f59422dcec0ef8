import { coordinators, standingOf, type MemberView } from "../members.js";
import type { CaseRecord } from "./model.js";
import type { CaseEnv } from "./notify.js";

/** Who of the agency may consent to a move: its liaisons named on the case, else the coordinators. */
export async function consentAskable(env: CaseEnv, c: CaseRecord): Promise<MemberView[]> {
  const named = [c.openedBy, ...c.participants.map((p) => p.member)].filter(
    (m, i, all) => m.org?.id === c.agency.id && m.role === "liaison" && standingOf(m, env.now) === "vetted" && all.findIndex((x) => x.id === m.id) === i,
  );
  return named.length > 0 ? named : coordinators(env.tx, env.now);
}

