import type { KnownBlock, Button, SectionBlock, ContextBlock } from "@slack/types";
import { actionId } from "../../src/core/actions.js";
import { plain, withPrefix, type Block, type Card, type CardAction, type Reply, type Rich } from "../../src/model/message.js";
import { truncate } from "../../src/model/text.js";
import { escapeSlack, escapeSlackLine, plainSlack } from "./escape.js";

/**
 * The one renderer for Slack: the message model to Block Kit and mrkdwn. User text only
 * ever passes through escapeSlack; only `page` spans become real `<@U…>` mentions. Block Kit
 * limits are kept (50 blocks, 3000-character sections, 150-character headers, 10 fields per
 * section, 25 buttons), and whatever does not fit points to `/case show`.
 */

export const LIMITS = { blocks: 50, section: 3000, header: 150, field: 2000, fields: 10, buttons: 25, fallback: 3000 } as const;


export function mrkdwn(r: Rich): string {
  return r
    .map((s) => {
      switch (s.t) {
        case "text":
          return escapeSlack(s.v);
        case "strong":
          return `*${escapeSlack(s.v.replace(/\*/g, ""))}*`;
        case "code":
          return `\`${escapeSlack(s.v.replace(/`/g, "'"))}\``;
        case "mention":
          // Only a page notifies; naming someone must not ping them.
          return s.page && s.person.accounts.slack ? `<@${s.person.accounts.slack}>` : `@${escapeSlack(s.person.name)}`;
        case "br":
          return "\n";
      }
    })
    .join("");
}


function section(text: string, pointer: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncate(text, LIMITS.section, pointer) } };
}

function button(action: CardAction, index: number): Button {
  return {
    type: "button",
    action_id: `${action.id}:${index}`,
    text: { type: "plain_text", text: truncate(plainSlack(action.label), 75), emoji: false },
    // The command it runs, encoded as on every platform (src/core/actions.ts).
    value: actionId(action),
    ...(action.style ? { style: action.style } : {}),
  };
}

export function cardBlocks(card: Card): KnownBlock[] {
  const pointer = card.key ? `(see /case show ${card.key})` : "";
  const blocks: KnownBlock[] = [{ type: "header", text: { type: "plain_text", text: truncate(plainSlack(card.title), LIMITS.header), emoji: false } }];
  const context: ContextBlock["elements"] = [];
  if (card.badge) context.push({ type: "mrkdwn", text: `*${escapeSlack(card.badge.label)}*` });
  if (card.subtitle) context.push({ type: "mrkdwn", text: truncate(mrkdwn(card.subtitle), LIMITS.field, pointer) });
  if (context.length > 0) blocks.push({ type: "context", elements: context });
  for (let i = 0; i < card.fields.length; i += LIMITS.fields) {
    blocks.push({
      type: "section",
      fields: card.fields.slice(i, i + LIMITS.fields).map((f) => ({
        type: "mrkdwn" as const,
        text: truncate(`*${escapeSlackLine(f.label)}*\n${mrkdwn(f.value)}`, LIMITS.field, pointer),
      })),
    });
  }
  for (const s of card.sections) blocks.push(section(mrkdwn(s), pointer));
  if (card.footer) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(mrkdwn(card.footer), LIMITS.field, pointer) }] });
  if (card.actions.length > 0) {
    blocks.push({ type: "actions", block_id: `card:${card.key ?? "x"}`, elements: card.actions.slice(0, LIMITS.buttons).map(button) });
  }
  return blocks;
}

function blockOf(b: Block, pointer: string): KnownBlock[] {
  switch (b.kind) {
    case "text":
      return [section(mrkdwn(b.rich), pointer)];
    case "list": {
      // Long lists are split over several sections rather than cut.
      const out: KnownBlock[] = [];
      let chunk = "";
      for (const item of b.items.map((i) => `• ${mrkdwn(i)}`)) {
        if (chunk && chunk.length + item.length + 1 > LIMITS.section) {
          out.push(section(chunk, pointer));
          chunk = "";
        }
        chunk = chunk ? `${chunk}\n${item}` : item;
      }
      if (chunk) out.push(section(chunk, pointer));
      return out;
    }
    case "card":
      return cardBlocks(b.card);
    case "file":
      return [{ type: "context", elements: [{ type: "mrkdwn", text: `:page_facing_up: ${escapeSlack(b.filename)} — sent to you as a file in a direct message.` }] }];
    case "chart":
      // An image: the notifier uploads it (files.uploadV2), with the title as its comment.
      return [];
  }
}

/**
 * The `text` Slack shows in notifications and where blocks cannot be shown. Slack reads it
 * as mrkdwn — a raw `<!here>` in it would ping — so it is escaped exactly like the blocks.
 */
function fallback(blocks: Block[]): string {
  const parts = blocks.map((b) =>
    b.kind === "text" ? plain(b.rich) : b.kind === "card" ? b.card.title : b.kind === "list" ? `${b.items.length} items` : b.kind === "chart" ? b.chart.title : b.filename,
  );
  return truncate(escapeSlackLine(parts.join(" · ")), LIMITS.fallback);
}

/** A card as a Slack message: its blocks, and its title (escaped) as the notification text. */
export function cardMessage(card: Card): SlackMessage {
  return { text: truncate(escapeSlackLine(card.title), LIMITS.fallback), blocks: cardBlocks(card) };
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Blocks for a message; past 50 blocks the rest is cut with a pointer. */
export function renderBlocks(blocks: Block[], pointer = ""): SlackMessage {
  let out = blocks.flatMap((b) => blockOf(b, pointer));
  if (out.length > LIMITS.blocks) {
    out = [...out.slice(0, LIMITS.blocks - 1), { type: "context", elements: [{ type: "mrkdwn", text: `More than fits in one message${pointer ? ` ${pointer}` : ""}.` }] }];
  }
  return { text: fallback(blocks), blocks: out };
}

export function renderReply(reply: Reply): SlackMessage {
  // The warning sign goes in before the text is cut to Slack's limits, not after.
  return renderBlocks(reply.tone === "error" ? withPrefix(reply.blocks, ":warning: ") : reply.blocks);
}
