-- Requests as the law shapes them (docs/contract.md §9): a result per resolved case, the
-- preservation and freeze-hold clocks, the legal process, and documents by SHA-256.
ALTER TABLE "case" ADD COLUMN "result" TEXT;
ALTER TABLE "case" ADD COLUMN "preserved_until" DATETIME;
ALTER TABLE "case" ADD COLUMN "freeze_until" DATETIME;

CREATE TABLE "legal_process" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "authority" TEXT NOT NULL,
    "date" TEXT,
    "recorded_by_id" INTEGER NOT NULL,
    "recorded_at" DATETIME NOT NULL,
    CONSTRAINT "legal_process_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "legal_process_case_id_idx" ON "legal_process"("case_id");

CREATE TABLE "document_blob" (
    "sha256" TEXT NOT NULL PRIMARY KEY,
    "size" INTEGER NOT NULL,
    "content" BLOB NOT NULL,
    "created_at" DATETIME NOT NULL
);

CREATE TABLE "case_document" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "case_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "note" TEXT,
    "uploaded_by_id" INTEGER NOT NULL,
    "uploaded_at" DATETIME NOT NULL,
    CONSTRAINT "case_document_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "case_document_sha256_fkey" FOREIGN KEY ("sha256") REFERENCES "document_blob" ("sha256") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "case_document_case_id_position_key" ON "case_document"("case_id", "position");
CREATE INDEX "case_document_sha256_idx" ON "case_document"("sha256");

-- Cases resolved before results existed: frozen when something was frozen, else other.
UPDATE "case" SET "result" = CASE WHEN EXISTS (SELECT 1 FROM "case_amount" a WHERE a."case_id" = "case"."id" AND a."kind" = 'frozen') THEN 'frozen' ELSE 'other' END
 WHERE "resolved_at" IS NOT NULL;
