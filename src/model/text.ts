/**
 * Text helpers every renderer shares. Renderers escape user text first and cut it to the
 * platform's limits after, so the cut must never land inside what escaping produced: an
 * entity (`&amp;`), a platform token (`<@U123>`, `<#C1|x>`), a backslash escape (`\*`) or
 * a surrogate pair.
 */

/** Unicode bidirectional overrides and isolates: they can make text read in another order than it is written. */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/** Replaces bidi overrides with U+FFFD, as every renderer shows them. */
export const neutraliseBidi = (text: string) => text.replace(BIDI_CONTROLS, "\uFFFD");

/** The largest cut at or below `at` that does not split an escape, a token or a character. */
export function safeCut(text: string, at: number): number {
  let cut = Math.max(0, Math.min(at, text.length));
  // Inside an entity such as &amp; or &#8203;: cut before its ampersand.
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && amp >= cut - 10 && /^&#?[a-z0-9]+;/i.test(text.slice(amp)) && text.indexOf(";", amp) >= cut) cut = amp;
  // Inside a <…> token (a mention, a channel, a link): cut before it.
  const open = text.lastIndexOf("<", cut - 1);
  if (open >= 0 && text.lastIndexOf(">", cut - 1) < open && text.indexOf(">", open) >= cut) cut = open;
  // After an odd run of backslashes the next character would be escaped by nothing.
  let slashes = 0;
  while (cut - slashes - 1 >= 0 && text[cut - slashes - 1] === "\\") slashes++;
  if (slashes % 2 === 1) cut -= 1;
  // Between the halves of a surrogate pair.
  const code = text.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return cut;
}

/** Cuts text to `max` characters, ending with "…" and an optional pointer to the rest. */
export function truncate(text: string, max: number, pointer = ""): string {
  if (text.length <= max) return text;
  const tail = pointer ? `… ${pointer}` : "…";
  if (tail.length >= max) return text.slice(0, safeCut(text, max));
  return text.slice(0, safeCut(text, max - tail.length)) + tail;
}

/** What someone typed, quoted in a refusal: cut short, so a long line is not echoed back whole. */
export function quote(typed: string, max = 60): string {
  return `"${truncate(typed, max)}"`;
}
