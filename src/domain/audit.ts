import type { Tx } from "../db/database.js";

/**
 * The administrative audit log: who vetted, suspended, bound or changed what, and every
 * refused access attempt. Only ids, codes and short machine-readable details — never case
 * content. Case activity has its own hash-chained timeline.
 */
export interface AuditInput {
  at: Date;
  actorId: number | null;
  /** The platform account that acted, e.g. `slack:U123`. */
  account: string;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown> | null;
}

export async function recordAudit(tx: Tx, entry: AuditInput): Promise<void> {
  await tx.auditEntry.create({
    data: {
      at: entry.at,
      actorId: entry.actorId,
      account: entry.account,
      action: entry.action,
      target: entry.target ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    },
  });
}
