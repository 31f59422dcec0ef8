import { PassThrough, Writable } from "node:stream";

/**
 * A terminal for tests of the interactive console: a keyboard (a PassThrough flagged as a TTY,
 * which readline reads keypresses from) and a screen that interprets what is written to it —
 * text, CR/LF and the few ANSI sequences readline uses (cursor to column, up/down/left/right,
 * clear line, clear screen down) — so a test can assert what a person would see.
 */
export class Screen {
  rows: string[] = [""];
  row = 0;
  col = 0;
  constructor(readonly columns = 80) {}

  /** What the screen shows, trailing blanks trimmed, empty rows at the end dropped. */
  lines(): string[] {
    const out = this.rows.map((r) => r.trimEnd());
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  #line(): string {
    while (this.rows.length <= this.row) this.rows.push("");
    return this.rows[this.row]!;
  }

  #put(ch: string): void {
    if (this.col >= this.columns) {
      this.row++;
      this.col = 0;
    }
    const line = this.#line().padEnd(this.col, " ");
    this.rows[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
    this.col++;
  }

  feed(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === "\x1b" && text[i + 1] === "[") {
        const m = /^\x1b\[(\d*)(?:;(\d*))?([A-Za-z])/.exec(text.slice(i));
        if (!m) continue;
        i += m[0].length - 1;
        const n = m[1] === "" ? undefined : Number(m[1]);
        switch (m[3]) {
          case "G":
            this.col = (n ?? 1) - 1;
            break;
          case "A":
            this.row = Math.max(0, this.row - (n ?? 1));
            break;
          case "B":
            this.row += n ?? 1;
            break;
          case "C":
            this.col += n ?? 1;
            break;
          case "D":
            this.col = Math.max(0, this.col - (n ?? 1));
            break;
          case "K": {
            const line = this.#line();
            if ((n ?? 0) === 0) this.rows[this.row] = line.slice(0, this.col);
            else if (n === 1) this.rows[this.row] = " ".repeat(this.col) + line.slice(this.col);
            else this.rows[this.row] = "";
            break;
          }
          case "J":
            this.rows[this.row] = this.#line().slice(0, this.col);
            this.rows.length = this.row + 1;
            break;
          case "H":
            this.row = (n ?? 1) - 1;
            this.col = Number(m[2] || 1) - 1;
            break;
        }
        continue;
      }
      if (ch === "\r") this.col = 0;
      else if (ch === "\n") {
        // A terminal's output processing turns LF into CR LF.
        this.row++;
        this.col = 0;
        this.#line();
      } else if (ch === "\x07") continue;
      else this.#put(ch);
    }
  }
}

export interface FakeTerminal {
  keyboard: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void };
  display: Writable & { isTTY: boolean; columns: number; rows: number };
  screen: Screen;
  /** Everything written to the display, raw. */
  raw(): string;
  /** Types text (keys as bytes: "\t" Tab, "\r" Enter, "\x03" Ctrl-C, "\x04" Ctrl-D, "\x1b[A" up). */
  type(keys: string): Promise<void>;
}

export function fakeTerminal(columns = 80): FakeTerminal {
  const screen = new Screen(columns);
  let raw = "";
  const keyboard = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (_mode: boolean) => {} });
  const display = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        raw += String(chunk);
        screen.feed(String(chunk));
        done();
      },
    }),
    { isTTY: true, columns, rows: 40 },
  );
  return {
    keyboard,
    display,
    screen,
    raw: () => raw,
    async type(keys: string) {
      for (const key of keys.match(/\x1b\[[A-D]|[\s\S]/g) ?? []) {
        keyboard.write(key);
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 5));
    },
  };
}
