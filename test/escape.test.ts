import { describe, expect, it } from "vitest";
import { escapeConsole } from "../adapters/console/render.js";
import { escapeDiscord, escapeDiscordLine } from "../adapters/discord/escape.js";
import { escapeSlack, escapeSlackLine } from "../adapters/slack/escape.js";

/** Hostile user text, one escaping function per output syntax. */

const HOSTILE = [
  "<!everyone> please read",
  "<!here|here> now",
  "<!channel>",
  "<!subteam^S0123ABC|@security>",
  "<@U0BOB> and <@W0BOB|bob>",
  "@everyone @here @channel",
  "<@&123456789012345678> role ping",
  "<#C0123|general> <#123456789012345678>",
  "[click me](https://evil.example) <https://evil.example|login>",
  "``` swallow the rest",
  "# Heading\n> quote\n- list",
  "line1\nline2\r\n\u001b[31mred",
];

/** What would make Slack notify or link something. */
const slackSpecial = /<[!@#]|<https?:|(^|[^\u2060])@(here|channel|everyone)\b/i;
/** What would make Discord notify, link or mention something. */
const discordSpecial = /(^|[^\\])<[@#]|@(everyone|here)\b|(^|[^\\])\[[^\]]*\]\(/i;

describe("escaping hostile text", () => {
  it.each(HOSTILE)("Slack: %j cannot mention, link or format", (text) => {
    const out = escapeSlack(text);
    expect(out).not.toMatch(slackSpecial);
    expect(out).not.toContain("```");
    expect(escapeSlackLine(text)).not.toContain("\n");
  });

  it("Slack keeps ordinary text readable", () => {
    expect(escapeSlack("Funds moved: 12.5 BTC & 3 ETH <urgent>")).toBe("Funds moved: 12.5 BTC &amp; 3 ETH &lt;urgent&gt;");
  });

  it.each(HOSTILE)("Discord: %j cannot mention, link or format", (text) => {
    const out = escapeDiscord(text);
    expect(out).not.toMatch(discordSpecial);
    expect(out).not.toMatch(/(^|\n)#/);
    expect(escapeDiscordLine(text)).not.toContain("\n");
  });

  it("Discord escapes markdown but keeps the words", () => {
    expect(escapeDiscord("**bold** _it_ `code`")).toBe("\\*\\*bold\\*\\* \\_it\\_ \\`code\\`");
  });

  it.each(HOSTILE)("console: %j keeps no control characters", (text) => {
    expect(escapeConsole(text)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it("has a pattern that would catch the raw strings", () => {
    expect(HOSTILE.filter((t) => slackSpecial.test(t)).length).toBeGreaterThan(5);
    expect(HOSTILE.filter((t) => discordSpecial.test(t)).length).toBeGreaterThanOrEqual(5);
  });
});
