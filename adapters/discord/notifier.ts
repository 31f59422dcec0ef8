import { DiscordAPIError, HTTPError, RateLimitError, REST } from "@discordjs/rest";
import { ChatNotifier, type Destination } from "../common/notifier.js";
import { Routes } from "discord-api-types/v10";
import type { Delivery, DeliveryResult } from "../../src/model/delivery.js";
import { cardEmbed, renderBlocks, type ApiMessage } from "./render.js";

/**
 * Delivers outbox messages through Discord's REST API — from any process, whether or not
 * it holds the gateway. A card is posted with its buttons and given a thread for notes,
 * reminders and escalations; updates edit it in place; DMs go through a DM channel. Each
 * send carries the outbox id as its nonce (enforced), so a resend after a crash is not
 * duplicated by Discord.
 */

const REASONS: Record<number, string> = {
  10003: "Unknown Channel: the channel was deleted or the bot cannot see it",
  10008: "Unknown Message: the card to edit no longer exists",
  10013: "Unknown User",
  50001: "Missing Access: the bot cannot see this channel; give it access",
  50007: "Cannot send messages to this user (DMs closed)",
  50013: "Missing Permissions: the bot needs Send Messages, Embed Links and Create Public Threads",
  50035: "Invalid Form Body",
  40001: "Unauthorized: the bot token is not valid",
};

export function classify(error: unknown): DeliveryResult {
  if (error instanceof RateLimitError) {
    return { ok: false, retry: "rate_limited", retryAfterMs: Math.max(100, error.retryAfter), global: error.global, reason: `429 rate limited by Discord (${error.global ? "global" : error.route})` };
  }
  if (error instanceof DiscordAPIError) {
    if (error.status >= 500) return { ok: false, retry: "transient", reason: `Discord answered HTTP ${error.status}` };
    if (error.status === 429) return { ok: false, retry: "rate_limited", retryAfterMs: 1000, reason: "429 rate limited by Discord" };
    const code = Number(error.code);
    return { ok: false, retry: "never", reason: `${code}: ${REASONS[code] ?? error.message}` };
  }
  if (error instanceof HTTPError) {
    if (error.status >= 500 || error.status === 408) return { ok: false, retry: "transient", reason: `Discord answered HTTP ${error.status}` };
    return { ok: false, retry: "never", reason: `Discord answered HTTP ${error.status}` };
  }
  return { ok: false, retry: "transient", reason: `could not reach Discord: ${(error as Error).message ?? String(error)}` };
}

interface ApiChannelMessage {
  id: string;
  channel_id: string;
}

/** Where a reply "in the thread" goes when there is no thread channel (DMs, threadless posts). */
const REPLY_IN_CHANNEL = "/";

export class DiscordNotifier extends ChatNotifier {
  readonly platform = "discord" as const;

  constructor(readonly rest: REST) {
    super();
  }

  protected classify(error: unknown): DeliveryResult {
    return classify(error);
  }

  protected async openDm(user: string): Promise<string> {
    return ((await this.rest.post(Routes.userChannels(), { body: { recipient_id: user } })) as { id: string }).id;
  }

  protected async send(d: Delivery, { direct, channel, pointer }: Destination): Promise<DeliveryResult> {
    let body: ApiMessage;
    let files: { name: string; data: Buffer }[] = [];
    if (d.payload.card) {
      const { embed, components } = cardEmbed(d.payload.card);
      body = { embeds: [embed], ...(components?.length ? { components } : {}), allowed_mentions: { parse: [], users: [] } };
    } else {
      const { files: attached, ...message } = renderBlocks(d.payload.blocks ?? [], pointer);
      // Images the message carries (a digest's chart); documents are never queued.
      files = attached;
      body = message;
    }

    if (d.kind === "card_update") {
      await this.rest.patch(Routes.channelMessage(channel, d.thread!.cardMessageId!), { body });
      return { ok: true, messageId: d.thread!.cardMessageId! };
    }
    const create = { ...body, nonce: String(d.id), enforce_nonce: true };
    if (d.kind === "thread" && d.thread?.threadId) {
      const threadId = d.thread.threadId;
      if (direct || threadId.includes(REPLY_IN_CHANNEL)) {
        const reference = threadId.includes(REPLY_IN_CHANNEL) ? threadId.split(REPLY_IN_CHANNEL)[1]! : d.thread.cardMessageId!;
        const sent = (await this.rest.post(Routes.channelMessages(channel), { body: { ...create, message_reference: { message_id: reference, fail_if_not_exists: false } }, files })) as ApiChannelMessage;
        return { ok: true, messageId: sent.id };
      }
      return { ok: true, messageId: (await this.#postInThread(threadId, create, files)).id };
    }
    if (d.kind === "card" && !direct && d.thread?.cardMessageId) {
      // Posted on an earlier attempt; only its thread is missing.
      return this.#startThread(channel, d.thread.cardMessageId, d.payload.ref);
    }
    const sent = (await this.rest.post(Routes.channelMessages(channel), { body: create, files })) as ApiChannelMessage;
    if (d.kind !== "card" || direct) return { ok: true, messageId: sent.id, threadId: `${channel}${REPLY_IN_CHANNEL}${sent.id}` };
    return this.#startThread(channel, sent.id, d.payload.ref);
  }

  /**
   * The card's thread: a thread started from a message shares the message's id. Pacing and
   * outages are retried like any delivery (the card stays posted, `posted` says so); only a
   * bot that may not create threads has its thread posts reply to the card instead.
   */
  async #startThread(channel: string, messageId: string, ref: string | undefined): Promise<DeliveryResult> {
    try {
      await this.rest.post(Routes.threads(channel, messageId), { body: { name: (ref ?? "case").slice(0, 100), auto_archive_duration: 10080 } });
      return { ok: true, messageId, threadId: messageId };
    } catch (error) {
      if (error instanceof DiscordAPIError && Number(error.code) === 160004) return { ok: true, messageId, threadId: messageId };
      const result = classify(error);
      if (!result.ok && result.retry !== "never") return { ...result, posted: messageId };
      return { ok: true, messageId, threadId: `${channel}${REPLY_IN_CHANNEL}${messageId}` };
    }
  }

  async #postInThread(threadId: string, body: object, files: { name: string; data: Buffer }[]): Promise<ApiChannelMessage> {
    try {
      return (await this.rest.post(Routes.channelMessages(threadId), { body, files })) as ApiChannelMessage;
    } catch (error) {
      // An archived thread refuses posts until it is unarchived.
      if (error instanceof DiscordAPIError && Number(error.code) === 50083) {
        await this.rest.patch(Routes.channel(threadId), { body: { archived: false } });
        return (await this.rest.post(Routes.channelMessages(threadId), { body, files })) as ApiChannelMessage;
      }
      throw error;
    }
  }

}

/** A REST client that neither waits out nor retries by itself: the outbox decides. */
export function discordRest(token: string, apiUrl: string | undefined): REST {
  return new REST({
    version: "10",
    ...(apiUrl ? { api: apiUrl.replace(/\/$/, "") } : {}),
    rejectOnRateLimit: () => true,
    retries: 0,
    timeout: 10_000,
  }).setToken(token);
}
