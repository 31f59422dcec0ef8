import type { AnyCommand, Family } from "../../src/core/command.js";
import { truncate } from "../../src/model/text.js";
import type { OptionMeta } from "../../src/core/options.js";
import type { RawOptions } from "../../src/core/parse.js";
import type { Registry } from "../../src/core/registry.js";

/**
 * Discord application commands derived from the declarations: `/case`, `/liaison` and
 * `/ppp`, each with native subcommands (and groups for two-word paths such as `org add`),
 * typed options named as in docs/contract.md — users for people, choices for severity/type/TLP,
 * autocomplete for case references and organisation codes.
 */

export const OptionType = { Subcommand: 1, SubcommandGroup: 2, String: 3, User: 6, Attachment: 11 } as const;

export interface ApiOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  choices?: { name: string; value: string }[];
  autocomplete?: boolean;
  max_length?: number;
  options?: ApiOption[];
}

export interface ApiCommand {
  name: string;
  description: string;
  type: number;
  options: ApiOption[];
}

const FAMILY_DESCRIPTIONS: Record<Family, string> = {
  case: "Open, acknowledge and work cases",
  liaison: "Registration, vetting and identity",
  ppp: "Partnership administration",
};


/** What an option autocompletes from, if anything. */
export function autocompleteKind(name: string, meta: OptionMeta): "ref" | "org" | "exchange" | "agency" | "layer" | undefined {
  if (meta.suggest === "layer") return "layer";
  if (meta.kind === "ref") return "ref";
  if (meta.kind === "org") return name === "exchange" ? "exchange" : name === "agency" ? "agency" : "org";
  if (meta.kind === "target") return "exchange";
  return undefined;
}

function option(name: string, meta: OptionMeta): ApiOption {
  const base = { name, description: truncate(meta.description, 100), required: meta.required };
  if (meta.kind === "person") return { ...base, type: OptionType.User };
  if (meta.kind === "file") return { ...base, type: OptionType.Attachment };
  if (meta.kind === "choice" && meta.choices) return { ...base, type: OptionType.String, choices: meta.choices.map((c) => ({ name: c, value: c })) };
  const auto = autocompleteKind(name, meta) !== undefined;
  return {
    ...base,
    type: OptionType.String,
    ...(auto ? { autocomplete: true } : {}),
    ...(meta.maxLength ? { max_length: Math.min(meta.maxLength, 6000) } : {}),
  };
}

function subcommand(command: AnyCommand): ApiOption {
  const options = Object.entries(command.options)
    .map(([name, o]) => option(name, o.meta))
    // Discord wants required options first.
    .sort((a, b) => Number(b.required) - Number(a.required));
  return { type: OptionType.Subcommand, name: command.path.at(-1)!, description: truncate(command.summary, 100), options };
}

export function buildCommands(registry: Registry): ApiCommand[] {
  return registry.families().map((family) => {
    const options: ApiOption[] = [];
    for (const command of registry.family(family)) {
      if (command.path.length === 1) options.push(subcommand(command));
      else {
        const groupName = command.path[0]!;
        let group = options.find((o) => o.type === OptionType.SubcommandGroup && o.name === groupName);
        if (!group) {
          group = { type: OptionType.SubcommandGroup, name: groupName, description: truncate(`/${family} ${groupName} …`, 100), options: [] };
          options.push(group);
        }
        group.options!.push(subcommand(command));
      }
    }
    return { name: family, description: FAMILY_DESCRIPTIONS[family], type: 1, options };
  });
}

/** The parts of a command Discord compares, without the fields it adds (ids, versions). */
function normalise(o: ApiOption | ApiCommand): unknown {
  const opt = o as ApiOption;
  return {
    name: opt.name,
    description: opt.description,
    type: opt.type,
    required: opt.required ?? false,
    autocomplete: opt.autocomplete ?? false,
    max_length: opt.max_length ?? null,
    choices: (opt.choices ?? []).map((c) => [c.name, c.value]),
    options: [...(opt.options ?? [])].map(normalise),
  };
}

export function sameCommands(live: (ApiCommand | ApiOption)[], wanted: ApiCommand[]): boolean {
  const key = (list: (ApiCommand | ApiOption)[]) => JSON.stringify([...list].sort((a, b) => a.name.localeCompare(b.name)).map(normalise));
  return key(live) === key(wanted);
}

/** `<@123>` or `<@!123>` is the Discord account 123. */
export function discordMention(word: string): string | undefined {
  const m = /^<@!?(\d{15,22})>$/.exec(word.trim());
  return m ? `discord:${m[1]}` : undefined;
}

/** Raw options from a slash command's typed options, in the shape the parser expects. */
export function optionsFrom(command: AnyCommand, values: { name: string; value?: unknown; type: number }[]): RawOptions {
  const raw: RawOptions = {};
  for (const v of values) {
    const meta = command.options[v.name]?.meta;
    if (!meta || v.value === undefined || v.value === null) {
      if (!meta) raw[v.name] = String(v.value ?? "");
      continue;
    }
    const text = String(v.value);
    if (v.type === OptionType.User) raw[v.name] = `discord:${text}`;
    else if (meta.kind === "people") raw[v.name] = text.split(/[\s,]+/).filter(Boolean).map((w) => discordMention(w) ?? w);
    else if (meta.kind === "target") raw[v.name] = discordMention(text) ?? text;
    else if (meta.list) raw[v.name] = text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
    else raw[v.name] = text;
  }
  return raw;
}
