import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statement, toDate, toJson } from "../../src/db/sql.js";
import { openTestDatabase, PROVIDERS, type TestDatabase } from "../helpers/harness.js";

/** Typed statements run on the connection of Prisma's own transaction, on both databases. */

const insertAudit = statement<{ at: Date; action: string }>(
  "test_insert_audit",
  `INSERT INTO "audit_entry" ("at", "actor_id", "account", "action") VALUES (@at, NULL, 'test', @action)`,
);
const readAudit = statement<{ action: string }, { at: Date; action: string }>(
  "test_read_audit",
  `SELECT "at", "action" FROM "audit_entry" WHERE "action" = @action`,
  (r) => ({ at: toDate(r.at), action: String(r.action) }),
);
const json = statement<{ rows: { a: number; b: string }[] }, { total: number; items: { a: number; b: string }[] }>(
  "test_json",
  {
    sqlite: `SELECT SUM(json_extract(j.value, '$.a')) AS total, json_group_array(json_object('a', json_extract(j.value, '$.a'), 'b', json_extract(j.value, '$.b'))) AS items FROM json_each(@rows) j`,
    postgresql: `SELECT SUM(x.a)::int AS total, json_agg(json_build_object('a', x.a, 'b', x.b)) AS items FROM json_to_recordset(@rows::json) AS x(a int, b text)`,
  },
  (r) => ({ total: Number(r.total), items: toJson(r.items) }),
);

describe.each(PROVIDERS)("typed SQL on %s", (provider) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(provider);
  });
  afterAll(() => t?.cleanup());

  it("runs inside Prisma's transaction: what one writes the other reads, and a rollback takes both", async () => {
    const at = new Date("2026-11-23T09:00:00.123Z");
    await expect(
      t.db.tx(async (tx) => {
        await tx.sql.run(insertAudit, { at, action: "sql.test" });
        await tx.auditEntry.create({ data: { at, account: "test", action: "sql.test" } });
        expect(await tx.sql.all(readAudit, { action: "sql.test" })).toEqual([
          { at, action: "sql.test" },
          { at, action: "sql.test" },
        ]);
        expect(await tx.auditEntry.count({ where: { action: "sql.test" } })).toBe(2);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await t.db.tx((tx) => tx.sql.all(readAudit, { action: "sql.test" }))).toEqual([]);
  });

  it("reads a timestamp written by Prisma as the same instant", async () => {
    const at = new Date("2026-03-29T01:30:00.456Z");
    await t.db.tx((tx) => tx.auditEntry.create({ data: { at, account: "test", action: "sql.instant" } }));
    expect(await t.db.tx((tx) => tx.sql.one(readAudit, { action: "sql.instant" }))).toEqual({ at, action: "sql.instant" });
  });

  it("takes many rows as one JSON parameter", async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ a: i, b: `row ${i} "quoted" & <odd>` }));
    const got = await t.db.tx((tx) => tx.sql.one(json, { rows }));
    expect(got!.total).toBe((499 * 500) / 2);
    expect(got!.items).toEqual(rows);
  });

  it("runs transactions side by side, each on its own connection", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.db.tx(async (tx) => {
          await tx.sql.run(insertAudit, { at: new Date(), action: `sql.parallel.${i}` });
          return (await tx.sql.all(readAudit, { action: `sql.parallel.${i}` })).length;
        }),
      ),
    );
    expect(results).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
