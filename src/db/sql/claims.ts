/**
 * What timers and outbox rows share: a claim is a lease owner, a fresh token and an expiry;
 * marking a row (done, sent, back to the queue) always clears all three.
 */
export const UNCLAIMED = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";
