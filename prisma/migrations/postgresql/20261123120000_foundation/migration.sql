-- CreateTable
CREATE TABLE "organisation" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jurisdiction" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "domains" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "organisation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "org_id" INTEGER,
    "role" TEXT,
    "email" TEXT,
    "status" TEXT NOT NULL DEFAULT 'unregistered',
    "requested_at" TIMESTAMP(3),
    "vetted_at" TIMESTAMP(3),
    "vetted_until" TIMESTAMP(3),
    "vetted_by_id" INTEGER,
    "suspended_at" TIMESTAMP(3),
    "suspended_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" SERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "link_code" (
    "id" SERIAL NOT NULL,
    "code_hash" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "link_code_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "roster_entry" (
    "id" SERIAL NOT NULL,
    "org_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "roster_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "binding" (
    "id" SERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "channel_name" TEXT NOT NULL,
    "digest_cron" TEXT NOT NULL DEFAULT '0 9 * * 1',
    "time_zone" TEXT NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "binding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "binding_org" (
    "binding_id" INTEGER NOT NULL,
    "org_id" INTEGER NOT NULL,

    CONSTRAINT "binding_org_pkey" PRIMARY KEY ("binding_id","org_id")
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor_id" INTEGER,
    "account" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organisation_code_key" ON "organisation"("code");

-- CreateIndex
CREATE INDEX "member_org_id_idx" ON "member"("org_id");

-- CreateIndex
CREATE INDEX "account_member_id_idx" ON "account"("member_id");

-- CreateIndex
CREATE UNIQUE INDEX "account_platform_external_id_key" ON "account"("platform", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "link_code_code_hash_key" ON "link_code"("code_hash");

-- CreateIndex
CREATE INDEX "link_code_member_id_idx" ON "link_code"("member_id");

-- CreateIndex
CREATE INDEX "roster_entry_member_id_idx" ON "roster_entry"("member_id");

-- CreateIndex
CREATE UNIQUE INDEX "roster_entry_org_id_kind_member_id_key" ON "roster_entry"("org_id", "kind", "member_id");

-- CreateIndex
CREATE UNIQUE INDEX "binding_platform_channel_id_key" ON "binding"("platform", "channel_id");

-- CreateIndex
CREATE INDEX "binding_org_org_id_idx" ON "binding_org"("org_id");

-- CreateIndex
CREATE INDEX "audit_entry_at_idx" ON "audit_entry"("at");

-- CreateIndex
CREATE INDEX "audit_entry_action_at_idx" ON "audit_entry"("action", "at");

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_code" ADD CONSTRAINT "link_code_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roster_entry" ADD CONSTRAINT "roster_entry_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "roster_entry" ADD CONSTRAINT "roster_entry_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "binding_org" ADD CONSTRAINT "binding_org_binding_id_fkey" FOREIGN KEY ("binding_id") REFERENCES "binding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "binding_org" ADD CONSTRAINT "binding_org_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
