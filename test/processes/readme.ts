import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../src/paths.js";

/**
 * The README's samples of what the bot prints: every fenced block without a language.
 * test/processes/console.test.ts runs what each one is the output of and compares, so none
 * can drift from the program.
 *
 * A sample is either whole (the bot's entire stdout) or an excerpt: its lines appear in the
 * output in that order and next to each other, except that a line that is only `…` stands
 * for lines left out and a line ending in `…` for any line that begins with what precedes it.
 */

export interface Block {
  lang: string;
  lines: string[];
  /** 1-based line of the opening fence in README.md. */
  at: number;
}

export function readmeBlocks(): Block[] {
  const text = readFileSync(join(projectRoot, "README.md"), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < text.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(text[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const lines: string[] = [];
    let j = i + 1;
    while (j < text.length && !/^\s*```\s*$/.test(text[j]!)) lines.push(text[j++]!.slice(indent));
    blocks.push({ lang: open[2]!, lines, at: i + 1 });
    i = j;
  }
  return blocks;
}

/** The samples of output, by what they are the output of. */
export const SAMPLES = {
  /** The printf demo of the quick start: the whole of stdout. */
  quickStart: (b: Block) => b.lines[0]!.startsWith("(only root) Added EXA"),
  /** A refusal, typed after the quick start's lines: input lines and what they print. */
  refusal: (b: Block) => b.lines[0]!.startsWith("mal: "),
  /** What `npm start` shows in a terminal before the first line. */
  banner: (b: Block) => b.lines[0] === "Liaison console",
  /** `npm run demo`: an excerpt. */
  demo: (b: Block) => b.lines[0]!.startsWith("(only alice) Opened"),
  /** examples/escalation.sh: an excerpt. */
  escalation: (b: Block) => b.lines[0]!.includes("] Reminder."),
} as const;

export type Sample = keyof typeof SAMPLES;

export function outputBlocks(): Block[] {
  return readmeBlocks().filter((b) => b.lang === "");
}

export function sample(name: Sample): string[] {
  const found = outputBlocks().filter(SAMPLES[name]);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} samples of ${name}, expected one`);
  return found[0]!.lines;
}

/** Dates, times and the year in case references differ from run to run. */
export function normalise(line: string): string {
  return line
    .replace(/\d{4}-\d{2}-\d{2}( \d{2}:\d{2}( UTC)?)?/g, "YYYY-MM-DD")
    .replace(/\b([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)-\d{4}-(\d{4,})\b/g, "$1-YYYY-$2")
    .trimEnd();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether `excerpt` (the notation above) is found in `actual`; both are normalised. */
export function showsExcerpt(actual: string[], excerpt: string[]): boolean {
  const parts: string[] = [];
  let gap = false;
  for (const raw of excerpt.map(normalise)) {
    if (raw === "…") {
      gap = true;
      continue;
    }
    const line = raw.endsWith("…") ? `${escape(raw.slice(0, -1))}[^\\n]*` : escape(raw);
    parts.push(parts.length === 0 ? line : `${gap ? "\\n(?:[^\\n]*\\n)*?" : "\\n"}${line}`);
    gap = false;
  }
  return new RegExp(`(?:^|\\n)${parts.join("")}(?:\\n|$)`).test(actual.map(normalise).join("\n"));
}
