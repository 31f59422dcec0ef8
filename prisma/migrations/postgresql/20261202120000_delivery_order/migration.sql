-- Delivery claims the first few unfinished messages of each order key: an index on the
-- unfinished rows of a key (by state), so a key's long history of sent rows is never scanned.
DROP INDEX "outbox_order_key_id_idx";
CREATE INDEX "outbox_order_key_state_id_idx" ON "outbox"("order_key", "state", "id");
