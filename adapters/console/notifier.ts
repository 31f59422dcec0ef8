import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Block, Card } from "../../src/model/message.js";
import { chartFilename, chartPng } from "../../src/render/chart.js";
import type { Delivery, DeliveryResult, Notifier } from "../../src/model/delivery.js";
import type { TextSink } from "./index.js";
import { escapeConsole, renderBlocks, renderCard, renderRich } from "./render.js";

/**
 * Delivers outbox messages to the terminal with the prefixes of docs/contract.md §7: `[#<channel>]` for
 * channel posts (cards), `[#<channel> › <REF>]` for posts in a case thread, `[dm @<name>]`
 * for direct messages. A terminal cannot edit what it printed, so a card update is one
 * summary line.
 */

function cardSummary(card: Card): string {
  const field = (label: string) => {
    const f = card.fields.find((x) => x.label === label);
    return f ? renderRich(f.value) : undefined;
  };
  const parts = [field("status"), field("whose move"), field("assignee") && `assignee ${field("assignee")}`].filter(Boolean);
  return `card ${escapeConsole(card.key ?? card.title)} updated: ${parts.join(" · ")}`;
}

export interface ConsoleNotifierOptions {
  /** Where digest charts are written as PNG files (default ./data/digests). */
  digestsDir?: string;
}

export class ConsoleNotifier implements Notifier {
  readonly platform = "console" as const;
  constructor(
    private readonly output: TextSink,
    private readonly options: ConsoleNotifierOptions = {},
  ) {}

  /** A terminal shows no images: each chart is written as a PNG and its path printed. */
  #charts(blocks: Block[]): string[] {
    const dir = this.options.digestsDir ?? join("data", "digests");
    return blocks.flatMap((b) => {
      if (b.kind !== "chart") return renderBlocks([b]);
      const path = join(dir, basename(chartFilename(b.chart)));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, chartPng(b.chart));
      return [`chart: ${escapeConsole(b.chart.title)} — ${path}`];
    });
  }

  async deliver(d: Delivery): Promise<DeliveryResult> {
    const direct = d.kind === "dm" || d.thread?.direct === true;
    const ref = d.payload.ref ? escapeConsole(d.payload.ref) : undefined;
    const prefix = direct
      ? `[dm @${d.channelId}] `
      : d.kind === "thread" && ref
        ? `[#${d.channelId} › ${ref}] `
        : `[#${d.channelId}] `;
    let lines: string[];
    if (d.kind === "card") lines = renderCard(d.payload.card!);
    else if (d.kind === "card_update") lines = [cardSummary(d.payload.card!)];
    else lines = this.#charts(d.payload.blocks ?? []);
    // In a direct message there is no thread to show; say which case a thread post is about.
    if (direct && d.kind === "thread" && ref && lines.length > 0) lines[0] = `${ref}: ${lines[0]}`;
    this.output.write(lines.map((l) => prefix + l).join("\n") + "\n");
    return { ok: true, messageId: `console:${d.id}` };
  }
}
