import { ErrorCode, WebClient, type WebAPICallResult } from "@slack/web-api";
import { ChatNotifier, type Destination } from "../common/notifier.js";
import type { Delivery, DeliveryResult } from "../../src/model/delivery.js";
import { cardMessage, renderBlocks, type SlackMessage } from "./render.js";
import { chartFilename, chartPng } from "../../src/render/chart.js";
import { truncate } from "../../src/model/text.js";

/**
 * Delivers outbox messages to Slack. Cards are posted once per channel and edited in place
 * with chat.update; thread posts reply to the card (`thread_ts`); DMs go through
 * conversations.open. Each message carries its outbox id in message metadata, so a retry
 * after a crash first looks for it and does not post it twice.
 */

const METADATA_EVENT = "liaison_outbox";

/** Slack's error codes, sorted by what the outbox should do about them. */
const TRANSIENT = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"]);
const REASONS: Record<string, string> = {
  channel_not_found: "the channel does not exist or the bot cannot see it",
  not_in_channel: "the bot is not in the channel: invite it with /invite @Liaison",
  is_archived: "the channel is archived",
  invalid_auth: "the bot token is not valid",
  not_authed: "no bot token was sent",
  token_revoked: "the bot token was revoked",
  account_inactive: "the bot's account is deactivated",
  missing_scope: "the app lacks a permission it needs; reinstall it from the manifest",
  message_not_found: "the card to update no longer exists",
  cant_update_message: "the card can no longer be edited",
  msg_too_long: "the message is too long for Slack",
  user_not_found: "the Slack user does not exist",
  cannot_dm_bot: "that user is a bot",
};

export function classify(error: unknown): DeliveryResult {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
  if (e.code === ErrorCode.RateLimitedError) {
    return { ok: false, retry: "rate_limited", retryAfterMs: Math.max(1, e.retryAfter ?? 30) * 1000, reason: "429 rate limited by Slack" };
  }
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? "unknown_error";
    if (code === "ratelimited") return { ok: false, retry: "rate_limited", retryAfterMs: 30_000, reason: "ratelimited" };
    if (TRANSIENT.has(code)) return { ok: false, retry: "transient", reason: `Slack error ${code}` };
    return { ok: false, retry: "never", reason: `${code}: ${REASONS[code] ?? "Slack refused the message"}` };
  }
  if (e.code === ErrorCode.HTTPError) {
    const status = e.statusCode ?? 0;
    if (status >= 500 || status === 408) return { ok: false, retry: "transient", reason: `Slack answered HTTP ${status}` };
    return { ok: false, retry: "never", reason: `Slack answered HTTP ${status}` };
  }
  return { ok: false, retry: "transient", reason: `could not reach Slack: ${e.message ?? String(error)}` };
}

interface Posted {
  ts?: string;
  channel?: string;
}

export class SlackNotifier extends ChatNotifier {
  readonly platform = "slack" as const;

  constructor(readonly client: WebClient) {
    super();
  }

  protected classify(error: unknown): DeliveryResult {
    return classify(error);
  }

  protected async openDm(user: string): Promise<string> {
    const opened = (await this.client.conversations.open({ users: user })) as WebAPICallResult & { channel?: { id?: string } };
    return opened.channel!.id!;
  }

  protected async send(d: Delivery, { channel, pointer }: Destination): Promise<DeliveryResult> {
    const message: SlackMessage = d.payload.card ? cardMessage(d.payload.card) : renderBlocks(d.payload.blocks ?? [], pointer);

    if (d.kind === "card_update") {
      await this.client.chat.update({ channel, ts: d.thread!.cardMessageId!, text: message.text, blocks: message.blocks });
      return { ok: true, messageId: d.thread!.cardMessageId! };
    }
    const threadTs = d.kind === "thread" ? (d.thread?.threadId ?? undefined) : undefined;
    const charts = (d.payload.blocks ?? []).flatMap((b) => (b.kind === "chart" ? [b.chart] : []));
    if (charts.length > 0) {
      // A chart is an image: uploaded into the conversation, its title as the comment.
      await this.client.filesUploadV2({
        channel_id: channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        initial_comment: message.text,
        file_uploads: charts.map((c) => ({ filename: chartFilename(c), file: chartPng(c), alt_text: truncate(c.title, 1000) })),
      });
      return { ok: true };
    }
    if (d.attempt > 1) {
      // It may have gone out before a crash: look before posting again.
      const existing = await this.#findPosted(channel, d.id, threadTs);
      if (existing) return { ok: true, messageId: existing };
    }
    const posted = (await this.client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: METADATA_EVENT, event_payload: { outbox_id: d.id } },
    })) as WebAPICallResult & Posted;
    return { ok: true, messageId: posted.ts!, threadId: posted.ts! };
  }

  async #findPosted(channel: string, outboxId: number, threadTs: string | undefined): Promise<string | undefined> {
    try {
      const page = (threadTs
        ? await this.client.conversations.replies({ channel, ts: threadTs, limit: 50, include_all_metadata: true })
        : await this.client.conversations.history({ channel, limit: 50, include_all_metadata: true })) as WebAPICallResult & {
        messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: { outbox_id?: number } } }[];
      };
      return page.messages?.find((m) => m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.outbox_id === outboxId)?.ts;
    } catch {
      // Without history access (missing scope), posting again is the only option left.
      return undefined;
    }
  }
}

/** A Web API client that never retries or queues by itself: the outbox decides. */
export function slackClient(token: string, apiUrl: string | undefined): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}
