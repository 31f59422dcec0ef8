-- Who may receive each queued message, checked again at delivery.
ALTER TABLE "outbox" ADD COLUMN "audience" TEXT NOT NULL DEFAULT 'legacy';
ALTER TABLE "outbox" ADD COLUMN "member_id" INTEGER;
ALTER TABLE "outbox" ADD COLUMN "binding_id" INTEGER;

-- A move to another organisation needs its acceptance and the agency's consent.
ALTER TABLE "handoff" ADD COLUMN "accepted_by_id" INTEGER;
ALTER TABLE "handoff" ADD COLUMN "accepted_at" TIMESTAMP(3);
ALTER TABLE "handoff" ADD COLUMN "consented_by_id" INTEGER;
ALTER TABLE "handoff" ADD COLUMN "consented_at" TIMESTAMP(3);

-- Bootstrap coordinators are made once; those made before keep their history.
ALTER TABLE "member" ADD COLUMN "bootstrapped_at" TIMESTAMP(3);
UPDATE "member" SET "bootstrapped_at" = (
    SELECT MIN("at") FROM "audit_entry" WHERE "action" = 'member.bootstrap_coordinator' AND "target" = 'member:' || "member"."id");
CREATE INDEX "member_email_idx" ON "member"("email");

-- Registration requests, each as the coordinators were shown it.
CREATE TABLE "registration" (
    "id" SERIAL NOT NULL,
    "member_id" INTEGER NOT NULL,
    "org_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "requested_at" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL,
    "decided_at" TIMESTAMP(3),
    "decided_by_id" INTEGER,

    CONSTRAINT "registration_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "registration_member_id_state_idx" ON "registration"("member_id", "state");
CREATE INDEX "registration_org_id_idx" ON "registration"("org_id");
ALTER TABLE "registration" ADD CONSTRAINT "registration_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "registration" ADD CONSTRAINT "registration_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Requests pending at the upgrade stay pending, as they were shown.
INSERT INTO "registration" ("member_id", "org_id", "role", "email", "requested_at", "state")
SELECT "id", "org_id", "role", "email", COALESCE("requested_at", "created_at"), 'pending'
  FROM "member" WHERE "status" = 'pending' AND "org_id" IS NOT NULL AND "role" IS NOT NULL AND "email" IS NOT NULL;
