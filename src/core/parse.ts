import { quote } from "../model/text.js";
import { didYouMean } from "../model/closest.js";
import { UserError } from "../model/errors.js";
import type { OptionMeta, OptionSet } from "./options.js";

/**
 * The text syntax shared by every place commands are typed (docs/contract.md §7): words separated by
 * spaces, options as `key:value`, values with spaces in double quotes, lists separated by
 * commas, people as mentions in the platform's own syntax.
 */

export interface Token {
  /** Set for `key:value` words; the binder decides whether the key is a real option. */
  key?: string;
  value: string;
  /** The word as typed (without surrounding quotes), used when a `key:value` is just text. */
  raw: string;
  quoted: boolean;
}

/** How a platform writes a mention, turned into an account key such as `slack:U123`. */
export type MentionSyntax = (word: string) => string | undefined;

const OPEN_QUOTES = new Set(['"', "\u201c", "\u201e"]);
const CLOSE_QUOTES = new Set(['"', "\u201d", "\u201c"]);
const KEY = /^([A-Za-z][A-Za-z0-9_-]{0,31}):/;
export const MAX_COMMAND_LENGTH = 12_000;

function readQuoted(input: string, start: number): { value: string; end: number } {
  let value = "";
  let i = start;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === "\\" && i + 1 < input.length && (CLOSE_QUOTES.has(input[i + 1]!) || input[i + 1] === "\\")) {
      value += input[i + 1];
      i += 2;
      continue;
    }
    if (CLOSE_QUOTES.has(ch)) return { value, end: i + 1 };
    value += ch;
    i++;
  }
  const context = input.slice(Math.max(0, start - 12), start + 20).replace(/\s+/g, " ");
  throw new UserError("syntax", `unterminated quote: add the closing " after …${context}…`);
}

export function tokenize(input: string): Token[] {
  if (input.length > MAX_COMMAND_LENGTH) {
    throw new UserError("syntax", `the command is too long (${input.length} characters, at most ${MAX_COMMAND_LENGTH})`);
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (OPEN_QUOTES.has(ch)) {
      const { value, end } = readQuoted(input, i + 1);
      tokens.push({ value, raw: value, quoted: true });
      i = end;
      continue;
    }
    let word = "";
    while (i < input.length && !/\s/.test(input[i]!)) {
      const c = input[i]!;
      const key = KEY.exec(word);
      if (OPEN_QUOTES.has(c) && key && key[0].length === word.length) {
        // key:"quoted value"
        const { value, end } = readQuoted(input, i + 1);
        tokens.push({ key: key[1]!.toLowerCase(), value, raw: `${word}${value}`, quoted: true });
        word = "";
        i = end;
        break;
      }
      word += c;
      i++;
    }
    if (word === "") continue;
    const key = KEY.exec(word);
    if (key) tokens.push({ key: key[1]!.toLowerCase(), value: word.slice(key[0].length), raw: word, quoted: false });
    else tokens.push({ value: word, raw: word, quoted: false });
  }
  return tokens;
}

/** `unknown option "titel" for /case open — did you mean title? (its options: …)` */
export function unknownOption(key: string, command: string, known: readonly string[]): string {
  return `unknown option ${quote(key)} for ${command}${didYouMean(key, known, (k) => `${k}:`)} (its options: ${known.join(", ") || "none"})`;
}

export type RawOptions = Record<string, string | string[]>;

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function asMention(value: string, mentions: MentionSyntax, name: string): string {
  const key = mentions(value);
  if (!key) throw UserError.about(name, "invalid_option", `${name}: expected a person as a mention (like @name), got ${quote(value)}`);
  return key;
}

function convert(name: string, meta: OptionMeta, values: string[], mentions: MentionSyntax): string | string[] {
  switch (meta.kind) {
    case "person":
      return asMention(values.join(" "), mentions, name);
    case "people":
      return values.flatMap(splitList).map((v) => asMention(v, mentions, name));
    case "target": {
      const v = values.join(" ");
      return mentions(v) ?? v;
    }
    default:
      if (meta.list) return values.flatMap(splitList);
      return values.join(" ");
  }
}

export interface Signature {
  /** e.g. "/case note", for messages. */
  name: string;
  options: OptionSet;
}

/**
 * Binds words to a command's declared options. A `key:value` word whose key is not an
 * option is refused — unless the command takes free text, where it is just text
 * (`/case note REF wallet: 1A1z…`).
 */
export function bindTokens(sig: Signature, tokens: Token[], mentions: MentionSyntax): RawOptions {
  const entries = Object.entries(sig.options);
  const names = new Set(entries.map(([n]) => n));
  const positional = entries
    .filter(([, o]) => o.meta.positional !== undefined)
    .sort(([, a], [, b]) => a.meta.positional! - b.meta.positional!);
  const takesText = positional.some(([, o]) => o.meta.rest && o.meta.kind === "text");

  const named = new Map<string, string[]>();
  const bare: Token[] = [];
  for (const token of tokens) {
    if (token.key !== undefined && names.has(token.key)) {
      if (named.has(token.key)) throw UserError.about(token.key, "invalid_option", `${token.key}: given twice`);
      named.set(token.key, [token.value]);
    } else if (token.key !== undefined && !takesText) {
      throw new UserError("invalid_option", unknownOption(token.key, sig.name, entries.map(([n]) => n)));
    } else {
      bare.push(token);
    }
  }

  let next = 0;
  for (const [name, option] of positional) {
    if (next >= bare.length) break;
    if (named.has(name)) continue;
    if (option.meta.rest) {
      named.set(name, bare.slice(next).map((t) => t.raw));
      next = bare.length;
    } else {
      named.set(name, [bare[next]!.raw]);
      next++;
    }
  }
  if (next < bare.length) {
    const extra = bare.slice(next).map((t) => t.raw).join(" ");
    throw new UserError("invalid_option", `unexpected "${extra.length > 60 ? `${extra.slice(0, 57)}…` : extra}" for ${sig.name}`);
  }

  const raw: RawOptions = {};
  for (const [name, values] of named) raw[name] = convert(name, sig.options[name]!.meta, values, mentions);
  return raw;
}
