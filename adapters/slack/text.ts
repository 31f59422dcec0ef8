/**
 * Slack's side of the text syntax. Slash-command text arrives with `&`, `<`, `>` as
 * entities and with Slack's own tokens for people, channels and links (`<@U123|bob>`,
 * `<#C123|general>`, `<https://…|label>`); people stay mentions, the rest become plain text.
 */

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };

export function normaliseCommandText(text: string): string {
  const tokens: string[] = [];
  // Slack's tokens first, while `<` still means a token; entities after.
  const marked = text.replace(/<([^<>]+)>/g, (_, inner: string) => {
    let plain: string;
    if (/^@[UW][A-Z0-9]+/.test(inner)) plain = `<${inner.split("|")[0]}>`;
    else if (inner.startsWith("#")) plain = `#${inner.split("|")[1] ?? inner.slice(1)}`;
    else if (inner.startsWith("!")) plain = `@${(inner.split("|")[1] ?? inner.slice(1)).replace(/^@/, "")}`;
    else plain = inner.split("|")[0]!;
    tokens.push(plain);
    return `\u0000${tokens.length - 1}\u0000`;
  });
  return marked
    .replace(/&(amp|lt|gt);/g, (e) => ENTITIES[e]!)
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => tokens[Number(i)]!);
}

/** `<@U123>` (and `<@U123|name>`) is the Slack account U123. */
export function slackMention(word: string): string | undefined {
  const m = /^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>$/.exec(word);
  return m ? `slack:${m[1]}` : undefined;
}
