import type { Clock } from "../clock.js";
import type { Platform } from "../config.js";
import type { Tx } from "../db/database.js";
import type { Provider } from "../db/migrate.js";
import type { Policy } from "../domain/policy.js";
import type { Caller } from "../domain/members.js";
import type { Reply } from "../model/message.js";
import type { OptionSet, ParsedOptions } from "./options.js";
import type { Registry } from "./registry.js";

export type Family = "case" | "liaison" | "ppp";
export const FAMILIES: readonly Family[] = ["case", "liaison", "ppp"];

/**
 * Who may run a command at all. Finer rules (which organisation, which case) live in the
 * handlers and domain services, which know the objects involved.
 */
export type Access = "anyone" | "vetted" | "coordinator";

export interface ChannelRef {
  platform: Platform;
  id: string;
  name: string;
  /** A direct-message conversation with the bot rather than a shared channel. */
  direct: boolean;
}

/** Long-lived things handlers need besides the transaction (policy, settings). */
export interface Services {
  /** Default validity of a vetting, in ms. */
  vettingValidityMs: number;
  registry: Registry;
  policy: Policy;
  /** Which SQL dialect the transaction speaks, for the few raw statements (row locks). */
  provider: Provider;
  /** Platforms this deployment delivers to; direct messages go to accounts on these. */
  platforms: readonly Platform[];
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

export interface CommandDef<O extends OptionSet = OptionSet> {
  family: Family;
  /** Subcommand words after the family: ["open"], ["org", "add"]. */
  path: readonly string[];
  summary: string;
  options: O;
  access: Access;
  run(ctx: CommandContext, options: ParsedOptions<O>): Promise<Reply>;
}

export type AnyCommand = CommandDef<OptionSet>;

/** Declares a command once; adapters derive their syntax and forms from the declaration. */
export function defineCommand<O extends OptionSet>(def: CommandDef<O>): AnyCommand {
  return def as unknown as AnyCommand;
}

export const commandName = (c: Pick<AnyCommand, "family" | "path">) => `/${c.family} ${c.path.join(" ")}`;
