import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, describePolicy, parsePolicy, PolicyError } from "../../src/domain/policy.js";

const problems = (text: string, file = "policy.yaml") => {
  try {
    parsePolicy(text, file);
    return [];
  } catch (error) {
    return (error as PolicyError).problems;
  }
};

const VALID = `severities:
  critical: { ack: 15m, remind: 5m, level2: 15m, level3: 30m }
  high:     { ack: 1h,  remind: 15m, level2: 1h,  level3: 4h }
  medium:   { ack: 4h,  remind: 1h, level2: 8h,  level3: 24h }
  low:      { ack: 24h, remind: 8h, level2: 48h, level3: 96h }
stale: 7d
`;

describe("escalation policy files", () => {
  it("read the example of docs/contract.md §3 as the defaults", () => {
    expect(parsePolicy(VALID, "policy.yaml")).toEqual(DEFAULT_POLICY);
  });

  it("read JSON too", () => {
    const json = JSON.stringify({ severities: { critical: { ack: "3s", remind: "2s", level2: "5s", level3: "9s" }, high: { ack: "1h", remind: "15m", level2: "1h", level3: "4h" }, medium: { ack: "4h", remind: "1h", level2: "8h", level3: "24h" }, low: { ack: "24h", remind: "8h", level2: "48h", level3: "96h" } }, stale: "7d" });
    expect(parsePolicy(json, "p.json").severities.critical).toEqual({ ack: 3000, remind: 2000, level2: 5000, level3: 9000 });
  });

  it("name each problem with its place in the file", () => {
    expect(problems(VALID.replace("remind: 5m", "remind: soon").replace("stale: 7d", "stale: 7d\nextra: 1").replace("  low:      { ack: 24h, remind: 8h, level2: 48h, level3: 96h }\n", ""))).toEqual([
      'policy.yaml: severities.critical.remind: "soon" is not a duration like 30s, 15m, 4h or 7d',
      "policy.yaml: severities.low is missing",
      "policy.yaml: (top level): unknown key extra",
    ]);
    expect(problems(VALID.replace("level3: 30m", "level3: 10m"))).toEqual([
      "policy.yaml: severities.critical: level3 (10m) must come after level2 (15m)",
    ]);
    expect(problems("severities: [", "policy.yaml")[0]).toMatch(/^policy\.yaml is not valid YAML: /);
  });

  it("describe themselves for /ppp policy show", () => {
    expect(describePolicy(DEFAULT_POLICY)[0]).toBe("critical: ack within 15m, remind every 5m, level 2 (leads) at 15m, level 3 (coordinators) at 30m");
  });
});
