import type { Block, Card, Reply, Rich } from "../../src/model/message.js";

/**
 * Renders the message model as terminal text. The console's one escaping rule: user text
 * may carry no control characters (no ANSI escapes, no carriage returns), and a newline
 * in it starts a new line that gets the same prefix as the first, so nothing typed can
 * forge a line of its own.
 */

// C0/C1 controls except newline, plus the Unicode line/paragraph separators and bidi overrides.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeConsole(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(CONTROL, (c) => (c === "\t" ? " " : "\uFFFD"));
}

export function renderRich(r: Rich): string {
  return r
    .map((s) => {
      switch (s.t) {
        case "text":
        case "strong":
          return escapeConsole(s.v);
        case "code":
          return `\`${escapeConsole(s.v)}\``;
        case "mention":
          return `@${escapeConsole(s.person.accounts.console ?? s.person.name)}`;
        case "br":
          return "\n";
      }
    })
    .join("");
}

export function renderCard(card: Card): string[] {
  const lines: string[] = [];
  const badge = card.badge ? `  [${escapeConsole(card.badge.label)}]` : "";
  lines.push(`┌ ${escapeConsole(card.title).replace(/\n/g, " ")}${badge}`);
  if (card.subtitle) lines.push(`│ ${renderRich(card.subtitle).replace(/\n/g, " ")}`);
  for (const field of card.fields) lines.push(`│ ${escapeConsole(field.label)}: ${renderRich(field.value)}`.replace(/\n/g, " "));
  for (const section of card.sections) for (const l of renderRich(section).split("\n")) lines.push(`│ ${l}`);
  if (card.footer) lines.push(`│ ${renderRich(card.footer).replace(/\n/g, " ")}`);
  const actions = card.actions.map((a) => `[${escapeConsole(a.label)}]`).join(" ");
  lines.push(`└ ${actions || ""}`.trimEnd());
  return lines;
}

function renderBlock(block: Block): string[] {
  switch (block.kind) {
    case "text":
      return renderRich(block.rich).split("\n");
    case "list":
      return block.items.flatMap((item) => renderRich(item).split("\n").map((l, i) => (i === 0 ? `  • ${l}` : `    ${l}`)));
    case "card":
      return renderCard(block.card);
    case "file":
      // A document is bytes, never printed: the console saves it (ConsoleAdapter) and says where.
      if (block.encoding === "base64") return [`[file ${escapeConsole(block.filename)}, ${block.mime}, ${Buffer.from(block.content, "base64").length} bytes]`];
      return [`--- ${escapeConsole(block.filename)} ---`, ...escapeConsole(block.content).split("\n"), `--- end of ${escapeConsole(block.filename)} ---`];
    case "chart":
      // An image: the console notifier writes it to a file and prints the path instead.
      return [`chart: ${escapeConsole(block.chart.title)}`];
  }
}

export function renderBlocks(blocks: Block[]): string[] {
  return blocks.flatMap(renderBlock);
}

/** Every line of a reply with its prefix: `(only bob) …` or `[#general] …`. */
export function renderReply(reply: Reply, speaker: string, channel: string): string[] {
  const prefix = reply.visibility === "private" ? `(only ${speaker}) ` : `[#${channel}] `;
  const lines = renderBlocks(reply.blocks);
  if (reply.tone === "error" && lines.length > 0) lines[0] = `error: ${lines[0]}`;
  return lines.map((l) => prefix + l);
}
