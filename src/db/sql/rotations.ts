import type { LayerSpec, MemberView } from "../rows.js";
import { statement, toDate, toInt, toIntOrNull } from "../sql.js";
import { memberColumns, readMember } from "./members.js";

/**
 * Rotation layers and covers of several organisations, each in one statement: what paging,
 * shift changes and `/ppp oncall` compute who is on call from (src/domain/rotation.ts).
 */

export interface LayerRow extends LayerSpec {
  id: number;
  orgId: number;
  member: MemberView;
}

const LAYER_COLUMNS = `l.id AS layer_id, l.org_id AS layer_org, l.name AS layer_name, l.days AS layer_days, l.shift_start, l.shift_end,
  l.every_minutes, l.time_zone AS layer_tz, l.start_date`;

/** One row per person of each layer, layers in the order they were added, people in rotation order. */
export const layerPeople = statement<{ orgIds: number[] }, LayerRow>(
  "layer_people",
  {
    sqlite: `SELECT ${LAYER_COLUMNS}, ${memberColumns("sqlite")}
      FROM "rotation_layer" l JOIN "rotation_member" rm ON rm.layer_id = l.id JOIN "member" m ON m.id = rm.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE l.org_id IN (SELECT value FROM json_each(@orgIds)) ORDER BY l.org_id, l.id, rm.position`,
    postgresql: `SELECT ${LAYER_COLUMNS}, ${memberColumns("postgresql")}
      FROM "rotation_layer" l JOIN "rotation_member" rm ON rm.layer_id = l.id JOIN "member" m ON m.id = rm.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE l.org_id = ANY(@orgIds::int[]) ORDER BY l.org_id, l.id, rm.position`,
  },
  (r) => ({
    id: toInt(r.layer_id),
    orgId: toInt(r.layer_org),
    name: String(r.layer_name),
    days: toInt(r.layer_days),
    shiftStart: toIntOrNull(r.shift_start),
    shiftEnd: toIntOrNull(r.shift_end),
    everyMinutes: toIntOrNull(r.every_minutes),
    zone: String(r.layer_tz),
    startDate: String(r.start_date),
    member: readMember(r),
  }),
);

export interface CoverRow {
  id: number;
  orgId: number;
  forMemberId: number;
  from: Date;
  to: Date;
  member: MemberView;
}

/** Covers of these organisations that have not ended by `after`, in the order they start. */
export const coversOf = statement<{ orgIds: number[]; after: Date }, CoverRow>(
  "covers_of",
  {
    sqlite: `SELECT c.id AS cover_id, c.org_id AS cover_org, c.for_member_id, c.from_at, c.to_at, ${memberColumns("sqlite")}
      FROM "rotation_cover" c JOIN "member" m ON m.id = c.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE c.org_id IN (SELECT value FROM json_each(@orgIds)) AND c.to_at > @after ORDER BY c.from_at, c.id`,
    postgresql: `SELECT c.id AS cover_id, c.org_id AS cover_org, c.for_member_id, c.from_at, c.to_at, ${memberColumns("postgresql")}
      FROM "rotation_cover" c JOIN "member" m ON m.id = c.member_id LEFT JOIN "organisation" o ON o.id = m.org_id
      WHERE c.org_id = ANY(@orgIds::int[]) AND c.to_at > @after ORDER BY c.from_at, c.id`,
  },
  (r) => ({
    id: toInt(r.cover_id),
    orgId: toInt(r.cover_org),
    forMemberId: toInt(r.for_member_id),
    from: toDate(r.from_at),
    to: toDate(r.to_at),
    member: readMember(r),
  }),
);

/**
 * Cancels an organisation's future shift-change timers other than `keep` (its next one). One
 * already due (its firing failed and waits to be retried, or the scheduler is behind) still fires.
 */
export const cancelShiftTimers = statement<{ prefix: string; keep: string; now: Date }>(
  "cancel_shift_timers",
  `UPDATE "timer" SET state = 'cancelled', updated_at = @now WHERE kind = 'shift' AND state = 'scheduled' AND key LIKE @prefix AND key <> @keep AND due_at > @now`,
);

/**
 * Sets the shift-change timer at `key`: a new row, or the same change scheduled again (with
 * who is on call before it as computed now) — also when an earlier edit had cancelled it. A
 * change already fired (done, or running now) is left alone.
 */
export const upsertShiftTimer = statement<{ key: string; dueAt: Date; payload: string; now: Date }>(
  "upsert_shift_timer",
  `INSERT INTO "timer" ("kind", "key", "due_at", "state", "attempts", "payload", "created_at", "updated_at")
   VALUES ('shift', @key, @dueAt, 'scheduled', 0, @payload, @now, @now)
   ON CONFLICT ("key") DO UPDATE SET state = 'scheduled', payload = excluded.payload, updated_at = excluded.updated_at,
     attempts = 0, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, last_error = NULL
   WHERE "timer".state IN ('scheduled', 'cancelled')`,
);

/** Open cases an organisation is a party to, by id (a shift change looks at each). */
export const openCasesOfOrg = statement<{ orgId: number }, { id: number }>(
  "open_cases_of_org",
  `SELECT id FROM "case" WHERE (exchange_id = @orgId OR agency_id = @orgId) AND status NOT IN ('RESOLVED', 'CLOSED') ORDER BY id`,
  (r) => ({ id: toInt(r.id) }),
);
