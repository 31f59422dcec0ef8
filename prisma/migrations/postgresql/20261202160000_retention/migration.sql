-- Retention (docs/contract.md §10): holds, and what erasure leaves behind.
ALTER TABLE "case" ADD COLUMN "held_at" TIMESTAMP(3),
ADD COLUMN "hold_reason" TEXT,
ADD COLUMN "erased_at" TIMESTAMP(3);
ALTER TABLE "case_event" ADD COLUMN "erased_at" TIMESTAMP(3);
