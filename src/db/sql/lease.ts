import { statement } from "../sql.js";

/** A role held by one process at a time (see src/runtime/lease.ts). */

/** Takes the lease if it is free or expired, or renews it for its holder; returns a row when held. */
export const holdLease = statement<{ name: string; owner: string; token: string; until: Date; now: Date }, { token: string }>(
  "hold_lease",
  `INSERT INTO "lease" ("name", "owner", "token", "expires_at", "updated_at") VALUES (@name, @owner, @token, @until, @now)
   ON CONFLICT ("name") DO UPDATE SET "owner" = @owner, "token" = @token, "expires_at" = @until, "updated_at" = @now
    WHERE "lease"."expires_at" < @now OR ("lease"."owner" = @owner AND "lease"."token" = @token)
   RETURNING "token"`,
  (r) => ({ token: String(r.token) }),
);

/** Gives the lease back, only if it is still this holder's. */
export const releaseLease = statement<{ name: string; owner: string; token: string }>(
  "release_lease",
  `DELETE FROM "lease" WHERE "name" = @name AND "owner" = @owner AND "token" = @token`,
);
