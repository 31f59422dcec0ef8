-- On-call as rotation layers (docs/contract.md §8). The flat on-call list of each exchange
-- becomes its `default` layer: everyone listed on call at all times, as before.
CREATE TABLE "rotation_layer" (
    "id" SERIAL NOT NULL,
    "org_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "days" INTEGER NOT NULL,
    "shift_start" INTEGER,
    "shift_end" INTEGER,
    "every_minutes" INTEGER,
    "time_zone" TEXT NOT NULL,
    "start_date" TEXT NOT NULL,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rotation_layer_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rotation_member" (
    "id" SERIAL NOT NULL,
    "layer_id" INTEGER NOT NULL,
    "member_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "rotation_member_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "rotation_cover" (
    "id" SERIAL NOT NULL,
    "org_id" INTEGER NOT NULL,
    "member_id" INTEGER NOT NULL,
    "for_member_id" INTEGER NOT NULL,
    "from_at" TIMESTAMP(3) NOT NULL,
    "to_at" TIMESTAMP(3) NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "rotation_cover_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "rotation_layer_org_id_name_key" ON "rotation_layer"("org_id", "name");
CREATE UNIQUE INDEX "rotation_member_layer_id_position_key" ON "rotation_member"("layer_id", "position");
CREATE INDEX "rotation_member_member_id_idx" ON "rotation_member"("member_id");
CREATE INDEX "rotation_cover_org_id_to_at_idx" ON "rotation_cover"("org_id", "to_at");

ALTER TABLE "rotation_layer" ADD CONSTRAINT "rotation_layer_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "rotation_member" ADD CONSTRAINT "rotation_member_layer_id_fkey" FOREIGN KEY ("layer_id") REFERENCES "rotation_layer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "rotation_member" ADD CONSTRAINT "rotation_member_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "rotation_cover" ADD CONSTRAINT "rotation_cover_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "rotation_cover" ADD CONSTRAINT "rotation_cover_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

INSERT INTO "rotation_layer" ("org_id", "name", "days", "every_minutes", "time_zone", "start_date", "created_at", "updated_at")
SELECT o."id", 'default', 127, NULL, o."time_zone", to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM "organisation" o WHERE EXISTS (SELECT 1 FROM "roster_entry" r WHERE r."org_id" = o."id" AND r."kind" = 'oncall');
INSERT INTO "rotation_member" ("layer_id", "member_id", "position")
SELECT l."id", r."member_id", r."position"
  FROM "roster_entry" r JOIN "rotation_layer" l ON l."org_id" = r."org_id" AND l."name" = 'default'
 WHERE r."kind" = 'oncall' ORDER BY r."org_id", r."position";
DELETE FROM "roster_entry" WHERE "kind" = 'oncall';
