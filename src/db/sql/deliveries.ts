import { statement } from "../sql.js";

/** Platform deliveries already handled. One statement decides: the first to insert the key (or to find it stale) wins. */
export const claimDelivery = statement<{ key: string; now: Date; stale: Date }>(
  "claim_delivery",
  `INSERT INTO "inbound_delivery" ("key", "seen_at") VALUES (@key, @now)
   ON CONFLICT ("key") DO UPDATE SET "seen_at" = @now WHERE "inbound_delivery"."seen_at" < @stale
   RETURNING "key"`,
);

export const forgetDeliveries = statement<{ before: Date }>("forget_deliveries", `DELETE FROM "inbound_delivery" WHERE "seen_at" < @before`);
