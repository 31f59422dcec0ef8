-- CreateTable
CREATE TABLE "organisation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jurisdiction" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "domains" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "org_id" INTEGER,
    "role" TEXT,
    "email" TEXT,
    "status" TEXT NOT NULL DEFAULT 'unregistered',
    "requested_at" DATETIME,
    "vetted_at" DATETIME,
    "vetted_until" DATETIME,
    "vetted_by_id" INTEGER,
    "suspended_at" DATETIME,
    "suspended_reason" TEXT,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "member_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "account" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "account_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "link_code" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code_hash" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "used_at" DATETIME,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "link_code_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "roster_entry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "org_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "member_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "roster_entry_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "roster_entry_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "binding" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "channel_name" TEXT NOT NULL,
    "digest_cron" TEXT NOT NULL DEFAULT '0 9 * * 1',
    "time_zone" TEXT NOT NULL,
    "created_by_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "binding_org" (
    "binding_id" INTEGER NOT NULL,
    "org_id" INTEGER NOT NULL,

    PRIMARY KEY ("binding_id", "org_id"),
    CONSTRAINT "binding_org_binding_id_fkey" FOREIGN KEY ("binding_id") REFERENCES "binding" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "binding_org_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "actor_id" INTEGER,
    "account" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT
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
