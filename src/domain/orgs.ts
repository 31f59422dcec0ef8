import { quote, truncate } from "../model/text.js";
import type { Tx } from "../db/database.js";
import { orgByCode } from "../db/sql/orgs.js";
import { UserError } from "../model/errors.js";
import { recordAudit } from "./audit.js";
import { accountKey, memberInclude, standingOf, toMemberView, type Caller, type MemberView, type OrgKind } from "./members.js";
import { emailInDomains, isFreeMailDomain } from "./validate.js";
import { closest } from "../model/closest.js";

/** Organisations (agencies and exchanges), their domains, on-call rotations and leads. */

export interface Organisation {
  id: number;
  code: string;
  kind: OrgKind;
  name: string;
  jurisdiction: string;
  timeZone: string;
  domains: string[];
}

/** "lead": the level-2 contacts kept as a roster; on-call is rotation layers (oncall.ts). */
export type RosterKind = "oncall" | "lead";

type OrgRow = { id: number; code: string; kind: string; name: string; jurisdiction: string; timeZone: string; domains: { domain: string }[] };

/** What an organisation read through Prisma includes: its domains, in order. */
export const orgInclude = { domains: { orderBy: { position: "asc" } } } as const;

export function toOrganisation(row: OrgRow): Organisation {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind as OrgKind,
    name: row.name,
    jurisdiction: row.jurisdiction,
    timeZone: row.timeZone,
    domains: row.domains.map((d) => d.domain),
  };
}

const domainRows = (domains: readonly string[]) => unique(domains).map((domain, position) => ({ domain, position }));

export async function findOrg(tx: Tx, code: string): Promise<Organisation> {
  const org = await tx.sql.one(orgByCode, { code: code.toUpperCase() });
  if (!org) {
    const guess = closest(code, (await listOrgs(tx)).map((o) => o.code));
    throw new UserError("not_found", `unknown organisation ${quote(code)}${guess ? ` — did you mean ${guess}?` : ""} (see /ppp org list)`);
  }
  return org;
}

/**
 * The organisation someone registering names. They cannot list organisations yet, so an
 * unknown code is answered with what gets them unstuck: the organisation their official
 * address belongs to, or whom to ask. Never a close code: guesses would let anyone with
 * an account list the partnership's members a letter at a time.
 */
export async function findOrgToRegister(tx: Tx, code: string, email: string): Promise<Organisation> {
  const org = await tx.sql.one(orgByCode, { code: code.toUpperCase() });
  if (org) return org;
  const byAddress = (await listOrgs(tx)).find((o) => emailInDomains(email, o.domains));
  const hint = byAddress
    ? `your address belongs to ${byAddress.code}: /liaison register org:${byAddress.code} role:${byAddress.kind === "AGENCY" ? "liaison" : "investigator"} email:${truncate(email, 60)}`
    : "ask your organisation's Liaison contact or a coordinator for its code, or to add your organisation if it is not in Liaison yet";
  throw UserError.about("org", "not_found", `unknown organisation ${quote(code)} — ${hint}`);
}

export async function listOrgs(tx: Tx): Promise<Organisation[]> {
  const rows = await tx.organisation.findMany({ orderBy: { code: "asc" }, include: orgInclude });
  return rows.map(toOrganisation);
}

function checkDomains(domains: readonly string[]) {
  const free = domains.filter(isFreeMailDomain);
  if (free.length > 0) {
    throw UserError.about(
      "domains",
      "invalid_option",
      `domains: ${free.join(", ")} ${free.length === 1 ? "is a free-mail domain" : "are free-mail domains"}; an organisation's people must use its official domains`,
    );
  }
}

const unique = (values: readonly string[]) => [...new Set(values)];

export interface NewOrganisation {
  code: string;
  kind: "agency" | "exchange";
  name: string;
  jurisdiction: string;
  domains: string[];
  timeZone: string;
}

export async function addOrg(tx: Tx, actor: Caller, input: NewOrganisation, now: Date): Promise<Organisation> {
  checkDomains(input.domains);
  const existing = await tx.organisation.findUnique({ where: { code: input.code } });
  if (existing) throw new UserError("conflict", `organisation ${input.code} already exists (use /ppp org edit ${input.code} to change it)`);
  const row = await tx.organisation.create({
    data: {
      code: input.code,
      kind: input.kind.toUpperCase(),
      name: input.name,
      jurisdiction: input.jurisdiction,
      timeZone: input.timeZone,
      domains: { create: domainRows(input.domains) },
      createdAt: now,
      updatedAt: now,
    },
    include: orgInclude,
  });
  await recordAudit(tx, {
    at: now,
    actorId: actor.member?.id ?? null,
    account: accountKey(actor.account),
    action: "org.added",
    target: `org:${row.code}`,
    detail: { kind: row.kind, jurisdiction: row.jurisdiction, domains: unique(input.domains).join(",") },
  });
  return toOrganisation(row);
}

export interface OrganisationChanges {
  name?: string | undefined;
  jurisdiction?: string | undefined;
  domains?: string[] | undefined;
  timeZone?: string | undefined;
}

export async function editOrg(tx: Tx, actor: Caller, code: string, changes: OrganisationChanges, now: Date): Promise<Organisation> {
  const org = await findOrg(tx, code);
  if (Object.values(changes).every((v) => v === undefined)) {
    throw new UserError("missing_option", "nothing to change: give at least one of name:, jurisdiction:, domains:, tz:");
  }
  if (changes.domains) checkDomains(changes.domains);
  const row = await tx.organisation.update({
    where: { id: org.id },
    data: {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.jurisdiction !== undefined && { jurisdiction: changes.jurisdiction }),
      ...(changes.domains !== undefined && { domains: { deleteMany: {}, create: domainRows(changes.domains) } }),
      ...(changes.timeZone !== undefined && { timeZone: changes.timeZone }),
      updatedAt: now,
    },
    include: orgInclude,
  });
  await recordAudit(tx, {
    at: now,
    actorId: actor.member?.id ?? null,
    account: accountKey(actor.account),
    action: "org.edited",
    target: `org:${row.code}`,
    detail: { changed: Object.keys(changes).filter((k) => changes[k as keyof OrganisationChanges] !== undefined) },
  });
  return toOrganisation(row);
}

export async function getRoster(tx: Tx, orgId: number, kind: RosterKind): Promise<MemberView[]> {
  const rows = await tx.rosterEntry.findMany({
    where: { orgId, kind },
    orderBy: { position: "asc" },
    include: { member: { include: memberInclude } },
  });
  return rows.map((r) => toMemberView(r.member));
}

/** Replaces an exchange's lead list. */
export async function setRoster(
  tx: Tx,
  actor: Caller,
  org: Organisation,
  kind: "lead",
  people: MemberView[],
  now: Date,
): Promise<MemberView[]> {
  if (org.kind !== "EXCHANGE") {
    throw new UserError("invalid_option", `${org.code} is an agency; leads belong to exchanges`);
  }
  const ids = unique(people.map((p) => String(p.id))).map(Number);
  for (const person of people) {
    if (person.org?.id !== org.id || person.role !== "investigator") {
      throw new UserError("invalid_option", `${person.name} is not an investigator of ${org.code}`);
    }
    const standing = standingOf(person, now);
    if (standing !== "vetted") throw new UserError("invalid_option", `${person.name} is not vetted (${standing})`);
  }
  await tx.rosterEntry.deleteMany({ where: { orgId: org.id, kind } });
  if (ids.length > 0) {
    await tx.rosterEntry.createMany({ data: ids.map((memberId, position) => ({ orgId: org.id, kind, memberId, position })) });
  }
  await recordAudit(tx, {
    at: now,
    actorId: actor.member?.id ?? null,
    account: accountKey(actor.account),
    action: "org.leads_set",
    target: `org:${org.code}`,
    detail: { members: ids },
  });
  return getRoster(tx, org.id, kind);
}
