import type { Block, Card } from "./message.js";
import type { Platform } from "./platform.js";

/**
 * The contract between the outbox and each platform's notifier: what a queued message
 * looks like when it is handed over for delivery, and how the notifier says it went.
 */

export type OutboxKind = "card" | "card_update" | "thread" | "dm" | "channel";

export interface OutboxPayload {
  /** A case card to post or to update in place. */
  card?: Card;
  /** A message: thread posts, DMs, channel posts. */
  blocks?: Block[];
  /** The case reference, for adapters that label thread posts (the console). */
  ref?: string;
  /** A digest: the channel's organisations when it was written and the cases it names (checked at delivery). */
  covers?: { orgs: number[]; cases: number[] };
}

export interface Delivery {
  id: number;
  key: string;
  kind: OutboxKind;
  platform: Platform;
  channelId: string;
  payload: OutboxPayload;
  /** The case thread the message belongs to: where its card is, once posted. */
  thread: { id: number; cardMessageId: string | null; threadId: string | null; direct: boolean } | null;
  /** 1 for the first try. */
  attempt: number;
}

/**
 * How a delivery went. A failure after a first step succeeded (a card posted, its thread not
 * yet created) says so in `posted`: the retry then does only what is left.
 */
export type DeliveryResult =
  | { ok: true; messageId?: string; threadId?: string }
  | { ok: false; retry: "rate_limited"; retryAfterMs: number; global?: boolean; reason: string; posted?: string }
  | { ok: false; retry: "transient"; reason: string; posted?: string }
  | { ok: false; retry: "never"; reason: string; posted?: string };

/** One per platform: sends a delivery and says how it went. Adapters implement it. */
export interface Notifier {
  readonly platform: Platform;
  deliver(delivery: Delivery): Promise<DeliveryResult>;
}
