import type { Tx } from "../db/database.js";
import { lockMember } from "../db/sql/members.js";
import { UserError } from "../model/errors.js";
import { recordAudit } from "./audit.js";
import { accountKey, ensureMember, loadMember, standingOf, type Caller, type MemberView, type Role } from "./members.js";
import { findOrgToRegister } from "./orgs.js";
import { emailInDomains, isFreeMailDomain } from "./validate.js";
import { schedule } from "./timers.js";

/** Registration requests, vetting and suspension (docs/contract.md §1). */

export interface Registration {
  org: string;
  role: "liaison" | "investigator";
  email: string;
}

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);

export interface RegistrationRequest {
  member: MemberView;
  /** The request's number: what coordinators are shown, and what /liaison vet pins. */
  request: number;
}

/**
 * Files a registration request. Registering again (another organisation, role or address)
 * replaces the pending request with a new one: coordinators are told afresh, and a vetting
 * of the old request is refused. One official address belongs to one member.
 */
export async function register(tx: Tx, caller: Caller, input: Registration, now: Date): Promise<RegistrationRequest> {
  if (caller.standing === "vetted") {
    const m = caller.member!;
    throw new UserError(
      "conflict",
      `you are already vetted as ${m.role}${m.org ? ` of ${m.org.code}` : ""}; to change organisation or role, ask a coordinator`,
    );
  }
  if (caller.standing === "suspended") {
    throw new UserError("forbidden", "your access is suspended; contact a coordinator", { denial: {} });
  }
  const org = await findOrgToRegister(tx, input.org, input.email);
  const expectedRole: Role = org.kind === "AGENCY" ? "liaison" : "investigator";
  if (input.role !== expectedRole) {
    throw UserError.about(
      "role",
      "invalid_option",
      `role: ${org.code} is ${org.kind === "AGENCY" ? "an agency" : "an exchange"}, so its people register as ${expectedRole}`,
    );
  }
  const domain = input.email.slice(input.email.lastIndexOf("@") + 1);
  if (isFreeMailDomain(domain)) {
    throw UserError.about(
      "email",
      "invalid_option",
      `email: ${domain} is a free-mail provider; register with your official ${org.code} address (${org.domains.join(", ")})`,
    );
  }
  if (!emailInDomains(input.email, org.domains)) {
    throw UserError.about(
      "email",
      "invalid_option",
      `email: ${input.email} is not a ${org.code} address; use an address at ${org.domains.join(" or ")}`,
    );
  }
  // Two registrations of one address at once queue here (SQLite transactions already do).
  if (tx.sql.dialect === "postgresql") await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`email:${input.email}`}))`;
  // One address, one member — bob+other@ is bob@ to a mail server.
  const mailbox = canonicalMailbox(input.email);
  const domainRows = await tx.member.findMany({
    where: { email: { endsWith: `@${domain}` }, status: { in: ["pending", "vetted", "suspended"] }, ...(caller.member ? { NOT: { id: caller.member.id } } : {}) },
    select: { email: true },
  });
  const taken = domainRows.some((r) => r.email !== null && canonicalMailbox(r.email) === mailbox);
  if (taken) {
    throw UserError.about(
      "email",
      "conflict",
      `email: ${input.email} already belongs to another member of Liaison; if it is yours, link this account to it with /liaison link`,
    );
  }
  const member = await ensureMember(tx, caller, now);
  await tx.registration.updateMany({ where: { memberId: member.id, state: "pending" }, data: { state: "replaced", decidedAt: now } });
  const request = await tx.registration.create({
    data: { memberId: member.id, orgId: org.id, role: input.role, email: input.email, requestedAt: now, state: "pending" },
  });
  await tx.member.update({
    where: { id: member.id },
    data: {
      orgId: org.id,
      role: input.role,
      email: input.email,
      status: "pending",
      requestedAt: now,
      updatedAt: now,
    },
  });
  await recordAudit(tx, {
    at: now,
    actorId: member.id,
    account: accountKey(caller.account),
    action: "member.registered",
    target: `member:${member.id}`,
    detail: { org: org.code, role: input.role, request: request.id },
  });
  return { member: await loadMember(tx, member.id), request: request.id };
}

/** An address as its mailbox: lower-case, without a `+tag`. */
export function canonicalMailbox(email: string): string {
  const at = email.lastIndexOf("@");
  return `${email.slice(0, at).split("+")[0]}${email.slice(at)}`.toLowerCase();
}

export interface VetOptions {
  validityMs: number;
  /** Promote to coordinator. */
  role?: "coordinator" | undefined;
  /** The request the coordinator checked (its number from the notice). */
  request?: number | undefined;
}

export interface Vetting {
  member: MemberView;
  /** The request it granted, if it was one. */
  request: number | null;
}

const describeRequest = (r: { id: number; role: string; email: string }, orgCode: string) => `request #${r.id}: ${r.role} of ${orgCode} as ${r.email}`;

export async function vet(tx: Tx, actor: Caller, target: MemberView, options: VetOptions, now: Date): Promise<Vetting> {
  if (target.id === actor.member?.id) throw new UserError("forbidden", "you cannot vet yourself; another coordinator must", { denial: {} });
  // A registration racing this vetting waits (or is waited for): what is read next is current.
  await tx.sql.run(lockMember, { id: target.id });
  const pending = await tx.registration.findFirst({ where: { memberId: target.id, state: "pending" }, orderBy: { id: "desc" }, include: { org: true } });
  if (pending) {
    const current = describeRequest(pending, pending.org.code);
    const how = `check it, then /liaison vet @${target.name} request:${pending.id}`;
    if (options.request !== undefined && options.request !== pending.id) {
      throw UserError.about("request", "conflict", `request: #${options.request} is not ${target.name}'s current request; they registered again (${current}); ${how}`);
    }
    if (options.request === undefined) {
      // Registered more than once since they were last vetted: say which request is meant.
      const lastDecision = target.vettedAt ?? new Date(0);
      const replaced = await tx.registration.count({ where: { memberId: target.id, state: "replaced", requestedAt: { gte: lastDecision } } });
      if (replaced > 0) throw new UserError("conflict", `${target.name} changed their registration since the coordinators were told; it is now ${current}; ${how}`);
    }
  } else if (options.request !== undefined) {
    throw UserError.about("request", "not_found", `request: ${target.name} has no pending request #${options.request}`);
  }
  const role = options.role ?? target.role;
  if (!role || (role !== "coordinator" && !target.org)) {
    throw new UserError(
      "invalid_state",
      `${target.name} has not asked to register; they must run /liaison register org:<code> role:<liaison|investigator> email:<address> first`,
    );
  }
  const until = new Date(now.getTime() + options.validityMs);
  if (pending) {
    // Exactly the request that was checked: its state changes only if it is still the pending one.
    const granted = await tx.registration.updateMany({ where: { id: pending.id, state: "pending" }, data: { state: "vetted", decidedAt: now, decidedById: actor.member!.id } });
    if (granted.count !== 1) throw new UserError("conflict", `${target.name}'s request #${pending.id} changed while it was being vetted; run /liaison vet again`);
  }
  await tx.member.update({
    where: { id: target.id },
    data: {
      ...(pending ? { orgId: pending.orgId, role: options.role ?? pending.role, email: pending.email } : { role }),
      status: "vetted",
      vettedAt: now,
      vettedUntil: until,
      vettedById: actor.member!.id,
      suspendedAt: null,
      suspendedReason: null,
      updatedAt: now,
    },
  });
  await recordAudit(tx, {
    at: now,
    actorId: actor.member!.id,
    account: accountKey(actor.account),
    action: "member.vetted",
    target: `member:${target.id}`,
    detail: { role: options.role ?? pending?.role ?? role, org: pending?.org.code ?? target.org?.code ?? null, until: dateOnly(until), previously: standingOf(target, now), request: pending?.id ?? null },
  });
  await scheduleVettingNotice(tx, now, target.id, until);
  return { member: await loadMember(tx, target.id), request: pending?.id ?? null };
}

export async function suspend(tx: Tx, actor: Caller, target: MemberView, reason: string, now: Date): Promise<MemberView> {
  if (target.id === actor.member?.id) throw new UserError("forbidden", "you cannot suspend yourself", { denial: {} });
  if (target.status === "suspended") throw new UserError("invalid_state", `${target.name} is already suspended`);
  await tx.member.update({
    where: { id: target.id },
    data: { status: "suspended", suspendedAt: now, suspendedReason: reason, updatedAt: now },
  });
  await recordAudit(tx, {
    at: now,
    actorId: actor.member!.id,
    account: accountKey(actor.account),
    action: "member.suspended",
    target: `member:${target.id}`,
    // The reason is the coordinator's own words about a person, not case content.
    detail: { reason },
  });
  return loadMember(tx, target.id);
}

/** Why someone who is not vetted cannot go further, and what to do about it. */
export function standingMessage(caller: Caller): string {
  const m = caller.member;
  switch (caller.standing) {
    case "unregistered":
      return "you are not registered with Liaison. Start with: /liaison register org:<your organisation's code> role:<liaison|investigator> email:<official address> (a coordinator can tell you the code; /liaison help register explains)";
    case "pending":
      return `your registration (${m!.role} of ${m!.org?.code ?? "?"}) is waiting for a coordinator to vet it; until then you can use /liaison whoami and /ppp help`;
    case "suspended":
      return `your access is suspended${m!.suspendedReason ? ` (${m!.suspendedReason})` : ""}; contact a coordinator`;
    case "expired":
      return `your vetting expired on ${dateOnly(m!.vettedUntil!)}; ask a coordinator to vet you again`;
    case "vetted":
      return "you are vetted";
  }
}

/** Members are reminded 14 days before their vetting expires (docs/contract.md §1). */
export const VETTING_NOTICE_BEFORE_MS = 14 * 86_400_000;

export async function scheduleVettingNotice(tx: Tx, now: Date, memberId: number, until: Date): Promise<void> {
  const due = new Date(until.getTime() - VETTING_NOTICE_BEFORE_MS);
  if (due.getTime() <= now.getTime()) return;
  await schedule(tx, now, {
    kind: "vetting_expiry",
    key: `member:${memberId}:vetting:${until.getTime()}`,
    dueAt: due,
    memberId,
    payload: { until: until.toISOString() },
  });
}
