import { cpus, totalmem } from "node:os";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../src/paths.js";
import { commandPathBench } from "./command-path.js";
import { digestBench } from "./digest.js";
import { platformBench } from "./platform.js";
import { schedulerBench } from "./scheduler.js";
import { printFigures, type Figure } from "./stats.js";

/**
 * `npm run bench`: every figure of BENCHMARKS.md with its goal and its baseline, measured
 * side by side in one run. BENCH_QUICK=1 runs smaller sizes (a smoke test, not the figures).
 * `npm run bench -- scheduler digest` runs only the sections named (command, platform,
 * scheduler, digest).
 */

const quick = process.env.BENCH_QUICK === "1";
const sizes = quick
  ? { iterations: 30, runs: 1, timers: 300, delivered: 100, cases: 10_000, concurrency: 50 }
  : { iterations: 200, runs: 3, timers: 10_000, delivered: 1000, cases: 100_000, concurrency: 200 };

process.stdout.write(`# Liaison benchmarks\n\nnode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}${quick ? " (quick)" : ""}\n`);

const all: [string, string, () => Promise<Figure[]>][] = [
  ["command", "1. Command path (dispatcher vs raw driver)", () => commandPathBench({ iterations: sizes.iterations, runs: sizes.runs })],
  ["platform", "2 and 5. Slack acknowledgements and memory", async () => [
    ...(await platformBench({ concurrency: sizes.concurrency, runs: quick ? 1 : 5, storage: "sqlite" })),
    ...(await platformBench({ concurrency: sizes.concurrency, runs: quick ? 1 : 5, storage: "postgresql" })),
  ]],
  ["scheduler", "3. Scheduler", () => schedulerBench({ timers: sizes.timers, delivered: sizes.delivered, runs: quick ? 1 : 3, bossBatches: quick ? [100] : [100, 500, 1000] })],
  ["digest", "4. Digest", () => digestBench({ cases: sizes.cases, runs: 5 })],
];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.some(([key]) => key === w));
if (unknown.length > 0) {
  process.stderr.write(`unknown section ${unknown.join(", ")}; choose from ${all.map(([key]) => key).join(", ")}\n`);
  process.exit(2);
}
const sections = all.filter(([key]) => wanted.length === 0 || wanted.includes(key)).map(([, title, run]) => [title, run] as const);

const results: Record<string, Figure[]> = {};
for (const [title, run] of sections) {
  const figures = await run();
  results[title] = figures;
  printFigures(title, figures);
}
writeFileSync(join(projectRoot, "bench", "last-run.json"), JSON.stringify({ at: new Date().toISOString(), quick, sizes, results }, null, 2));
process.stdout.write(`\nFigures also written to bench/last-run.json.\n`);
process.exit(0);
