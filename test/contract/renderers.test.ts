import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderBlocks as consoleBlocks, renderCard as consoleCard } from "../../adapters/console/render.js";
import { cardEmbed, embedLength, LIMITS as DISCORD, renderBlocks as discordBlocks, renderReply as discordReply } from "../../adapters/discord/render.js";
import { cardMessage, LIMITS as SLACK, renderBlocks as slackBlocks, renderReply as slackReply } from "../../adapters/slack/render.js";
import { caseCard } from "../../src/domain/cases/card.js";
import type { CaseRecord } from "../../src/domain/cases/model.js";
import type { MemberView } from "../../src/domain/members.js";
import { DEFAULT_POLICY } from "../../src/domain/policy.js";
import { parseSubject } from "../../src/domain/subjects.js";

/** The subject, or its refusal thrown (as the assertions below read it). */
const subject = (text: string) => {
  const parsed = parseSubject(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
};
import { page, para, rich, type Block, type Card } from "../../src/model/message.js";

/**
 * The renderer contract every adapter keeps, run for Slack, Discord and the console with
 * the largest inputs Liaison accepts (the longest title, a 4,000-character summary and
 * note, 20 amounts, 50 subjects) made of hostile text: nothing escapes into markup, only
 * paged people are pinged, every platform limit holds, and the card still says what it is.
 */

const HOSTILE = "<!everyone> <!here|here> @here @channel <@U0EVIL> <@&123456789012345678> [x](https://evil.example) ``` & \u202eevil\u202c ";
const hostile = (n: number) => (HOSTILE.repeat(Math.ceil(n / HOSTILE.length)) + "&".repeat(n)).slice(0, n);
const NOW = new Date("2026-11-23T09:00:00Z");

function member(id: number, name: string, role: MemberView["role"], org: MemberView["org"]): MemberView {
  return {
    id,
    name,
    role,
    status: "vetted",
    email: null,
    org,
    vettedAt: NOW,
    vettedUntil: null,
    suspendedReason: null,
    accounts: [
      { platform: "slack", externalId: `U0${name.toUpperCase()}`, handle: name },
      { platform: "discord", externalId: String(100000000000000000 + id), handle: name },
      { platform: "console", externalId: name, handle: name },
    ],
  };
}

const agency = { id: 1, code: "HKPF-CSTCB", kind: "AGENCY" as const, name: "Police", jurisdiction: "HK", timeZone: "Asia/Hong_Kong", domains: ["police.gov.hk"] };
const exchange = { id: 2, code: "EXA", kind: "EXCHANGE" as const, name: "Exchange A", jurisdiction: "MT", timeZone: "UTC", domains: ["exa.example"] };
const alice = member(1, "alice", "liaison", agency);
const bob = member(2, "bob", "investigator", exchange);
const dave = member(3, "dave", "investigator", exchange);

/** The largest case a user can make: every field at its maximum, every text hostile. */
function maximalCase(): CaseRecord {
  const subjects = Array.from({ length: 50 }, () => subject(`0x${randomBytes(20).toString("hex")}`));
  const amounts = Array.from({ length: 20 }, (_, i) => ({ kind: "involved" as const, asset: `ASSET${i}`.padEnd(12, "X"), amount: "999999999999999999.999999999999999999", usd: "999999999999999999.999999999999999999" }));
  return {
    id: 1,
    ref: "HKPF-CSTCB-2026-0001",
    title: hostile(200),
    summary: hostile(4000),
    severity: "critical",
    type: "freeze",
    tlp: "amber",
    status: "OPEN",
    whoseMove: "exchange",
    agency,
    exchange,
    openedBy: alice,
    assignee: bob,
    externalRef: hostile(100),
    deadline: new Date(NOW.getTime() + 3_600_000),
    confirmedById: null,
    confirmedAt: null,
    pagedAt: NOW,
    ackAt: null,
    ackById: null,
    resolvedAt: null,
    outcome: hostile(2000),
    result: null,
    preservedUntil: null,
    freezeUntil: null,
    heldAt: null,
    holdReason: null,
    erasedAt: null,
    processes: [],
    closedAt: null,
    waitingSince: null,
    agencyWaitSeconds: 0,
    escalationLevel: 1,
    lastActivityAt: NOW,
    createdAt: NOW,
    eventCount: 3,
    headHash: "0".repeat(64),
    subjects: subjects.map((s) => ({ kind: s.kind, chain: s.chain, value: s.value, display: s.display })),
    amounts: [...amounts, ...amounts.slice(0, 5).map((a) => ({ ...a, kind: "frozen" as const }))],
    participants: [
      { member: alice, reason: "opener", pagedAt: null },
      { member: bob, reason: "oncall", pagedAt: NOW },
      { member: dave, reason: "oncall", pagedAt: NOW },
    ],
    pendingHandoff: { id: 1, fromId: 2, toMember: dave, toOrg: null, note: hostile(1000), offeredAt: NOW, acceptedById: null, consentedById: null },
    threads: [],
  };
}

const cards = (): Card[] => [caseCard(maximalCase(), "channel", DEFAULT_POLICY, NOW), caseCard(maximalCase(), "direct", DEFAULT_POLICY, NOW)];
/** A thread post: a note at its longest, paging bob, naming dave. */
const note = (): Block[] => [para(rich`Note from ${page({ memberId: 2, name: "bob", accounts: { slack: "U0BOB", discord: "100000000000000002" } })}: ${hostile(4000)}`)];

interface Contract {
  name: string;
  /** Every string the platform will read as markup, for one card and for one message. */
  card(card: Card): { texts: string[]; pinged: string[] };
  message(blocks: Block[]): { texts: string[]; pinged: string[] };
  /** Markup in a text that would notify, link, mention or reorder. */
  forbidden: RegExp;
  limits(card: Card, blocks: Block[]): void;
}

const BIDI = /[\u202a-\u202e\u2066-\u2069]/;

const slack: Contract = {
  name: "Slack",
  card(card) {
    const m = cardMessage(card);
    const json = JSON.stringify(m.blocks);
    return { texts: [m.text, ...textsOf(m.blocks)], pinged: [...json.matchAll(/<@(U[0-9A-Z]+)>/g)].map((x) => x[1]!) };
  },
  message(blocks) {
    const m = slackBlocks(blocks, "(see /case show HKPF-CSTCB-2026-0001)");
    return { texts: [m.text, ...textsOf(m.blocks)], pinged: [...JSON.stringify(m.blocks).matchAll(/<@(U[0-9A-Z]+)>/g)].map((x) => x[1]!) };
  },
  forbidden: /<[!#]|<@(?!U0BOB>)|<https?:|(^|[^\u2060])@(here|channel|everyone)\b|&(?!amp;|lt;|gt;)|```/i,
  limits(card, blocks) {
    for (const m of [cardMessage(card), slackBlocks(blocks)]) {
      expect(m.blocks.length).toBeLessThanOrEqual(SLACK.blocks);
      expect(m.text.length).toBeLessThanOrEqual(SLACK.fallback);
      for (const b of m.blocks as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string | { text: string } }[] }[]) {
        if (b.type === "header") expect(b.text!.text.length).toBeLessThanOrEqual(SLACK.header);
        if (b.type === "section" && b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK.section);
        if (b.fields) {
          expect(b.fields.length).toBeLessThanOrEqual(SLACK.fields);
          for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK.field);
        }
        if (b.type === "actions") expect(b.elements!.length).toBeLessThanOrEqual(SLACK.buttons);
        if (b.type === "context") expect(b.elements!.length).toBeLessThanOrEqual(10);
      }
    }
  },
};

const discord: Contract = {
  name: "Discord",
  card(card) {
    const { embed, components } = cardEmbed(card);
    const texts = [embed.title ?? "", embed.description ?? "", embed.footer?.text ?? "", ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]), ...(components ?? []).flatMap((r) => r.components.map((b) => b.label))];
    // A card pings nobody: its allowed_mentions list is empty (see notifier.ts).
    return { texts, pinged: [] };
  },
  message(blocks) {
    const m = discordBlocks(blocks, "(see /case show HKPF-CSTCB-2026-0001)");
    return { texts: [m.content ?? ""], pinged: m.allowed_mentions.users };
  },
  forbidden: /(^|[^\\])<(@&|#|@(?!100000000000000\d{3}>))|@(everyone|here)\b|(^|[^\\])\[[^\]]*\]\(/i,
  limits(card, blocks) {
    const { embed, components } = cardEmbed(card);
    const all = [embed];
    expect(all.reduce((n, e) => n + embedLength(e), 0)).toBeLessThanOrEqual(DISCORD.embedsTotal);
    expect(embed.title!.length).toBeLessThanOrEqual(DISCORD.title);
    expect(embed.description!.length).toBeLessThanOrEqual(DISCORD.description);
    expect(embed.fields!.length).toBeLessThanOrEqual(DISCORD.fields);
    for (const f of embed.fields!) {
      expect(f.name.length).toBeLessThanOrEqual(DISCORD.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD.fieldValue);
      expect(f.value.length).toBeGreaterThan(0);
    }
    expect((components ?? []).length).toBeLessThanOrEqual(DISCORD.rows);
    for (const row of components ?? []) {
      expect(row.components.length).toBeLessThanOrEqual(DISCORD.rowButtons);
      for (const b of row.components) expect(b.custom_id.length).toBeLessThanOrEqual(100);
    }
    // Several cards in one message (a reply) share the one budget too.
    const many = discordBlocks(Array.from({ length: 4 }, () => ({ kind: "card" as const, card })));
    expect(many.embeds!.reduce((n, e) => n + embedLength(e), 0)).toBeLessThanOrEqual(DISCORD.embedsTotal);
    expect((discordBlocks(blocks).content ?? "").length).toBeLessThanOrEqual(DISCORD.content);
  },
};

const consoleContract: Contract = {
  name: "console",
  card(card) {
    return { texts: consoleCard(card), pinged: [] };
  },
  message(blocks) {
    return { texts: consoleBlocks(blocks), pinged: [] };
  },
  // The terminal's one rule: no control characters that could forge or hide a line.
  forbidden: /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/,
  limits(card) {
    // Each card line is a line: a newline in user text cannot start one of its own.
    for (const line of consoleCard(card)) expect(line).toMatch(/^[┌│└]/);
  },
};

/**
 * The mrkdwn of Slack blocks, where markup counts. plain_text (headers, button labels) is
 * never parsed for mentions or links; it is held to the plain-text rule instead.
 */
function textsOf(blocks: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(walk);
    const o = v as Record<string, unknown>;
    if (typeof o.text === "string" && o.type === "mrkdwn") out.push(o.text);
    if (typeof o.text === "string" && o.type === "plain_text") {
      expect(o.text).not.toMatch(/<[!@#]|(^|[^\u2060])@(here|channel|everyone)\b/i);
      expect(o.text).not.toMatch(BIDI);
    }
    // Button values are JSON the platform hands back to us; they are not shown.
    for (const [k, x] of Object.entries(o)) if (k !== "value") walk(x);
  };
  walk(blocks);
  return out;
}

describe.each([slack, discord, consoleContract])("renderer contract: $name", (contract) => {
  it("lets no hostile text become a mention, a link or markup, nor reorder itself", () => {
    for (const card of cards()) {
      for (const t of contract.card(card).texts) {
        expect(t).not.toMatch(contract.forbidden);
        expect(t).not.toMatch(BIDI);
      }
    }
    for (const t of contract.message(note()).texts) {
      expect(t).not.toMatch(contract.forbidden);
      expect(t).not.toMatch(BIDI);
    }
  });

  it("pings only the people a message pages", () => {
    for (const card of cards()) expect(contract.card(card).pinged).toEqual([]);
    const pinged = contract.message(note()).pinged;
    if (contract.name !== "console") expect(pinged).toEqual([contract.name === "Slack" ? "U0BOB" : "100000000000000002"]);
  });

  it("keeps every platform limit with the largest inputs", () => {
    for (const card of cards()) contract.limits(card, note());
  });

  it("still shows what the card is: reference, marking, severity, status and whose move", () => {
    for (const card of cards()) {
      const all = contract.card(card).texts.join("\n");
      for (const want of ["HKPF-CSTCB-2026-0001", "TLP:AMBER", "critical", "open", "waiting on exchange"]) expect(all).toContain(want);
    }
  });

  it("never cuts inside an escape when it shortens", () => {
    for (const card of cards()) {
      for (const t of contract.card(card).texts) {
        expect(t).not.toMatch(/&(a|am|amp|l|lt|g|gt)?(…|$)/);
        expect(t).not.toMatch(/<@?[A-Z0-9]*…/);
      }
    }
  });
});

describe("a refusal at its longest", () => {
  const refusal = { visibility: "private" as const, tone: "error" as const, blocks: [para(rich`amounts: ${hostile(3990)}`)] };
  it("stays within Slack's section limit, warning sign included", () => {
    const m = slackReply(refusal);
    expect((m.blocks[0] as { text: { text: string } }).text.text.startsWith(":warning: ")).toBe(true);
    for (const b of m.blocks as { text?: { text: string } }[]) expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK.section);
  });
  it("stays within Discord's content limit, warning sign included", () => {
    const m = discordReply(refusal);
    expect(m.content!.startsWith("⚠️ ")).toBe(true);
    expect(m.content!.length).toBeLessThanOrEqual(DISCORD.content);
  });
});
