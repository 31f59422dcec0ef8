import type { Organisation } from "../rows.js";
import { statement, toInt, type Dialect } from "../sql.js";

/** Organisations by code. */

/** An organisation's official domains, comma-joined in the order given (`alias` names the organisation row). */
export function orgDomains(d: Dialect, alias: string): string {
  return d === "sqlite"
    ? `COALESCE((SELECT group_concat(x.domain, ',') FROM (SELECT domain FROM "organisation_domain" WHERE org_id = ${alias}.id ORDER BY position) x), '')`
    : `(SELECT COALESCE(string_agg(x.domain, ',' ORDER BY x.position), '') FROM "organisation_domain" x WHERE x.org_id = ${alias}.id)`;
}

export function readOrg(r: Record<string, unknown>): Organisation {
  return {
    id: toInt(r.id),
    code: String(r.code),
    kind: r.kind as Organisation["kind"],
    name: String(r.name),
    jurisdiction: String(r.jurisdiction),
    timeZone: String(r.time_zone),
    domains: String(r.domains).split(",").filter(Boolean),
  };
}

const byCode = (d: Dialect) => `SELECT o.id, o.code, o.kind, o.name, o.jurisdiction, o.time_zone, ${orgDomains(d, "o")} AS domains FROM "organisation" o WHERE o.code = @code`;

export const orgByCode = statement<{ code: string }, Organisation>("org_by_code", { sqlite: byCode("sqlite"), postgresql: byCode("postgresql") }, readOrg);
