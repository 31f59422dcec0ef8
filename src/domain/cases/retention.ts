import type { Tx } from "../../db/database.js";
import { applyWrites } from "../../db/writes.js";
import { UserError } from "../../model/errors.js";
import { mention, para, rich } from "../../model/message.js";
import { personRef } from "../members.js";
import { formatTime } from "./card.js";
import { caseEnv, CaseContext, type Acting, type CaseEnv } from "./context.js";
import type { TimerRow } from "./escalation.js";
import { loadCases, type CaseRecord } from "./model.js";
import { notifyThreads } from "./notify.js";
import type { Runner } from "./run.js";

/**
 * Retention (docs/contract.md §10, FATF R.11): a closed case is kept `retention` after it
 * closed, then its content — title, summary, notes and every event's data, subjects,
 * amounts, documents — is erased by a durable timer. Each event keeps its hash and its link,
 * so the chain still verifies (`audit verify` says what was erased and when); who may see the
 * case does not change. `/case hold` suspends erasure, `/case release` lifts it.
 */

export const ERASED_TITLE = "[erased]";

/** At closing: erasure falls due `retention` later (keyed by the closing, so a reopen leaves it doing nothing). */
export function scheduleRetention(env: CaseEnv, c: CaseRecord, from: Date, why = "closed"): void {
  env.change.schedule({
    kind: "retention",
    key: `case:${c.id}:retention:${why}:${from.getTime()}`,
    dueAt: new Date(from.getTime() + (why === "closed" ? env.services.policy.retention : 0)),
    caseId: c.id,
    payload: { closedAt: c.closedAt?.toISOString() ?? null },
  });
}

/** Coordinators and the agency's liaisons hold a case (litigation, an ongoing investigation). */
export function hold(env: CaseEnv, { c, side, me }: Acting, reason: string, account: string): void {
  if (side !== "agency" && side !== "coordinator") throw new UserError("forbidden", `only ${c.agency.code}'s liaisons and coordinators can hold ${c.ref}`, { denial: {} });
  if (c.erasedAt) throw new UserError("invalid_state", `${c.ref} was erased at ${formatTime(c.erasedAt)}; there is nothing left to hold`);
  if (c.heldAt) throw new UserError("conflict", `${c.ref} is already held (since ${formatTime(c.heldAt)}: ${c.holdReason ?? ""})`);
  Object.assign(c, { heldAt: env.now, holdReason: reason });
  env.change.touch(c);
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "retention_hold", data: { reason } });
  env.change.audit({ at: env.now, actorId: me.id, account, action: "case.held", target: `case:${c.ref}`, detail: {} });
  notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} put ${c.ref} on hold: it will not be erased until released. Reason: ${reason}`)] });
}

export function release(env: CaseEnv, { c, side, me }: Acting, account: string): void {
  if (side !== "agency" && side !== "coordinator") throw new UserError("forbidden", `only ${c.agency.code}'s liaisons and coordinators can release ${c.ref}`, { denial: {} });
  if (!c.heldAt) throw new UserError("invalid_state", `${c.ref} is not held`);
  Object.assign(c, { heldAt: null, holdReason: null });
  env.change.touch(c);
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "retention_release", data: {} });
  env.change.audit({ at: env.now, actorId: me.id, account, action: "case.released", target: `case:${c.ref}`, detail: {} });
  notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} released the hold on ${c.ref}.`)] });
  // Past its erasure date already: erased now (a timer, like the others).
  if (c.status === "CLOSED" && c.closedAt && c.closedAt.getTime() + env.services.policy.retention <= env.now.getTime()) scheduleRetention(env, c, env.now, "released");
}

/** The erasure, when its timer fires: only a case still closed since then, not held, not yet erased. */
export async function fireRetention(run: Runner, t: TimerRow): Promise<void> {
  const { tx } = run;
  const [c] = await loadCases(tx, [t.caseId!], true);
  if (!c || c.status !== "CLOSED" || c.heldAt || c.erasedAt || !c.closedAt) return;
  const now = run.clock.now();
  // Not due yet (the retention was raised since it closed): looked at again when it is.
  if (c.closedAt.getTime() + run.services.policy.retention > now.getTime()) {
    await tx.$executeRaw`INSERT INTO "timer" ("kind", "key", "due_at", "state", "attempts", "case_id", "payload", "created_at", "updated_at")
      VALUES ('retention', ${`case:${c.id}:retention:later:${c.closedAt.getTime() + run.services.policy.retention}`}, ${new Date(c.closedAt.getTime() + run.services.policy.retention)}, 'scheduled', 0, ${c.id}, '{}', ${now}, ${now})
      ON CONFLICT ("key") DO NOTHING`;
    return;
  }
  const env = caseEnv(now, run.services, await CaseContext.load(tx, now, [c], { bindings: true }));
  const erasedUpTo = c.eventCount;
  const counts = { events: erasedUpTo, subjects: c.subjects.length, amounts: c.amounts.length };
  Object.assign(c, { title: ERASED_TITLE, summary: null, outcome: null, erasedAt: now, subjects: [], amounts: [] });
  env.change.touch(c);
  const event = env.change.event(c, { at: now, actorId: null, type: "erased", data: { ...counts, closedAt: c.closedAt.toISOString(), retention: run.services.policy.retention } });
  env.change.audit({ at: now, actorId: null, account: "system", action: "case.erased", target: `case:${c.ref}`, detail: counts });
  notifyThreads(env, c, event.seq, { post: [para(rich`The content of ${c.ref} was erased (retention after closing); its timeline keeps its hashes.`)], updateCard: true });
  // What was there is erased first; the erasure's own event and notice are written after it.
  await eraseContent(tx, c.id, erasedUpTo, now);
  await applyWrites(tx, env.change.writes());
}

async function eraseContent(tx: Tx, caseId: number, upToSeq: number, now: Date): Promise<void> {
  await tx.$executeRaw`UPDATE "case" SET "external_ref" = NULL WHERE "id" = ${caseId}`;
  await tx.$executeRaw`UPDATE "case_event" SET "data" = '{}', "erased_at" = ${now} WHERE "case_id" = ${caseId} AND "seq" <= ${upToSeq}`;
  await tx.$executeRaw`DELETE FROM "case_subject" WHERE "case_id" = ${caseId}`;
  await tx.$executeRaw`DELETE FROM "case_amount" WHERE "case_id" = ${caseId}`;
  await tx.$executeRaw`DELETE FROM "legal_process" WHERE "case_id" = ${caseId}`;
  await tx.$executeRaw`UPDATE "handoff" SET "note" = '' WHERE "case_id" = ${caseId}`;
  // Messages about the case not delivered yet are never sent now; what was sent is not kept in full either.
  await tx.$executeRaw`UPDATE "outbox" SET "state" = 'withheld', "last_error" = 'the case was erased (retention)', "lease_owner" = NULL, "lease_token" = NULL, "lease_expires_at" = NULL WHERE "case_id" = ${caseId} AND "state" IN ('pending', 'sending')`;
  await tx.$executeRaw`UPDATE "outbox" SET "payload" = '{"blocks":[]}' WHERE "case_id" = ${caseId}`;
  const docs = await tx.caseDocument.findMany({ where: { caseId }, select: { sha256: true } });
  await tx.$executeRaw`DELETE FROM "case_document" WHERE "case_id" = ${caseId}`;
  for (const { sha256 } of docs) {
    // A blob another case still holds stays.
    await tx.$executeRaw`DELETE FROM "document_blob" WHERE "sha256" = ${sha256} AND NOT EXISTS (SELECT 1 FROM "case_document" d WHERE d."sha256" = ${sha256})`;
  }
}
