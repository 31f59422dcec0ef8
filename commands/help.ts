import { commandName, defineCommand, FAMILIES, type AnyCommand, type CommandContext, type Family } from "../src/core/command.js";
import { opt, optionUsage } from "../src/core/options.js";
import { usage } from "../src/core/registry.js";
import { closest } from "../src/model/closest.js";
import { UserError } from "../src/model/errors.js";
import { code, list, para, privateReply, rich, strong, type Block, type Reply } from "../src/model/message.js";
import { quote } from "../src/model/text.js";
import { standingMessage } from "../src/domain/vetting.js";

/**
 * Help where people look for it (docs/contract.md §5): `/ppp help` lists every command;
 * `/case help`, `/liaison help` one family; `/ppp help case open`, `/case help open` and
 * `/case open help` one command — its options, what each is for, and examples.
 */

const WHO: Record<AnyCommand["access"], string> = {
  anyone: "anyone",
  vetted: "vetted members",
  coordinator: "coordinators",
};

const SYNTAX = rich`Options are key:value; quote values with spaces ("like this"); lists are comma-separated; people are mentions.`;

function familyHelp(ctx: CommandContext, family: Family): Block[] {
  const commands = ctx.services.registry.family(family);
  const first = commands.find((c) => c.path[0] !== "help");
  return [
    para(rich`${strong(`/${family}`)}`),
    list(commands.map((c) => rich`${code(commandName(c))} — ${c.summary}`)),
    ...(first ? [para(rich`For one command's options and examples: ${code(`/${family} help ${first.path.join(" ")}`)} or ${code(`${commandName(first)} help`)}.`)] : []),
  ];
}

/** Every command on a few lines (it must fit one message anywhere): the details are a `help` away. */
function overview(ctx: CommandContext): Block[] {
  return [
    list(
      FAMILIES.map((family) => {
        const names = ctx.services.registry.family(family).map((c) => c.path.join(" "));
        return rich`${strong(`/${family}`)} — ${names.join(" · ")} (${code(`/${family} help`)} says what each does)`;
      }),
    ),
    para(rich`One command's options and examples: ${code("/ppp help case open")}, ${code("/case help open")} or ${code("/case open help")}.`),
  ];
}

function commandHelp(command: AnyCommand): Block[] {
  const options = Object.entries(command.options).sort(([, a], [, b]) => (a.meta.positional ?? 99) - (b.meta.positional ?? 99));
  const blocks: Block[] = [
    para(rich`${strong(commandName(command))} — ${command.summary} (for ${WHO[command.access]})`),
    para(rich`Usage: ${code(usage(command))}`),
  ];
  if (options.length > 0) {
    blocks.push(
      list(
        options.map(([name, o]) => {
          // The usage shows a choice's values already (`severity:critical|high|…`).
          return rich`${code(optionUsage(name, { ...o.meta, required: true }))} — ${o.meta.description}${o.meta.required ? "" : " (optional)"}.`;
        }),
      ),
    );
  }
  if (command.form?.bare) blocks.push(para(rich`${code(commandName(command))} on its own opens a form with these fields.`));
  if (command.examples && command.examples.length > 0) {
    blocks.push(para(rich`Examples:`), list(command.examples.map((e) => rich`${code(e)}`)));
  }
  return blocks;
}

/** What `help <words>` is about: a family, or one of its commands (by the longest path given). */
function topic(ctx: CommandContext, own: Family, words: readonly string[]): Block[] {
  let family = own;
  let rest = words.map((w) => w.toLowerCase());
  const named = rest[0]?.replace(/^\//, "");
  if (named && (FAMILIES as readonly string[]).includes(named)) {
    family = named as Family;
    rest = rest.slice(1);
  } else if (rest[0]?.startsWith("/")) {
    const guess = closest(named ?? "", FAMILIES);
    throw UserError.about("command", "unknown_command", `there is no command ${quote(rest[0])}${guess ? ` — did you mean /${guess}?` : ""}; commands are /case, /liaison and /ppp`);
  }
  if (rest.length === 0) return familyHelp(ctx, family);
  const commands = ctx.services.registry.family(family);
  const match = commands
    .filter((c) => c.path.length <= rest.length && c.path.every((p, i) => p === rest[i]))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (match) return commandHelp(match);
  // A group (`/ppp help org`): the commands under it.
  const group = commands.filter((c) => rest.every((w, i) => c.path[i] === w));
  if (group.length > 0) return [para(rich`${strong(`/${family} ${rest.join(" ")}`)}`), list(group.map((c) => rich`${code(commandName(c))} — ${c.summary}`))];
  const names = commands.map((c) => c.path.join(" "));
  const guess = closest(rest.join(" "), names) ?? closest(rest[0]!, commands.map((c) => c.path[0]!));
  throw UserError.about(
    "command",
    "unknown_command",
    `/${family} has no command ${quote(rest.join(" "))}${guess ? ` — did you mean /${family} ${guess}?` : "."} /${family} help lists them.`,
  );
}

function helpReply(ctx: CommandContext, own: Family, words: readonly string[] | undefined, everything: boolean): Reply {
  const blocks = words && words.length > 0 ? topic(ctx, own, words) : everything ? overview(ctx) : familyHelp(ctx, own);
  // Where they stand first: a long help cut short by a platform must not lose it.
  const standing = ctx.caller.standing === "vetted" ? [] : [para(rich`${notVetted(ctx)}`)];
  return privateReply(...standing, ...blocks, para(SYNTAX));
}

/** What someone not (or no longer) vetted can do, by where they stand. */
function notVetted(ctx: CommandContext): string {
  const link = "/liaison link connects an account you already use on another platform";
  switch (ctx.caller.standing) {
    case "unregistered":
      return `You are not registered yet: /liaison register asks to be vetted (a coordinator tells you your organisation's code); ${link}; /liaison whoami and help work for you.`;
    case "pending":
      return `Your registration is waiting to be vetted; until then /liaison whoami, ${"/liaison link"} and help work for you.`;
    default:
      return `${standingMessage(ctx.caller)[0]!.toUpperCase()}${standingMessage(ctx.caller).slice(1)}; until then only /liaison whoami and help work for you.`;
  }
}

const helpOption = {
  command: opt.text("the command to explain, e.g. case open", { optional: true, positional: 0, rest: true, max: 100 }),
};

function familyHelpCommand(family: Family, everything: boolean, summary: string, examples: readonly string[]) {
  return defineCommand({
    family,
    path: ["help"],
    summary,
    access: "anyone",
    options: helpOption,
    examples,
    async run(ctx, o) {
      return helpReply(ctx, family, o.command?.split(/\s+/).filter(Boolean), everything);
    },
  });
}

export const caseHelp = familyHelpCommand("case", false, "the /case commands, or one command's options and examples", ["/case help", "/case help open"]);
export const liaisonHelp = familyHelpCommand("liaison", false, "the /liaison commands, or one command's options and examples", ["/liaison help register"]);
export const pppHelp = familyHelpCommand("ppp", true, "every command, or one command's options and examples", ["/ppp help", "/ppp help case open", "/ppp help org add"]);
