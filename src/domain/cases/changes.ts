import { UserError } from "../../model/errors.js";
import { applyWrites } from "../../db/writes.js";
import { casesNaming } from "../../db/sql/context.js";
import { nextCaseNumber } from "../../db/sql/case-writes.js";
import { nextCaseIds, nextHandoffIds } from "../../db/sql/ids.js";
import type { Caller, MemberView } from "../members.js";
import { accountKey, resolvePerson } from "../members.js";
import { findOrg, type Organisation } from "../orgs.js";
import * as act from "./actions.js";
import { extend as extendClock, recordProcess, type ProcessKind } from "./requests.js";
import { hold as holdCase, release as releaseCase } from "./retention.js";
import { caseEnv, CaseContext, type Needs } from "./context.js";
import { acceptHandoff, offerHandoff, type Acceptance, type HandoffTarget } from "./handoff.js";
import { loadCases, type CaseRecord, type Tlp, type WhoseMove } from "./model.js";
import { confirmCase, openCase, yearIn, type NewCase } from "./open.js";
import type { Level } from "./paging.js";
import { changeCase, type Runner } from "./run.js";

/**
 * Each user action on a case: what it needs loaded, then its decision (actions.ts,
 * handoff.ts, open.ts) through the one path of run.ts.
 */

type Run = Runner & { caller: Caller };

/** Changes that page or post new cards need the rosters, coordinators and bindings. */
const PAGING: Needs = { rosters: true, coordinators: true, bindings: true };

export async function open(run: Run, input: NewCase & { exchange: string; agency?: string | undefined }): Promise<CaseRecord> {
  const { tx, caller } = run;
  const agency = await resolveAgency(run, caller, input.agency);
  const exchange = await findOrg(tx, input.exchange);
  const now = run.clock.now();
  const year = yearIn(agency.timeZone, now);
  // Taken now, rolled back with the rest if the open is refused.
  const { last: seq } = (await tx.sql.one(nextCaseNumber, { agencyId: agency.id, year }))!;
  const [{ id }] = (await tx.sql.all(nextCaseIds, { n: 1 })) as [{ id: number }];
  const values = input.subjects.map((s) => s.value);
  const hits = values.length === 0 ? [] : (await tx.sql.all(casesNaming, { values, agencyId: agency.id })).map((h) => h.caseId);
  const probe = { agency, exchange } as CaseRecord;
  const context = await CaseContext.load(tx, now, [probe], { ...PAGING, liaisons: input.type === "emergency" });
  for (const other of await loadCases(tx, hits, true)) context.others.set(other.id, other);
  const env = caseEnv(now, run.services, context);
  const c = openCase(env, caller.member!, { id, agency, exchange, year, seq }, input);
  await applyWrites(tx, env.change.writes());
  return c;
}

async function resolveAgency(run: Run, caller: Caller, code: string | undefined): Promise<Organisation> {
  const m = caller.member!;
  if (m.role === "coordinator") {
    if (!code) throw UserError.about("agency", "missing_option", "missing agency (coordinators open cases on behalf of an agency: agency:<code>)");
    const agency = await findOrg(run.tx, code);
    if (agency.kind !== "AGENCY") throw UserError.about("agency", "invalid_option", `agency: ${agency.code} is an exchange, not an agency`);
    return agency;
  }
  if (m.role !== "liaison" || !m.org || m.org.kind !== "AGENCY") {
    throw new UserError("forbidden", "only agency liaisons (and coordinators) open cases", { denial: {} });
  }
  if (code && code !== m.org.code) throw new UserError("forbidden", `you open cases for ${m.org.code} only`, { denial: {} });
  return findOrg(run.tx, m.org.code);
}

export const confirm = (run: Run, ref: string) => changeCase(run, ref, PAGING, confirmCase);
export const acknowledge = (run: Run, ref: string) => changeCase(run, ref, {}, act.acknowledge);
export const take = (run: Run, ref: string) => changeCase(run, ref, {}, act.take);
export const note = (run: Run, ref: string, text: string, waiting: WhoseMove | undefined, recovered?: act.Recovered) =>
  changeCase(run, ref, {}, (env, a) => act.addNote(env, a, text, waiting, recovered));
export const escalate = (run: Run, ref: string, reason: string) =>
  changeCase<Level>(run, ref, { rosters: true, coordinators: true }, (env, a) => act.escalate(env, a, reason));
export const resolve = (run: Run, ref: string, r: act.Resolution) => changeCase(run, ref, {}, (env, a) => act.resolve(env, a, r));
export const close = (run: Run, ref: string, reason: string | undefined) => changeCase(run, ref, {}, (env, a) => act.close(env, a, reason));
export const reopen = (run: Run, ref: string, reason: string | undefined) => changeCase(run, ref, {}, (env, a) => act.reopen(env, a, reason));
export const changeTlp = (run: Run, ref: string, tlp: Tlp, reason: string | undefined) =>
  changeCase(run, ref, { bindings: true }, (env, a) => act.changeTlp(env, a, tlp, reason));

/** `to`: a person (an account key) or an exchange's code. */
export async function handoff(run: Run, ref: string, to: string, note: string) {
  const target: HandoffTarget = to.includes(":") ? { member: await resolvePerson(run.tx, to), org: null } : { member: null, org: await findOrg(run.tx, to) };
  const [{ id }] = (await run.tx.sql.all(nextHandoffIds, { n: 1 })) as [{ id: number }];
  const needs: Needs = { bindings: true, ...(target.org ? { rosterOrgs: [target.org.id] } : {}) };
  return changeCase(run, ref, needs, (env, a) => offerHandoff(env, a, target, note, id));
}

export function accept(run: Run, ref: string) {
  return changeCase<Acceptance>(
    run,
    ref,
    (c) => ({
      coordinators: true,
      ...(c.pendingHandoff?.toOrg ? { bindingOrgs: [c.pendingHandoff.toOrg.id] } : {}),
      people: c.pendingHandoff?.acceptedById ? [c.pendingHandoff.acceptedById] : [],
    }),
    acceptHandoff,
    { offered: true },
  );
}

/** `/case extend`: the agency's on-call is loaded for the reminders the new end brings. */
export const extend = (run: Run, ref: string, o: { by: number | undefined; basis: string }) => changeCase(run, ref, {}, (env, a) => extendClock(env, a, o));

/** `/case process`: the event in the change, the row beside it in the same transaction. */
export async function process(run: Run & { caller: Caller }, ref: string, p: { kind: ProcessKind; number: string; authority: string; date: string | null }) {
  const out = await changeCase(run, ref, {}, (env, a) => recordProcess(env, a, p));
  await run.tx.legalProcess.create({ data: { caseId: out.c.id, ...p, recordedById: run.caller.member!.id, recordedAt: out.env.now } });
  return out;
}

export const hold = (run: Run, ref: string, reason: string) => changeCase(run, ref, {}, (env, a) => holdCase(env, a, reason, accountKey(run.caller.account)));
export const release = (run: Run, ref: string) => changeCase(run, ref, {}, (env, a) => releaseCase(env, a, accountKey(run.caller.account)));

export type { MemberView };
