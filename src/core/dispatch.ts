import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import type { Platform } from "../model/platform.js";
import type { Database, Tx } from "../db/database.js";
import type { Logger } from "../log.js";
import { recordAudit } from "../domain/audit.js";
import { accountKey, isCoordinator, loadCaller, type AccountView, type Caller } from "../domain/members.js";
import { standingMessage } from "../domain/vetting.js";
import { suggest, type SuggestionKind } from "../domain/suggest.js";
import { formatBytes, MAX_FILE_BYTES, type FileSource, type FileValue } from "../model/upload.js";
import { commandName, type AnyCommand, type ChannelRef, type Family, type Services } from "./command.js";
import { isUserError, UserError } from "../model/errors.js";
import { para, rich, type Reply } from "../model/message.js";
import { bindTokens, tokenize, unknownOption, type MentionSyntax, type RawOptions } from "./parse.js";
import { usage, type Registry } from "./registry.js";

/**
 * What an adapter hands the core: who typed what, where. Text comes from Slack and the
 * console; structured options come from Discord's typed commands and from forms.
 */
export interface Invocation {
  platform: Platform;
  account: AccountView;
  channel: ChannelRef;
  family: Family;
  input: { text: string; mentions: MentionSyntax } | { path: readonly string[]; options: RawOptions };
  /** Files given with the command, as the adapter can read them. */
  files?: FileSource;
}

/** A platform delivery to handle once: the key it is remembered by, and for how long. */
export interface Once {
  key: string;
  windowMs?: number;
}

/** Dispatch as adapters see it; with `once`, a delivery already handled answers null. */
export interface CommandRunner {
  dispatch(inv: Invocation): Promise<Reply>;
  dispatch(inv: Invocation, once: Once): Promise<Reply | null>;
}

class AlreadyHandled extends Error {}

export interface DispatcherDeps {
  db: Database;
  registry: Registry;
  clock: Clock;
  log: Logger;
  services: Services;
  metrics?: CommandMetrics | undefined;
  /** Called after a command's transaction committed (wakes outbox delivery). */
  onCommitted?: (() => void) | undefined;
  /** Records deliveries inside the command's transaction (see `Once`). */
  deliveries?: { claim(tx: Tx, key: string, windowMs?: number): Promise<boolean> } | undefined;
  /**
   * Commands handled at once. The rest wait their turn, and every command first yields to
   * pending I/O: with a synchronous driver (SQLite) a running command would otherwise keep
   * the event loop from acknowledging the requests that arrive meanwhile.
   */
  concurrency?: number;
  /** Whether requests are waiting to be read or acknowledged (they go before commands). */
  ioPending?: (() => boolean) | undefined;
}

/** What the dispatcher counts (src/runtime/metrics.ts provides it). */
export interface CommandMetrics {
  commands: { inc(labels: { command: string; outcome: "ok" | "duplicate" | "refused" | "error" }): void };
  commandSeconds: { observe(labels: { command: string }, seconds: number): void };
}

export function errorReply(message: string, field?: string): Reply {
  return { visibility: "private", tone: "error", ...(field ? { field } : {}), blocks: [para(rich`${message}`)] };
}

/** Turns an invocation into a command and its raw options, or a UserError saying why not. */
export function resolveInvocation(registry: Registry, inv: Invocation): { command: AnyCommand; raw: RawOptions } {
  if ("text" in inv.input) {
    const tokens = tokenize(inv.input.text);
    const words: string[] = [];
    for (const t of tokens) {
      if (t.key !== undefined || t.quoted) break;
      words.push(t.value);
    }
    const { command, used } = registry.resolve(inv.family, words.slice(0, 3));
    const rest = tokens.slice(used);
    // `/case open help`: that command's help, however its own options would read the word.
    const help = registry.find(inv.family, ["help"]);
    if (help && help !== command && rest.length === 1 && !rest[0]!.quoted && rest[0]!.key === undefined && /^(help|-h|--help|\?)$/i.test(rest[0]!.value)) {
      return { command: help, raw: { command: command.path.join(" ") } };
    }
    const name = commandName(command);
    return { command, raw: bindTokens({ name, options: command.options }, rest, inv.input.mentions) };
  }
  const command = registry.find(inv.family, inv.input.path);
  if (!command) throw new UserError("unknown_command", `unknown command /${inv.family} ${inv.input.path.join(" ")}`);
  return { command, raw: inv.input.options };
}

/** Validates raw options against the declaration; the first problem is reported by name. */
/**
 * Reads the files a command's file options name, before its transaction: a download never
 * holds a lock. Too large, unreadable or not given (when required): a UserError naming it.
 */
export async function readFiles(command: AnyCommand, raw: RawOptions, files: FileSource | undefined): Promise<Record<string, FileValue>> {
  const out: Record<string, FileValue> = {};
  for (const [name, option] of Object.entries(command.options)) {
    if (option.meta.kind !== "file") continue;
    const typed = raw[name];
    const upload = files?.(name, typeof typed === "string" ? typed : undefined);
    if (!upload) {
      if (option.meta.required) throw UserError.about(name, "missing_option", `missing ${name}: attach the file to the command (on Slack in its form, on Discord as the attachment option, in the console as file:<path>)`);
      continue;
    }
    if (upload.size !== null && upload.size > MAX_FILE_BYTES) throw UserError.about(name, "invalid_option", `${name}: ${upload.name} is ${formatBytes(upload.size)}; a document may be at most ${formatBytes(MAX_FILE_BYTES)}`);
    out[name] = { name: upload.name, declaredType: upload.declaredType, content: await upload.read(MAX_FILE_BYTES) };
  }
  return out;
}

export function parseOptions(command: AnyCommand, raw: RawOptions, files: Record<string, FileValue> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = Object.keys(command.options);
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new UserError("invalid_option", unknownOption(key, commandName(command), known));
  }
  // Everything missing at once: one answer, not one per attempt.
  const missing = Object.entries(command.options).filter(([name, o]) => o.meta.required && o.meta.kind !== "file" && raw[name] === undefined);
  if (missing.length > 0) {
    const what = missing.map(([name, o]) => `${name} (${o.meta.description})`);
    const listed = what.length === 1 ? what[0]! : `${what.slice(0, -1).join(", ")} and ${what.at(-1)!}`;
    throw UserError.about(missing[0]![0], "missing_option", `missing ${listed}. Usage: ${usage(command)}`);
  }
  for (const [name, option] of Object.entries(command.options)) {
    if (option.meta.kind === "file") {
      if (files[name]) out[name] = files[name];
      continue;
    }
    const value = raw[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0 && !option.meta.required)) {
      if (option.meta.required) {
        throw UserError.about(name, "missing_option", `missing ${name} (${option.meta.description}). Usage: ${usage(command)}`);
      }
      continue;
    }
    const result = option.schema.safeParse(value);
    if (!result.success) {
      // Messages name the offending value themselves, so a list item needs no position.
      throw UserError.about(name, "invalid_option", `${name}: ${result.error.issues[0]!.message}`);
    }
    out[name] = result.data;
  }
  return out;
}

function checkAccess(command: AnyCommand, caller: Caller): void {
  if (command.access === "anyone") return;
  if (caller.standing !== "vetted") throw new UserError("not_vetted", standingMessage(caller), { denial: {} });
  if (command.access === "coordinator" && !isCoordinator(caller)) {
    throw new UserError("forbidden", `only coordinators can run ${commandName(command)}`, { denial: {} });
  }
}

/**
 * The one way into the core: identity, command lookup, option parsing, authorisation,
 * then the handler inside one transaction. Refusals come back as private error replies
 * and change nothing — except the audit entry a refused access attempt leaves.
 */
export class Dispatcher {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #idle: (() => void)[] = [];

  constructor(readonly deps: DispatcherDeps) {}

  /**
   * Resolves once no command is in hand (or after `maxMs`). Background work (firing timers,
   * delivering) waits here before each transaction, so a command never queues behind a
   * flood for more than the one transaction already running.
   */
  async idle(maxMs = 250): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxMs);
      const self = this.#idle;
      function done() {
        clearTimeout(timer);
        const i = self.indexOf(done);
        if (i >= 0) self.splice(i, 1);
        resolve();
      }
      self.push(done);
    });
  }

  async #slot(): Promise<() => void> {
    if (this.#running >= (this.deps.concurrency ?? 4)) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    // Let waiting I/O (incoming requests to acknowledge) run before this command's work: a
    // few turns of the event loop while requests are unanswered (reading and acknowledging
    // a new one takes two or three), never more than a few milliseconds.
    const until = performance.now() + 20;
    for (let turn = 0; turn === 0 || (turn < 8 && this.deps.ioPending?.() && performance.now() < until); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return () => {
      this.#running--;
      this.#waiting.shift()?.();
      if (this.#running === 0) for (const wake of this.#idle.splice(0)) wake();
    };
  }

  dispatch(inv: Invocation): Promise<Reply>;
  dispatch(inv: Invocation, once: Once): Promise<Reply | null>;
  async dispatch(inv: Invocation, once?: Once): Promise<Reply | null> {
    const release = await this.#slot();
    try {
      return await this.#dispatch(inv, once);
    } finally {
      release();
    }
  }

  async #dispatch(inv: Invocation, once: Once | undefined): Promise<Reply | null> {
    const { db, registry, clock, log, metrics } = this.deps;
    const started = performance.now();
    let label = `/${inv.family}`;
    let caller: Caller | undefined;
    let command: AnyCommand | undefined;
    try {
      const resolved = resolveInvocation(registry, inv);
      command = resolved.command;
      const raw = resolved.raw;
      label = commandName(command);
      // A file is downloaded only for someone the command is for, and outside the transaction.
      const takesFiles = Object.values(command.options).some((o) => o.meta.kind === "file");
      if (takesFiles) await db.tx(async (tx) => checkAccess(command!, await loadCaller(tx, inv.account, clock.now())));
      const files = takesFiles ? await readFiles(command, raw, inv.files) : {};
      const reply = await db.tx(async (tx) => {
        const now = clock.now();
        // Remembered only if the command's work commits with it: one commit, and a crash in
        // between can neither lose the command nor let its retry run it twice.
        if (once && this.deps.deliveries && !(await this.deps.deliveries.claim(tx, once.key, once.windowMs))) throw new AlreadyHandled();
        caller = await loadCaller(tx, inv.account, now);
        checkAccess(command!, caller);
        const options = parseOptions(command!, raw, files);
        return command!.run({ tx, now, clock, caller, channel: inv.channel, services: this.deps.services }, options as never);
      });
      metrics?.commands.inc({ command: label, outcome: "ok" });
      this.deps.onCommitted?.();
      return reply;
    } catch (error) {
      if (error instanceof AlreadyHandled) {
        metrics?.commands.inc({ command: label, outcome: "duplicate" });
        return null;
      }
      if (isUserError(error)) {
        metrics?.commands.inc({ command: label, outcome: "refused" });
        if (error.denied) await this.auditDenial(inv, caller, label, error);
        return errorReply(error.message, error.field);
      }
      const ref = randomBytes(4).toString("hex");
      metrics?.commands.inc({ command: label, outcome: "error" });
      log.error({ err: error, errorRef: ref, command: label, platform: inv.platform }, "command failed");
      return errorReply(`something went wrong (ref ${ref}); nothing was changed. Tell a coordinator if it happens again.`);
    } finally {
      metrics?.commandSeconds.observe({ command: label }, (performance.now() - started) / 1000);
    }
  }

  /** Autocomplete values for an option the caller is typing (read-only). */
  async suggest(account: AccountView, kind: SuggestionKind, typed: string, context: { org?: string } = {}): Promise<string[]> {
    try {
      return await this.deps.db.tx(async (tx) => suggest(tx, await loadCaller(tx, account, this.deps.clock.now()), kind, typed, context));
    } catch (error) {
      this.deps.log.warn({ err: error }, "autocomplete failed");
      return [];
    }
  }

  private async auditDenial(inv: Invocation, caller: Caller | undefined, label: string, error: UserError) {
    try {
      await this.deps.db.tx((tx) =>
        recordAudit(tx, {
          at: this.deps.clock.now(),
          actorId: caller?.member?.id ?? null,
          account: accountKey(inv.account),
          action: "access.denied",
          target: error.deniedTarget ?? null,
          detail: {
            command: label,
            reason: error.code,
            channel: `${inv.channel.platform}:${inv.channel.id}`,
            ...(error.denial?.exists !== undefined ? { exists: error.denial.exists } : {}),
          },
        }),
      );
    } catch (auditError) {
      this.deps.log.error({ err: auditError }, "could not record a denied access attempt");
    }
  }
}
