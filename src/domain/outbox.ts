import type { Platform } from "../model/platform.js";
import type { Tx } from "../db/database.js";
import type { OutboxKind, OutboxPayload } from "../model/delivery.js";
import type { MemberView } from "./members.js";

/**
 * Writing to the outbox. Every message the bot sends is a row written in the same
 * transaction as the change that causes it; the delivery loop (src/runtime/outbox.ts)
 * sends it later, at least once, and the idempotency key keeps a change from queueing the
 * same message twice. Each row records its audience, so the audience rule can decide again
 * at delivery whether it may still go (src/domain/delivery.ts).
 */

/**
 * Who a message is for, as the delivery check reads it:
 * - `case`: content of case `caseId`, to `memberId` (a DM) or to the case thread;
 * - `coordinators`: to `memberId` while they are a vetted coordinator (registration requests);
 * - `member`: to `memberId` about their own standing (vetting expiry), while vetted;
 * - `channel`: to the channel of binding `bindingId` (digests), while it is bound as it was;
 * - `notice`: no case content (a thread's farewell), always deliverable.
 */
export type AudienceKind = "case" | "coordinators" | "member" | "channel" | "notice";

export interface Outgoing {
  key: string;
  platform: Platform;
  kind: OutboxKind;
  /** A channel id, or the platform user id a DM goes to. */
  channelId: string;
  caseThreadId?: number;
  caseId?: number;
  audience: AudienceKind;
  memberId?: number;
  bindingId?: number;
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
      audience: m.audience,
      memberId: m.memberId ?? null,
      bindingId: m.bindingId ?? null,
      orderKey: m.orderKey,
      payload: JSON.stringify(m.payload),
      nextAttemptAt: now,
      deadlineAt: new Date(now.getTime() + DELIVERY_DEADLINE_MS),
      createdAt: now,
    })),
  });
}

export type DirectAbout = { caseId: number } | "coordinators" | "member";

/** One direct message per account the member has on a platform this deployment serves. */
export function directMessages(
  member: MemberView,
  platforms: readonly Platform[],
  key: string,
  payload: OutboxPayload,
  about: DirectAbout,
): Outgoing[] {
  const audience: AudienceKind = typeof about === "object" ? "case" : about;
  return member.accounts
    .filter((a) => platforms.includes(a.platform))
    .map((a) => ({
      key: `${key}:dm:${a.platform}:${a.externalId}`,
      platform: a.platform,
      kind: "dm" as const,
      channelId: a.externalId,
      ...(typeof about === "object" ? { caseId: about.caseId } : {}),
      audience,
      memberId: member.id,
      orderKey: `dm:${a.platform}:${a.externalId}`,
      payload,
    }));
}

export type { OutboxKind, OutboxPayload } from "../model/delivery.js";
