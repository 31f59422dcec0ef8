import { para, rich } from "../../model/message.js";
import { coordinators, type MemberView } from "../members.js";
import { appendEvent } from "../timeline.js";
import { loadCase, lockCase, type CaseRecord } from "./model.js";
import { notifyPeople, type CaseEnv } from "./notify.js";

/**
 * Deconfliction (SPEC §2): when a new case names a wallet or transaction that an open case
 * of another agency already names, both cases' owners and the coordinators learn that the
 * other case exists — its reference and agency, nothing else — so agencies do not work the
 * same funds blind.
 */

const owners = (c: CaseRecord): MemberView[] => {
  const people = new Map<number, MemberView>([[c.openedBy.id, c.openedBy]]);
  if (c.assignee) people.set(c.assignee.id, c.assignee);
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
    const mine = await appendEvent(env.tx, c, {
      at: env.now,
      actorId: null,
      type: "deconfliction",
      data: { linkedRef: other.ref, linkedAgency: other.agency.code },
    });
    const theirs = await appendEvent(env.tx, other, {
      at: env.now,
      actorId: null,
      type: "deconfliction",
      data: { linkedRef: c.ref, linkedAgency: c.agency.code },
    });
    const notice = (yours: CaseRecord, them: CaseRecord) => [
      para(rich`Deconfliction: your case ${yours.ref} names funds that ${them.agency.code} is also working on in ${them.ref}. Coordinate with them before acting.`),
    ];
    await notifyPeople(env, c, mine.seq, owners(c), notice(c, other), "deconfliction");
    await notifyPeople(env, other, theirs.seq, owners(other), notice(other, c), "deconfliction");
    const ownerIds = new Set([...owners(c), ...owners(other)].map((m) => m.id));
    await notifyPeople(
      env,
      c,
      mine.seq,
      everyCoordinator.filter((m) => !ownerIds.has(m.id)),
      [para(rich`Deconfliction: ${c.ref} (${c.agency.code}) and ${other.ref} (${other.agency.code}) name the same funds. Both owners have been told.`)],
      "deconfliction-coordinators",
    );
    linked.push(other);
  }
  return linked;
}
