import Sqlite from "better-sqlite3";
import pg from "pg";
import { GENESIS_HASH } from "../src/domain/timeline.js";

/**
 * Bulk data for benchmarks, written with the raw drivers (fast), shaped as the bot writes
 * it: organisations, vetted people (an on-call investigator, a lead, a coordinator), a bound
 * channel, and N open critical cases paged at `pagedAt`, each with its case thread.
 */

export interface SeedIds {
  agency: number;
  exchange: number;
  bob: number;
  lee: number;
  root: number;
  binding: number;
}

const DAY = 86_400_000;
/** Cases are numbered in the year they are opened (the agency's zone is UTC here). */
const YEAR = new Date().getUTCFullYear();

export function seedSqliteBase(file: string): SeedIds {
  const db = new Sqlite(file);
  const now = Date.now();
  try {
    return db.transaction(() => {
      const org = db.prepare(`INSERT INTO organisation (code, kind, name, jurisdiction, time_zone, created_at, updated_at) VALUES (?,?,?,?,?,?,?)`);
      const domain = db.prepare(`INSERT INTO organisation_domain (org_id, domain, position) VALUES (?, ?, 0)`);
      const agency = Number(org.run("HKPF", "AGENCY", "HK Police", "HK", "UTC", now, now).lastInsertRowid);
      const exchange = Number(org.run("EXA", "EXCHANGE", "Exchange A", "MT", "UTC", now, now).lastInsertRowid);
      domain.run(agency, "police.gov.hk");
      domain.run(exchange, "exa.example");
      const member = db.prepare(`INSERT INTO member (name, org_id, role, email, status, vetted_at, vetted_until, created_at, updated_at) VALUES (?,?,?,?, 'vetted', ?, ?, ?, ?)`);
      const account = db.prepare(`INSERT INTO account (platform, external_id, handle, member_id, created_at) VALUES ('console', ?, ?, ?, ?)`);
      const mk = (name: string, orgId: number | null, role: string) => {
        const id = Number(member.run(name, orgId, role, `${name}@x.example`, now, role === "coordinator" ? null : now + 365 * DAY, now, now).lastInsertRowid);
        account.run(name, name, id, now);
        return id;
      };
      const alice = mk("alice", agency, "liaison");
      void alice;
      const bob = mk("bob", exchange, "investigator");
      const lee = mk("lee", exchange, "investigator");
      const root = mk("root", null, "coordinator");
      db.prepare(`INSERT INTO roster_entry (org_id, kind, member_id, position) VALUES (?, 'oncall', ?, 0), (?, 'lead', ?, 0)`).run(exchange, bob, exchange, lee);
      const binding = Number(
        db.prepare(`INSERT INTO binding (platform, channel_id, channel_name, time_zone, created_by_id, created_at, updated_at) VALUES ('console','hk-exa','hk-exa','UTC',?,?,?)`).run(root, now, now).lastInsertRowid,
      );
      db.prepare(`INSERT INTO binding_org (binding_id, org_id) VALUES (?, ?), (?, ?)`).run(binding, agency, binding, exchange);
      return { agency, exchange, bob, lee, root, binding };
    })();
  } finally {
    db.close();
  }
}

/** N open critical cases paged at `pagedAt`, each with a level-2 timer due at `due`. */
export function seedSqliteCases(file: string, ids: SeedIds, n: number, pagedAt: number, due: number): void {
  const db = new Sqlite(file);
  try {
    db.transaction(() => {
      const caseRow = db.prepare(
        `INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, paged_at, escalation_level, last_activity_at, event_count, head_hash, created_at, updated_at)
         VALUES (?, ?, ?, ${YEAR}, ?, ?, 'critical', 'freeze', 'amber', 'OPEN', 'exchange', ?, ?, 1, ?, 0, ?, ?, ?)`,
      );
      const participant = db.prepare(`INSERT INTO case_participant (case_id, member_id, reason, paged_at, created_at) VALUES (?, ?, ?, ?, ?)`);
      const thread = db.prepare(`INSERT INTO case_thread (case_id, platform, channel_id, binding_id, card_message_id, thread_id, created_at) VALUES (?, 'console', 'hk-exa', ?, ?, ?, ?)`);
      const timer = db.prepare(`INSERT INTO timer (kind, key, due_at, state, case_id, payload, created_at, updated_at) VALUES ('level2', ?, ?, 'scheduled', ?, ?, ?, ?)`);
      for (let i = 1; i <= n; i++) {
        const caseId = Number(caseRow.run(`HKPF-${YEAR}-${String(i).padStart(6, "0")}`, ids.agency, ids.exchange, i, `Case ${i}`, ids.root, pagedAt, pagedAt, GENESIS_HASH, pagedAt, pagedAt).lastInsertRowid);
        participant.run(caseId, ids.bob, "oncall", pagedAt, pagedAt);
        thread.run(caseId, ids.binding, `m${caseId}`, `m${caseId}`, pagedAt);
        timer.run(`case:${caseId}:cycle0:level2`, due, caseId, JSON.stringify({ cycle: 0, from: new Date(pagedAt).toISOString() }), pagedAt, pagedAt);
      }
      // The agency's reference counter, so cases opened afterwards take the next numbers.
      db.prepare(`INSERT INTO ref_counter (agency_id, year, last) VALUES (?, ${YEAR}, ?) ON CONFLICT (agency_id, year) DO UPDATE SET last = excluded.last`).run(ids.agency, n);
    })();
  } finally {
    db.close();
  }
}

export async function seedPostgresBase(url: string): Promise<SeedIds> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    const now = new Date();
    const org = async (code: string, kind: string) =>
      (await c.query(`INSERT INTO organisation (code, kind, name, jurisdiction, time_zone, created_at, updated_at) VALUES ($1,$2,$1,'HK','UTC',$3,$3) RETURNING id`, [code, kind, now])).rows[0].id as number;
    const agency = await org("HKPF", "AGENCY");
    const exchange = await org("EXA", "EXCHANGE");
    await c.query(`INSERT INTO organisation_domain (org_id, domain, position) VALUES ($1,'police.gov.hk',0), ($2,'exa.example',0)`, [agency, exchange]);
    const mk = async (name: string, orgId: number | null, role: string) => {
      const id = (await c.query(`INSERT INTO member (name, org_id, role, email, status, vetted_at, vetted_until, created_at, updated_at) VALUES ($1,$2,$3,$4,'vetted',$5,$6,$5,$5) RETURNING id`, [name, orgId, role, `${name}@x.example`, now, role === "coordinator" ? null : new Date(now.getTime() + 365 * DAY)])).rows[0].id as number;
      await c.query(`INSERT INTO account (platform, external_id, handle, member_id, created_at) VALUES ('console',$1,$1,$2,$3)`, [name, id, now]);
      return id;
    };
    await mk("alice", agency, "liaison");
    const bob = await mk("bob", exchange, "investigator");
    const lee = await mk("lee", exchange, "investigator");
    const root = await mk("root", null, "coordinator");
    await c.query(`INSERT INTO roster_entry (org_id, kind, member_id, position) VALUES ($1,'oncall',$2,0), ($1,'lead',$3,0)`, [exchange, bob, lee]);
    const binding = (await c.query(`INSERT INTO binding (platform, channel_id, channel_name, time_zone, created_by_id, created_at, updated_at) VALUES ('console','hk-exa','hk-exa','UTC',$1,$2,$2) RETURNING id`, [root, now])).rows[0].id as number;
    await c.query(`INSERT INTO binding_org (binding_id, org_id) VALUES ($1,$2), ($1,$3)`, [binding, agency, exchange]);
    await c.query("COMMIT");
    return { agency, exchange, bob, lee, root, binding };
  } finally {
    await c.end();
  }
}

export async function seedPostgresCases(url: string, ids: SeedIds, n: number, pagedAt: Date, due: Date): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO "case" (ref, agency_id, exchange_id, year, seq, title, severity, type, tlp, status, whose_move, opened_by_id, paged_at, escalation_level, last_activity_at, event_count, head_hash, created_at, updated_at)
       SELECT 'HKPF-${YEAR}-' || lpad(i::text, 6, '0'), $1, $2, ${YEAR}, i, 'Case ' || i, 'critical', 'freeze', 'amber', 'OPEN', 'exchange', $3, $4, 1, $4, 0, $5, $4, $4
         FROM generate_series(1, $6) i`,
      [ids.agency, ids.exchange, ids.root, pagedAt, GENESIS_HASH, n],
    );
    await c.query(`INSERT INTO case_participant (case_id, member_id, reason, paged_at, created_at) SELECT id, $1, 'oncall', $2, $2 FROM "case"`, [ids.bob, pagedAt]);
    await c.query(`INSERT INTO case_thread (case_id, platform, channel_id, binding_id, card_message_id, thread_id, created_at) SELECT id, 'console', 'hk-exa', $1, 'm' || id, 'm' || id, $2 FROM "case"`, [ids.binding, pagedAt]);
    await c.query(
      `INSERT INTO timer (kind, key, due_at, state, case_id, payload, created_at, updated_at)
       SELECT 'level2', 'case:' || id || ':cycle0:level2', $1, 'scheduled', id, $2, $3, $3 FROM "case"`,
      [due, JSON.stringify({ cycle: 0, from: pagedAt.toISOString() }), pagedAt],
    );
    await c.query(`INSERT INTO ref_counter (agency_id, year, last) VALUES ($1, ${YEAR}, $2) ON CONFLICT (agency_id, year) DO UPDATE SET last = excluded.last`, [ids.agency, n]);
    await c.query("COMMIT");
  } finally {
    await c.end();
  }
}
