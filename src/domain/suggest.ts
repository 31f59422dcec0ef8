import type { Tx } from "../db/database.js";
import { visibleWhere } from "./cases/queries.js";
import type { Caller } from "./members.js";

/**
 * Autocomplete (Discord): case references the caller may see, organisation codes, an
 * organisation's rotation layers. Only for
 * the vetted; suggestions never reveal a case the caller could not open.
 */
export type SuggestionKind = "ref" | "org" | "exchange" | "agency" | "layer";

export async function suggest(tx: Tx, caller: Caller, kind: SuggestionKind, typed: string, context: { org?: string } = {}, limit = 25): Promise<string[]> {
  if (caller.standing !== "vetted") return [];
  if (kind === "layer") {
    // The layers of the organisation named in the command so far (none named: none suggested).
    const code = context.org?.trim().toUpperCase();
    if (!code) return [];
    const rows = await tx.rotationLayer.findMany({
      where: { org: { code }, ...(typed.trim() ? { name: { startsWith: typed.trim() } } : {}) },
      select: { name: true },
      orderBy: { name: "asc" },
      take: limit,
    });
    return rows.map((r) => r.name);
  }
  const prefix = typed.trim().toUpperCase();
  if (kind === "ref") {
    const rows = await tx.case.findMany({
      where: { AND: [visibleWhere(caller), prefix ? { ref: { contains: prefix } } : {}] },
      select: { ref: true, status: true },
      orderBy: { id: "desc" },
      take: limit * 2,
    });
    const active = rows.filter((r) => r.status !== "CLOSED");
    return [...active, ...rows.filter((r) => r.status === "CLOSED")].slice(0, limit).map((r) => r.ref);
  }
  const orgKind = kind === "exchange" ? "EXCHANGE" : kind === "agency" ? "AGENCY" : undefined;
  const rows = await tx.organisation.findMany({
    where: { ...(orgKind ? { kind: orgKind } : {}), ...(prefix ? { code: { startsWith: prefix } } : {}) },
    select: { code: true },
    orderBy: { code: "asc" },
    take: limit,
  });
  return rows.map((r) => r.code);
}
