import { para, rich } from "../../model/message.js";
import type { MemberView } from "../members.js";
import type { CaseEnv } from "./context.js";
import type { CaseRecord } from "./model.js";
import { notifyPeople } from "./notify.js";

/**
 * Deconfliction: when a new case names a wallet or transaction that an open case of another
 * agency already names, both cases' owners (their agencies' liaisons named on them) and the
 * coordinators learn that the other case exists — its reference and agency, nothing else —
 * so agencies do not work the same funds blind. It is an agency matter: it goes on no
 * timeline the exchange reads; the link and an audit entry record it.
 */

/** The agency people named on a case: its opener, and its confirmer for an emergency. */
const owners = (c: CaseRecord): MemberView[] => {
  const people = new Map<number, MemberView>([[c.openedBy.id, c.openedBy]]);
  for (const p of c.participants) if (p.member.org?.id === c.agency.id && p.member.role === "liaison") people.set(p.member.id, p.member);
  return [...people.values()];
};

/** `env.context.others`: the open cases of other agencies that name the new case's funds, in id order. */
export function deconflict(env: CaseEnv, c: CaseRecord): CaseRecord[] {
  const linked = [...env.context.others.values()].filter((o) => o.id !== c.id).sort((a, b) => a.id - b.id);
  if (linked.length === 0) return [];
  const everyCoordinator = env.context.coordinators();
  for (const other of linked) {
    env.change.link(c.id, other.id);
    env.change.audit({ at: env.now, actorId: null, account: "system:deconfliction", action: "case.deconfliction", target: `case:${c.ref}`, detail: { linked: other.ref } });
    const notice = (yours: CaseRecord, them: CaseRecord) => [
      para(rich`Deconfliction: your case ${yours.ref} names funds that ${them.agency.code} is also working on in ${them.ref}. Coordinate with them before acting.`),
    ];
    const tag = `deconfliction:${other.id}`;
    notifyPeople(env, c, c.eventCount, owners(c), notice(c, other), tag);
    notifyPeople(env, other, other.eventCount, owners(other), notice(other, c), `deconfliction:${c.id}`);
    const ownerIds = new Set([...owners(c), ...owners(other)].map((m) => m.id));
    notifyPeople(
      env,
      c,
      c.eventCount,
      everyCoordinator.filter((m) => !ownerIds.has(m.id)),
      [para(rich`Deconfliction: ${c.ref} (${c.agency.code}) and ${other.ref} (${other.agency.code}) name the same funds. Both owners have been told.`)],
      `${tag}:coordinators`,
    );
  }
  return linked;
}
