import { UserError } from "../../model/errors.js";
import { para, rich } from "../../model/message.js";
import type { Amount } from "../amounts.js";
import { memberInclude, standingOf, toMemberView, type Caller, type MemberView } from "../members.js";
import { findOrg } from "../orgs.js";
import type { Severity } from "../policy.js";
import type { Subject } from "../subjects.js";
import { appendEvent, GENESIS_HASH } from "../timeline.js";
import { requireVisible } from "./access.js";
import { deconflict } from "./deconflict.js";
import { awaitingConfirmation, loadCase, lockCase, type CaseRecord, type CaseType, type Tlp } from "./model.js";
import { notifyPeople, type CaseEnv } from "./notify.js";
import { startPaging } from "./escalation.js";

/** Opening a case, and the second-person confirmation of emergencies (SPEC §2). */

export interface NewCase {
  title: string;
  exchange: string;
  agency?: string | undefined;
  severity: Severity;
  type: CaseType;
  tlp: Tlp;
  subjects: Subject[];
  summary?: string | undefined;
  externalRef?: string | undefined;
  amounts: Amount[];
  /** Resolved against the agency's time zone by the caller. */
  deadline?: Date | undefined;
}

function yearIn(timeZone: string, at: Date): number {
  return Number(new Intl.DateTimeFormat("en", { timeZone, year: "numeric" }).format(at));
}

/**
 * The next reference number for an agency and year. The counter row stays locked until the
 * transaction ends, so concurrent opens queue here; a refused open rolls its number back.
 */
async function nextSeq(env: CaseEnv, agencyId: number, year: number): Promise<number> {
  const rows = await env.tx.$queryRaw<{ last: number | bigint }[]>`
    INSERT INTO "ref_counter" ("agency_id", "year", "last") VALUES (${agencyId}, ${year}, 1)
    ON CONFLICT ("agency_id", "year") DO UPDATE SET "last" = "ref_counter"."last" + 1
    RETURNING "last"`;
  return Number(rows[0]!.last);
}

async function resolveAgency(env: CaseEnv, caller: Caller, code: string | undefined) {
  const m = caller.member!;
  if (m.role === "coordinator") {
    if (!code) throw new UserError("missing_option", "missing agency (coordinators open cases on behalf of an agency: agency:<code>)");
    const agency = await findOrg(env.tx, code);
    if (agency.kind !== "AGENCY") throw new UserError("invalid_option", `agency: ${agency.code} is an exchange, not an agency`);
    return agency;
  }
  if (m.role !== "liaison" || !m.org || m.org.kind !== "AGENCY") {
    throw new UserError("forbidden", "only agency liaisons (and coordinators) open cases", true);
  }
  if (code && code !== m.org.code) throw new UserError("forbidden", `you open cases for ${m.org.code} only`, true);
  return findOrg(env.tx, m.org.code);
}

export async function openCase(env: CaseEnv, caller: Caller, input: NewCase): Promise<CaseRecord> {
  const { tx, now } = env;
  const opener = caller.member!;
  const agency = await resolveAgency(env, caller, input.agency);
  const exchange = await findOrg(tx, input.exchange);
  if (exchange.kind !== "EXCHANGE") throw new UserError("invalid_option", `exchange: ${exchange.code} is an agency, not an exchange`);
  if (input.deadline && input.deadline.getTime() <= now.getTime()) {
    throw new UserError("invalid_option", "deadline: it is already past");
  }

  const year = yearIn(agency.timeZone, now);
  const seq = await nextSeq(env, agency.id, year);
  const ref = `${agency.code}-${year}-${String(seq).padStart(4, "0")}`;
  const row = await tx.case.create({
    data: {
      ref,
      agencyId: agency.id,
      exchangeId: exchange.id,
      year,
      seq,
      title: input.title,
      summary: input.summary ?? null,
      severity: input.severity,
      type: input.type,
      tlp: input.tlp,
      status: "OPEN",
      whoseMove: "exchange",
      openedById: opener.id,
      externalRef: input.externalRef ?? null,
      deadline: input.deadline ?? null,
      lastActivityAt: now,
      headHash: GENESIS_HASH,
      createdAt: now,
      updatedAt: now,
      subjects: { create: input.subjects.map((s, position) => ({ position, ...s })) },
      amounts: { create: input.amounts.map((a, position) => ({ position, kind: "involved", ...a })) },
      participants: { create: { memberId: opener.id, reason: "opener", createdAt: now } },
    },
  });
  const c = (await loadCase(tx, { id: row.id }))!;
  await appendEvent(tx, c, {
    at: now,
    actorId: opener.id,
    type: "opened",
    data: {
      title: input.title,
      summary: input.summary ?? null,
      agency: agency.code,
      exchange: exchange.code,
      severity: input.severity,
      type: input.type,
      tlp: input.tlp,
      subjects: input.subjects.map((s) => ({ kind: s.kind, chain: s.chain, value: s.display })),
      amounts: input.amounts,
      deadline: input.deadline?.toISOString() ?? null,
      externalRef: input.externalRef ?? null,
    },
  });

  await deconflict(env, c);
  if (input.type === "emergency") await requestConfirmation(env, c);
  else await startPaging(env, c, opener.id);
  return c;
}

/**
 * Who may confirm an emergency: the agency's other liaisons and the coordinators. A TLP:RED
 * case is for named people only, so other liaisons cannot see it: only coordinators are asked.
 */
async function confirmers(env: CaseEnv, c: CaseRecord): Promise<MemberView[]> {
  const who = c.tlp === "red" ? [{ role: "coordinator" }] : [{ role: "coordinator" }, { role: "liaison", orgId: c.agency.id }];
  const rows = await env.tx.member.findMany({
    where: { OR: who, status: "vetted", NOT: { id: c.openedBy.id } },
    include: memberInclude,
    orderBy: { id: "asc" },
  });
  return rows.map(toMemberView).filter((m) => standingOf(m, env.now) === "vetted");
}

async function requestConfirmation(env: CaseEnv, c: CaseRecord) {
  const people = await confirmers(env, c);
  const event = await appendEvent(env.tx, c, {
    at: env.now,
    actorId: null,
    type: "confirmation_requested",
    data: { askedOf: people.map((p) => p.id) },
  });
  await notifyPeople(env, c, event.seq, people, [
    para(rich`Emergency case ${c.ref} (${c.severity}, ${c.agency.code} → ${c.exchange.code}) needs a second person before ${c.exchange.code} is paged: ${c.title}`),
    para(rich`If you have verified it, confirm with /case confirm ${c.ref}. Forged emergency requests are a known attack: check it through a channel you trust.`),
  ]);
}

export async function confirmCase(env: CaseEnv, caller: Caller, ref: string): Promise<CaseRecord> {
  await lockCase(env.tx, env.services.provider, { ref });
  const { c, side } = requireVisible(await loadCase(env.tx, { ref }), ref, caller);
  if (c.type !== "emergency") throw new UserError("invalid_state", `${c.ref} is not an emergency case; only emergencies need confirming`);
  if (!awaitingConfirmation(c)) throw new UserError("invalid_state", `${c.ref} was already confirmed`);
  if (side !== "agency" && side !== "coordinator") {
    throw new UserError("forbidden", `only a second liaison of ${c.agency.code} or a coordinator can confirm ${c.ref}`, { target: `case:${c.ref}` });
  }
  const me = caller.member!;
  if (me.id === c.openedBy.id) {
    throw new UserError("forbidden", `you opened ${c.ref}; a second liaison of ${c.agency.code} or a coordinator must confirm it`, { target: `case:${c.ref}` });
  }
  await env.tx.case.update({ where: { id: c.id }, data: { confirmedById: me.id, confirmedAt: env.now, updatedAt: env.now, lastActivityAt: env.now } });
  c.confirmedAt = env.now;
  if (!c.participants.some((p) => p.member.id === me.id)) {
    await env.tx.caseParticipant.create({ data: { caseId: c.id, memberId: me.id, reason: "confirmer", createdAt: env.now } });
    c.participants.push({ member: me, reason: "confirmer", pagedAt: null });
  }
  await appendEvent(env.tx, c, { at: env.now, actorId: me.id, type: "confirmed", data: {} });
  await startPaging(env, c, me.id);
  return c;
}
