import { neutraliseBidi } from "../../src/model/text.js";

/**
 * The one escaping function for Slack mrkdwn. `&`, `<` and `>` become entities, so no
 * user text can form `<!everyone>`, `<!here>`, `<!channel>`, `<!subteam^…>`, `<@U…>` or a
 * link; bidi overrides are shown as U+FFFD, as in every renderer; bare `@here`/`@channel`/`@everyone` get an invisible word joiner so no client or
 * `link_names` setting can turn them into mass mentions; code fences are broken up so a
 * title cannot swallow the rest of a message.
 */
export function escapeSlack(text: string): string {
  return neutraliseBidi(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(here|channel|everyone)\b/gi, "@\u2060$1")
    .replace(/```/g, "`\u200b`\u200b`");
}

/**
 * For plain_text objects (headers, button labels), which Slack does not parse for mentions:
 * no entities, but a word joiner inside anything shaped like a special token or a crowd
 * mention, so no client or later change of element type can turn it into one.
 */
export const plainSlack = (text: string) =>
  neutraliseBidi(text)
    .replace(/\s*[\r\n]+\s*/g, " ")
    .replace(/<([!@#])/g, "<\u2060$1")
    .replace(/@(here|channel|everyone)\b/gi, "@\u2060$1");

/** Single-line variant for headers and field values: newlines become spaces. */
export const escapeSlackLine = (text: string) => escapeSlack(text.replace(/\s*[\r\n]+\s*/g, " "));
