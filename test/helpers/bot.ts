import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv, MAIN } from "./spawn.js";

/**
 * A real bot process (`node dist/src/main.js`, the console adapter) that tests can feed,
 * watch, and kill with SIGKILL at the moment they choose.
 */
export class Bot {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string | undefined>, cwd: string) {
    this.child = spawn(process.execPath, [MAIN], { cwd, env: childEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.on("data", (d) => (this.stdout += d));
    this.child.stderr!.on("data", (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  send(lines: string): void {
    this.child.stdin!.write(lines.endsWith("\n") ? lines : `${lines}\n`);
  }

  /** Waits until stdout or stderr matches. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!pattern.test(this.stdout) && !pattern.test(this.stderr)) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`timed out waiting for ${pattern}\n--- stdout\n${this.stdout.slice(-2000)}\n--- stderr\n${this.stderr.slice(-2000)}`);
      }
      if (this.child.exitCode !== null) throw new Error(`bot exited (${this.child.exitCode}) before ${pattern}\n${this.stderr.slice(-2000)}`);
      await sleep(25);
    }
  }

  kill9(): Promise<number | null> {
    this.child.kill("SIGKILL");
    return this.exited;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Asks it to shut down gracefully (SIGTERM). */
  stop(): void {
    this.child.kill("SIGTERM");
  }

  /** Ends its input: it finishes what is due and exits. */
  finish(): Promise<number | null> {
    this.child.stdin!.end();
    return this.exited;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A working directory with a seconds-scale escalation policy (the shape of docs/contract.md §3). */
export function fastPolicyDir(): { dir: string; policy: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "liaison-bot-"));
  const policy = join(dir, "policy.yaml");
  writeFileSync(
    policy,
    [
      "severities:",
      "  critical: { ack: 3s, remind: 2s, level2: 5s, level3: 9s }",
      "  high:     { ack: 1h, remind: 15m, level2: 1h, level3: 4h }",
      "  medium:   { ack: 4h, remind: 1h, level2: 8h, level3: 24h }",
      "  low:      { ack: 24h, remind: 8h, level2: 48h, level3: 96h }",
      "stale: 7d",
      "",
    ].join("\n"),
  );
  return { dir, policy, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, "g")) ?? []).length;

/** Reads what a bot left in its database (a `file:` SQLite path or a PostgreSQL URL), from outside it. */
export async function queryDatabase<T>(url: string, sql: string): Promise<T[]> {
  if (url.startsWith("file:")) {
    const { default: Sqlite } = await import("better-sqlite3");
    const db = new Sqlite(url.slice("file:".length), { readonly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
