-- CreateTable
CREATE TABLE "inbound_delivery" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "seen_at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "inbound_delivery_seen_at_idx" ON "inbound_delivery"("seen_at");
