import { describe, expect, it } from "vitest";
import { cardBlocks, LIMITS, renderBlocks } from "../adapters/slack/render.js";
import { normaliseCommandText, slackMention } from "../adapters/slack/text.js";
import { list, mention, page, para, rich, type Card } from "../src/model/message.js";

const person = { memberId: 1, name: "bob", accounts: { slack: "U0BOB" } };

describe("Slack rendering", () => {
  it("keeps a huge card inside Block Kit's limits and points to /case show", () => {
    const card: Card = {
      key: "HKPF-2026-0001",
      title: `HKPF-2026-0001 · ${"T".repeat(400)}`,
      badge: { label: "TLP:AMBER", tone: "amber" },
      fields: Array.from({ length: 25 }, (_, i) => ({ label: `f${i}`, value: rich`${"x".repeat(2500)}` })),
      sections: [rich`${"s".repeat(5000)}`],
      actions: Array.from({ length: 30 }, (_, i) => ({ id: `case.a${i}`, label: `A${i}`, command: { family: "case", path: ["ack"], args: { ref: "R" } } })),
    };
    const { blocks } = renderBlocks([{ kind: "card", card }, { kind: "card", card }, { kind: "card", card }, { kind: "card", card }, { kind: "card", card }, { kind: "card", card }, { kind: "card", card }, { kind: "card", card }, { kind: "card", card }], "(see /case show HKPF-2026-0001)");
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    const one = cardBlocks(card);
    const header = one[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(LIMITS.header);
    for (const b of one as { type: string; fields?: { text: string }[]; text?: { text: string }; elements?: unknown[] }[]) {
      if (b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(LIMITS.fields);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(LIMITS.field);
        expect(b.fields[0]!.text).toMatch(/… \(see \/case show HKPF-2026-0001\)$/);
      }
      if (b.type === "section" && b.text) expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.section);
      if (b.type === "actions") expect(b.elements!.length).toBeLessThanOrEqual(LIMITS.buttons);
    }
  });

  it("splits a long list over sections instead of cutting it", () => {
    const items = Array.from({ length: 200 }, (_, i) => rich`HKPF-CSTCB-2026-${String(i).padStart(4, "0")} · critical freeze · open · waiting on exchange`);
    const { blocks } = renderBlocks([list(items)]);
    const text = blocks.map((b) => (b as { text: { text: string } }).text.text).join("\n");
    expect(text).toContain("HKPF-CSTCB-2026-0199");
    expect(blocks.every((b) => (b as { text: { text: string } }).text.text.length <= LIMITS.section)).toBe(true);
  });

  it("pings only the people a message pages", () => {
    const { blocks } = renderBlocks([para(rich`${page(person)} is paged; ${mention(person)} is only named`)]);
    expect((blocks[0] as { text: { text: string } }).text.text).toBe("<@U0BOB> is paged; @bob is only named");
  });

  it("reads Slack's escaped command text: mentions stay mentions, entities become characters", () => {
    expect(normaliseCommandText("note R-2026-0001 &lt;b&gt; &amp; <@U0BOB|bob> in <#C1|general> see <https://x.example/a|x.example>")).toBe(
      "note R-2026-0001 <b> & <@U0BOB> in #general see https://x.example/a",
    );
    expect(normaliseCommandText("&lt;@U0EVIL&gt; <!here>")).toBe("<@U0EVIL> @here");
    expect(slackMention("<@U0BOB>")).toBe("slack:U0BOB");
    expect(slackMention("<@U0BOB|bob>")).toBe("slack:U0BOB");
    expect(slackMention("@bob")).toBeUndefined();
  });
});
