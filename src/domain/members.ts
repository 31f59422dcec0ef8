import type { AccountRef, Platform } from "../model/platform.js";
import type { Tx } from "../db/database.js";
import type { AccountView, MemberView, OrgKind, Role } from "../db/rows.js";
import { coordinatorMembers, memberByAccount, membersById, renameMember, updateAccountHandle } from "../db/sql/members.js";
import { UserError } from "../model/errors.js";
import type { PersonRef } from "../model/message.js";
import { recordAudit } from "./audit.js";

/** People, their platform accounts, and where they stand (docs/contract.md §1). */

export type { AccountView, MemberView, OrgKind, Role } from "../db/rows.js";
export type Standing = "unregistered" | "pending" | "vetted" | "suspended" | "expired";

export interface Caller {
  account: AccountView;
  member: MemberView | null;
  standing: Standing;
}

export const memberInclude = { org: true, accounts: { orderBy: { id: "asc" } } } as const;

type MemberRow = NonNullable<Awaited<ReturnType<Tx["member"]["findUnique"]>>> & {
  org: { id: number; code: string; kind: string; name: string; timeZone: string } | null;
  accounts: { platform: string; externalId: string; handle: string }[];
};

export function toMemberView(row: MemberRow): MemberView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role | null,
    status: row.status as MemberView["status"],
    email: row.email,
    org: row.org
      ? { id: row.org.id, code: row.org.code, kind: row.org.kind as OrgKind, name: row.org.name, timeZone: row.org.timeZone }
      : null,
    vettedAt: row.vettedAt,
    vettedUntil: row.vettedUntil,
    suspendedReason: row.suspendedReason,
    accounts: row.accounts.map((a) => ({ platform: a.platform as Platform, externalId: a.externalId, handle: a.handle })),
  };
}

export function standingOf(member: MemberView | null, now: Date): Standing {
  if (!member || member.status === "unregistered") return "unregistered";
  if (member.status === "pending") return "pending";
  if (member.status === "suspended") return "suspended";
  if (member.vettedUntil && member.vettedUntil.getTime() <= now.getTime()) return "expired";
  return "vetted";
}

export const isCoordinator = (c: Caller) => c.standing === "vetted" && c.member?.role === "coordinator";

export const accountKey = (a: AccountRef) => `${a.platform}:${a.externalId}`;

export function parseAccountKey(key: string): AccountRef {
  const i = key.indexOf(":");
  return { platform: key.slice(0, i) as Platform, externalId: key.slice(i + 1) };
}

export function personRef(member: MemberView): PersonRef {
  const accounts: PersonRef["accounts"] = {};
  for (const a of member.accounts) accounts[a.platform] ??= a.externalId;
  return { memberId: member.id, name: member.name, accounts };
}

/** How a member is shown in lists: `bob (investigator, EXA)`. */
export function describeMember(m: MemberView): string {
  const parts = [m.role, m.org?.code].filter(Boolean).join(", ");
  return parts ? `${m.name} (${parts})` : m.name;
}

export async function findMemberByAccount(tx: Tx, ref: AccountRef): Promise<MemberView | null> {
  return (await tx.sql.one(memberByAccount, { platform: ref.platform, externalId: ref.externalId }))?.member ?? null;
}

export async function loadMember(tx: Tx, id: number): Promise<MemberView> {
  const member = await tx.sql.one(membersById, { ids: [id] });
  if (!member) throw new Error(`member ${id} does not exist`);
  return member;
}

export async function loadMembers(tx: Tx, ids: Iterable<number>): Promise<Map<number, MemberView>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map((await tx.sql.all(membersById, { ids: unique })).map((m) => [m.id, m]));
}

/** The caller as the dispatcher sees them (one statement); keeps the account's display handle current. */
export async function loadCaller(tx: Tx, account: AccountView, now: Date): Promise<Caller> {
  const row = await tx.sql.one(memberByAccount, { platform: account.platform, externalId: account.externalId });
  if (row && row.handle !== account.handle && account.handle !== "") {
    await tx.sql.run(updateAccountHandle, { id: row.accountId, handle: account.handle });
    // Accounts created from configuration are named by their id until the person shows up.
    if (row.member.name === account.externalId) {
      await tx.sql.run(renameMember, { id: row.member.id, name: account.handle, now });
      row.member.name = account.handle;
    }
    const mine = row.member.accounts.find((a) => a.platform === account.platform && a.externalId === account.externalId);
    if (mine) mine.handle = account.handle;
  }
  const member = row?.member ?? null;
  return { account, member, standing: standingOf(member, now) };
}

/** The member behind a mention; people must have used Liaison once to be named. */
export async function resolvePerson(tx: Tx, key: string): Promise<MemberView> {
  const ref = parseAccountKey(key);
  const member = await findMemberByAccount(tx, ref);
  if (!member || member.status === "unregistered") {
    const shown = ref.platform === "console" ? `@${ref.externalId}` : key;
    throw new UserError("not_found", `${shown} is not registered with Liaison (they can start with /liaison register)`);
  }
  return member;
}

/** Several people by mention, in the order given; the first unknown one is refused. */
export async function resolvePeople(tx: Tx, keys: readonly string[]): Promise<MemberView[]> {
  const out: MemberView[] = [];
  for (const key of keys) out.push(await resolvePerson(tx, key));
  return out;
}

/** The caller's member row, created on first need (registration, linking). */
export async function ensureMember(tx: Tx, caller: Caller, now: Date): Promise<MemberView> {
  if (caller.member) return caller.member;
  const created = await tx.member.create({
    data: {
      name: caller.account.handle || caller.account.externalId,
      status: "unregistered",
      createdAt: now,
      updatedAt: now,
      accounts: {
        create: {
          platform: caller.account.platform,
          externalId: caller.account.externalId,
          handle: caller.account.handle || caller.account.externalId,
          createdAt: now,
        },
      },
    },
    include: memberInclude,
  });
  return toMemberView(created);
}

/**
 * Makes each configured account a vetted coordinator with no expiry — once. A coordinator made
 * this way is left alone at later starts: suspending one lasts across restarts, and only
 * another coordinator reinstates them (with /liaison vet).
 */
export async function ensureBootstrapCoordinators(tx: Tx, refs: readonly AccountRef[], now: Date): Promise<number[]> {
  const ids: number[] = [];
  for (const ref of refs) {
    const existing = await findMemberByAccount(tx, ref);
    const member =
      existing ??
      (await ensureMember(tx, { account: { ...ref, handle: ref.externalId }, member: null, standing: "unregistered" }, now));
    ids.push(member.id);
    const row = await tx.member.findUniqueOrThrow({ where: { id: member.id }, select: { bootstrappedAt: true } });
    if (row.bootstrappedAt !== null) continue;
    await tx.member.update({
      where: { id: member.id },
      data: {
        role: "coordinator",
        status: "vetted",
        vettedAt: now,
        vettedUntil: null,
        vettedById: null,
        suspendedAt: null,
        suspendedReason: null,
        bootstrappedAt: now,
        updatedAt: now,
      },
    });
    await recordAudit(tx, {
      at: now,
      actorId: null,
      account: "config:LIAISON_BOOTSTRAP_ADMINS",
      action: "member.bootstrap_coordinator",
      target: `member:${member.id}`,
      detail: { account: accountKey(ref) },
    });
  }
  return ids;
}

/** Vetted coordinators, in a stable order. */
export async function coordinators(tx: Tx, now: Date): Promise<MemberView[]> {
  return (await tx.sql.all(coordinatorMembers, {})).filter((m) => standingOf(m, now) === "vetted");
}
