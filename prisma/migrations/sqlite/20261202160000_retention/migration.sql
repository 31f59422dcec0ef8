-- Retention (docs/contract.md §10): holds, and what erasure leaves behind.
ALTER TABLE "case" ADD COLUMN "held_at" DATETIME;
ALTER TABLE "case" ADD COLUMN "hold_reason" TEXT;
ALTER TABLE "case" ADD COLUMN "erased_at" DATETIME;
ALTER TABLE "case_event" ADD COLUMN "erased_at" DATETIME;
