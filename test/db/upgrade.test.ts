import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleNotifier } from "../../adapters/console/notifier.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { loadMigrations, migratePostgres, migrateSqlite } from "../../src/db/migrate.js";
import { silentLogger } from "../../src/log.js";
import { createCore } from "../../src/runtime/app.js";
import { OutboxWorker } from "../../src/runtime/outbox.js";
import { systemClock } from "../../src/clock.js";
import { createTempPostgres } from "../helpers/postgres.js";
import { PROVIDERS, type Provider } from "../helpers/harness.js";

/**
 * A database as an earlier release left it — the first release (last migration
 * 20261123160000_lease) and the previous main (20261202120000_delivery_order) — with a
 * pending registration, an organisation with two domains and an on-call list, a scheduled
 * timer and a queued message, upgraded by starting the current bot: the request is still
 * there to vet, the message is still delivered, the domains are rows, the on-call list is
 * the default rotation layer and the timer keeps its key.
 */

const RELEASES = ["20261123160000_lease", "20261202120000_delivery_order"] as const;

interface Raw {
  exec(sql: string, params?: unknown[]): Promise<void>;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

async function previousRelease(provider: Provider, PREVIOUS: string, cleanups: (() => Promise<void> | void)[]): Promise<{ storage: Parameters<typeof openDatabase>[0]; raw: Raw }> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "liaison-upgrade-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "old.db");
    migrateSqlite(file, silentLogger, PREVIOUS);
    const db = new Sqlite(file);
    const bind = (params: unknown[] = []) => params.map((p) => (p instanceof Date ? p.getTime() : p));
    return {
      storage: { provider: "sqlite", file },
      raw: {
        exec: async (sql, params) => void db.prepare(sql).run(bind(params)),
        all: async <T>(sql: string, params?: unknown[]) => db.prepare(sql).all(bind(params)) as T[],
        close: async () => void db.close(),
      },
    };
  }
  const temp = await createTempPostgres("liaison_upgrade");
  cleanups.push(() => temp.drop());
  await migratePostgres(temp.url, silentLogger, PREVIOUS);
  const client = new pg.Client({ connectionString: temp.url });
  await client.connect();
  const numbered = (sql: string) => {
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`);
  };
  return {
    storage: { provider: "postgresql", url: temp.url },
    raw: {
      exec: async (sql, params) => void (await client.query(numbered(sql), params)),
      all: async <T>(sql: string, params?: unknown[]) => (await client.query(numbered(sql), params)).rows as T[],
      close: () => client.end(),
    },
  };
}

describe.each(PROVIDERS.flatMap((p) => RELEASES.map((r) => [p, r] as const)))("upgrading a database on %s made at %s", (provider, PREVIOUS) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("keeps a pending registration to vet and delivers a message queued before the upgrade", async () => {
    const { storage, raw } = await previousRelease(provider, PREVIOUS, cleanups);
    const now = new Date();
    const later = new Date(now.getTime() + 365 * 86_400_000);
    await raw.exec(`INSERT INTO organisation (code, kind, name, jurisdiction, time_zone, domains, created_at, updated_at) VALUES ('EXA', 'EXCHANGE', 'Exchange A', 'MT', 'UTC', 'exa.example,exa-trading.example', ?, ?)`, [now, now]);
    await raw.exec(`INSERT INTO timer (kind, dedupe_key, due_at, member_id, created_at, updated_at) VALUES ('vetting_expiry', 'vetting_expiry:2', ?, 2, ?, ?)`, [later, now, now]);
    await raw.exec(`INSERT INTO member (name, role, status, vetted_at, created_at, updated_at) VALUES ('root', 'coordinator', 'vetted', ?, ?, ?)`, [now, now, now]);
    await raw.exec(`INSERT INTO member (name, org_id, role, email, status, requested_at, created_at, updated_at) VALUES ('bob', 1, 'investigator', 'bob@exa.example', 'pending', ?, ?, ?)`, [now, now, now]);
    await raw.exec(`INSERT INTO account (platform, external_id, handle, member_id, created_at) VALUES ('console', 'root', 'root', 1, ?), ('console', 'bob', 'bob', 2, ?)`, [now, now]);
    await raw.exec(`INSERT INTO roster_entry (org_id, kind, member_id, position) VALUES (1, 'oncall', 2, 0)`);
    // Two cases resolved before results existed: one with funds frozen, one without.
    await raw.exec(`INSERT INTO organisation (code, kind, name, jurisdiction, time_zone, domains, created_at, updated_at) VALUES ('HKPF', 'AGENCY', 'HK Police', 'HK', 'UTC', 'police.gov.hk', ?, ?)`, [now, now]);
    for (const seq of [1, 2]) {
      await raw.exec(
        `INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, resolved_at, outcome, last_activity_at, head_hash, created_at, updated_at)
         VALUES (?, 2, 1, 2026, ?, 'Old', 'high', 'freeze', 'amber', 'RESOLVED', 'agency', 1, ?, 'done', ?, 'x', ?, ?)`,
        [`HKPF-2026-000${seq}`, seq, now, now, now, now],
      );
    }
    await raw.exec(`INSERT INTO case_amount (case_id, position, kind, asset, amount) VALUES (1, 0, 'frozen', 'BTC', '1')`);
    await raw.exec(
      `INSERT INTO outbox (key, platform, kind, channel_id, order_key, payload, next_attempt_at, deadline_at, created_at) VALUES ('old:1', 'console', 'dm', 'root', 'dm:console:root', ?, ?, ?, ?)`,
      [JSON.stringify({ blocks: [{ kind: "text", rich: [{ t: "text", v: "queued before the upgrade" }] }] }), now, later, now],
    );
    await raw.close();

    // Starting the bot applies what the previous release did not have.
    const db: Database = await openDatabase(storage, { log: silentLogger });
    cleanups.unshift(() => db.close());
    const newer = loadMigrations(provider).filter((m) => m.name > PREVIOUS).map((m) => m.name);
    expect(newer.length).toBeGreaterThan(0);
    const applied = await db.tx((tx) => tx.$queryRawUnsafe<{ migration_name: string }[]>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`));
    expect(applied.map((r) => r.migration_name).slice(-newer.length)).toEqual(newer);

    // The request made before the upgrade is the one a coordinator vets.
    const lines: string[] = [];
    const notifier = new ConsoleNotifier({ write: (t: string) => lines.push(...t.trimEnd().split("\n")) });
    const outbox = new OutboxWorker({ db, clock: systemClock, log: silentLogger, notifiers: [notifier], parallel: false });
    const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: outbox.platforms });
    const reply = await core.dispatcher.dispatch({
      platform: "console",
      account: { platform: "console", externalId: "root", handle: "root" },
      channel: { platform: "console", id: "general", name: "general", direct: false },
      family: "liaison",
      input: { text: "vet @bob", mentions: (w) => (w === "@bob" ? "console:bob" : undefined) },
    });
    expect(reply.tone).not.toBe("error");
    expect(JSON.stringify(reply.blocks)).toMatch(/vetted/i);
    expect(JSON.stringify(reply.blocks)).toMatch(/EXA/);

    // The message queued before the upgrade still goes (judged by what its row says).
    await outbox.drain();
    expect(lines).toContain("[dm @root] queued before the upgrade");
    const [old] = await db.tx((tx) => tx.$queryRawUnsafe<{ state: string; audience: string }[]>(`SELECT state, audience FROM outbox WHERE key = 'old:1'`));
    expect(old).toEqual({ state: "sent", audience: "legacy" });

    // The comma-separated domains are rows in their order; the timer kept its idempotency key.
    const domains = await db.tx((tx) => tx.$queryRawUnsafe<{ domain: string }[]>(`SELECT domain FROM organisation_domain WHERE org_id = 1 ORDER BY position`));
    expect(domains.map((d) => d.domain)).toEqual(["exa.example", "exa-trading.example"]);
    const timers = await db.tx((tx) => tx.$queryRawUnsafe<{ key: string; state: string }[]>(`SELECT key, state FROM timer WHERE key = 'vetting_expiry:2'`));
    expect(timers).toEqual([{ key: "vetting_expiry:2", state: "scheduled" }]);

    // The flat on-call list is the always-on default layer: the same people are paged.
    const layers = await db.tx((tx) => tx.rotationLayer.findMany({ include: { people: true } }));
    expect(layers.map((l) => ({ org: l.orgId, name: l.name, every: l.everyMinutes, days: l.days, people: l.people.map((p) => p.memberId) }))).toEqual([
      { org: 1, name: "default", every: null, days: 127, people: [2] },
    ]);
    expect(await db.tx((tx) => tx.rosterEntry.count({ where: { kind: "oncall" } }))).toBe(0);

    // Cases resolved before results existed have one: frozen when funds were frozen, else other.
    const results = await db.tx((tx) => tx.case.findMany({ orderBy: { id: "asc" }, select: { ref: true, result: true } }));
    expect(results).toEqual([{ ref: "HKPF-2026-0001", result: "frozen" }, { ref: "HKPF-2026-0002", result: "other" }]);
  });
});

describe.each(PROVIDERS)("upgrading the previous main on %s (20261202160000_retention, before the board)", (provider) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it("keeps its members and signs one in to the board afterwards", async () => {
    const { storage, raw } = await previousRelease(provider, "20261202160000_retention", cleanups);
    const now = new Date();
    await raw.exec(`INSERT INTO member (name, role, status, vetted_at, created_at, updated_at) VALUES ('root', 'coordinator', 'vetted', ?, ?, ?)`, [now, now, now]);
    await raw.exec(`INSERT INTO account (platform, external_id, handle, member_id, created_at) VALUES ('console', 'root', 'root', 1, ?)`, [now]);
    await raw.close();

    const db: Database = await openDatabase(storage, { log: silentLogger });
    cleanups.unshift(() => db.close());
    const applied = await db.tx((tx) => tx.$queryRawUnsafe<{ migration_name: string }[]>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`));
    expect(applied.map((r) => r.migration_name)).toContain("20261202170000_board");
    const core = createCore(db, { clock: systemClock, log: silentLogger, platforms: ["console"] });
    core.services.boardUrl = "https://board.example";
    const reply = await core.dispatcher.dispatch({
      platform: "console",
      account: { platform: "console", externalId: "root", handle: "root" },
      channel: { platform: "console", id: "general", name: "general", direct: false },
      family: "liaison",
      input: { text: "board", mentions: () => undefined },
    });
    expect(JSON.stringify(reply.blocks)).toMatch(/https:\/\/board\.example\/board\/login\?token=[0-9a-f]{64}/);
    expect(await db.tx((tx) => tx.boardSession.count({ where: { memberId: 1 } }))).toBe(1);
  });
});
