import type { Tx } from "../../db/database.js";
import { formatAge } from "../durations.js";
import { isCoordinator, type Caller } from "../members.js";
import type { Policy, Severity } from "../policy.js";
import { caseImpact, IMPACT_SELECT, impactOfRow, type ImpactRow } from "./impact.js";
import { requireVisible } from "./access.js";
import { formatTime, statusLabel } from "./card.js";
import { isActive, loadCase, loadCases, type CaseRecord, type WhoseMove } from "./model.js";

/** Reading cases: the list a caller may see, one case with its timeline. */

export type ListScope = "mine" | "open" | "breached" | "all" | "top";
/** impact: highest first (the default); age: oldest first; newest; deadline: soonest first. */
export const LIST_ORDERS = ["impact", "age", "newest", "deadline"] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];
/** `/case list top`: this many. */
export const TOP_LIMIT = 10;
/** Cases ranked for one list, at most (the newest, when there are more). */
const RANK_LIMIT = 5000;
const ACTIVE_STATUSES = ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "REOPENED"];
export const LIST_LIMIT = 50;

/**
 * The filter for cases a caller may see: the audience rule (audience.ts) as a query. A test
 * holds the two to the same answers for every kind of caller and case.
 */
export function visibleWhere(caller: Caller) {
  if (isCoordinator(caller)) return {};
  const m = caller.member;
  if (!m?.org || caller.standing !== "vetted") return { id: -1 };
  // TLP:RED: only the people named on the case (participants include handoff targets).
  const named = { OR: [{ tlp: { not: "red" } }, { participants: { some: { memberId: m.id } } }, { assigneeId: m.id }] };
  if (m.role === "liaison") return { agencyId: m.org.id, ...named };
  if (m.role === "investigator") {
    // An emergency does not exist for the exchange until it is confirmed (and paged).
    return { exchangeId: m.org.id, OR: [{ type: { not: "emergency" } }, { pagedAt: { not: null } }], AND: [named] };
  }
  return { id: -1 };
}

/** Whether the exchange missed (or is missing) the acknowledgement deadline. */
export function ackBreached(c: Pick<CaseRecord, "pagedAt" | "severity" | "ackAt" | "status">, policy: Policy, now: Date): boolean {
  if (!c.pagedAt) return false;
  const due = c.pagedAt.getTime() + policy.severities[c.severity].ack;
  return c.ackAt ? c.ackAt.getTime() > due : isActive(c) && now.getTime() > due;
}

/** What ranking needs of a case, read for every case in scope; the cases shown are then loaded whole. */
const RANK_SELECT = { id: true, ref: true, status: true, ackAt: true, createdAt: true, ...IMPACT_SELECT } as const;

type RankRow = ImpactRow & { id: number; ref: string; status: string; ackAt: Date | null; createdAt: Date };

function rankScore(r: RankRow, policy: Policy, now: Date): number {
  if (!isActive(r as { status: CaseRecord["status"] })) return -1;
  return impactOfRow(r, policy, now).score;
}

function ordered(rows: RankRow[], by: ListOrder, policy: Policy, now: Date): RankRow[] {
  const newest = (a: RankRow, b: RankRow) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id;
  switch (by) {
    case "impact": {
      const score = new Map(rows.map((r) => [r.id, rankScore(r, policy, now)]));
      return [...rows].sort((a, b) => score.get(b.id)! - score.get(a.id)! || newest(a, b));
    }
    case "age":
      return [...rows].sort((a, b) => -newest(a, b));
    case "newest":
      return [...rows].sort(newest);
    case "deadline":
      return [...rows].sort((a, b) => (a.deadline?.getTime() ?? Infinity) - (b.deadline?.getTime() ?? Infinity) || newest(a, b));
  }
}

/**
 * The cases of a scope the caller may see (visibleWhere), in the order asked for — by
 * impact unless told otherwise: every case in scope is ranked on a light read, then the
 * ones shown are loaded.
 */
export async function listCases(
  tx: Tx,
  caller: Caller,
  scope: ListScope,
  policy: Policy,
  now: Date,
  options: { result?: string | undefined; by?: ListOrder | undefined } = {},
): Promise<{ cases: CaseRecord[]; more: boolean }> {
  const visible = options.result ? { AND: [visibleWhere(caller), { result: options.result }] } : visibleWhere(caller);
  const me = caller.member?.id ?? -1;
  const scoped =
    scope === "mine"
      ? { AND: [visible, { OR: [{ assigneeId: me }, { openedById: me }, { participants: { some: { memberId: me } } }] }] }
      : scope === "all"
        ? visible
        : { AND: [visible, { status: { in: ACTIVE_STATUSES } }] };
  return rankCases(tx, scoped, policy, now, { limit: scope === "top" ? TOP_LIMIT : LIST_LIMIT, by: options.by ?? "impact", breached: scope === "breached" });
}

/**
 * The cases `where` selects, ordered (by impact unless told otherwise), the first `limit`
 * loaded whole. By impact, every open case in scope is ranked (the newest RANK_LIMIT, if
 * there are more), then the resolved and closed ones follow, newest first; the other
 * orders are the database's, so no case drops out of them.
 */
export async function rankCases(
  tx: Tx,
  where: object,
  policy: Policy,
  now: Date,
  o: { limit: number; by?: ListOrder; breached?: boolean },
): Promise<{ cases: CaseRecord[]; more: boolean }> {
  const by = o.by ?? "impact";
  const read = (extra: object, orderBy: object | object[], take: number): Promise<RankRow[]> =>
    tx.case.findMany({ where: { AND: [where, extra] }, select: RANK_SELECT, orderBy, take });
  let rows: RankRow[];
  if (o.breached) {
    // Only open cases can be breached now; the breach is decided here, then ordered.
    rows = (await read({ status: { in: ACTIVE_STATUSES } }, { id: "desc" }, RANK_LIMIT)).filter((r) =>
      ackBreached({ ...r, severity: r.severity as Severity, status: r.status as CaseRecord["status"] }, policy, now),
    );
    rows = ordered(rows, by, policy, now);
  } else if (by === "impact") {
    const open = await read({ status: { in: ACTIVE_STATUSES } }, { id: "desc" }, RANK_LIMIT);
    const rest = open.length > o.limit ? [] : await read({ status: { notIn: ACTIVE_STATUSES } }, { id: "desc" }, o.limit + 1);
    rows = [...ordered(open, "impact", policy, now), ...rest];
  } else if (by === "deadline") {
    const dated = await read({ deadline: { not: null } }, [{ deadline: "asc" }, { id: "desc" }], o.limit + 1);
    const undated = dated.length > o.limit ? [] : await read({ deadline: null }, { id: "desc" }, o.limit + 1);
    rows = [...dated, ...undated];
  } else {
    rows = await read({}, by === "age" ? [{ createdAt: "asc" }, { id: "asc" }] : [{ createdAt: "desc" }, { id: "desc" }], o.limit + 1);
  }
  const shown = rows.slice(0, o.limit);
  const byId = new Map((await loadCases(tx, shown.map((r) => r.id))).map((c) => [c.id, c]));
  return { cases: shown.map((r) => byId.get(r.id)!).filter(Boolean), more: rows.length > o.limit };
}

export function listLine(c: CaseRecord, now: Date, policy: Policy): string {
  const title = c.title.length > 60 ? `${c.title.slice(0, 57)}…` : c.title;
  const move = c.status === "CLOSED" ? [] : [c.whoseMove === "agency" ? "waiting on agency" : "waiting on exchange"];
  const impact = caseImpact(c, policy, now);
  const head = impact ? [c.ref, `impact ${impact.score} (${impact.reasons.join(" · ")})`, c.type] : [c.ref, `${c.severity} ${c.type}`];
  return [...head, statusLabel(c), ...move, `${formatAge(now.getTime() - c.createdAt.getTime())} old`, `TLP:${c.tlp.toUpperCase()}`, title].join(" · ");
}

/** A note's frozen / seized amounts, as the timeline shows them. */
function recoveredText(d: Record<string, unknown>): string {
  const list = (v: unknown) => (Array.isArray(v) ? (v as { amount?: unknown; asset?: unknown }[]).map((a) => `${String(a.amount)} ${String(a.asset)}`) : []);
  const parts = [...list(d.frozen).map((a) => `${a} frozen`), ...list(d.seized).map((a) => `${a} seized`)];
  return parts.length > 0 ? ` [${parts.join(", ")}]` : "";
}

export interface TimelineEntry {
  seq: number;
  at: Date;
  actor: { id: number; name: string } | null;
  type: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** Its content is not shown to this reader (it keeps its place and hashes in the chain). */
  withheld?: true;
  /** Its content was erased by retention (its hash and link stay). */
  erased?: true;
}

/** Event types of the agencies alone: kept from the exchange (older timelines recorded deconfliction). */
const AGENCY_ONLY = new Set(["deconfliction"]);

/** The timeline as one side may read it. */
export function timelineFor(entries: TimelineEntry[], side: string): TimelineEntry[] {
  if (side !== "exchange") return entries;
  return entries.map((e) => (AGENCY_ONLY.has(e.type) ? { ...e, type: "withheld", data: {}, withheld: true } : e));
}

export async function timeline(tx: Tx, c: CaseRecord): Promise<TimelineEntry[]> {
  const events = await tx.caseEvent.findMany({ where: { caseId: c.id }, orderBy: { seq: "asc" } });
  const ids = [...new Set(events.map((e) => e.actorId).filter((x): x is number => x !== null))];
  const people = new Map((await tx.member.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((m) => [m.id, m]));
  return events.map((e) => ({
    seq: e.seq,
    at: e.at,
    actor: e.actorId === null ? null : (people.get(e.actorId) ?? { id: e.actorId, name: `member ${e.actorId}` }),
    type: e.type,
    data: JSON.parse(e.data) as Record<string, unknown>,
    prevHash: e.prevHash,
    hash: e.hash,
    ...(e.erasedAt ? { erased: true as const } : {}),
  }));
}

/**
 * One human line per event, for /case show, the board and the Markdown export. An event
 * whose data was changed into something unreadable is described as such, not a crash:
 * the chain's verification names it.
 */
export function describeEvent(e: TimelineEntry, names: Map<number, string>): string {
  try {
    return describeData(e, names);
  } catch {
    return `${e.type.replace(/_/g, " ")} (its data cannot be read)`;
  }
}

function describeData(e: TimelineEntry, names: Map<number, string>): string {
  if (e.erased) return `${e.type.replace(/_/g, " ")} (content erased)`;
  const d = e.data;
  const who = (id: unknown) => names.get(Number(id)) ?? `member ${String(id)}`;
  const list = (ids: unknown) => ((ids as number[]) ?? []).map(who).join(", ") || "nobody";
  switch (e.type) {
    case "opened":
      return `opened: ${String(d.severity)} ${String(d.type)}, TLP:${String(d.tlp).toUpperCase()}, ${String(d.agency)} → ${String(d.exchange)}, ${(d.subjects as unknown[]).length} subject(s)`;
    case "confirmation_requested":
      return `emergency confirmation requested from ${list(d.askedOf)}`;
    case "confirmed":
      return "confirmed the emergency";
    case "paged": {
      const layers = (d.layers as { layer: string; onCall: number[] }[] | undefined) ?? [];
      const onShift = layers.length ? ` (on call: ${layers.map((l) => `${l.layer} — ${list(l.onCall)}`).join("; ")})` : "";
      return `paged level ${String(d.level)}: ${list(d.paged)}${d.coverageGap ? " — coverage gap, nobody on call" : ""}${onShift}`;
    }
    case "shift_handoff":
      return `shift change: ${list(d.from)} off call, ${list(d.to)} on call${(d.newlyPaged as unknown[] | undefined)?.length ? `; paged ${list(d.newlyPaged)}` : ""}`;
    case "agency_reminded":
      return `reminded ${list(d.to)}: waiting on the agency for ${String(d.waitingFor)}`;
    case "reminder":
      return `reminder to ${list(d.paged)}`;
    case "escalated":
      return `escalated to level ${String(d.level)} (${String(d.reason ?? "timer")}): ${list(d.newlyPaged)} newly paged`;
    case "acknowledged":
      return "acknowledged";
    case "assigned":
      // `acknowledged` before 2026-12: the same fact under its first name.
      return `took the case${d.alsoAcknowledged || d.acknowledged ? " (and acknowledged it)" : ""}`;
    case "note":
      return `note: ${String(d.text)}${recoveredText(d)}${d.waiting ? ` (now waiting on ${String(d.waiting)})` : ""}`;
    case "handoff_offered":
      return `offered the case to ${d.toMember ? who(d.toMember) : String(d.toOrg)}: ${String(d.note)}`;
    case "move_accepted":
      return `accepted for ${String(d.to)}; the move waits for the agency's consent`;
    case "move_consented":
      return `consented to moving the case to ${String(d.to)}`;
    case "handoff_accepted":
      return `accepted the handoff${d.movedTo ? ` (case moved from ${String(d.movedFrom)} to ${String(d.movedTo)})` : ""}`;
    case "resolved":
      return `resolved${d.result ? ` (${String(d.result)})` : ""}${d.alsoAcknowledged || d.acknowledged === true ? " (and acknowledged it)" : ""}: ${String(d.outcome)}${d.freezeUntil ? `; freeze held until ${String(d.freezeUntil).slice(0, 16).replace("T", " ")} UTC` : ""}`;
    case "legal_process":
      return `legal basis: ${String(d.kind)} ${String(d.number)}, ${String(d.authority)}${d.date ? `, dated ${String(d.date)}` : ""}`;
    case "extended":
      return `extended the ${d.what === "freeze_hold" ? "freeze hold" : "preservation"} to ${String(d.to).slice(0, 16).replace("T", " ")} UTC: ${String(d.basis)}`;
    case "preservation_expiring":
    case "freeze_hold_expiring":
      return `${e.type === "preservation_expiring" ? "preservation" : "freeze hold"} ends in ${String(d.in)}: reminded`;
    case "preservation_lapsed":
      return "preservation lapsed (not extended)";
    case "freeze_hold_ended":
      return "freeze hold ended (not extended)";
    case "erased":
      return `content erased (retention): ${String(d.events)} events, ${String(d.subjects)} subjects, ${String(d.amounts)} amounts`;
    case "retention_hold":
      return `put on hold (not erased until released): ${String(d.reason)}`;
    case "retention_release":
      return "released the hold";
    case "document_attached":
      return `attached document ${String(d.filename)} (${String(d.mime)}, ${String(d.size)} bytes), SHA-256 ${String(d.sha256)}`;
    case "closed":
      return `${d.withdrawn ? "withdrew and closed" : "closed"}${d.reason ? `: ${String(d.reason)}` : ""}`;
    case "reopened":
      return `reopened${d.reason ? `: ${String(d.reason)}` : ""}`;
    case "tlp_changed":
      return `changed TLP:${String(d.from).toUpperCase()} to TLP:${String(d.to).toUpperCase()}${d.reason ? `: ${String(d.reason)}` : ""}`;
    case "withheld":
      return "(an agency matter, not shown to the exchange)";
    case "deconfliction":
      return `deconfliction: ${String(d.linkedRef)} (${String(d.linkedAgency)}) names the same funds`;
    default:
      return e.type.replace(/_/g, " ");
  }
}

export async function nameMap(tx: Tx, entries: TimelineEntry[]): Promise<Map<number, string>> {
  const ids = new Set<number>();
  for (const e of entries) {
    if (e.actor) ids.add(e.actor.id);
    for (const key of ["paged", "newlyPaged", "askedOf", "from", "to"]) {
      const v = e.data[key];
      if (Array.isArray(v)) v.forEach((id) => typeof id === "number" && ids.add(id));
    }
    for (const l of (e.data.layers as { onCall?: number[] }[] | undefined) ?? []) (l.onCall ?? []).forEach((id) => ids.add(id));
    if (typeof e.data.toMember === "number") ids.add(e.data.toMember);
  }
  const rows = await tx.member.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export const timelineLine = (e: TimelineEntry, names: Map<number, string>) =>
  `#${e.seq} ${formatTime(e.at)} ${e.actor ? e.actor.name : "Liaison"}: ${describeEvent(e, names)}`;

export async function findVisible(tx: Tx, caller: Caller, ref: string): Promise<CaseRecord> {
  return requireVisible(await loadCase(tx, { ref }), ref, caller).c;
}

/** Cases linked to this one by deconfliction (either way round): reference and agency only. */
export async function linkedCases(tx: Tx, caseId: number): Promise<{ ref: string; agency: string }[]> {
  const links = await tx.caseLink.findMany({ where: { OR: [{ caseId }, { linkedCaseId: caseId }] }, orderBy: { id: "asc" } });
  const ids = links.map((l) => (l.caseId === caseId ? l.linkedCaseId : l.caseId));
  if (ids.length === 0) return [];
  const rows = await tx.case.findMany({ where: { id: { in: ids } }, select: { id: true, ref: true, agency: { select: { code: true } } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => (byId.has(id) ? [{ ref: byId.get(id)!.ref, agency: byId.get(id)!.agency.code }] : []));
}
