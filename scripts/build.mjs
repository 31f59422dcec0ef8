#!/usr/bin/env node
// Builds what `npm start` and `npm test` need, so a fresh clone needs only `npm install`:
// the two Prisma clients (SQLite and PostgreSQL, both from prisma/schema.prisma) and the
// compiled JavaScript in dist/. Each step is skipped when its inputs have not changed.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaPath = join(root, "prisma", "schema.prisma");
const generatedDir = join(root, "generated");
const stampPath = join(generatedDir, ".stamp");
const onlyGenerate = process.argv.includes("--generate-only");

function run(args, env = {}) {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    process.exit(result.status ?? 1);
  }
}

function generateClients() {
  const schema = readFileSync(schemaPath, "utf8");
  const prismaVersion = JSON.parse(readFileSync(join(root, "node_modules/prisma/package.json"), "utf8")).version;
  const postgresSchema = schema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"[^"]*"/, 'output       = "./postgresql"');
  const stamp = createHash("sha256").update(prismaVersion).update(schema).update(postgresSchema).digest("hex");
  const complete = ["sqlite", "postgresql"].every((p) => existsSync(join(generatedDir, p, "client.ts")));
  if (complete && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp) return;

  mkdirSync(generatedDir, { recursive: true });
  const postgresSchemaPath = join(generatedDir, "postgresql.prisma");
  writeFileSync(postgresSchemaPath, postgresSchema);

  // `prisma generate` never runs the schema engine, but the CLI insists on a path for it;
  // pointing it at an existing file keeps the CLI from trying to download one.
  const env = {
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    PRISMA_DISABLE_WARNINGS: "1",
  };
  const cli = join(root, "node_modules/prisma/build/index.js");
  run([cli, "generate", "--schema", schemaPath], env);
  run([cli, "generate", "--schema", postgresSchemaPath], env);
  writeFileSync(stampPath, stamp);
}

/** Newest modification time under the compiled folders, to skip tsc when nothing changed. */
function newestSource() {
  let newest = Math.max(statSync(join(root, "tsconfig.json")).mtimeMs, statSync(join(root, "package-lock.json")).mtimeMs);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ["src", "commands", "adapters", "generated", "bench", "test/fakes"]) if (existsSync(join(root, dir))) walk(join(root, dir));
  return newest;
}

function compile() {
  const stamp = join(root, "dist", ".build-stamp");
  const started = Date.now();
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) return;
  run([join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
  writeFileSync(stamp, "");
  // Stamped with the start time: a file saved while tsc ran is rebuilt next time.
  utimesSync(stamp, started / 1000, started / 1000);
}

generateClients();
if (!onlyGenerate) compile();
