import type { Platform } from "../model/platform.js";
import type { Tx } from "../db/database.js";
import type { OutboxKind, OutboxPayload } from "../model/delivery.js";
import type { MemberView } from "./members.js";

/**
 * Writing to the outbox. Every message the bot sends is a row written in the same
 * transaction as the change that causes it; the delivery loop (src/runtime/outbox.ts)
 * sends it later, at least once, and the idempotency key keeps a change from queueing the
 * same message twice.
 */

export interface Outgoing {
  key: string;
  platform: Platform;
  kind: OutboxKind;
  /** A channel id, or the platform user id a DM goes to. */
  channelId: string;
  caseThreadId?: number;
  caseId?: number;
  /** Rows sharing an order key are delivered strictly in id order. */
  orderKey: string;
  payload: OutboxPayload;
}

/** How long a message may keep failing before it is given up and shown in /ppp outbox. */
export const DELIVERY_DEADLINE_MS = 24 * 60 * 60_000;

export async function enqueue(tx: Tx, now: Date, messages: Outgoing[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.outbox.createMany({
    data: messages.map((m) => ({
      key: m.key,
      platform: m.platform,
      kind: m.kind,
      channelId: m.channelId,
      caseThreadId: m.caseThreadId ?? null,
      caseId: m.caseId ?? null,
      orderKey: m.orderKey,
      payload: JSON.stringify(m.payload),
      nextAttemptAt: now,
      deadlineAt: new Date(now.getTime() + DELIVERY_DEADLINE_MS),
      createdAt: now,
    })),
  });
}

/** One direct message per account the member has on a platform this deployment serves. */
export function directMessages(
  member: MemberView,
  platforms: readonly Platform[],
  key: string,
  payload: OutboxPayload,
  caseId?: number,
): Outgoing[] {
  return member.accounts
    .filter((a) => platforms.includes(a.platform))
    .map((a) => ({
      key: `${key}:dm:${a.platform}:${a.externalId}`,
      platform: a.platform,
      kind: "dm" as const,
      channelId: a.externalId,
      caseId,
      orderKey: `dm:${a.platform}:${a.externalId}`,
      payload,
    }));
}

export type { OutboxKind, OutboxPayload } from "../model/delivery.js";
