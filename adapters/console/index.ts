import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { basename, dirname, join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";

/** Where console output goes: stdout, or anything else that takes text. */
export interface TextSink {
  write(text: string): unknown;
}
import { FAMILIES, type Family } from "../../src/core/command.js";
import type { Invocation } from "../../src/core/dispatch.js";
import type { Reply } from "../../src/model/message.js";
import { UserError } from "../../src/model/errors.js";
import { formatBytes, type Upload } from "../../src/model/upload.js";
import { renderReply } from "./render.js";
import { closest } from "../../src/model/closest.js";
import { quote } from "../../src/model/text.js";
import { completeConsoleLine, type CompletionSource } from "./complete.js";
import { ConsoleWriter } from "./writer.js";

/** `file:<path>` in the console: a file on this machine (the console is its operator's). */
export function localFile(path: string): Upload {
  const full = resolve(path);
  let size: number;
  try {
    const st = statSync(full);
    if (!st.isFile()) throw new Error("not a file");
    size = st.size;
  } catch (error) {
    throw UserError.about("file", "invalid_option", `file: cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  return {
    name: basename(full),
    size,
    declaredType: null,
    async read(limit: number) {
      if (size > limit) throw UserError.about("file", "invalid_option", `file: ${basename(full)} is ${formatBytes(size)}; a document may be at most ${formatBytes(limit)}`);
      return readFileSync(full);
    },
  };
}

/**
 * The console adapter (docs/contract.md §7): each line is `<name>: <command>` or
 * `<name>@<channel>: <command>`, run as console user <name> in channel <channel>
 * (default `general`). Lines starting with `#` are comments. Lines are handled one at a
 * time, in order; at end of input the adapter waits for what is due, then returns.
 * `$ref` in a command stands for the reference of the case the last successful
 * `/case open` of this console opened. On a terminal: a prompt that output never lands
 * inside (ConsoleWriter), Tab completion, history kept in a file, and Ctrl-C clearing the
 * line (twice in a row: quit, like Ctrl-D).
 */

export interface CommandRunner {
  dispatch(invocation: Invocation): Promise<Reply>;
}

export interface ConsoleOptions {
  input: Readable;
  output: TextSink;
  runner: CommandRunner;
  /** A terminal: show a prompt. A pipe: read lines quietly. */
  interactive: boolean;
  /** Delivers what is due now; called after each line and at end of input. */
  settle?: () => Promise<void>;
  /** Runs a line's handling exclusively of background deliveries, so output stays in order. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Where documents handed back (`/case file`) are saved; default ./data/files. */
  filesDir?: string;
  /** Tab completion on a terminal: the commands, and the core's suggestions for the speaker. */
  complete?: CompletionSource;
  /** On a terminal: the lines typed, kept across sessions in this file (at most `size`, default 1000). */
  history?: { file: string; size?: number };
  /** How soon a second Ctrl-C on an empty line quits (default 3 s). */
  quitWindowMs?: number;
}

/** `$ref`: the reference of the case this console opened last. */
const LAST_REF = /\$ref\b/g;
const MENTIONS_LAST_REF = /\$ref\b/;
export const QUIT_HINT = "(press Ctrl-C again to quit)";

export const DEFAULT_CHANNEL = "general";
const NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,31}";
const LINE = new RegExp(`^(${NAME})(?:@(${NAME}))?:\\s*(.*)$`);
const COMMAND = /^\/([A-Za-z]+)(?:\s+([\s\S]*))?$/;

/** `@name` in the console is the console account `name`. */
export function consoleMention(word: string): string | undefined {
  const m = new RegExp(`^@(${NAME})$`).exec(word);
  return m ? `console:${m[1]}` : undefined;
}

export type ParsedLine =
  | { kind: "skip" }
  | { kind: "error"; message: string; speaker?: string }
  | { kind: "command"; speaker: string; channel: string; family: Family; text: string };

export function parseConsoleLine(line: string): ParsedLine {
  const trimmed = line.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return { kind: "skip" };
  const m = LINE.exec(trimmed);
  if (!m) return { kind: "error", message: `cannot read "${trimmed.slice(0, 40)}": write <name>: /command … or <name>@<channel>: /command …` };
  const [, speaker, channel, rest] = m as unknown as [string, string, string | undefined, string];
  const c = COMMAND.exec(rest.trim());
  const family = c?.[1]?.toLowerCase();
  if (!c || !FAMILIES.includes(family as Family)) {
    const typed = rest.trim().split(/\s+/)[0] ?? "";
    const guess = closest(typed.replace(/^\//, ""), FAMILIES);
    return { kind: "error", speaker, message: `unknown command ${quote(typed, 40)}: ${guess ? `did you mean /${guess}? ` : ""}commands are /case, /liaison and /ppp (try /ppp help)` };
  }
  return { kind: "command", speaker, channel: channel ?? DEFAULT_CHANNEL, family: family as Family, text: c[2] ?? "" };
}

export class ConsoleAdapter {
  readonly #writer: ConsoleWriter;
  #lastRef: string | undefined;

  constructor(private readonly options: ConsoleOptions) {
    this.#writer = options.output instanceof ConsoleWriter ? options.output : new ConsoleWriter(options.output);
  }

  /** The reference `$ref` stands for: the case the last successful `/case open` here opened. */
  get lastRef(): string | undefined {
    return this.#lastRef;
  }

  write(lines: string[]): void {
    if (lines.length > 0) this.#writer.write(lines.join("\n") + "\n");
  }

  /**
   * Handles one line: its reply, then whatever it caused (cards, thread posts, DMs). With
   * `settle: false` what it caused stays queued (tests use it to change things in between).
   */
  async handleLine(line: string, options: { settle?: boolean } = {}): Promise<void> {
    const exclusive = this.options.exclusive ?? ((fn) => fn());
    await exclusive(async () => {
      await this.#handle(line);
      if (options.settle ?? true) await this.options.settle?.();
    });
  }

  async #handle(line: string): Promise<void> {
    const parsed = parseConsoleLine(line);
    if (parsed.kind === "skip") return;
    if (parsed.kind === "error") {
      this.write([parsed.speaker ? `(only ${parsed.speaker}) error: ${parsed.message}` : `error: ${parsed.message}`]);
      return;
    }
    let text = parsed.text;
    if (MENTIONS_LAST_REF.test(text)) {
      if (this.#lastRef === undefined) {
        this.write([`(only ${parsed.speaker}) error: $ref stands for the case this console opened last, and none has been opened yet (open one with /case open …)`]);
        return;
      }
      text = text.replace(LAST_REF, this.#lastRef);
    }
    const reply = await this.options.runner.dispatch({
      platform: "console",
      account: { platform: "console", externalId: parsed.speaker, handle: parsed.speaker },
      channel: { platform: "console", id: parsed.channel, name: parsed.channel, direct: false },
      family: parsed.family,
      input: { text, mentions: consoleMention },
      files: (_name, typed) => (typed ? localFile(typed) : undefined),
    });
    this.#remember(parsed.family, text, reply);
    this.write(renderReply(reply, parsed.speaker, parsed.channel));
    this.#save(reply, parsed.speaker);
  }

  /** After a `/case open` that opened a case, `$ref` is its reference: the key of the card it answers with. */
  #remember(family: Family, text: string, reply: Reply): void {
    if (family !== "case" || reply.tone === "error" || !/^open(\s|$)/i.test(text.trim())) return;
    const card = reply.blocks.find((b) => b.kind === "card" && b.card.key);
    if (card?.kind === "card" && card.card.key) this.#lastRef = card.card.key;
  }

  /** Documents handed back are bytes: saved under filesDir, never printed. */
  #save(reply: Reply, speaker: string): void {
    const files = reply.blocks.filter((b) => b.kind === "file" && b.encoding === "base64");
    if (files.length === 0) return;
    const dir = this.options.filesDir ?? join("data", "files");
    mkdirSync(dir, { recursive: true });
    for (const f of files) {
      if (f.kind !== "file") continue;
      const path = join(dir, basename(f.filename).slice(0, 120));
      try {
        writeFileSync(path, Buffer.from(f.content, "base64"));
        this.write([`(only ${speaker}) saved ${f.filename} to ${path}`]);
      } catch (error) {
        this.write([`(only ${speaker}) error: could not save ${f.filename} to ${path}: ${(error as Error).message}`]);
      }
    }
  }

  #rl: Interface | undefined;

  /** Stops reading (SIGTERM, SIGINT): the line in hand finishes, then run() returns. */
  close(): void {
    this.#rl?.close();
  }

  /** Reads until end of input, handling each line in turn. */
  async run(): Promise<void> {
    const { input, interactive } = this.options;
    if (!interactive) {
      const rl = (this.#rl = createInterface({ input, terminal: false, crlfDelay: Infinity }));
      for await (const line of rl) await this.handleLine(line);
      return;
    }
    const writer = this.#writer;
    const complete = this.options.complete;
    const history = this.options.history;
    const size = history?.size ?? 1000;
    const rl = (this.#rl = createInterface({
      input,
      output: writer.stream as Writable,
      terminal: true,
      crlfDelay: Infinity,
      history: history ? loadHistory(history.file, size) : [],
      historySize: size,
      removeHistoryDuplicates: true,
      ...(complete
        ? {
            completer: (line: string, done: (error: null, result: [string[], string]) => void) => {
              completeConsoleLine(line, complete).then(
                (result) => done(null, result),
                () => done(null, [[], line]),
              );
            },
          }
        : {}),
    }));
    if (history) {
      let warned = false;
      rl.on("history", (lines: string[]) => {
        const problem = saveHistory(history.file, lines);
        if (problem && !warned) this.write([`(history not saved: ${problem})`]);
        warned ||= problem !== undefined;
      });
    }
    // Typing ahead while a line is handled waits in the terminal until the prompt is back.
    rl.on("line", () => rl.pause());
    let closed = false;
    rl.on("close", () => {
      closed = true;
      if (writer.prompting) {
        writer.busy();
        writer.stream.write("\n");
      }
    });
    let armed: number | undefined;
    rl.on("SIGINT", () => {
      const typed = rl.line !== "";
      if (typed) {
        // Clear what was typed: to the end of the line, then delete back to its start.
        rl.write(null, { ctrl: true, name: "e" });
        rl.write(null, { ctrl: true, name: "u" });
      }
      if (!typed && armed !== undefined && Date.now() - armed <= (this.options.quitWindowMs ?? 3000)) {
        rl.close();
        return;
      }
      armed = Date.now();
      this.write([QUIT_HINT]);
    });
    rl.setPrompt("liaison> ");
    this.write(["Type lines like  root: /ppp help   (Tab completes, Ctrl-D quits)"]);
    writer.prompt(rl);
    for await (const line of rl) {
      writer.busy();
      armed = undefined;
      await this.handleLine(line);
      // Closed meanwhile (a signal, Ctrl-C twice): the lines already read still run, with no prompt.
      if (!closed) writer.prompt(rl);
    }
    writer.busy();
  }
}

/** The history file, oldest line first; readline wants it newest first. */
function loadHistory(file: string, size: number): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").slice(-size).reverse();
  } catch {
    return [];
  }
}

/** Writes the history file; what went wrong, if it could not. */
function saveHistory(file: string, newestFirst: string[]): string | undefined {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // What is typed may name cases and people: readable by this user only.
    writeFileSync(file, newestFirst.slice().reverse().join("\n") + "\n", { mode: 0o600 });
    return undefined;
  } catch (error) {
    return `${file}: ${(error as Error).message}`;
  }
}
