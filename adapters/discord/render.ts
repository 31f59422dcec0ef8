import { withPrefix, type Block, type Card, type CardAction, type Reply, type Rich } from "../../src/model/message.js";
import { actionId } from "../../src/core/actions.js";
import { neutraliseBidi, truncate } from "../../src/model/text.js";
import { escapeDiscord, escapeDiscordLine } from "./escape.js";
import { chartFilename, chartPng } from "../../src/render/chart.js";

/**
 * The one renderer for Discord: the message model to markdown content, embeds and button
 * rows, in Discord's API shape. User text goes through escapeDiscord; `page` spans become
 * `<@id>` and are the only users listed in allowed_mentions, so nothing else can ping.
 */

export const LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Titles, descriptions, field names and values and footers of all a message's embeds together. */
  embedsTotal: 6000,
  embeds: 10,
  rowButtons: 5,
  rows: 5,
} as const;

const TONES: Record<string, number> = { red: 0xd62828, amber: 0xf4a261, green: 0x2a9d8f, clear: 0xf8f9fa, neutral: 0x6c757d };

export interface ApiEmbed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
}

export interface ApiButton {
  type: 2;
  style: 1 | 2 | 4;
  label: string;
  custom_id: string;
}

export interface ApiMessage {
  content?: string;
  embeds?: ApiEmbed[];
  components?: { type: 1; components: ApiButton[] }[];
  allowed_mentions: { parse: []; users: string[] };
}

export function markdown(r: Rich): string {
  return r
    .map((s) => {
      switch (s.t) {
        case "text":
          return escapeDiscord(s.v);
        case "strong":
          return `**${escapeDiscord(s.v)}**`;
        case "code":
          return `\`${neutraliseBidi(s.v).replace(/`/g, "ˋ")}\``;
        case "mention":
          return s.person.accounts.discord ? `<@${s.person.accounts.discord}>` : `@${escapeDiscord(s.person.name)}`;
        case "br":
          return "\n";
      }
    })
    .join("");
}

/** Plain names (footers do not render mentions). */
const plain = (r: Rich) => escapeDiscord(r.map((s) => (s.t === "mention" ? `@${s.person.name}` : s.t === "br" ? " " : s.v)).join(""));

function pagedIn(r: Rich | undefined, into: Set<string>) {
  r?.forEach((s) => s.t === "mention" && s.page && s.person.accounts.discord && into.add(s.person.accounts.discord));
}

/** `lz|case|note|HKPF-…|text`: the command a button runs, and the fields its form asks for. */

/** The characters of an embed that count towards Discord's 6,000 per message. */
export function embedLength(e: ApiEmbed): number {
  return (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
}

/**
 * Shrinks a message's embeds until together they fit `budget` characters (Discord refuses
 * the whole message otherwise): the longest text is cut first, to what is left of it, with a
 * pointer to where the rest is; fields that still do not fit are dropped last to first.
 */
export function fitEmbeds(embeds: ApiEmbed[], budget: number = LIMITS.embedsTotal, pointer = ""): ApiEmbed[] {
  const out = embeds.map((e) => ({ ...e, ...(e.fields ? { fields: e.fields.map((f) => ({ ...f })) } : {}) }));
  const total = () => out.reduce((n, e) => n + embedLength(e), 0);
  for (let guard = 0; total() > budget && guard < 200; guard++) {
    const over = total() - budget;
    type Slot = { get: () => string; set: (v: string) => void };
    const slots: Slot[] = [];
    for (const e of out) {
      if (e.description) slots.push({ get: () => e.description!, set: (v) => (e.description = v) });
      for (const f of e.fields ?? []) slots.push({ get: () => f.value, set: (v) => (f.value = v) });
    }
    const longest = slots.sort((a, b) => b.get().length - a.get().length)[0];
    if (!longest || longest.get().length <= 80) break;
    const text = longest.get();
    longest.set(truncate(text, Math.max(80, text.length - over), pointer));
  }
  for (const e of [...out].reverse()) {
    while (total() > budget && e.fields && e.fields.length > 0) e.fields.pop();
  }
  return out;
}

export function cardEmbed(card: Card): { embed: ApiEmbed; components: ApiMessage["components"] } {
  const pointer = card.key ? `(see /case show ${card.key})` : "";
  const description = [card.badge ? `**${escapeDiscord(card.badge.label)}**` : "", card.subtitle ? markdown(card.subtitle) : "", ...card.sections.map(markdown)]
    .filter(Boolean)
    .join("\n");
  const embed: ApiEmbed = {
    title: truncate(escapeDiscordLine(card.title), LIMITS.title),
    description: truncate(description, LIMITS.description, pointer),
    color: TONES[card.badge?.tone ?? "neutral"],
    fields: card.fields.slice(0, LIMITS.fields).map((f) => ({
      name: truncate(escapeDiscordLine(f.label), LIMITS.fieldName),
      value: truncate(markdown(f.value) || "—", LIMITS.fieldValue, pointer),
      ...(f.short ? { inline: true } : {}),
    })),
    ...(card.footer ? { footer: { text: truncate(plain(card.footer), LIMITS.footer) } } : {}),
  };
  const [fitted] = fitEmbeds([embed], LIMITS.embedsTotal, pointer);
  const buttons: ApiButton[] = card.actions.slice(0, LIMITS.rowButtons * LIMITS.rows).map((a) => ({
    type: 2,
    style: a.style === "primary" ? 1 : a.style === "danger" ? 4 : 2,
    label: truncate(a.label, 80),
    custom_id: actionId(a),
  }));
  const components: NonNullable<ApiMessage["components"]> = [];
  for (let i = 0; i < buttons.length; i += LIMITS.rowButtons) components.push({ type: 1, components: buttons.slice(i, i + LIMITS.rowButtons) });
  return { embed: fitted!, components };
}

export interface Rendered extends ApiMessage {
  files: { name: string; data: Buffer }[];
}

export function renderBlocks(blocks: Block[], pointer = ""): Rendered {
  const text: string[] = [];
  const embeds: ApiEmbed[] = [];
  const components: NonNullable<ApiMessage["components"]> = [];
  const files: Rendered["files"] = [];
  const users = new Set<string>();
  for (const b of blocks) {
    if (b.kind === "text") {
      text.push(markdown(b.rich));
      pagedIn(b.rich, users);
    } else if (b.kind === "list") {
      text.push(b.items.map((i) => `• ${markdown(i)}`).join("\n"));
      b.items.forEach((i) => pagedIn(i, users));
    } else if (b.kind === "card") {
      const { embed, components: rows } = cardEmbed(b.card);
      if (embeds.length < LIMITS.embeds) embeds.push(embed);
      components.push(...(rows ?? []).slice(0, LIMITS.rows - components.length));
    } else if (b.kind === "chart") {
      // The chart as an image attached to the message (Discord shows it inline).
      text.push(`📈 ${escapeDiscordLine(b.chart.title)}`);
      files.push({ name: chartFilename(b.chart), data: chartPng(b.chart) });
    } else {
      files.push({ name: b.filename, data: Buffer.from(b.content, b.encoding ?? "utf8") });
    }
  }
  const content = truncate(text.join("\n"), LIMITS.content, pointer);
  return {
    ...(content ? { content } : {}),
    ...(embeds.length > 0 ? { embeds: fitEmbeds(embeds, LIMITS.embedsTotal, pointer) } : {}),
    ...(components.length > 0 ? { components } : {}),
    allowed_mentions: { parse: [], users: [...users] },
    files,
  };
}

export function renderReply(reply: Reply): Rendered {
  // The warning sign goes in before the text is cut to Discord's limits, not after.
  return renderBlocks(reply.tone === "error" ? withPrefix(reply.blocks, "⚠️ ") : reply.blocks);
}
