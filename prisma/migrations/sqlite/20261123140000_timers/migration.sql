-- CreateTable
CREATE TABLE "timer" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "due_at" DATETIME NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'scheduled',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "case_id" INTEGER,
    "member_id" INTEGER,
    "binding_id" INTEGER,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "lease_owner" TEXT,
    "lease_token" TEXT,
    "lease_expires_at" DATETIME,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "timer_dedupe_key_key" ON "timer"("dedupe_key");

-- CreateIndex
CREATE INDEX "timer_state_due_at_idx" ON "timer"("state", "due_at");

-- CreateIndex
CREATE INDEX "timer_case_id_state_idx" ON "timer"("case_id", "state");

-- CreateIndex
CREATE INDEX "timer_binding_id_state_idx" ON "timer"("binding_id", "state");
