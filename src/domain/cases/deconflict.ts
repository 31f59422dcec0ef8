import { para, rich } from "../../model/message.js";
import { recordAudit } from "../audit.js";
import { coordinators, type MemberView } from "../members.js";
import { loadCase, lockCase, type CaseRecord } from "./model.js";
import { notifyPeople, type CaseEnv } from "./notify.js";

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

export async function deconflict(env: CaseEnv, c: CaseRecord): Promise<CaseRecord[]> {
  if (c.subjects.length === 0) return [];
  const hits = await env.tx.caseSubject.findMany({
    where: {
      value: { in: c.subjects.map((s) => s.value) },
      caseId: { not: c.id },
      case: { agencyId: { not: c.agency.id }, status: { notIn: ["RESOLVED", "CLOSED"] } },
    },
    select: { caseId: true },
    distinct: ["caseId"],
    orderBy: { caseId: "asc" },
  });
  if (hits.length === 0) return [];

  const everyCoordinator = await coordinators(env.tx, env.now);
  const linked: CaseRecord[] = [];
  for (const { caseId } of hits) {
    // Ids ascending: two opens racing over the same funds lock in the same order.
    await lockCase(env.tx, env.services.provider, { id: caseId });
    const other = (await loadCase(env.tx, { id: caseId }))!;
    await env.tx.caseLink.create({ data: { caseId: c.id, linkedCaseId: other.id, at: env.now } });
    await recordAudit(env.tx, {
      at: env.now,
      actorId: null,
      account: "system:deconfliction",
      action: "case.deconfliction",
      target: `case:${c.ref}`,
      detail: { linked: other.ref },
    });
    const notice = (yours: CaseRecord, them: CaseRecord) => [
      para(rich`Deconfliction: your case ${yours.ref} names funds that ${them.agency.code} is also working on in ${them.ref}. Coordinate with them before acting.`),
    ];
    const tag = `deconfliction:${other.id}`;
    await notifyPeople(env, c, c.eventCount, owners(c), notice(c, other), tag);
    await notifyPeople(env, other, other.eventCount, owners(other), notice(other, c), `deconfliction:${c.id}`);
    const ownerIds = new Set([...owners(c), ...owners(other)].map((m) => m.id));
    await notifyPeople(
      env,
      c,
      c.eventCount,
      everyCoordinator.filter((m) => !ownerIds.has(m.id)),
      [para(rich`Deconfliction: ${c.ref} (${c.agency.code}) and ${other.ref} (${other.agency.code}) name the same funds. Both owners have been told.`)],
      `${tag}:coordinators`,
    );
    linked.push(other);
  }
  return linked;
}
