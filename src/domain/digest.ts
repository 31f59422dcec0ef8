import { describeImpact } from "./impact.js";
import { IMPACT_SELECT, impactOfRow } from "./cases/impact.js";
import { Cron } from "croner";
import { accept, refuse, type Parsed } from "../model/parsed.js";
import { digestLinkCount } from "../db/sql/context.js";
import type { Tx } from "../db/database.js";
import { list, para, rich, strong, type Block, type ChartWeek, type Rich, type WeeklyChart } from "../model/message.js";
import type { Outgoing } from "./outbox.js";
import { addDecimal } from "./amounts.js";
import type { Binding } from "../db/rows.js";
import { formatAge } from "./durations.js";
import type { Policy, Severity } from "./policy.js";
import { SEVERITIES } from "./policy.js";
import { schedule } from "./timers.js";
import { loadOnCall, vettedOnly } from "./oncall.js";
import { coverageGaps, formatLocal } from "./rotation.js";

/** Stretches of the coming week with nobody on call, per exchange (and per agency that keeps an on-call). */
async function coverageLines(tx: Tx, b: Binding, now: Date): Promise<Rich[]> {
  const week = new Date(now.getTime() + WEEK);
  const schedules = await loadOnCall(tx, b.orgs.map((o) => o.id), now);
  const parts: string[] = [];
  for (const org of b.orgs) {
    const s = vettedOnly(schedules.get(org.id)!, now, org.id);
    if (org.kind !== "EXCHANGE" && s.layers.length === 0) continue;
    if (s.layers.length === 0) {
      parts.push(`${org.code}: no on-call set`);
      continue;
    }
    const gaps = coverageGaps(s.layers, s.covers, now, week);
    const shown = gaps.slice(0, 5).map((g) => `${formatLocal(g.from, b.timeZone)} – ${formatLocal(g.to, b.timeZone)} (${formatAge(g.to.getTime() - g.from.getTime())})`);
    parts.push(`${org.code}: ${gaps.length === 0 ? "none" : shown.join(", ") + (gaps.length > 5 ? ` and ${gaps.length - 5} more` : "")}`);
  }
  return parts.length === 0 ? [] : [rich`Coverage gaps in the coming week (nobody on call): ${parts.join("; ")}.`];
}

/**
 * The weekly digest (docs/contract.md §4): per bound channel, only about cases that channel may see,
 * and only counts, references and statuses — never subjects, titles or notes.
 */

export const DEFAULT_DIGEST_CRON = "0 9 * * 1";
const WEEK = 7 * 86_400_000;
const ACTIVE = ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "REOPENED"];

/** The next tick of a schedule after `after`, or an explanation of why the cron is wrong. */
export function nextTick(cron: string, timeZone: string, after: Date): Parsed<Date> {
  try {
    const next = new Cron(cron, { timezone: timeZone, paused: true }).nextRun(after);
    return next ? accept(next) : refuse(`"${cron}" never fires again`);
  } catch (error) {
    return refuse(`"${cron}" is not a cron expression (${(error as Error).message})`);
  }
}

/** How far apart the schedule's next two ticks are (ms; Infinity if it fires once more only), or why the cron is wrong. */
export function tickInterval(cron: string, timeZone: string, after: Date): Parsed<number> {
  const first = nextTick(cron, timeZone, after);
  if (!first.ok) return first;
  const second = nextTick(cron, timeZone, first.value);
  return accept(second.ok ? second.value.getTime() - first.value.getTime() : Infinity);
}

/** Schedules the binding's next digest tick; the tick's time is in the key, so it is taken once. */
export async function scheduleDigest(tx: Tx, now: Date, b: Pick<Binding, "id" | "digestCron" | "timeZone">): Promise<Date | null> {
  const tick = nextTick(b.digestCron, b.timeZone, now);
  if (!tick.ok) return null;
  const next = tick.value;
  await schedule(tx, now, {
    kind: "digest",
    key: `digest:${b.id}:${next.toISOString()}`,
    dueAt: next,
    bindingId: b.id,
    payload: { cron: b.digestCron, tz: b.timeZone, tick: next.toISOString() },
  });
  return next;
}

/**
 * The cases a channel may see (the audience rule's channel half, as a query): both parties
 * bound there; AMBER only where nobody else is; never RED; never an emergency the exchange
 * has not been told of yet.
 */
export function digestWhere(b: Pick<Binding, "orgs">) {
  const ids = b.orgs.map((o) => o.id);
  return {
    agencyId: { in: ids },
    exchangeId: { in: ids },
    tlp: { in: ids.length <= 2 ? ["amber", "green", "clear"] : ["green", "clear"] },
    OR: [{ type: { not: "emergency" } }, { pagedAt: { not: null } }],
  };
}

/** What a digest shows, for the check at delivery: the channel's organisations then, and the cases it names. */
export interface DigestCovers {
  orgs: number[];
  cases: number[];
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const spread = (values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  return median === undefined ? "none in the period" : `median ${formatAge(median)}, p90 ${formatAge(percentile(sorted, 90)!)} (${sorted.length} ${sorted.length === 1 ? "case" : "cases"})`;
};

/** How many weeks the digest's chart shows. */
export const CHART_WEEKS = 8;

/**
 * The trend of the last weeks among the cases `where` selects: opened and closed per week,
 * and the median time from page to acknowledgement. Weeks end at `now` (7-day windows).
 */
export async function weeklySeries(tx: Tx, where: object, now: Date, weeks = CHART_WEEKS): Promise<ChartWeek[]> {
  const start = new Date(now.getTime() - weeks * WEEK);
  const since = { gte: start, lt: now };
  const rows = await tx.case.findMany({
    where: { AND: [where, { OR: [{ createdAt: since }, { closedAt: since }, { ackAt: since }] }] },
    select: { createdAt: true, closedAt: true, ackAt: true, pagedAt: true },
  });
  const index = (d: Date | null) => (d && d >= start && d < now ? Math.floor((d.getTime() - start.getTime()) / WEEK) : -1);
  const out = Array.from({ length: weeks }, (_, i) => ({
    start: new Date(start.getTime() + i * WEEK).toISOString().slice(0, 10),
    opened: 0,
    closed: 0,
    acks: [] as number[],
  }));
  for (const r of rows) {
    const o = index(r.createdAt);
    if (o >= 0) out[o]!.opened++;
    const c = index(r.closedAt);
    if (c >= 0) out[c]!.closed++;
    const a = index(r.ackAt);
    if (a >= 0 && r.pagedAt) out[a]!.acks.push((r.ackAt!.getTime() - r.pagedAt.getTime()) / 60_000);
  }
  return out.map(({ acks, ...w }) => {
    const median = percentile([...acks].sort((x, y) => x - y), 50);
    return { ...w, ackMedianMinutes: median === undefined ? null : Math.round(median * 10) / 10 };
  });
}

/** The chart of a channel's digest. */
export function digestChart(b: Pick<Binding, "id" | "orgs">, weeks: ChartWeek[], now: Date): WeeklyChart {
  return {
    title: `${b.orgs.map((o) => o.code).join(" · ")}: the last ${weeks.length} weeks`,
    name: `digest-${b.id}-${now.toISOString().slice(0, 10)}`,
    weeks,
  };
}

export interface Digest {
  blocks: Block[];
  covers: DigestCovers;
  chart: WeeklyChart;
}

/**
 * The outbox messages that post a digest in its channel: the digest, then its chart as an
 * image (one after the other on the channel's order key; each checked at delivery).
 */
export function digestMessages(b: Binding, key: string, d: Digest): Outgoing[] {
  const base = {
    platform: b.platform as never,
    kind: "channel" as const,
    channelId: b.channelId,
    audience: "channel" as const,
    bindingId: b.id,
    orderKey: `channel:${b.platform}:${b.channelId}`,
  };
  return [
    { ...base, key, payload: { blocks: d.blocks, covers: d.covers } },
    { ...base, key: `${key}:chart`, payload: { blocks: [{ kind: "chart", chart: d.chart }], covers: { orgs: d.covers.orgs, cases: [] } } },
  ];
}

export interface DigestOptions {
  periodMs?: number;
  /**
   * Only cases this query also selects: a person's view (the board), so a digest read by
   * someone never shows more than /case show would.
   */
  viewer?: object;
}

/** How many of the highest-impact open cases a digest names. */
export const TOP_IN_DIGEST = 5;

export async function buildDigest(tx: Tx, b: Binding, now: Date, policy: Policy, options: DigestOptions = {}): Promise<Digest> {
  const periodMs = options.periodMs ?? WEEK;
  const from = new Date(now.getTime() - periodMs);
  const period = { gte: from, lt: now };
  const channel = digestWhere(b);
  const visible = options.viewer ? { AND: [channel, options.viewer] } : channel;
  const maxAck = Math.max(...SEVERITIES.map((s) => policy.severities[s].ack));

  // One statement after another: a transaction is one connection, and queries on it queue anyway.
  const opened = await tx.case.groupBy({ by: ["severity"], where: { ...visible, createdAt: period }, _count: { _all: true } });
  const closed = await tx.case.count({ where: { ...visible, closedAt: period } });
  const results = (await tx.case.groupBy({ by: ["result"], where: { ...visible, resolvedAt: period }, _count: { _all: true } })).sort((a, b) => String(a.result).localeCompare(String(b.result)));
  const active = await tx.case.findMany({
    where: { ...visible, status: { in: ACTIVE } },
    // What the lines below count, and what impact is computed from.
    select: { id: true, ref: true, status: true, createdAt: true, ackAt: true, lastActivityAt: true, ...IMPACT_SELECT },
    orderBy: { createdAt: "asc" },
  });
  const acked = await tx.case.findMany({ where: { ...visible, ackAt: period, pagedAt: { not: null } }, select: { ackAt: true, pagedAt: true } });
  const resolved = await tx.case.findMany({
    where: { ...visible, resolvedAt: period, pagedAt: { not: null } },
    select: { resolvedAt: true, pagedAt: true, agencyWaitSeconds: true },
  });
  const paged = await tx.case.findMany({
    where: { ...visible, pagedAt: { gte: new Date(from.getTime() - maxAck), lt: now } },
    select: { id: true, ref: true, severity: true, pagedAt: true, ackAt: true, status: true },
  });
  const pendingHandoffs = await tx.case.findMany({ where: { ...visible, handoffs: { some: { state: "offered" } } }, select: { id: true, ref: true } });
  const recovered = await tx.caseAmount.findMany({
    where: { kind: { in: ["frozen", "seized"] }, case: { ...visible, resolvedAt: period } },
    select: { kind: true, asset: true, amount: true },
  });
  const escalations = await tx.caseEvent.count({ where: { type: "escalated", at: period, case: visible } });
  const handoffs = await tx.caseEvent.count({ where: { type: "handoff_offered", at: period, case: visible } });
  // Deconfliction is known to the agencies and coordinators, not on any timeline: counted from the links.
  // A hit is recorded on the case that was opened second, so this week's opens carry this week's hits.
  const links = (await tx.sql.one(digestLinkCount, { orgIds: b.orgs.map((o) => o.id), tlps: channel.tlp.in, from, to: now }))?.n ?? 0;

  const breaches = paged.filter((c) => {
    const due = c.pagedAt!.getTime() + policy.severities[c.severity as Severity].ack;
    if (due < from.getTime() || due >= now.getTime()) return false;
    return c.ackAt ? c.ackAt.getTime() > due : true;
  });
  const stale = active.filter((c) => c.ackAt && now.getTime() - c.lastActivityAt.getTime() >= policy.stale);
  const openedTotal = opened.reduce((n, g) => n + g._count._all, 0);
  const openedBy = SEVERITIES.map((s) => `${opened.find((g) => g.severity === s)?._count._all ?? 0} ${s}`).join(", ");

  const ages = (sev: Severity) => {
    const of = active.filter((c) => c.severity === sev);
    const buckets = [0, 0, 0];
    for (const c of of) {
      const age = now.getTime() - c.createdAt.getTime();
      buckets[age < 86_400_000 ? 0 : age < WEEK ? 1 : 2]!++;
    }
    return `${sev} ${of.length} (<1d ${buckets[0]}, 1–7d ${buckets[1]}, >7d ${buckets[2]})`;
  };
  const totals = new Map<string, string>();
  for (const a of recovered) {
    const key = `${a.kind} ${a.asset}`;
    totals.set(key, addDecimal(totals.get(key) ?? "0", a.amount));
  }
  const waiting = (who: string) => active.filter((c) => c.whoseMove === who).length;
  const refs = (items: { ref: string }[], max = 15) =>
    items.length === 0 ? "none" : items.slice(0, max).map((c) => c.ref).join(", ") + (items.length > max ? ` and ${items.length - max} more` : "");

  const lines: Rich[] = [
    rich`Opened: ${openedTotal} (${openedBy}); closed: ${closed}.`,
    rich`Open now: ${active.length} — ${SEVERITIES.map(ages).join("; ")}.`,
    rich`Waiting on the exchange: ${waiting("exchange")}; on the agency: ${waiting("agency")}.`,
    rich`Acknowledgement SLA breaches: ${breaches.length}${breaches.length > 0 ? ` (${refs(breaches)})` : ""}.`,
    rich`Time to acknowledge: ${spread(acked.map((c) => c.ackAt!.getTime() - c.pagedAt!.getTime()))}.`,
    rich`Time to resolve (agency waits excluded): ${spread(resolved.map((c) => c.resolvedAt!.getTime() - c.pagedAt!.getTime() - c.agencyWaitSeconds * 1000))}.`,
    rich`Escalations: ${escalations}; handoffs offered: ${handoffs}; pending handoffs: ${refs(pendingHandoffs)}.`,
    rich`Stale (no activity for ${formatAge(policy.stale)}): ${refs(stale)}.`,
    rich`Frozen / seized: ${totals.size === 0 ? "none" : [...totals].map(([k, v]) => `${v} ${k.split(" ")[1]} ${k.split(" ")[0]}`).join(", ")}.`,
    rich`Deconfliction hits: ${links}.`,
    rich`Results of the week's resolutions: ${results.length === 0 ? "none" : results.map((r) => `${r.result ?? "unrecorded"} ${r._count._all}`).join(", ")}.`,
    ...(await coverageLines(tx, b, now)),
  ];
  // What is most at stake first (§2, Impact): the five highest, with their reasons.
  const ranked = active
    .map((c) => ({ c, impact: impactOfRow(c, policy, now) }))
    .sort((a, b) => b.impact.score - a.impact.score || a.c.createdAt.getTime() - b.c.createdAt.getTime())
    .slice(0, TOP_IN_DIGEST);
  const topList = ranked.map(({ c, impact }) => rich`${c.ref} · impact ${describeImpact(impact)}`);
  const openList = active.slice(0, 20).map((c) => rich`${c.ref} · ${c.severity} · ${c.status.toLowerCase().replace("_", " ")} · ${formatAge(now.getTime() - c.createdAt.getTime())} old`);
  const named = [...breaches.slice(0, 15), ...pendingHandoffs.slice(0, 15), ...stale.slice(0, 15), ...active.slice(0, 20), ...ranked.map((r) => r.c)].map((c) => c.id);
  const covers: DigestCovers = { orgs: b.orgs.map((o) => o.id).sort((x, y) => x - y), cases: [...new Set(named)].sort((x, y) => x - y) };
  const blocks = [
    para(rich`${strong(`Weekly digest for ${b.orgs.map((o) => o.code).join(" · ")}`)} (${from.toISOString().slice(0, 10)} to ${now.toISOString().slice(0, 10)})`),
    list(lines),
    ...(topList.length > 0 ? [para(rich`Highest impact:`), list(topList)] : []),
    ...(openList.length > 0 ? [para(rich`Open cases${active.length > 20 ? " (oldest 20)" : ""}:`), list(openList)] : []),
  ];
  const chart = digestChart(b, await weeklySeries(tx, visible, now), now);
  return { blocks, covers, chart };
}
