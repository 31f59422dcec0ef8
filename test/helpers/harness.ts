import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { ConsoleAdapter, type TextSink } from "../../adapters/console/index.js";
import type { Storage } from "../../src/config.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { ensureBootstrapCoordinators } from "../../src/domain/members.js";
import { silentLogger } from "../../src/log.js";
import { ConsoleNotifier } from "../../adapters/console/notifier.js";
import type { Policy } from "../../src/domain/policy.js";
import { createCore, type Core } from "../../src/runtime/app.js";
import { OutboxWorker, type Notifier } from "../../src/runtime/outbox.js";
import { Scheduler } from "../../src/runtime/scheduler.js";
import { ManualClock } from "./clock.js";
import { createTempPostgres } from "./postgres.js";

export type Provider = "sqlite" | "postgresql";
export const PROVIDERS: Provider[] = ["sqlite", "postgresql"];

export interface TestDatabase {
  db: Database;
  storage: Storage;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database of either kind: a temp SQLite file or a new PostgreSQL database. */
export async function openTestDatabase(provider: Provider): Promise<TestDatabase> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "liaison-test-"));
    const storage: Storage = { provider: "sqlite", file: join(dir, "liaison.db") };
    const db = await openDatabase(storage, { log: silentLogger });
    return {
      db,
      storage,
      async cleanup() {
        // Closed already when a whole system ran on it (startSystem): the files go regardless.
        await db.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const temp = await createTempPostgres();
  const storage: Storage = { provider: "postgresql", url: temp.url };
  const db = await openDatabase(storage, { log: silentLogger, poolSize: 4 });
  return {
    db,
    storage,
    async cleanup() {
      // Closed already when a whole system ran on it (startSystem): the database goes regardless.
      await db.close().catch(() => {});
      await temp.drop();
    },
  };
}

/** Rows in every application table, to prove that a refused command wrote nothing. */
export async function tableCounts(db: Database, except: string[] = []): Promise<Record<string, number>> {
  const tables =
    db.provider === "sqlite"
      ? await db.client.$queryRawUnsafe<{ name: string }[]>(
          `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name`,
        )
      : await db.client.$queryRawUnsafe<{ name: string }[]>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations' ORDER BY table_name`,
        );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    if (except.includes(name)) continue;
    const rows = await db.client.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM "${name}"`);
    counts[name] = Number(rows[0]!.n);
  }
  return counts;
}

/**
 * Drives the real core through the real console adapter, as a person typing lines would:
 * `await h.say("root: /ppp org list")` returns the lines printed for that input.
 */
export class Harness {
  readonly #output: string[] = [];
  readonly adapter: ConsoleAdapter;
  readonly core: Core;
  readonly outbox: OutboxWorker;
  readonly scheduler: Scheduler;
  /** Where the console saves documents handed back to its users. */
  readonly filesDir = mkdtempSync(join(tmpdir(), "liaison-files-"));
  /** Where the console writes digest charts. */
  readonly digestsDir = mkdtempSync(join(tmpdir(), "liaison-digests-"));

  private constructor(
    readonly db: Database,
    readonly clock: ManualClock,
    policy: Policy | undefined,
    private readonly cleanup: () => Promise<void>,
    notifiers: ((sink: TextSink) => Notifier[]) | undefined,
  ) {
    // Synchronous on purpose: a stream would buffer writes until a later tick.
    const sink: TextSink = { write: (text: string) => this.#output.push(...text.split("\n").filter((l) => l !== "")) };
    const all = notifiers ? notifiers(sink) : [new ConsoleNotifier(sink, { digestsDir: this.digestsDir })];
    this.outbox = new OutboxWorker({ db, clock, log: silentLogger, notifiers: all, parallel: false });
    this.core = createCore(db, { clock, log: silentLogger, policy, platforms: all.map((n) => n.platform) });
    this.scheduler = new Scheduler({ db, clock, log: silentLogger, services: this.core.services });
    this.adapter = new ConsoleAdapter({
      input: process.stdin,
      output: sink,
      interactive: false,
      runner: this.core.dispatcher,
      settle: () => this.settle(),
      filesDir: this.filesDir,
    });
  }

  /** Fires the timers due now and delivers what is due, as the running bot would. */
  async settle(): Promise<void> {
    await this.scheduler.drain();
    await this.outbox.drain();
  }

  /** Moves the clock forward, firing every timer that falls due on the way, in order. */
  async advance(ms: number, step = 1): Promise<string[]> {
    const start = this.#output.length;
    const end = this.clock.now().getTime() + ms;
    for (;;) {
      await this.settle();
      const next = await this.scheduler.nextDue();
      const now = this.clock.now().getTime();
      if (!next || next.getTime() > end) break;
      this.clock.set(new Date(Math.max(now + step, next.getTime())));
    }
    this.clock.set(new Date(end));
    await this.settle();
    return this.#output.slice(start);
  }

  /** Jumps the clock without firing anything on the way (the bot was down). */
  jump(ms: number): void {
    this.clock.advance(ms);
  }

  static async open(
    provider: Provider,
    options: { admins?: string[]; clock?: ManualClock; policy?: Policy; notifiers?: (sink: TextSink) => Notifier[] } = {},
  ): Promise<Harness> {
    const { db, cleanup } = await openTestDatabase(provider);
    const clock = options.clock ?? new ManualClock();
    const admins = options.admins ?? ["root"];
    await db.tx((tx) =>
      ensureBootstrapCoordinators(tx, admins.map((a) => ({ platform: "console" as const, externalId: a })), clock.now()),
    );
    return new Harness(db, clock, options.policy, cleanup, options.notifiers);
  }

  /** Runs each non-empty line in turn; returns everything printed. */
  async say(lines: string): Promise<string[]> {
    const start = this.#output.length;
    for (const line of lines.split("\n")) await this.adapter.handleLine(line);
    return this.#output.slice(start);
  }

  /** Like say(), but delivers nothing and fires no timer: what the lines cause stays queued. */
  async queue(lines: string): Promise<string[]> {
    const start = this.#output.length;
    for (const line of lines.split("\n")) await this.adapter.handleLine(line, { settle: false });
    return this.#output.slice(start);
  }

  /** Fires the timers due now without delivering anything. */
  async fireDue(): Promise<void> {
    await this.scheduler.drain();
  }

  /** Marks the output so far; the function returned gives everything printed since. */
  mark(): () => string[] {
    const start = this.#output.length;
    return () => this.#output.slice(start);
  }

  /** Like say(), for a single line, returning its output joined as one string. */
  async text(line: string): Promise<string> {
    return (await this.say(line)).join("\n");
  }

  /**
   * Runs a line that must be refused: one private error line for its speaker and nothing
   * written — but the one audit entry of a denial when `audited`. Returns the error's text.
   */
  async refused(line: string, options: { audited?: boolean } = {}): Promise<string> {
    await this.settle(); // timers already due (a jump of the clock) are not this command's doing
    const before = await this.counts(["audit_entry"]);
    const audits = (await this.counts())["audit_entry"]!;
    const out = await this.say(line);
    expect(await this.counts(["audit_entry"])).toEqual(before);
    expect((await this.counts())["audit_entry"]! - audits).toBe(options.audited ? 1 : 0);
    expect(out).toHaveLength(1);
    const speaker = line.split(/[:@]/)[0];
    expect(out[0]).toMatch(new RegExp(`^\\(only ${speaker}\\) error: `));
    return out[0]!.replace(/^\(only [^)]+\) error: /, "");
  }

  counts(except: string[] = []) {
    return tableCounts(this.db, except);
  }

  close() {
    rmSync(this.filesDir, { recursive: true, force: true });
    rmSync(this.digestsDir, { recursive: true, force: true });
    return this.cleanup();
  }
}

/** Organisations and vetted people most tests start from. */
export const SEED = `
root: /ppp org add code:HKPF-CSTCB kind:agency name:"Hong Kong Police CSTCB" jurisdiction:HK domains:police.gov.hk tz:Asia/Hong_Kong
root: /ppp org add code:SGPF kind:agency name:"Singapore Police Force" jurisdiction:SG domains:spf.gov.sg tz:Asia/Singapore
root: /ppp org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example tz:Europe/Malta
root: /ppp org add code:EXB kind:exchange name:"Exchange B" jurisdiction:SC domains:exb.example
alice: /liaison register org:HKPF-CSTCB role:liaison email:alice@police.gov.hk
carol: /liaison register org:HKPF-CSTCB role:liaison email:carol@cyber.police.gov.hk
sam: /liaison register org:SGPF role:liaison email:sam@spf.gov.sg
bob: /liaison register org:EXA role:investigator email:bob@exa.example
dave: /liaison register org:EXA role:investigator email:dave@exa.example
lee: /liaison register org:EXA role:investigator email:lee@exa.example
eve: /liaison register org:EXB role:investigator email:eve@exb.example
root: /liaison vet @alice
root: /liaison vet @carol
root: /liaison vet @sam
root: /liaison vet @bob
root: /liaison vet @dave
root: /liaison vet @lee
root: /liaison vet @eve
root: /ppp oncall EXA @bob @dave
root: /ppp leads EXA @lee
root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA
`.trim();
