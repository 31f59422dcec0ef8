#!/usr/bin/env node
// `npm run demo` runs examples/demo.txt through the console on a throwaway SQLite database:
// a temporary folder (the database, its signing key, saved files and charts) created for the
// run and removed after it, so the demo runs the same any number of times and never touches
// ./data. `npm run demo -- <file>` runs another console script the same way (the bot runs in
// that folder, so `file:` paths in a script should be absolute, and no .env is read). The
// console is forced (--console): platform credentials in the environment are never used.
// Exit status: the bot's.
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = process.env.INIT_CWD ?? process.cwd();
const script = process.argv[2] ? resolve(from, process.argv[2]) : join(root, "examples", "demo.txt");
if (!existsSync(script)) {
  process.stderr.write(`demo: no such file: ${script}\n`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "liaison-demo-"));
const child = spawn(process.execPath, [join(root, "dist", "src", "main.js"), "--console"], {
  cwd: dir,
  env: {
    ...process.env,
    DATABASE_URL: `file:${join(dir, "demo.db")}`,
    LIAISON_BOOTSTRAP_ADMINS: process.env.LIAISON_BOOTSTRAP_ADMINS ?? "console:root",
    LIAISON_CONSOLE_HISTORY: "off",
    // A throwaway signing key is generated for the run; its warning would only be noise here.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
  },
  stdio: ["pipe", "inherit", "inherit"],
});
createReadStream(script).pipe(child.stdin);
// Ctrl-C reaches the bot too (same process group); wait for it, then clean up.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("close", (code, signal) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
