/**
 * The layers of docs/architecture.md, checked on every `npm test` (test/layers.test.ts).
 * From the bottom: model (the message model, errors, platforms, parsed input, the chart
 * renderer src/render, and the plain helpers clock/log/paths) · db · domain · core · commands · runtime (with its settings and the web board src/web,
 * src/config.ts) · adapters ·
 * the composition root (src/main.ts, src/cli.ts, src/platforms.ts), the
 * only files that know them all. An import may only point down, and nothing may form a
 * cycle.
 */
const ROOT = "^src/(main|cli|platforms)\\.ts$";
const BASE = "^src/(model/|render/|clock\\.ts$|log\\.ts$|paths\\.ts$)";
const layer = (name, path, mayNotReach) => ({
  name: `${name}-points-down`,
  comment: `${name} may not import ${mayNotReach.join(", ")}`,
  severity: "error",
  from: { path },
  to: { path: mayNotReach.map((l) => LAYERS[l]) },
});
const LAYERS = {
  db: "^src/db/",
  domain: "^src/domain/",
  core: "^src/core/",
  commands: "^commands/",
  runtime: "^src/(runtime/|web/|config\\.ts$)",
  adapters: "^adapters/",
  root: ROOT,
};

module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    layer("model", BASE, ["db", "domain", "core", "commands", "runtime", "adapters", "root"]),
    layer("db", LAYERS.db, ["domain", "core", "commands", "runtime", "adapters", "root"]),
    layer("domain", LAYERS.domain, ["core", "commands", "runtime", "adapters", "root"]),
    layer("core", LAYERS.core, ["commands", "runtime", "adapters", "root"]),
    layer("commands", LAYERS.commands, ["runtime", "adapters", "root"]),
    layer("runtime", LAYERS.runtime, ["adapters", "root"]),
    {
      name: "adapters-speak-core-and-model",
      comment: "an adapter turns platform traffic into Invocations and Replies: it never touches the database, the domain's rules or the workers",
      severity: "error",
      from: { path: LAYERS.adapters },
      to: { path: [LAYERS.db, LAYERS.domain, LAYERS.commands, LAYERS.runtime, ROOT] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(generated|dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
