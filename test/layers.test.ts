import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cruise, type ICruiseResult, type IForbiddenRuleType } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";

/**
 * The layers of docs/architecture.md (.dependency-cruiser.cjs): every import points down and
 * nothing forms a cycle — checked on the real tree, and shown to catch an upward import.
 */

const config = createRequire(import.meta.url)(join(projectRoot, ".dependency-cruiser.cjs")) as { forbidden: IForbiddenRuleType[] };

async function violations(baseDir: string, tsConfig?: string): Promise<string[]> {
  const previous = process.cwd();
  process.chdir(baseDir);
  try {
    const result = await cruise(["src", "commands", "adapters"], {
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      tsPreCompilationDeps: true,
      doNotFollow: { path: "node_modules" },
      exclude: { path: "^(generated|dist|node_modules)/" },
      ...(tsConfig ? { tsConfig: { fileName: tsConfig } } : {}),
    }, { extensions: [".ts", ".js"] });
    const output = result.output as ICruiseResult;
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(previous);
  }
}

describe("the layers", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("point one way in the code as it stands: no upward import, no cycle", async () => {
    expect(await violations(projectRoot, "tsconfig.json")).toEqual([]);
  });

  it("are enforced: an upward import and a cycle are reported by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "liaison-layers-"));
    dirs.push(dir);
    const files: Record<string, string> = {
      "src/model/message.ts": "export const para = 1;\n",
      "src/runtime/metrics.ts": `import { para } from "../model/message.js";\nexport const metrics = para;\n`,
      // The domain reaching up into the runtime: what the rules exist to stop.
      "src/domain/paging.ts": `import { metrics } from "../runtime/metrics.js";\nexport const paging = metrics;\n`,
      "src/db/a.ts": `import { b } from "./b.js";\nexport const a = () => b;\n`,
      "src/db/b.ts": `import { a } from "./a.js";\nexport const b = () => a;\n`,
      "commands/x.ts": "export {};\n",
      "adapters/y.ts": "export {};\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const found = await violations(dir);
    expect(found).toContain("domain-points-down: src/domain/paging.ts → src/runtime/metrics.ts");
    expect(found.some((v) => v.startsWith("no-cycles: src/db/"))).toBe(true);
  });
});
