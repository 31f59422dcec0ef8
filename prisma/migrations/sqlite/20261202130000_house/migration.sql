-- One name for idempotency keys: the outbox, the timers and inbound deliveries each
-- deduplicate by a column called "key".
ALTER TABLE "timer" RENAME COLUMN "dedupe_key" TO "key";
DROP INDEX "timer_dedupe_key_key";
CREATE UNIQUE INDEX "timer_key_key" ON "timer"("key");

-- An organisation's official e-mail domains, one row each (they were a comma-separated string).
CREATE TABLE "organisation_domain" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "org_id" INTEGER NOT NULL,
    "domain" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "organisation_domain_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "organisation_domain_org_id_domain_key" ON "organisation_domain"("org_id", "domain");
CREATE INDEX "organisation_domain_domain_idx" ON "organisation_domain"("domain");

WITH RECURSIVE split("org_id", "domain", "rest", "position") AS (
    SELECT "id", '', "domains" || ',', -1 FROM "organisation"
    UNION ALL
    SELECT "org_id", substr("rest", 1, instr("rest", ',') - 1), substr("rest", instr("rest", ',') + 1), "position" + 1
      FROM split WHERE "rest" <> ''
)
-- OR IGNORE: a domain listed twice becomes one row.
INSERT OR IGNORE INTO "organisation_domain" ("org_id", "domain", "position")
SELECT "org_id", trim("domain"), "position" FROM split WHERE trim("domain") <> '' ORDER BY "org_id", "position";

ALTER TABLE "organisation" DROP COLUMN "domains";
