-- Requests as the law shapes them (docs/contract.md §9): a result per resolved case, the
-- preservation and freeze-hold clocks, the legal process, and documents by SHA-256.
ALTER TABLE "case" ADD COLUMN "result" TEXT,
ADD COLUMN "preserved_until" TIMESTAMP(3),
ADD COLUMN "freeze_until" TIMESTAMP(3);

CREATE TABLE "legal_process" (
    "id" SERIAL NOT NULL,
    "case_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "authority" TEXT NOT NULL,
    "date" TEXT,
    "recorded_by_id" INTEGER NOT NULL,
    "recorded_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "legal_process_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "case_document" (
    "id" SERIAL NOT NULL,
    "case_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "note" TEXT,
    "uploaded_by_id" INTEGER NOT NULL,
    "uploaded_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "case_document_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "document_blob" (
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "document_blob_pkey" PRIMARY KEY ("sha256")
);

CREATE INDEX "legal_process_case_id_idx" ON "legal_process"("case_id");
CREATE UNIQUE INDEX "case_document_case_id_position_key" ON "case_document"("case_id", "position");
CREATE INDEX "case_document_sha256_idx" ON "case_document"("sha256");

ALTER TABLE "legal_process" ADD CONSTRAINT "legal_process_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "case_document" ADD CONSTRAINT "case_document_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "case_document" ADD CONSTRAINT "case_document_sha256_fkey" FOREIGN KEY ("sha256") REFERENCES "document_blob"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Cases resolved before results existed: frozen when something was frozen, else other.
UPDATE "case" c SET "result" = CASE WHEN EXISTS (SELECT 1 FROM "case_amount" a WHERE a."case_id" = c."id" AND a."kind" = 'frozen') THEN 'frozen' ELSE 'other' END
 WHERE c."resolved_at" IS NOT NULL;
