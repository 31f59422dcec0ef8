import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { formatDuration, LONGEST_MS, parseDuration } from "./durations.js";
import { DEFAULT_IMPACT, type Band, type ImpactWeights } from "./impact.js";

/**
 * Escalation policy per severity (docs/contract.md §3), from LIAISON_POLICY_FILE (YAML or JSON) or the
 * defaults. Durations are `<n>s|m|h|d`.
 */

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SeverityPolicy {
  /** Acknowledge within (ms); also how long a handoff may wait to be accepted. */
  ack: number;
  /** Remind every (ms) until acknowledged. */
  remind: number;
  /** Page the exchange's leads after (ms, from the page). */
  level2: number;
  /** Page the coordinators after (ms, from the page). */
  level3: number;
}

export interface Policy {
  severities: Record<Severity, SeverityPolicy>;
  /** An acknowledged case with no activity for this long gets a stale nudge. */
  stale: number;
  /** While a case waits on the agency, its on-call (else the opener) is reminded this often (docs/contract.md §8). */
  agencyRemind: Record<Severity, number>;
  /** Preservation: held `period` from the page, extendable up to `max` from the page; reminders `warn` before the end (§9). */
  preservation: { period: number; max: number; warn: number[] };
  /** A freeze is held `period` from the resolution; reminders `warn` before the end (§9). */
  freezeHold: { period: number; warn: number[] };
  /** A closed case's content is erased this long after it closed, unless held (§10). */
  retention: number;
  /** How open cases are ranked (§2, Impact). */
  impact: ImpactWeights;
}

const M = 60_000;
const H = 60 * M;
const D = 24 * H;

export const DEFAULT_POLICY: Policy = {
  severities: {
    critical: { ack: 15 * M, remind: 5 * M, level2: 15 * M, level3: 30 * M },
    high: { ack: 1 * H, remind: 15 * M, level2: 1 * H, level3: 4 * H },
    medium: { ack: 4 * H, remind: 1 * H, level2: 8 * H, level3: 24 * H },
    low: { ack: 24 * H, remind: 8 * H, level2: 48 * H, level3: 96 * H },
  },
  stale: 7 * D,
  agencyRemind: { critical: 30 * M, high: 2 * H, medium: 8 * H, low: 24 * H },
  preservation: { period: 90 * D, max: 180 * D, warn: [14 * D, 2 * D] },
  freezeHold: { period: 30 * D, warn: [7 * D, 1 * D] },
  retention: 5 * 365 * D,
  impact: DEFAULT_IMPACT,
};

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = typeof v === "string" ? parseDuration(v) : undefined;
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: "custom", message: `"${String(v)}" is not a duration like 30s, 15m, 4h or 7d` });
    return z.NEVER;
  }
  if (ms > LONGEST_MS) {
    ctx.addIssue({ code: "custom", message: `"${String(v)}" is longer than ten years` });
    return z.NEVER;
  }
  return ms;
});

/** Impact points: whole numbers a person can weigh against each other. */
const points = z.number({ error: "must be a number of points" }).int({ error: "must be a whole number of points" }).min(0, { error: "must not be negative" }).max(1000, { error: "must be at most 1000" });

const severitySchema = z.strictObject({ ack: duration, remind: duration, level2: duration, level3: duration });

const policySchema = z.strictObject({
  severities: z.strictObject({
    critical: severitySchema,
    high: severitySchema,
    medium: severitySchema,
    low: severitySchema,
  }),
  stale: duration,
  agency_remind: z.strictObject({ critical: duration, high: duration, medium: duration, low: duration }).optional(),
  preservation: z.strictObject({ period: duration, max: duration, warn: z.array(duration).max(5) }).optional(),
  freeze_hold: z.strictObject({ period: duration, warn: z.array(duration).max(5) }).optional(),
  retention: duration.optional(),
  impact: z
    .strictObject({
      severity: z.strictObject({ critical: points, high: points, medium: points, low: points }).optional(),
      usd_per_tenfold: points.optional(),
      deadline: z.record(z.string(), points).optional(),
      waiting: z.record(z.string(), points).optional(),
    })
    .optional(),
});

/** Impact bands written `{ 24h: 10, 6h: 20 }`: each key a duration. */
function bands(raw: Record<string, number>, path: string, file: string, problems: string[], extra: readonly string[] = []): Band[] {
  const out: Band[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (extra.includes(key)) continue;
    const ms = parseDuration(key);
    if (ms === undefined || ms <= 0) problems.push(`${file}: ${path}: "${key}" is not a duration like 1h or 24h${extra.length > 0 ? ` (or ${extra.join(", ")})` : ""}`);
    else if (out.some((b) => b.ms === ms)) problems.push(`${file}: ${path}: "${key}" is the same band as another key`);
    else out.push({ ms, points: value });
  }
  if (out.length > 10) problems.push(`${file}: ${path}: at most 10 bands`);
  return out.sort((a, b) => a.ms - b.ms);
}

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

/** What the document holds at `path` (undefined: nothing there). */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(top level)";
}

/** Parses and checks a policy document; every problem is named with its path. */
export function parsePolicy(text: string, file = "policy"): Policy {
  let raw: unknown;
  try {
    raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PolicyError([`${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`]);
  }
  const result = policySchema.safeParse(raw);
  if (!result.success) {
    throw new PolicyError(
      result.error.issues.map((i) => {
        if (i.code === "unrecognized_keys") return `${file}: ${issuePath(i.path)}: unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.join(", ")}`;
        if (i.code === "invalid_type" && valueAt(raw, i.path) === undefined) return `${file}: ${issuePath(i.path)} is missing`;
        return `${file}: ${issuePath(i.path)}: ${i.message}`;
      }),
    );
  }
  const { agency_remind, preservation, freeze_hold, retention, impact, ...rest } = result.data;
  const problems: string[] = [];
  const weights: ImpactWeights = {
    severity: impact?.severity ?? DEFAULT_IMPACT.severity,
    usdPerTenfold: impact?.usd_per_tenfold ?? DEFAULT_IMPACT.usdPerTenfold,
    deadline: impact?.deadline
      ? { within: bands(impact.deadline, "impact.deadline", file, problems, ["overdue"]), overdue: impact.deadline.overdue ?? DEFAULT_IMPACT.deadline.overdue }
      : DEFAULT_IMPACT.deadline,
    waiting: impact?.waiting ? bands(impact.waiting, "impact.waiting", file, problems) : DEFAULT_IMPACT.waiting,
  };
  const policy: Policy = {
    ...(rest as Pick<Policy, "severities" | "stale">),
    agencyRemind: (agency_remind as Policy["agencyRemind"] | undefined) ?? DEFAULT_POLICY.agencyRemind,
    preservation: (preservation as Policy["preservation"] | undefined) ?? DEFAULT_POLICY.preservation,
    freezeHold: (freeze_hold as Policy["freezeHold"] | undefined) ?? DEFAULT_POLICY.freezeHold,
    retention: (retention as number | undefined) ?? DEFAULT_POLICY.retention,
    impact: weights,
  };
  for (const severity of SEVERITIES) {
    const p = policy.severities[severity];
    if (p.level3 <= p.level2) problems.push(`${file}: severities.${severity}: level3 (${formatDuration(p.level3)}) must come after level2 (${formatDuration(p.level2)})`);
  }
  const { preservation: pr, freezeHold: fh } = policy;
  if (pr.max < pr.period) problems.push(`${file}: preservation: max (${formatDuration(pr.max)}) must be at least the period (${formatDuration(pr.period)})`);
  for (const w of pr.warn) if (w >= pr.period) problems.push(`${file}: preservation.warn: ${formatDuration(w)} is not before the end of a ${formatDuration(pr.period)} period`);
  for (const w of fh.warn) if (w >= fh.period) problems.push(`${file}: freeze_hold.warn: ${formatDuration(w)} is not before the end of a ${formatDuration(fh.period)} hold`);
  if (problems.length > 0) throw new PolicyError(problems);
  return policy;
}

export function loadPolicy(file: string | undefined): Policy {
  if (file === undefined) return DEFAULT_POLICY;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new PolicyError([`cannot read ${file}: ${(error as Error).message}`]);
  }
  return parsePolicy(text, file);
}

/** The policy as a YAML-like table for `/ppp policy show`. */
export function describePolicy(policy: Policy): string[] {
  return [
    ...SEVERITIES.map((s) => {
      const p = policy.severities[s];
      return `${s}: ack within ${formatDuration(p.ack)}, remind every ${formatDuration(p.remind)}, level 2 (leads) at ${formatDuration(p.level2)}, level 3 (coordinators) at ${formatDuration(p.level3)}`;
    }),
    `stale nudge after ${formatDuration(policy.stale)} without activity`,
    `preservation held ${formatDuration(policy.preservation.period)} from the page, extendable up to ${formatDuration(policy.preservation.max)}; reminders ${policy.preservation.warn.map(formatDuration).join(" and ")} before it ends`,
    `freezes held ${formatDuration(policy.freezeHold.period)} from the resolution; reminders ${policy.freezeHold.warn.map(formatDuration).join(" and ")} before the hold ends`,
    `a closed case's content is erased ${formatDuration(policy.retention)} after it closed, unless held`,
    `while a case waits on the agency, remind its on-call every ${SEVERITIES.map((s) => `${formatDuration(policy.agencyRemind[s])} (${s})`).join(", ")}`,
    ...describeImpactWeights(policy.impact),
  ];
}

/** The impact weights, as `/ppp policy show` prints them. */
export function describeImpactWeights(w: ImpactWeights): string[] {
  const band = (b: Band) => `${formatDuration(b.ms)}: ${b.points}`;
  return [
    `impact: severity ${SEVERITIES.map((s) => `${s} ${w.severity[s]}`).join(", ")}; ${w.usdPerTenfold} per tenfold of USD at risk (USD 1M: ${w.usdPerTenfold * 6})`,
    `impact: deadline within ${[...w.deadline.within].sort((a, b) => b.ms - a.ms).map(band).join(", ")}, passed: ${w.deadline.overdue}; waiting on the exchange ${w.waiting.map(band).join(", ")}`,
  ];
}
