-- One name for idempotency keys: the outbox, the timers and inbound deliveries each
-- deduplicate by a column called "key".
ALTER TABLE "timer" RENAME COLUMN "dedupe_key" TO "key";
ALTER INDEX "timer_dedupe_key_key" RENAME TO "timer_key_key";

-- An organisation's official e-mail domains, one row each (they were a comma-separated string).
CREATE TABLE "organisation_domain" (
    "id" SERIAL NOT NULL,
    "org_id" INTEGER NOT NULL,
    "domain" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "organisation_domain_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "organisation_domain_org_id_domain_key" ON "organisation_domain"("org_id", "domain");
CREATE INDEX "organisation_domain_domain_idx" ON "organisation_domain"("domain");
ALTER TABLE "organisation_domain" ADD CONSTRAINT "organisation_domain_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "organisation_domain" ("org_id", "domain", "position")
SELECT o."id", btrim(d."domain"), d."n" - 1
  FROM "organisation" o, unnest(string_to_array(o."domains", ',')) WITH ORDINALITY AS d("domain", "n")
 WHERE btrim(d."domain") <> ''
 ORDER BY o."id", d."n"
-- a domain listed twice becomes one row
ON CONFLICT DO NOTHING;

ALTER TABLE "organisation" DROP COLUMN "domains";
