import { formatAge } from "./durations.js";

/**
 * Impact triage (docs/contract.md §2): resources are scarce, so open cases are ranked by
 * what is at stake — the severity, the USD value still at risk (amounts minus what is frozen
 * or seized), the time left to the deadline and how long the case has waited on the
 * exchange. Pure: the score of a case at a moment, its reasons in words (never a bare
 * number), and the next moment the score changes by itself — when a durable timer
 * refreshes the card (src/domain/cases/impact.ts).
 */

/** The severities (policy.ts names them too; kept here so the policy can import this file). */
type Severity = "critical" | "high" | "medium" | "low";

export interface ImpactWeights {
  /** Points for the severity the opener chose. */
  severity: Record<Severity, number>;
  /** Points per tenfold of USD at risk: USD 1,000 → 3 × this, USD 1M → 6 ×. */
  usdPerTenfold: number;
  /** Points once the deadline is this close (the closest band that applies), and once it has passed. */
  deadline: { within: readonly Band[]; overdue: number };
  /** Points once the case has waited on the exchange at least this long (the longest band reached). */
  waiting: readonly Band[];
}

export interface Band {
  ms: number;
  points: number;
}

export interface ImpactInput {
  severity: Severity;
  amounts: readonly { kind: "involved" | "frozen" | "seized"; asset: string; amount: string; usd: string | null }[];
  deadline: Date | null;
  /** The exchange's code, for "waiting on EXA 2h". */
  exchange: string;
  whoseMove: "agency" | "exchange";
  pagedAt: Date | null;
  /** Set while waiting on the agency: the exchange's time stops then. */
  waitingSince: Date | null;
  agencyWaitSeconds: number;
}

export interface Impact {
  score: number;
  /** "critical", "USD 1.1M at risk", "deadline in 3h", "waiting on EXA 2h". */
  reasons: string[];
  /** The next time the score changes with no one touching the case (a band is crossed). */
  nextChange: Date | null;
}

const M = 60_000;
const H = 60 * M;

export const DEFAULT_IMPACT: ImpactWeights = {
  severity: { critical: 40, high: 25, medium: 10, low: 5 },
  usdPerTenfold: 6,
  deadline: {
    within: [
      { ms: 24 * H, points: 10 },
      { ms: 6 * H, points: 20 },
      { ms: 1 * H, points: 30 },
    ],
    overdue: 40,
  },
  waiting: [
    { ms: 1 * H, points: 5 },
    { ms: 4 * H, points: 10 },
    { ms: 24 * H, points: 20 },
  ],
};

/** "USD 1.1M", "USD 250K", "USD 900". */
export function formatUsd(value: number): string {
  const units: [number, string][] = [
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, unit] of units) {
    // Rounded first, so 999,999 reads USD 1M, not USD 1000K.
    const n = value / size;
    const shown = n >= 100 ? Math.round(n) : Number(n.toPrecision(2));
    if (shown >= 1 && (shown < 1000 || unit === "B")) return `USD ${shown}${unit}`;
  }
  return `USD ${Math.round(value)}`;
}

/** The value at risk: USD given per amount; frozen or seized amounts valued at their own USD, else at the rate their asset was given at. */
export function usdAtRisk(amounts: ImpactInput["amounts"]): { involved: number; valued: number; recovered: number; atRisk: number; unvalued: string[] } {
  const rate = new Map<string, { usd: number; amount: number }>();
  let involved = 0;
  let valued = 0;
  for (const a of amounts) {
    if (a.kind !== "involved" || a.usd === null) continue;
    valued++;
    involved += Number(a.usd);
    const r = rate.get(a.asset) ?? { usd: 0, amount: 0 };
    rate.set(a.asset, { usd: r.usd + Number(a.usd), amount: r.amount + Number(a.amount) });
  }
  const unvalued = amounts.filter((a) => a.kind === "involved" && a.usd === null).map((a) => `${a.amount} ${a.asset}`);
  let recovered = 0;
  for (const a of amounts) {
    if (a.kind === "involved") continue;
    const r = rate.get(a.asset);
    recovered += a.usd !== null ? Number(a.usd) : r && r.amount > 0 ? (Number(a.amount) * r.usd) / r.amount : 0;
  }
  return { involved, valued, recovered, atRisk: Math.max(0, involved - recovered), unvalued };
}

/** How long the case has waited on the exchange, not counting the time it waited on the agency. */
export function exchangeWaitMs(c: ImpactInput, now: Date): number {
  if (!c.pagedAt) return 0;
  const until = c.whoseMove === "agency" && c.waitingSince ? c.waitingSince : now;
  return Math.max(0, until.getTime() - c.pagedAt.getTime() - c.agencyWaitSeconds * 1000);
}

export function impactOf(c: ImpactInput, w: ImpactWeights, now: Date): Impact {
  const t = now.getTime();
  let score = w.severity[c.severity];
  const reasons: string[] = [c.severity];
  const changes: number[] = [];

  const money = usdAtRisk(c.amounts);
  if (money.valued > 0) {
    score += w.usdPerTenfold * Math.log10(Math.max(1, money.atRisk));
    const of = money.recovered > 0 ? ` (${formatUsd(Math.min(money.recovered, money.involved))} of ${formatUsd(money.involved)} frozen or seized)` : "";
    reasons.push(`${formatUsd(money.atRisk)} at risk${of}`);
    if (money.unvalued.length > 0) reasons.push(`${money.unvalued.length === 1 ? "an amount" : `${money.unvalued.length} amounts`} without a USD value not counted`);
  } else if (money.unvalued.length > 0) {
    reasons.push(`amounts without a USD value: counted by severity alone`);
  }

  if (c.deadline) {
    const left = c.deadline.getTime() - t;
    if (left <= 0) {
      score += w.deadline.overdue;
      reasons.push(left > -60_000 ? "deadline passed just now" : `deadline passed ${formatAge(-left)} ago`);
    } else {
      const bands = [...w.deadline.within].sort((a, b) => a.ms - b.ms);
      const band = bands.find((b) => left <= b.ms);
      if (band) score += band.points;
      reasons.push(`deadline in ${formatAge(left)}`);
      // The score rises as each band is entered, and once more when the deadline passes.
      for (const b of bands) if (left > b.ms) changes.push(c.deadline.getTime() - b.ms);
      changes.push(c.deadline.getTime());
    }
  }

  if (c.whoseMove === "exchange" && c.pagedAt) {
    const waited = exchangeWaitMs(c, now);
    const bands = [...w.waiting].sort((a, b) => a.ms - b.ms);
    const reached = bands.filter((b) => waited >= b.ms).at(-1);
    if (reached) score += reached.points;
    if (waited >= M) reasons.push(`waiting on ${c.exchange} ${formatAge(waited)}`);
    for (const b of bands) if (waited < b.ms) changes.push(t + (b.ms - waited));
  }

  const future = changes.filter((x) => x > t);
  return { score: Math.round(score), reasons, nextChange: future.length > 0 ? new Date(Math.min(...future)) : null };
}

/** "impact 78: critical · USD 1.1M at risk · deadline in 3h · waiting on EXA 2h" */
export function describeImpact(i: Impact): string {
  return `${i.score}: ${i.reasons.join(" · ")}`;
}
