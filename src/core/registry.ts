import { commandName, FAMILIES, type AnyCommand, type Family } from "./command.js";
import { UserError } from "../model/errors.js";
import { optionUsage } from "./options.js";
import { closest } from "../model/closest.js";
import { quote } from "../model/text.js";

/** Every command, found by family and subcommand words. */
export class Registry {
  readonly #byFamily = new Map<Family, AnyCommand[]>();

  constructor(commands: readonly AnyCommand[]) {
    for (const command of commands) {
      const list = this.#byFamily.get(command.family) ?? [];
      const name = commandName(command);
      if (list.some((c) => commandName(c) === name)) throw new Error(`command ${name} is declared twice`);
      list.push(command);
      this.#byFamily.set(command.family, list);
    }
  }

  all(): AnyCommand[] {
    return FAMILIES.flatMap((f) => this.#byFamily.get(f) ?? []);
  }

  family(family: Family): AnyCommand[] {
    return this.#byFamily.get(family) ?? [];
  }

  isFamily(word: string): word is Family {
    return this.#byFamily.has(word as Family);
  }

  /** The command whose path is the longest prefix of `words`, and how many words it used. */
  resolve(family: Family, words: readonly string[]): { command: AnyCommand; used: number } {
    const lowered = words.map((w) => w.toLowerCase());
    let best: { command: AnyCommand; used: number } | undefined;
    for (const command of this.family(family)) {
      const n = command.path.length;
      if (n <= lowered.length && command.path.every((p, i) => p === lowered[i]) && (!best || n > best.used)) {
        best = { command, used: n };
      }
    }
    if (best) return best;
    throw this.#unknown(family, lowered);
  }

  /**
   * Why `words` name no command, at the level they went wrong: `/ppp org lis` is answered
   * with `/ppp org`'s own subcommands (add, edit, list) and the closest of them.
   */
  #unknown(family: Family, words: readonly string[]): UserError {
    const commands = this.family(family);
    const under = (prefix: readonly string[]) => commands.filter((c) => c.path.length > prefix.length && prefix.every((p, i) => c.path[i] === p));
    let depth = 0;
    while (depth < words.length && under(words.slice(0, depth + 1)).length > 0) depth++;
    const prefix = words.slice(0, depth);
    const choices = [...new Set(under(prefix).map((c) => c.path[depth]!))];
    const where = `/${[family, ...prefix].join(" ")}`;
    if (depth === words.length) return new UserError("unknown_command", `${where} needs a subcommand: ${choices.join(", ")}`);
    const typed = words[depth]!;
    const guess = closest(typed, choices);
    return new UserError(
      "unknown_command",
      `unknown subcommand ${quote(`${where} ${typed}`)}${guess ? ` — did you mean ${where} ${guess}?` : "."} ${where} takes: ${choices.join(", ")} (/${family} help says what each does)`,
    );
  }

  /** The families there are commands of (the slash commands a platform registers). */
  families(): Family[] {
    return FAMILIES.filter((f) => this.#byFamily.has(f));
  }

  /**
   * The command a form should be opened for, when what was typed is nothing but the family
   * (`/case`) or a command whose form opens bare (`/case open`) with no options.
   */
  bareForm(family: Family, text: string): AnyCommand | undefined {
    const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return this.family(family).find((c) => c.form?.bare && (words.length === 0 || (words.length === c.path.length && c.path.every((p, i) => p === words[i]))));
  }

  find(family: Family, path: readonly string[]): AnyCommand | undefined {
    return this.family(family).find((c) => c.path.length === path.length && c.path.every((p, i) => p === path[i]));
  }
}

export function usage(command: AnyCommand): string {
  const opts = Object.entries(command.options)
    .sort(([, a], [, b]) => (a.meta.positional ?? 99) - (b.meta.positional ?? 99))
    .map(([name, o]) => optionUsage(name, o.meta));
  return [commandName(command), ...opts].join(" ");
}
