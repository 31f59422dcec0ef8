import type { AccountPlatform, MemberStatus, MemberView, OrgKind, Role } from "../rows.js";
import { statement, toDateOrNull, toInt, toJson, toStrOrNull, type Dialect } from "../sql.js";

/**
 * People: a member with their organisation and platform accounts, in one statement, by
 * account (who is calling), by id, and the vetted coordinators.
 */

const ACCOUNTS: Record<Dialect, string> = {
  sqlite: `(SELECT json_group_array(json_array(x.platform, x.external_id, x.handle)) FROM (SELECT platform, external_id, handle FROM "account" WHERE member_id = m.id ORDER BY id) x)`,
  postgresql: `(SELECT COALESCE(json_agg(json_build_array(x.platform, x.external_id, x.handle) ORDER BY x.id), '[]'::json) FROM "account" x WHERE x.member_id = m.id)`,
};

/** The columns `readMember` reads, for a member `m` and their organisation `o`. */
export const memberColumns = (d: Dialect) => `m.id, m.name, m.role, m.status, m.email, m.vetted_at, m.vetted_until, m.suspended_reason,
  o.id AS org_id, o.code AS org_code, o.kind AS org_kind, o.name AS org_name, o.time_zone AS org_tz, ${ACCOUNTS[d]} AS accounts`;

export function readMember(r: Record<string, unknown>): MemberView {
  return {
    id: toInt(r.id),
    name: String(r.name),
    role: (r.role ?? null) as Role | null,
    status: r.status as MemberStatus,
    email: toStrOrNull(r.email),
    org: r.org_id === null || r.org_id === undefined ? null : { id: toInt(r.org_id), code: String(r.org_code), kind: r.org_kind as OrgKind, name: String(r.org_name), timeZone: String(r.org_tz) },
    vettedAt: toDateOrNull(r.vetted_at),
    vettedUntil: toDateOrNull(r.vetted_until),
    suspendedReason: toStrOrNull(r.suspended_reason),
    accounts: toJson<[AccountPlatform, string, string][]>(r.accounts).map(([platform, externalId, handle]) => ({ platform, externalId, handle })),
  };
}

export interface CallerRow {
  member: MemberView;
  accountId: number;
  handle: string;
}

/** Who is calling: the member behind a platform account, with that account's stored handle. */
export const memberByAccount = statement<{ platform: string; externalId: string }, CallerRow>(
  "member_by_account",
  {
    sqlite: `SELECT ${memberColumns("sqlite")}, a.id AS account_id, a.handle AS account_handle
      FROM "account" a JOIN "member" m ON m.id = a.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE a.platform = @platform AND a.external_id = @externalId`,
    postgresql: `SELECT ${memberColumns("postgresql")}, a.id AS account_id, a.handle AS account_handle
      FROM "account" a JOIN "member" m ON m.id = a.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE a.platform = @platform AND a.external_id = @externalId`,
  },
  (r) => ({ member: readMember(r), accountId: toInt(r.account_id), handle: String(r.account_handle) }),
);

export const membersById = statement<{ ids: number[] }, MemberView>(
  "members_by_id",
  {
    sqlite: `SELECT ${memberColumns("sqlite")} FROM "member" m LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE m.id IN (SELECT value FROM json_each(@ids)) ORDER BY m.id`,
    postgresql: `SELECT ${memberColumns("postgresql")} FROM "member" m LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE m.id = ANY(@ids::int[]) ORDER BY m.id`,
  },
  readMember,
);

/** Vetted coordinators, in a stable order (expiry is checked by the caller, who knows the time). */
export const coordinatorMembers = statement<Record<string, never>, MemberView>(
  "coordinator_members",
  {
    sqlite: `SELECT ${memberColumns("sqlite")} FROM "member" m LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE m.role = 'coordinator' AND m.status = 'vetted' ORDER BY m.id`,
    postgresql: `SELECT ${memberColumns("postgresql")} FROM "member" m LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE m.role = 'coordinator' AND m.status = 'vetted' ORDER BY m.id`,
  },
  readMember,
);

/** The on-call rotation and lead lists of several organisations, each member with their position. */
export const rosterMembers = statement<{ orgIds: number[] }, { orgId: number; kind: string; member: MemberView }>(
  "roster_members",
  {
    sqlite: `SELECT r.org_id AS roster_org, r.kind AS roster_kind, ${memberColumns("sqlite")}
      FROM "roster_entry" r JOIN "member" m ON m.id = r.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE r.org_id IN (SELECT value FROM json_each(@orgIds)) ORDER BY r.org_id, r.kind, r.position`,
    postgresql: `SELECT r.org_id AS roster_org, r.kind AS roster_kind, ${memberColumns("postgresql")}
      FROM "roster_entry" r JOIN "member" m ON m.id = r.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE r.org_id = ANY(@orgIds::int[]) ORDER BY r.org_id, r.kind, r.position`,
  },
  (r) => ({ orgId: toInt(r.roster_org), kind: String(r.roster_kind), member: readMember(r) }),
);

export const updateAccountHandle = statement<{ id: number; handle: string }>(
  "update_account_handle",
  `UPDATE "account" SET handle = @handle WHERE id = @id`,
);

export const renameMember = statement<{ id: number; name: string; now: Date }>(
  "rename_member",
  `UPDATE "member" SET name = @name, updated_at = @now WHERE id = @id`,
);

/** Takes a member row's write lock for the rest of the transaction (SQLite: the transaction holds the database's). */
export const lockMember = statement<{ id: number }>("lock_member", {
  sqlite: `SELECT id FROM "member" WHERE id = @id`,
  postgresql: `SELECT id FROM "member" WHERE id = @id FOR UPDATE`,
});
