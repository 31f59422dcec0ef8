import { describe, expect, it } from "vitest";
import { DEFAULT_IMPACT, formatUsd, impactOf, usdAtRisk, type ImpactInput } from "../../src/domain/impact.js";
import { describePolicy, parsePolicy, PolicyError } from "../../src/domain/policy.js";

const H = 3_600_000;
const NOW = new Date("2026-12-02T12:00:00Z");
const base: ImpactInput = { severity: "high", amounts: [], deadline: null, exchange: "EXA", whoseMove: "exchange", pagedAt: NOW, waitingSince: null, agencyWaitSeconds: 0 };

describe("the impact score", () => {
  it("says why, in words: severity, USD at risk, deadline, wait on the exchange", () => {
    const i = impactOf({ ...base, severity: "critical", amounts: [{ kind: "involved", asset: "BTC", amount: "12.5", usd: "1100000" }], deadline: new Date(NOW.getTime() + 3 * H), pagedAt: new Date(NOW.getTime() - 2 * H) }, DEFAULT_IMPACT, NOW);
    expect(i.reasons).toEqual(["critical", "USD 1.1M at risk", "deadline in 3h", "waiting on EXA 2h"]);
    // 40 (critical) + 6 × log10(1.1M) ≈ 36 + 20 (deadline within 6h) + 5 (waited over 1h)
    expect(i.score).toBe(Math.round(40 + 6 * Math.log10(1_100_000) + 20 + 5));
    // It next changes when the deadline is an hour away.
    expect(i.nextChange).toEqual(new Date(NOW.getTime() + 2 * H));
  });

  it("values frozen amounts at the rate their asset was given at, and never goes below nothing at risk", () => {
    const amounts: ImpactInput["amounts"] = [
      { kind: "involved", asset: "BTC", amount: "20", usd: "2000000" },
      { kind: "frozen", asset: "BTC", amount: "18", usd: null },
    ];
    expect(usdAtRisk(amounts)).toMatchObject({ involved: 2_000_000, recovered: 1_800_000, atRisk: 200_000 });
    expect(usdAtRisk([...amounts, { kind: "seized", asset: "BTC", amount: "5", usd: null }]).atRisk).toBe(0);
    expect(impactOf({ ...base, amounts }, DEFAULT_IMPACT, NOW).reasons).toContain("USD 200K at risk (USD 1.8M of USD 2M frozen or seized)");
  });

  it("counts amounts without a USD value by severity alone, and says so", () => {
    const i = impactOf({ ...base, severity: "low", amounts: [{ kind: "involved", asset: "ETH", amount: "3", usd: null }], pagedAt: null }, DEFAULT_IMPACT, NOW);
    expect(i).toEqual({ score: 5, reasons: ["low", "amounts without a USD value: counted by severity alone"], nextChange: null });
  });

  it("stops the exchange's clock while the case waits on the agency", () => {
    const paged = new Date(NOW.getTime() - 10 * H);
    const waiting = impactOf({ ...base, pagedAt: paged, whoseMove: "agency", waitingSince: new Date(NOW.getTime() - 8 * H) }, DEFAULT_IMPACT, NOW);
    expect(waiting.reasons).toEqual(["high"]);
    expect(waiting.nextChange).toBeNull();
    const back = impactOf({ ...base, pagedAt: paged, agencyWaitSeconds: 8 * 3600 }, DEFAULT_IMPACT, NOW);
    expect(back.reasons).toEqual(["high", "waiting on EXA 2h"]);
    expect(back.nextChange).toEqual(new Date(NOW.getTime() + 2 * H));
  });

  it("adds the most once the deadline has passed", () => {
    const i = impactOf({ ...base, pagedAt: null, deadline: new Date(NOW.getTime() - 90 * 60_000) }, DEFAULT_IMPACT, NOW);
    expect(i).toEqual({ score: 25 + 40, reasons: ["high", "deadline passed 1h 30m ago"], nextChange: null });
  });

  it("writes USD short", () => {
    expect([950, 12_345, 250_000, 1_100_000, 2_500_000_000].map(formatUsd)).toEqual(["USD 950", "USD 12K", "USD 250K", "USD 1.1M", "USD 2.5B"]);
  });
});

describe("impact weights in the policy file", () => {
  const VALID = `severities:
  critical: { ack: 15m, remind: 5m, level2: 15m, level3: 30m }
  high:     { ack: 1h,  remind: 15m, level2: 1h,  level3: 4h }
  medium:   { ack: 4h,  remind: 1h, level2: 8h,  level3: 24h }
  low:      { ack: 24h, remind: 8h, level2: 48h, level3: 96h }
stale: 7d
`;
  it("reads them, and prints them for /ppp policy show", () => {
    const p = parsePolicy(`${VALID}impact:\n  severity: { critical: 100, high: 50, medium: 20, low: 1 }\n  usd_per_tenfold: 10\n  deadline: { 12h: 15, 2h: 40, overdue: 60 }\n  waiting: { 30m: 3 }\n`, "p.yaml");
    expect(p.impact).toEqual({ severity: { critical: 100, high: 50, medium: 20, low: 1 }, usdPerTenfold: 10, deadline: { within: [{ ms: 2 * H, points: 40 }, { ms: 12 * H, points: 15 }], overdue: 60 }, waiting: [{ ms: H / 2, points: 3 }] });
    expect(describePolicy(p).slice(-2)).toEqual([
      "impact: severity critical 100, high 50, medium 20, low 1; 10 per tenfold of USD at risk (USD 1M: 60)",
      "impact: deadline within 12h: 15, 2h: 40, passed: 60; waiting on the exchange 30m: 3",
    ]);
    expect(parsePolicy(VALID, "p.yaml").impact).toEqual(DEFAULT_IMPACT);
  });

  it("refuses weights that are not whole points or bands that are not durations, naming each", () => {
    let problems: string[] = [];
    try {
      parsePolicy(`${VALID}impact:\n  severity: { critical: -1, high: 2.5, medium: 1, low: 1 }\n  deadline: { soon: 5 }\n  waiting: { 1h: 5000 }\n  colour: red\n`, "p.yaml");
    } catch (error) {
      problems = (error as PolicyError).problems;
    }
    expect(problems).toEqual([
      "p.yaml: impact.severity.critical: must not be negative",
      "p.yaml: impact.severity.high: must be a whole number of points",
      "p.yaml: impact.waiting.1h: must be at most 1000",
      "p.yaml: impact: unknown key colour",
    ]);
    try {
      parsePolicy(`${VALID}impact:\n  deadline: { soon: 5 }\n`, "p.yaml");
    } catch (error) {
      problems = (error as PolicyError).problems;
    }
    expect(problems).toEqual(['p.yaml: impact.deadline: "soon" is not a duration like 1h or 24h (or overdue)']);
  });
});
