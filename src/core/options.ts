import { quote } from "../model/text.js";
import { didYouMean } from "../model/closest.js";
import { z } from "zod";
import type { FileValue } from "../model/upload.js";
import { formatDuration, LONGEST_MS, parseDuration } from "../domain/durations.js";
import {
  isValidCountry,
  normaliseDomain,
  normaliseTimeZone,
  ORG_CODE,
} from "../domain/validate.js";

/**
 * Option declarations: each is a zod schema plus what the adapters need to present it
 * (text syntax, Discord option types, modal fields). A command declares its options once
 * with these helpers and every adapter derives its own form from them.
 */

export type OptionKind =
  | "text"
  | "word"
  | "ref"
  | "person"
  | "people"
  | "target"
  | "org"
  | "orgs"
  | "choice"
  | "duration"
  | "email"
  | "timezone"
  | "country"
  | "domains"
  | "list"
  | "file";

export interface OptionMeta {
  kind: OptionKind;
  description: string;
  required: boolean;
  /** Taken from bare words in text syntax, in this order (`/case note <ref> <text>`). */
  positional?: number;
  /** Swallows every remaining bare word (free text, or a list of people). */
  rest?: boolean;
  /** Values separated by commas in text syntax. */
  list?: boolean;
  choices?: readonly string[];
  maxLength?: number;
  /** Shown as a multi-line field in forms. */
  long?: boolean;
  /** What to show between <> in usage lines. */
  placeholder?: string;
  /** Where Discord's autocomplete draws values from, when the kind alone does not say. */
  suggest?: "layer";
}

export interface Option<T = unknown> {
  schema: z.ZodType<T>;
  meta: OptionMeta;
}

export type OptionSet = Record<string, Option>;
export type ParsedOptions<O extends OptionSet> = { [K in keyof O]: O[K] extends Option<infer T> ? T : never };

interface Common {
  positional?: number;
  rest?: boolean;
}

function make<T>(schema: z.ZodType<T>, meta: OptionMeta): Option<T> {
  return { schema, meta };
}

type Maybe<T, Opt> = Opt extends true ? T | undefined : T;

function finish<T, Opt extends boolean>(schema: z.ZodType<T>, meta: OptionMeta, optional: Opt | undefined): Option<Maybe<T, Opt>> {
  if (optional) return make(schema.optional(), { ...meta, required: false }) as Option<Maybe<T, Opt>>;
  return make(schema, { ...meta, required: true }) as Option<Maybe<T, Opt>>;
}

/** Control characters (other than newline and tab) never belong in user text. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Characters that show nothing on their own: format characters (zero-width, bidi),
 * separators, combining marks, variation selectors, blank fillers (Hangul, Braille).
 */
const INVISIBLE = /[\p{Cf}\p{Z}\p{M}\s\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0]/gu;

const textSchema = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: (i) => `is too long (${String((i.input as string).length)} characters, at most ${max})` })
    .refine((v) => !CONTROL.test(v), { error: "contains control characters" })
    .refine((v) => v.replace(INVISIBLE, "") !== "", { error: "must not be empty: it has only invisible characters" });

export const ACCOUNT_KEY = /^(console|slack|discord):[A-Za-z0-9._-]{1,64}$/;

const accountKey = z.string().regex(ACCOUNT_KEY, { error: (i) => `expected a person (a mention), got ${quote(String(i.input))}` });
const orgCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(ORG_CODE, {
    error: (i) => `${quote(String(i.input))} is not an organisation code (letters, digits and dashes, 2 to 24 characters)`,
  });

export const opt = {
  text<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt; max?: number; long?: boolean } = {}) {
    const max = o.max ?? 2000;
    return finish(textSchema(max), { kind: "text", description, required: true, maxLength: max, long: o.long, positional: o.positional, rest: o.rest }, o.optional);
  },

  word<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt; pattern?: RegExp; max?: number; placeholder?: string } = {}) {
    let schema = textSchema(o.max ?? 64).refine((v) => !/\s/.test(v), { error: "must be a single word" });
    if (o.pattern) {
      const pattern = o.pattern;
      schema = schema.refine((v) => pattern.test(v), { error: (i) => `${quote(String(i.input))} is not valid here` });
    }
    return finish(schema, { kind: "word", description, required: true, maxLength: o.max ?? 64, positional: o.positional, placeholder: o.placeholder }, o.optional);
  },

  /** A file given with the command (Slack upload, Discord attachment, console `file:<path>`), read by the dispatcher. */
  file<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    return finish(z.custom<FileValue>(() => true), { kind: "file", description, required: true, positional: o.positional, placeholder: "file" }, o.optional);
  },

  /** The name of a rotation layer of the organisation in the `org` option (autocompleted on Discord). */
  layer<const Opt extends boolean = false>(description = "the layer's name", o: Common & { optional?: Opt } = {}) {
    const schema = textSchema(40).refine((v) => /^[\p{L}\p{N}][\p{L}\p{N}_.-]*$/u.test(v), {
      error: (i) => `${quote(String(i.input))} is not a layer name (letters, digits, - _ and ., up to 40, no spaces)`,
    });
    return finish(schema, { kind: "word", description, required: true, maxLength: 40, positional: o.positional, suggest: "layer" }, o.optional);
  },

  ref<const Opt extends boolean = false>(description = "case reference, e.g. HKPF-CSTCB-2026-0001", o: Common & { optional?: Opt } = {}) {
    const schema = z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{4}-\d{4,}$/, {
        error: (i) => `${quote(String(i.input))} is not a case reference (like HKPF-CSTCB-2026-0001)`,
      });
    return finish(schema, { kind: "ref", description, required: true, positional: o.positional ?? 0 }, o.optional);
  },

  person<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    return finish(accountKey, { kind: "person", description, required: true, positional: o.positional }, o.optional);
  },

  people<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    const schema = z.array(accountKey).max(25, { error: "at most 25 people" });
    return finish(schema, { kind: "people", description, required: true, list: true, positional: o.positional, rest: true }, o.optional);
  },

  /** A person (mention) or an organisation code, e.g. the target of a handoff. */
  target<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    const schema = z.union([accountKey, orgCode], {
      error: (i) => `expected a person (a mention) or an organisation code, got ${quote(String(i.input))}`,
    });
    return finish(schema, { kind: "target", description, required: true, positional: o.positional }, o.optional);
  },

  org<const Opt extends boolean = false>(description = "organisation code, e.g. HKPF-CSTCB", o: Common & { optional?: Opt } = {}) {
    return finish(orgCode, { kind: "org", description, required: true, positional: o.positional }, o.optional);
  },

  orgs<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    const schema = z.array(orgCode).min(1, { error: "name at least one organisation" }).max(10, { error: "at most 10 organisations" });
    return finish(schema, { kind: "orgs", description, required: true, list: true, positional: o.positional }, o.optional);
  },

  choice<const C extends readonly [string, ...string[]], const Opt extends boolean = false>(
    choices: C,
    description: string,
    o: Common & { optional?: Opt } = {},
  ) {
    const schema = z
      .string()
      .trim()
      .toLowerCase()
      .refine((v): v is C[number] => (choices as readonly string[]).includes(v), {
        error: (i) => `must be one of ${choices.join(", ")} (got ${quote(String(i.input))}${didYouMean(String(i.input), choices).replace(/^ —/, ";")})`,
      }) as unknown as z.ZodType<C[number]>;
    return finish(schema, { kind: "choice", description, required: true, choices, positional: o.positional }, o.optional);
  },

  duration<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt; max?: number; placeholder?: string } = {}) {
    const schema = z
      .string()
      .trim()
      .transform((v, ctx) => {
        const ms = parseDuration(v);
        if (ms === undefined || ms <= 0) {
          ctx.addIssue({ code: "custom", message: `${quote(v)} is not a duration like 30m, 12h or 365d` });
          return z.NEVER;
        }
        const max = o.max ?? LONGEST_MS;
        if (ms > max) {
          ctx.addIssue({ code: "custom", message: `${quote(v)} is longer than allowed (at most ${formatDuration(max)})` });
          return z.NEVER;
        }
        return ms;
      });
    return finish(schema, { kind: "duration", description, required: true, positional: o.positional, placeholder: o.placeholder }, o.optional);
  },

  email<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    const schema = z
      .string()
      .trim()
      .toLowerCase()
      .max(254, { error: "is too long" })
      .pipe(z.email({ error: (i) => `${quote(String(i.input))} is not an e-mail address` }));
    return finish(schema, { kind: "email", description, required: true, positional: o.positional }, o.optional);
  },

  timezone<const Opt extends boolean = false>(description = "IANA time zone, e.g. Asia/Hong_Kong", o: Common & { optional?: Opt } = {}) {
    const schema = z
      .string()
      .trim()
      .transform((v, ctx) => {
        const zone = normaliseTimeZone(v);
        if (!zone) {
          ctx.addIssue({ code: "custom", message: `${quote(v)} is not an IANA time zone (like Europe/Malta or Asia/Hong_Kong)` });
          return z.NEVER;
        }
        return zone;
      });
    return finish(schema, { kind: "timezone", description, required: true, positional: o.positional }, o.optional);
  },

  country<const Opt extends boolean = false>(description = "ISO 3166-1 country code, e.g. HK", o: Common & { optional?: Opt } = {}) {
    const schema = z
      .string()
      .trim()
      .toUpperCase()
      .refine(isValidCountry, { error: (i) => `${quote(String(i.input))} is not an ISO 3166-1 country code (like HK, MT or GB)` });
    return finish(schema, { kind: "country", description, required: true, positional: o.positional }, o.optional);
  },

  /** A comma list whose items `parse` checks one by one: a value, or the reason it is refused. */
  list<T, const Opt extends boolean = false>(
    description: string,
    parse: (item: string) => T | { error: string },
    o: Common & { optional?: Opt; max?: number; placeholder?: string } = {},
  ) {
    const max = o.max ?? 50;
    const schema = z
      .array(z.string())
      .max(max, { error: `at most ${max} items` })
      .transform((items, ctx) => {
        const out: T[] = [];
        for (const item of items) {
          const parsed = parse(item.trim());
          if (parsed && typeof parsed === "object" && "error" in parsed) {
            ctx.addIssue({ code: "custom", message: parsed.error });
            return z.NEVER;
          }
          out.push(parsed as T);
        }
        return out;
      });
    return finish(schema, { kind: "list", description, required: true, list: true, positional: o.positional, placeholder: o.placeholder }, o.optional);
  },

  domains<const Opt extends boolean = false>(description: string, o: Common & { optional?: Opt } = {}) {
    const domain = z
      .string()
      .trim()
      .transform((v, ctx) => {
        const d = normaliseDomain(v);
        if (!d) {
          ctx.addIssue({ code: "custom", message: `${quote(v)} is not a domain name (like police.gov.hk)` });
          return z.NEVER;
        }
        return d;
      });
    const schema = z.array(domain).min(1, { error: "name at least one domain" }).max(20, { error: "at most 20 domains" });
    return finish(schema, { kind: "domains", description, required: true, list: true, positional: o.positional }, o.optional);
  },
};

const PLACEHOLDER: Partial<Record<OptionKind, string>> = {
  org: "code",
  orgs: "code,code",
  email: "address",
  country: "CC",
  timezone: "IANA zone",
  duration: "365d",
  domains: "d1,d2",
  ref: "ref",
  target: "@user|org",
  list: "a,b",
};

/** Usage text of one option, as it is typed: `<ref>`, `title:<text>`, `[tz:<IANA zone>]`. */
export function optionUsage(name: string, meta: OptionMeta): string {
  let core: string;
  if (meta.kind === "people") core = meta.positional !== undefined ? "@user…" : `${name}:@user,@user`;
  else if (meta.kind === "person") core = meta.positional !== undefined ? "@user" : `${name}:@user`;
  else if (meta.positional !== undefined) core = meta.rest ? `<${name}…>` : `<${name}>`;
  else if (meta.kind === "choice" && meta.choices) core = `${name}:${meta.choices.join("|")}`;
  else core = `${name}:<${meta.placeholder ?? PLACEHOLDER[meta.kind] ?? "text"}>`;
  return meta.required ? core : `[${core}]`;
}
