import { clearScreenDown, cursorTo, moveCursor, type Interface } from "node:readline";

/**
 * Every console write goes through one writer (docs/contract.md §7): the adapter's replies
 * and the notifier's deliveries alike. On a terminal, while the prompt is waiting for typing,
 * a write first clears the prompt line (and the rows a long line wrapped onto), prints its
 * lines, then redraws the prompt with what had been typed so far and the cursor where it
 * was — so a reminder that arrives mid-sentence never lands inside the line being typed.
 * Anywhere else (a pipe, a test sink, or while a line is being handled) it just writes.
 */

/** What the writer writes to: a stream, and a terminal's width when it has one. */
export interface WriterStream {
  write(text: string): unknown;
  columns?: number;
}

/** The part of readline the writer redraws; `prevRows` is readline's own bookkeeping. */
type Prompting = Pick<Interface, "prompt" | "getCursorPos"> & { prevRows?: number };

export class ConsoleWriter {
  #rl: Prompting | undefined;

  constructor(readonly stream: WriterStream) {}

  /** Shows the prompt; until `busy()`, writes go above it. */
  prompt(rl: Prompting): void {
    this.#rl = rl;
    rl.prompt();
  }

  /** A line was entered: its output follows the input line, no prompt to redraw. */
  busy(): void {
    this.#rl = undefined;
  }

  /** Whether the prompt is on screen, waiting for typing. */
  get prompting(): boolean {
    return this.#rl !== undefined;
  }

  write(text: string): boolean {
    const rl = this.#rl;
    if (!rl) {
      this.stream.write(text);
      return true;
    }
    // To the start of the prompt (the cursor may be rows below it on a wrapped line), clear it.
    const { rows } = rl.getCursorPos();
    const out = this.stream as NodeJS.WritableStream;
    cursorTo(out, 0);
    if (rows > 0) moveCursor(out, 0, -rows);
    clearScreenDown(out);
    this.stream.write(text.endsWith("\n") ? text : `${text}\n`);
    // readline redraws from the row it thinks the cursor is on; it is now on the first.
    rl.prevRows = 0;
    rl.prompt(true);
    return true;
  }
}
