import type { AccountPlatform, MemberView, Organisation } from "../rows.js";
import { statement, toInt, toJson, type Dialect } from "../sql.js";
import { memberColumns, readMember } from "./members.js";
import { orgDomains } from "./orgs.js";

/**
 * What deciding a case change may need besides the case itself, each in one statement for a
 * whole batch: the channels bound to its organisations, an agency's liaisons (who may
 * confirm an emergency).
 */

export interface BindingRow {
  id: number;
  platform: AccountPlatform;
  channelId: string;
  channelName: string;
  digestCron: string;
  timeZone: string;
  orgs: Organisation[];
}

const ORGS: Record<Dialect, string> = {
  sqlite: `(SELECT json_group_array(json_array(o.id, o.code, o.kind, o.name, o.jurisdiction, o.time_zone, ${orgDomains("sqlite", "o")}))
     FROM (SELECT o.* FROM "binding_org" bo JOIN "organisation" o ON o.id = bo.org_id WHERE bo.binding_id = b.id ORDER BY o.code) o)`,
  postgresql: `(SELECT COALESCE(json_agg(json_build_array(o.id, o.code, o.kind, o.name, o.jurisdiction, o.time_zone, ${orgDomains("postgresql", "o")}) ORDER BY o.code), '[]'::json)
     FROM "binding_org" bo JOIN "organisation" o ON o.id = bo.org_id WHERE bo.binding_id = b.id)`,
};

function readBinding(r: Record<string, unknown>): BindingRow {
  return {
    id: toInt(r.id),
    platform: r.platform as AccountPlatform,
    channelId: String(r.channel_id),
    channelName: String(r.channel_name),
    digestCron: String(r.digest_cron),
    timeZone: String(r.time_zone),
    orgs: toJson<[number, string, string, string, string, string, string][]>(r.orgs).map(([id, code, kind, name, jurisdiction, timeZone, domains]) => ({
      id: Number(id),
      code,
      kind: kind as Organisation["kind"],
      name,
      jurisdiction,
      timeZone,
      domains: domains.split(",").filter(Boolean),
    })),
  };
}

/** Every binding that includes one of these organisations, with all its organisations. */
export const bindingsOfOrgs = statement<{ orgIds: number[] }, BindingRow>(
  "bindings_of_orgs",
  {
    sqlite: `SELECT b.id, b.platform, b.channel_id, b.channel_name, b.digest_cron, b.time_zone, ${ORGS.sqlite} AS orgs FROM "binding" b
      WHERE b.id IN (SELECT binding_id FROM "binding_org" WHERE org_id IN (SELECT value FROM json_each(@orgIds))) ORDER BY b.id`,
    postgresql: `SELECT b.id, b.platform, b.channel_id, b.channel_name, b.digest_cron, b.time_zone, ${ORGS.postgresql} AS orgs FROM "binding" b
      WHERE b.id IN (SELECT binding_id FROM "binding_org" WHERE org_id = ANY(@orgIds::int[])) ORDER BY b.id`,
  },
  readBinding,
);

/** Vetted (by status) liaisons of these agencies. */
export const liaisonsOf = statement<{ orgIds: number[] }, MemberView>(
  "liaisons_of",
  {
    sqlite: `SELECT ${memberColumns("sqlite")} FROM "member" m JOIN "organisation" o ON o.id = m.org_id
      WHERE m.role = 'liaison' AND m.status = 'vetted' AND m.org_id IN (SELECT value FROM json_each(@orgIds)) ORDER BY m.id`,
    postgresql: `SELECT ${memberColumns("postgresql")} FROM "member" m JOIN "organisation" o ON o.id = m.org_id
      WHERE m.role = 'liaison' AND m.status = 'vetted' AND m.org_id = ANY(@orgIds::int[]) ORDER BY m.id`,
  },
  readMember,
);

/** Open cases of other agencies that name any of these subjects (deconfliction), by id. */
export const casesNaming = statement<{ values: string[]; agencyId: number }, { caseId: number }>(
  "cases_naming",
  {
    sqlite: `SELECT DISTINCT s.case_id FROM "case_subject" s JOIN "case" c ON c.id = s.case_id
      WHERE s.value IN (SELECT value FROM json_each(@values)) AND c.agency_id <> @agencyId AND c.status NOT IN ('RESOLVED', 'CLOSED') ORDER BY s.case_id`,
    postgresql: `SELECT DISTINCT s.case_id FROM "case_subject" s JOIN "case" c ON c.id = s.case_id
      WHERE s.value IN (SELECT json_array_elements_text(@values::json)) AND c.agency_id <> @agencyId AND c.status NOT IN ('RESOLVED', 'CLOSED') ORDER BY s.case_id`,
  },
  (r) => ({ caseId: toInt(r.case_id) }),
);

export type { MemberView };

/**
 * Deconfliction hits recorded in a period on cases a channel may see that were opened in that
 * period (the channel half of the audience rule, as digestWhere states it), counted in the
 * database — a busy channel's week can hold more cases than a statement may take parameters.
 */
export const digestLinkCount = statement<{ orgIds: number[]; tlps: string[]; from: Date; to: Date }, { n: number }>(
  "digest_link_count",
  {
    sqlite: `SELECT COUNT(*) AS n FROM "case_link" l JOIN "case" c ON c.id = l.case_id
      WHERE l.at >= @from AND l.at < @to AND c.created_at >= @from AND c.created_at < @to
        AND c.agency_id IN (SELECT value FROM json_each(@orgIds)) AND c.exchange_id IN (SELECT value FROM json_each(@orgIds))
        AND c.tlp IN (SELECT value FROM json_each(@tlps)) AND (c.type <> 'emergency' OR c.paged_at IS NOT NULL)`,
    postgresql: `SELECT COUNT(*) AS n FROM "case_link" l JOIN "case" c ON c.id = l.case_id
      WHERE l.at >= @from AND l.at < @to AND c.created_at >= @from AND c.created_at < @to
        AND c.agency_id = ANY(@orgIds::int[]) AND c.exchange_id = ANY(@orgIds::int[])
        AND c.tlp IN (SELECT json_array_elements_text(@tlps::json)) AND (c.type <> 'emergency' OR c.paged_at IS NOT NULL)`,
  },
  (r) => ({ n: Number(r.n) }),
);
