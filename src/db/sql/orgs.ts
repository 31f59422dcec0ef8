import type { Organisation } from "../rows.js";
import { statement, toInt } from "../sql.js";

/** Organisations by code. */

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

export const orgByCode = statement<{ code: string }, Organisation>(
  "org_by_code",
  `SELECT id, code, kind, name, jurisdiction, time_zone, domains FROM "organisation" WHERE code = @code`,
  readOrg,
);
