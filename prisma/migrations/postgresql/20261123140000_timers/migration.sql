-- CreateTable
CREATE TABLE "timer" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "due_at" TIMESTAMP(3) NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'scheduled',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "case_id" INTEGER,
    "member_id" INTEGER,
    "binding_id" INTEGER,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "lease_owner" TEXT,
    "lease_token" TEXT,
    "lease_expires_at" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "timer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "timer_dedupe_key_key" ON "timer"("dedupe_key");

-- CreateIndex
CREATE INDEX "timer_state_due_at_idx" ON "timer"("state", "due_at");

-- CreateIndex
CREATE INDEX "timer_case_id_state_idx" ON "timer"("case_id", "state");

-- CreateIndex
CREATE INDEX "timer_binding_id_state_idx" ON "timer"("binding_id", "state");
