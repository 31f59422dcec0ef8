-- CreateTable
CREATE TABLE "case" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ref" TEXT NOT NULL,
    "agency_id" INTEGER NOT NULL,
    "exchange_id" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT,
    "severity" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "tlp" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "whose_move" TEXT NOT NULL,
    "opened_by_id" INTEGER NOT NULL,
    "assignee_id" INTEGER,
    "external_ref" TEXT,
    "deadline" DATETIME,
    "confirmed_by_id" INTEGER,
    "confirmed_at" DATETIME,
    "paged_at" DATETIME,
    "ack_at" DATETIME,
    "ack_by_id" INTEGER,
    "resolved_at" DATETIME,
    "outcome" TEXT,
    "closed_at" DATETIME,
    "waiting_since" DATETIME,
    "agency_wait_seconds" INTEGER NOT NULL DEFAULT 0,
    "escalation_level" INTEGER NOT NULL DEFAULT 0,
    "last_activity_at" DATETIME NOT NULL,
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "head_hash" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "case_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "case_exchange_id_fkey" FOREIGN KEY ("exchange_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "case_opened_by_id_fkey" FOREIGN KEY ("opened_by_id") REFERENCES "member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "case_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "member" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ref_counter" (
    "agency_id" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    PRIMARY KEY ("agency_id", "year"),
    CONSTRAINT "ref_counter_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "organisation" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_subject" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "chain" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "display" TEXT NOT NULL,
    CONSTRAINT "case_subject_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_amount" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "asset" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "usd" TEXT,
    CONSTRAINT "case_amount_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "actor_id" INTEGER,
    "type" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "case_event_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_participant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "member_id" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "paged_at" DATETIME,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "case_participant_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "case_participant_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "member" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "handoff" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "from_id" INTEGER NOT NULL,
    "to_member_id" INTEGER,
    "to_org_id" INTEGER,
    "note" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "offered_at" DATETIME NOT NULL,
    "decided_at" DATETIME,
    "decided_by_id" INTEGER,
    CONSTRAINT "handoff_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "case_link" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "linked_case_id" INTEGER NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "case_thread" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "binding_id" INTEGER,
    "member_id" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "card_message_id" TEXT,
    "thread_id" TEXT,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "case_thread_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "case_thread_id" INTEGER,
    "case_id" INTEGER,
    "order_key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME NOT NULL,
    "deadline_at" DATETIME NOT NULL,
    "lease_owner" TEXT,
    "lease_token" TEXT,
    "lease_expires_at" DATETIME,
    "sent_at" DATETIME,
    "platform_message_id" TEXT,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "rate_gate" (
    "destination" TEXT NOT NULL PRIMARY KEY,
    "blocked_until" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "case_ref_key" ON "case"("ref");

-- CreateIndex
CREATE INDEX "case_exchange_id_status_idx" ON "case"("exchange_id", "status");

-- CreateIndex
CREATE INDEX "case_agency_id_status_idx" ON "case"("agency_id", "status");

-- CreateIndex
CREATE INDEX "case_status_last_activity_at_idx" ON "case"("status", "last_activity_at");

-- CreateIndex
CREATE UNIQUE INDEX "case_agency_id_year_seq_key" ON "case"("agency_id", "year", "seq");

-- CreateIndex
CREATE INDEX "case_subject_value_idx" ON "case_subject"("value");

-- CreateIndex
CREATE UNIQUE INDEX "case_subject_case_id_value_key" ON "case_subject"("case_id", "value");

-- CreateIndex
CREATE INDEX "case_amount_case_id_idx" ON "case_amount"("case_id");

-- CreateIndex
CREATE INDEX "case_event_type_at_idx" ON "case_event"("type", "at");

-- CreateIndex
CREATE UNIQUE INDEX "case_event_case_id_seq_key" ON "case_event"("case_id", "seq");

-- CreateIndex
CREATE INDEX "case_participant_member_id_idx" ON "case_participant"("member_id");

-- CreateIndex
CREATE UNIQUE INDEX "case_participant_case_id_member_id_key" ON "case_participant"("case_id", "member_id");

-- CreateIndex
CREATE INDEX "handoff_case_id_state_idx" ON "handoff"("case_id", "state");

-- CreateIndex
CREATE INDEX "case_link_linked_case_id_idx" ON "case_link"("linked_case_id");

-- CreateIndex
CREATE UNIQUE INDEX "case_link_case_id_linked_case_id_key" ON "case_link"("case_id", "linked_case_id");

-- CreateIndex
CREATE UNIQUE INDEX "case_thread_case_id_platform_channel_id_key" ON "case_thread"("case_id", "platform", "channel_id");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_key_key" ON "outbox"("key");

-- CreateIndex
CREATE INDEX "outbox_state_next_attempt_at_idx" ON "outbox"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbox_order_key_id_idx" ON "outbox"("order_key", "id");
