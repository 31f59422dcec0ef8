import type { Platform } from "./platform.js";

/**
 * The platform-neutral message model. The core builds replies and cards from these parts;
 * each adapter has one renderer that turns them into its own syntax and escapes every
 * `text` span on the way. User-supplied text is only ever a `text` span, so it can never
 * become markup, a mention or a mass ping.
 */

/** A person as the renderers need them: their name and their account on each platform. */
export interface PersonRef {
  memberId: number;
  name: string;
  accounts: Partial<Record<Platform, string>>;
}

export type Span =
  | { t: "text"; v: string }
  | { t: "strong"; v: string }
  | { t: "code"; v: string }
  /**
   * A person. With `page`, it notifies them (Slack/Discord mention that pings); without,
   * it only names them — renderers must make sure such a reference pings nobody.
   */
  | { t: "mention"; person: PersonRef; page?: boolean }
  | { t: "br" };

export type Rich = Span[];

export interface Field {
  label: string;
  value: Rich;
  /** Short fields may sit side by side. */
  short?: boolean;
}

export interface CardAction {
  /** Stable id, e.g. "case.ack". Adapters use it for button ids. */
  id: string;
  label: string;
  /** The command the button runs, as family + path, with the arguments it carries. */
  command: { family: string; path: string[]; args: Record<string, string> };
  /** When set, the platform asks for these options first (a modal), then runs the command. */
  form?: string[];
  style?: "primary" | "danger";
}

export interface Card {
  title: string;
  /** Short marker shown prominently, e.g. "TLP:AMBER". */
  badge?: { label: string; tone: "red" | "amber" | "green" | "clear" | "neutral" };
  subtitle?: Rich;
  fields: Field[];
  sections: Rich[];
  actions: CardAction[];
  footer?: Rich;
  /** Key of the thing the card shows (a case reference), for updating it in place. */
  key?: string;
}

export type Block =
  | { kind: "text"; rich: Rich }
  | { kind: "card"; card: Card }
  | { kind: "list"; items: Rich[] }
  /** A document delivered whole (exports): JSON or Markdown. */
  | { kind: "file"; filename: string; mime: string; content: string; encoding?: "utf8" | "base64" }
  /** A chart of weekly figures (the digest's): an image on the platforms, SVG on the board. */
  | { kind: "chart"; chart: WeeklyChart };

/** One week of a digest's trend: cases opened and closed, and the median time to acknowledge. */
export interface ChartWeek {
  /** The week's first day, YYYY-MM-DD (in UTC). */
  start: string;
  opened: number;
  closed: number;
  /** Median minutes from page to acknowledgement of the week's acknowledgements; null when none. */
  ackMedianMinutes: number | null;
}

/** The digest's chart (docs/contract.md §4, §11): the last weeks, oldest first. */
export interface WeeklyChart {
  title: string;
  /** A name for the image file, without extension (safe for file systems). */
  name: string;
  weeks: ChartWeek[];
}

export interface Reply {
  /** Private (ephemeral) to the caller, or visible in the channel. */
  visibility: "private" | "channel";
  /** Refusals and failures are marked so renderers can show them as such. */
  tone?: "error";
  /** For a refusal about one option: its name, so a form can show the error beside it. */
  field?: string;
  blocks: Block[];
}

export const text = (v: string): Span => ({ t: "text", v });
export const strong = (v: string): Span => ({ t: "strong", v });
export const code = (v: string): Span => ({ t: "code", v });
export const br: Span = { t: "br" };
/** Names a person without notifying them. */
export const mention = (person: PersonRef): Span => ({ t: "mention", person });
/** Names a person and notifies them: only for the people a message means to page. */
export const page = (person: PersonRef): Span => ({ t: "mention", person, page: true });

/** Everyone a message pages, for the platforms' allowed-mentions lists. */
export function pagedPeople(blocks: Block[]): PersonRef[] {
  const found = new Map<number, PersonRef>();
  const visit = (r: Rich | undefined) => r?.forEach((s) => s.t === "mention" && s.page && found.set(s.person.memberId, s.person));
  for (const b of blocks) {
    if (b.kind === "text") visit(b.rich);
    else if (b.kind === "list") b.items.forEach(visit);
    else if (b.kind === "card") {
      visit(b.card.subtitle);
      visit(b.card.footer);
      b.card.fields.forEach((f) => visit(f.value));
      b.card.sections.forEach(visit);
    }
  }
  return [...found.values()];
}

type Part = string | number | Span | Rich | null | undefined;

function isSpan(v: unknown): v is Span {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "t" in v;
}

/**
 * Builds rich text: `rich\`Case ${code(ref)} opened by ${mention(p)}\``. Interpolated
 * strings become text spans (escaped at render); spans and rich arrays are kept as they are.
 */
export function rich(strings: TemplateStringsArray, ...parts: Part[]): Rich {
  const out: Rich = [];
  const pushText = (v: string) => {
    if (v === "") return;
    const last = out[out.length - 1];
    if (last?.t === "text") last.v += v;
    else out.push(text(v));
  };
  strings.forEach((s, i) => {
    pushText(s);
    if (i >= parts.length) return;
    const part = parts[i];
    if (part === null || part === undefined) return;
    if (typeof part === "string" || typeof part === "number") pushText(String(part));
    else if (Array.isArray(part)) part.forEach((p) => (p.t === "text" ? pushText(p.v) : out.push(p)));
    else if (isSpan(part)) out.push(part);
  });
  return out;
}

/** Joins rich fragments with a separator (plain text). */
export function joinRich(items: Rich[], separator = ", "): Rich {
  return items.flatMap((item, i) => (i === 0 ? item : [text(separator), ...item]));
}

export function privateReply(...blocks: Block[]): Reply {
  return { visibility: "private", blocks };
}

export function channelReply(...blocks: Block[]): Reply {
  return { visibility: "channel", blocks };
}

export const para = (r: Rich): Block => ({ kind: "text", rich: r });
export const list = (items: Rich[]): Block => ({ kind: "list", items });

/** Plain text of a rich fragment, without any markup; for logs-free fallbacks and tests. */
export function plain(r: Rich): string {
  return r
    .map((s) => {
      switch (s.t) {
        case "mention":
          return `@${s.person.name}`;
        case "br":
          return "\n";
        default:
          return s.v;
      }
    })
    .join("");
}

/** The blocks with `prefix` (plain text) at the start of the first paragraph, e.g. a warning sign. */
export function withPrefix(blocks: Block[], prefix: string): Block[] {
  const [first, ...rest] = blocks;
  if (first?.kind !== "text") return blocks;
  return [{ kind: "text", rich: [text(prefix), ...first.rich] }, ...rest];
}
