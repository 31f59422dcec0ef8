import { escapeMarkdown } from "discord.js";
import { neutraliseBidi } from "../../src/model/text.js";

/**
 * The one escaping function for Discord markdown: discord.js's own markdown escaping, plus
 * `<` escaped so no user text can form a user, role or channel mention (`<@…>`, `<@&…>`,
 * `<#…>`), and a zero-width space after `@` in `@everyone`/`@here`. Messages also carry
 * `allowed_mentions` naming only the people they page, so this is the second lock.
 */
export function escapeDiscord(text: string): string {
  // discord.js escapes only the first masked link of a line ([a](…) … [b](…)): every "[" is escaped here instead.
  return escapeMarkdown(neutraliseBidi(text), { heading: true, bulletedList: true, numberedList: true, maskedLink: false })
    .replace(/\[/g, "\\[")
    .replace(/</g, "\\<")
    .replace(/@(everyone|here)/gi, "@\u200b$1");
}

export const escapeDiscordLine = (text: string) => escapeDiscord(text.replace(/\s*[\r\n]+\s*/g, " "));
