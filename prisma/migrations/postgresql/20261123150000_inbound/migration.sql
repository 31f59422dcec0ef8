-- CreateTable
CREATE TABLE "inbound_delivery" (
    "key" TEXT NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "inbound_delivery_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "inbound_delivery_seen_at_idx" ON "inbound_delivery"("seen_at");
