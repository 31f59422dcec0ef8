import type { Clock } from "../clock.js";
import type { Tx } from "../db/database.js";
import type { Caller } from "../domain/members.js";
import type { DomainServices } from "../domain/services.js";
import type { Reply } from "../model/message.js";
import type { ChannelRef } from "../model/platform.js";
import type { OptionSet, ParsedOptions } from "./options.js";

export type { ChannelRef } from "../model/platform.js";

export type Family = "case" | "liaison" | "ppp";
export const FAMILIES: readonly Family[] = ["case", "liaison", "ppp"];

/**
 * Who may run a command at all. Finer rules (which organisation, which case) live in the
 * handlers and domain services, which know the objects involved.
 */
export type Access = "anyone" | "vetted" | "coordinator";

/** The commands, as a handler may list them (`/ppp help`). */
export interface CommandCatalog {
  family(family: Family): AnyCommand[];
}

/** Long-lived things handlers need besides the transaction: the domain's, and the commands. */
export interface Services extends DomainServices {
  registry: CommandCatalog;
}

export interface CommandContext {
  tx: Tx;
  /** When the command started; a change to a case reads the clock again once the case is locked. */
  now: Date;
  clock: Clock;
  caller: Caller;
  channel: ChannelRef;
  services: Services;
}

/**
 * How a command is asked for with a form (a Slack modal, a Discord modal) rather than typed:
 * platforms with room show every option; `essentials` are the ones a small form (Discord's,
 * five inputs) asks for. With `bare`, the command typed with no options — or its family
 * alone — opens the form.
 */
export interface CommandForm {
  essentials: readonly string[];
  bare?: boolean;
}

export interface CommandDef<O extends OptionSet = OptionSet> {
  family: Family;
  /** Subcommand words after the family: ["open"], ["org", "add"]. */
  path: readonly string[];
  summary: string;
  options: O;
  access: Access;
  form?: CommandForm;
  /** Whole command lines, shown by help; a test holds each to the command's own syntax. */
  examples?: readonly string[];
  run(ctx: CommandContext, options: ParsedOptions<O>): Promise<Reply>;
}

export type AnyCommand = CommandDef<OptionSet>;

/** Declares a command once; adapters derive their syntax and forms from the declaration. */
export function defineCommand<O extends OptionSet>(def: CommandDef<O>): AnyCommand {
  return def as unknown as AnyCommand;
}

export const commandName = (c: Pick<AnyCommand, "family" | "path">) => `/${c.family} ${c.path.join(" ")}`;
