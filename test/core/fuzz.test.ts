import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCommands } from "../../commands/index.js";
import { consoleMention } from "../../adapters/console/index.js";
import { escapeConsole, renderBlocks as renderConsole } from "../../adapters/console/render.js";
import { discordMention, optionsFrom } from "../../adapters/discord/commands.js";
import { renderBlocks as renderDiscord } from "../../adapters/discord/render.js";
import { renderBlocks as renderSlack } from "../../adapters/slack/render.js";
import { normaliseCommandText, slackMention } from "../../adapters/slack/text.js";
import type { Invocation } from "../../src/core/dispatch.js";
import { isUserError } from "../../src/model/errors.js";
import { mention, page, para, rich, type Block, type Reply } from "../../src/model/message.js";
import { tokenize } from "../../src/core/parse.js";
import { Harness, SEED } from "../helpers/harness.js";

/**
 * Fuzzing (fast-check): random command lines in each text syntax (console, Slack) and random
 * Discord option payloads never crash the core, never write when refused, and always answer
 * with a clear message; hostile text never becomes a mass mention on any platform.
 * FUZZ_RUNS sets the number of cases per property (10,000 by default).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const families = ["case", "liaison", "ppp"] as const;
const words = [...new Set(allCommands.flatMap((c) => [...c.path, ...Object.keys(c.options)]))];
const optionNames = [...new Set(allCommands.flatMap((c) => Object.keys(c.options)))];
const HOSTILE = ["@everyone", "@here", "@channel", "<!everyone>", "<!here>", "<!channel>", "<!subteam^S1|@team>", "<@&123456789012345678>", "<#C123>", '"', "\u201c", "\\", "\u0000", "\u001b[31m", "\u202e", "\n", "**", "```", "[x](https://evil.example)", "&lt;!here&gt;"];

const value = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.constantFrom(...HOSTILE, ...words, "EXA", "HKPF-CSTCB", "HKPF-CSTCB-2026-0001", "365d", "critical", "amber", "gmail.com"),
  fc.stringMatching(/^[A-Z]{2,6}(-[A-Z]{2,6})?$/),
  fc.string({ minLength: 300, maxLength: 5000 }),
);
const token = (mention: fc.Arbitrary<string>) =>
  fc.oneof(
    value,
    mention,
    fc.tuple(fc.constantFrom(...optionNames, "colour"), value).map(([k, v]) => `${k}:${v}`),
    fc.tuple(fc.constantFrom(...optionNames), fc.string({ maxLength: 40 })).map(([k, v]) => `${k}:"${v}"`),
  );
const line = (mention: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom(...families), fc.constantFrom(...allCommands.map((c) => c.path.join(" ")), "", "nope"), fc.array(token(mention), { maxLength: 7 }));

const consoleMentionArb = fc.constantFrom("@root", "@bob", "@alice", "@nobody", "@");
const slackMentionArb = fc.constantFrom("<@U0ROOT>", "<@U0BOB|bob>", "<@W123>", "<@>", "<!here>", "&lt;@U0ROOT&gt;");

/** Tables and their newest ids, in one statement: a cheap proof that nothing was written. */
async function fingerprint(h: Harness): Promise<string> {
  const tables = ["organisation", "member", "account", "roster_entry", "binding", "binding_org", "case", "case_event", "case_subject", "case_participant", "handoff", "case_thread", "outbox", "timer", "ref_counter"];
  const sql = `SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM "${t}") || ':' || (SELECT COALESCE(MAX(rowid_or_id), 0) FROM (SELECT ${t === "binding_org" || t === "ref_counter" ? "0" : "id"} AS rowid_or_id FROM "${t}") x)`).join(" || '|' || ")} AS f`;
  const rows = await h.db.client.$queryRawUnsafe<{ f: string }[]>(sql);
  return rows[0]!.f;
}

function clear(reply: Reply): boolean {
  const text = renderConsole(reply.blocks).join("\n");
  return text.length > 0 && !/something went wrong/.test(text) && !/\bat .*\.(js|ts):\d+/.test(text) && text.length < 4000;
}

describe("the text parser", () => {
  it("either tokenises any input or refuses it with a UserError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: "binary" }), (input) => {
        try {
          tokenize(input);
        } catch (error) {
          expect(isUserError(error)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("random commands against the core (SQLite)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open("sqlite");
    await h.say(SEED);
    // A Slack account for root, so Slack-syntax commands come from a real coordinator too.
    await h.db.client.account.create({ data: { platform: "slack", externalId: "U0ROOT", handle: "root", memberId: (await h.db.client.account.findFirstOrThrow({ where: { externalId: "root" } })).memberId, createdAt: new Date() } });
  });
  afterAll(() => h?.close());

  async function check(invocation: Invocation) {
    const before = await fingerprint(h);
    const reply = await h.core.dispatcher.dispatch(invocation);
    expect(clear(reply)).toBe(true);
    if (reply.tone === "error") expect(await fingerprint(h)).toBe(before);
  }

  const who = (platform: Invocation["platform"], id: string): Pick<Invocation, "platform" | "account" | "channel"> => ({
    platform,
    account: { platform, externalId: id, handle: id },
    channel: { platform, id: "hk-exa", name: "hk-exa", direct: false },
  });

  it("console syntax: never crash, write nothing when refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("root", "bob", "mal"), line(consoleMentionArb), async (speaker, [family, sub, rest]) => {
        await check({ ...who("console", speaker), family, input: { text: [sub, ...rest].join(" "), mentions: consoleMention } });
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("Slack syntax: never crash, write nothing when refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("U0ROOT", "U0STRANGER"), line(slackMentionArb), async (user, [family, sub, rest]) => {
        const text = normaliseCommandText([sub, ...rest].join(" ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
        await check({ ...who("slack", user), family, input: { text, mentions: slackMention } });
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("Discord option payloads: never crash, write nothing when refused", async () => {
    const optionValue = fc.oneof(value, fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom("<@900000000000000001>", "<@!1>", "900000000000000001"));
    const payload = fc.tuple(
      fc.constantFrom(...allCommands),
      fc.array(fc.tuple(fc.constantFrom(...optionNames, "bogus"), optionValue, fc.constantFrom(3, 4, 5, 6)), { maxLength: 6 }),
      fc.boolean(),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("900000000000000001", "900000000000000099"), payload, async (user, [command, options, wrongPath]) => {
        const raw = optionsFrom(command, options.map(([name, v, type]) => ({ name, value: v, type })));
        const path = wrongPath ? [...command.path, "extra"] : [...command.path];
        await check({ ...who("discord", user), family: command.family, input: { path, options: raw } });
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});

describe("hostile text in every renderer", () => {
  const person = { memberId: 1, name: "bob <!here>", accounts: { slack: "U0BOB", discord: "900000000000000003", console: "bob" } };
  const hostile = fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(" "));
  const blocks = fc.tuple(hostile, fc.boolean()).map(([t, paged]): Block[] => [
    para(rich`${t} ${paged ? page(person) : mention(person)} ${t}`),
    { kind: "list", items: [rich`${t}`] },
    { kind: "card", card: { title: t, key: "R-2026-0001", badge: { label: "TLP:AMBER", tone: "amber" }, subtitle: rich`${t}`, fields: [{ label: t, value: rich`${t}` }], sections: [rich`${t}`], actions: [] } },
  ]);

  it("never produce a mass mention, and ping only the people paged", () => {
    fc.assert(
      fc.property(blocks, (b) => {
        const slack = JSON.stringify(renderSlack(b).blocks);
        expect(slack).not.toMatch(/<!(everyone|here|channel)|<!subteam|(^|[^\u2060])@(here|channel|everyone)\b/i);
        expect(slack.match(/<@U0BOB>/g)?.length ?? 0).toBeLessThanOrEqual(1);
        const discord = renderDiscord(b);
        expect(discord.allowed_mentions.parse).toEqual([]);
        expect(discord.allowed_mentions.users.every((u) => u === person.accounts.discord)).toBe(true);
        const text = [discord.content ?? "", ...(discord.embeds ?? []).flatMap((e) => [e.title ?? "", e.description ?? "", ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])].join("\n");
        expect(text).not.toMatch(/(^|[^\\])<@&|@(everyone|here)\b/);
        expect(renderConsole(b).join("\n")).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
        expect(escapeConsole("\u001b[2J")).not.toContain("\u001b");
      }),
      { numRuns: RUNS },
    );
  });

  it("reads Discord mentions only in Discord's own syntax", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const key = discordMention(s);
        if (key) expect(key).toMatch(/^discord:\d{15,22}$/);
      }),
      { numRuns: RUNS },
    );
  });
});
