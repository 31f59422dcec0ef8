import type { AnyCommand, Family } from "../../src/core/command.js";
import type { OptionMeta } from "../../src/core/options.js";
import type { Invocation } from "../../src/core/dispatch.js";

type AccountView = Invocation["account"];

/**
 * Tab completion in the interactive console (docs/contract.md §7): after `<name>:` or
 * `<name>@<channel>:` it completes the command family (`/ca` → `/case `), subcommand words
 * (`/case o` → `open `, `/ppp org a` → `add `), option names (`ti` → `title:`), the
 * choices of a choice option (`severity:c` → `severity:critical `), and case references and
 * organisation codes as the core suggests them — for the speaking console user, so a
 * reference they may not see is never offered (need-to-know, the same rule as Discord's
 * autocomplete).
 */

/** What the core suggests values from (the Dispatcher's `suggest`). */
export type SuggestKind = "ref" | "org" | "exchange" | "agency" | "layer";

export interface CompletionSource {
  registry: { families(): Family[]; family(family: Family): AnyCommand[] };
  suggest(account: AccountView, kind: SuggestKind, typed: string, context?: { org?: string }): Promise<string[]>;
}

/** readline's answer: the candidates, and the part of the line they replace. */
export type Completion = [string[], string];

const SPEAKER = /^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,31})(?:@[A-Za-z0-9][A-Za-z0-9._-]{0,31})?:\s*/;

interface Word {
  text: string;
  key?: string;
  value?: string;
}

/** The words before the one being typed, and that one; undefined inside an open quote. */
function split(text: string): { done: Word[]; current: string } | undefined {
  const words: string[] = [];
  let word = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (word !== "") words.push(word);
      word = "";
      continue;
    }
    word += ch;
  }
  if (quoted) return undefined;
  const done = words.map((w) => {
    const m = /^([A-Za-z][A-Za-z0-9_-]*):(.*)$/.exec(w);
    return m ? { text: w, key: m[1]!.toLowerCase(), value: m[2]! } : { text: w };
  });
  return { done, current: word };
}

function kindOf(name: string, meta: OptionMeta): SuggestKind | undefined {
  if (meta.suggest === "layer") return "layer";
  if (meta.kind === "ref") return "ref";
  if (meta.kind === "org" || meta.kind === "orgs") return name === "exchange" ? "exchange" : name === "agency" ? "agency" : "org";
  if (meta.kind === "target") return "exchange";
  return undefined;
}

const startsWith = (candidates: Iterable<string>, typed: string) => [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(typed.toLowerCase())).sort();

/** Values for one option: its choices, or what the core suggests for this user. */
async function values(source: CompletionSource, account: AccountView, name: string, meta: OptionMeta, typed: string, words: Word[]): Promise<string[]> {
  if (meta.choices) return startsWith(meta.choices, typed);
  const kind = kindOf(name, meta);
  if (!kind) return [];
  const org = words.find((w) => w.key === "org")?.value ?? words.find((w) => w.key === undefined && /^[A-Z0-9-]+$/i.test(w.text))?.text;
  const found = await source.suggest(account, kind, typed, kind === "layer" ? { org: org ?? "" } : {});
  // The core matches references anywhere in them (Discord shows the list); a line completes from its start.
  return startsWith(found, typed);
}

export async function completeConsoleLine(line: string, source: CompletionSource): Promise<Completion> {
  const speaker = SPEAKER.exec(line);
  if (!speaker) return [[], line];
  const account: AccountView = { platform: "console", externalId: speaker[1]!, handle: speaker[1]! };
  const rest = line.slice(speaker[0].length);

  // The family: `/ca` → `/case `.
  const family = /^\/(\S*)$/.exec(rest);
  if (rest === "" || family) {
    const typed = family?.[1] ?? "";
    return [startsWith(source.registry.families(), typed).map((f) => `/${f} `), rest];
  }
  const head = /^\/(\S+)\s+/.exec(rest);
  const fam = head?.[1]?.toLowerCase() as Family | undefined;
  if (!head || !fam || !source.registry.families().includes(fam)) return [[], rest];
  const parts = split(rest.slice(head[0].length));
  if (!parts) return [[], ""];
  const { done, current } = parts;
  const commands = source.registry.family(fam);

  // Subcommand words: as far as what is typed follows some command's path.
  let depth = 0;
  const under = (n: number) => commands.filter((c) => c.path.length >= n && done.slice(0, n).every((w, i) => w.key === undefined && c.path[i] === w.text.toLowerCase()));
  while (depth < done.length && under(depth + 1).length > 0) depth++;
  const command = under(depth).find((c) => c.path.length === depth);
  const candidates: string[] = [];
  if (depth === done.length && !current.includes(":")) {
    candidates.push(...startsWith(under(depth).filter((c) => c.path.length > depth).map((c) => c.path[depth]!), current).map((w) => `${w} `));
  }
  if (!command) return [candidates, current];
  if (depth === done.length && current === "" && candidates.length > 0) return [candidates, current];

  const given = done.slice(depth);
  const options = Object.entries(command.options);
  const colon = current.indexOf(":");
  if (colon > 0) {
    // A value: `severity:c` → `severity:critical `; in a list, the item after the last comma.
    const name = current.slice(0, colon).toLowerCase();
    const meta = command.options[name]?.meta;
    if (!meta) return [candidates, current];
    const value = current.slice(colon + 1);
    const comma = meta.list ? value.lastIndexOf(",") + 1 : 0;
    const found = await values(source, account, name, meta, value.slice(comma), given);
    const before = current.slice(0, colon + 1 + comma);
    return [[...candidates, ...found.map((v) => `${before}${v}${meta.list ? "" : " "}`)], current];
  }
  // Option names not given yet, and values for the next bare (positional) option.
  const used = new Set(given.map((w) => w.key).filter(Boolean));
  candidates.push(...startsWith(options.filter(([name]) => !used.has(name)).map(([name]) => `${name}:`), current));
  const bare = given.filter((w) => w.key === undefined).length;
  const next = options.find(([, o]) => o.meta.positional === bare);
  if (next && !used.has(next[0]) && !next[1].meta.rest) {
    candidates.push(...(await values(source, account, next[0], next[1].meta, current, given)).map((v) => `${v} `));
  }
  return [candidates, current];
}
