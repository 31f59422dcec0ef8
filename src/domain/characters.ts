/**
 * Characters that do not belong in an address or a hash, named so a person can find them:
 * invisible ones (zero-width, bidi controls, odd spaces) and look-alikes (Cyrillic, Greek,
 * fullwidth forms), with the value quoted around them (docs/contract.md §2, subjects).
 */


/** The invisible characters people paste most, by name (others are named by category). */
const INVISIBLE: Record<number, string> = {
  0x0009: "CHARACTER TABULATION",
  0x000a: "LINE FEED",
  0x000b: "LINE TABULATION",
  0x000c: "FORM FEED",
  0x000d: "CARRIAGE RETURN",
  0x00a0: "NO-BREAK SPACE",
  0x00ad: "SOFT HYPHEN",
  0x034f: "COMBINING GRAPHEME JOINER",
  0x061c: "ARABIC LETTER MARK",
  0x115f: "HANGUL CHOSEONG FILLER",
  0x1160: "HANGUL JUNGSEONG FILLER",
  0x1680: "OGHAM SPACE MARK",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x2000: "EN QUAD",
  0x2001: "EM QUAD",
  0x2002: "EN SPACE",
  0x2003: "EM SPACE",
  0x2004: "THREE-PER-EM SPACE",
  0x2005: "FOUR-PER-EM SPACE",
  0x2006: "SIX-PER-EM SPACE",
  0x2007: "FIGURE SPACE",
  0x2008: "PUNCTUATION SPACE",
  0x2009: "THIN SPACE",
  0x200a: "HAIR SPACE",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR",
  0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x202f: "NARROW NO-BREAK SPACE",
  0x205f: "MEDIUM MATHEMATICAL SPACE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x2800: "BRAILLE PATTERN BLANK",
  0x3000: "IDEOGRAPHIC SPACE",
  0x3164: "HANGUL FILLER",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
  0xffa0: "HALFWIDTH HANGUL FILLER",
};
for (let i = 0; i < 16; i++) INVISIBLE[0xfe00 + i] = `VARIATION SELECTOR-${i + 1}`;

/** Letters from other scripts that read as the Latin letter or digit beside them. */
const LOOKALIKES: Record<number, [name: string, latin: string]> = {
  // Cyrillic
  0x0430: ["CYRILLIC SMALL LETTER A", "a"],
  0x0435: ["CYRILLIC SMALL LETTER IE", "e"],
  0x043e: ["CYRILLIC SMALL LETTER O", "o"],
  0x0440: ["CYRILLIC SMALL LETTER ER", "p"],
  0x0441: ["CYRILLIC SMALL LETTER ES", "c"],
  0x0443: ["CYRILLIC SMALL LETTER U", "y"],
  0x0445: ["CYRILLIC SMALL LETTER HA", "x"],
  0x0455: ["CYRILLIC SMALL LETTER DZE", "s"],
  0x0456: ["CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", "i"],
  0x0458: ["CYRILLIC SMALL LETTER JE", "j"],
  0x04bb: ["CYRILLIC SMALL LETTER SHHA", "h"],
  0x04cf: ["CYRILLIC SMALL LETTER PALOCHKA", "l"],
  0x0501: ["CYRILLIC SMALL LETTER KOMI DE", "d"],
  0x051b: ["CYRILLIC SMALL LETTER QA", "q"],
  0x051d: ["CYRILLIC SMALL LETTER WE", "w"],
  0x0405: ["CYRILLIC CAPITAL LETTER DZE", "S"],
  0x0406: ["CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I", "I"],
  0x0408: ["CYRILLIC CAPITAL LETTER JE", "J"],
  0x0410: ["CYRILLIC CAPITAL LETTER A", "A"],
  0x0412: ["CYRILLIC CAPITAL LETTER VE", "B"],
  0x0415: ["CYRILLIC CAPITAL LETTER IE", "E"],
  0x041a: ["CYRILLIC CAPITAL LETTER KA", "K"],
  0x041c: ["CYRILLIC CAPITAL LETTER EM", "M"],
  0x041d: ["CYRILLIC CAPITAL LETTER EN", "H"],
  0x041e: ["CYRILLIC CAPITAL LETTER O", "O"],
  0x0420: ["CYRILLIC CAPITAL LETTER ER", "P"],
  0x0421: ["CYRILLIC CAPITAL LETTER ES", "C"],
  0x0422: ["CYRILLIC CAPITAL LETTER TE", "T"],
  0x0423: ["CYRILLIC CAPITAL LETTER U", "Y"],
  0x0425: ["CYRILLIC CAPITAL LETTER HA", "X"],
  0x04c0: ["CYRILLIC LETTER PALOCHKA", "I"],
  0x051a: ["CYRILLIC CAPITAL LETTER QA", "Q"],
  0x051c: ["CYRILLIC CAPITAL LETTER WE", "W"],
  // Greek
  0x0391: ["GREEK CAPITAL LETTER ALPHA", "A"],
  0x0392: ["GREEK CAPITAL LETTER BETA", "B"],
  0x0395: ["GREEK CAPITAL LETTER EPSILON", "E"],
  0x0396: ["GREEK CAPITAL LETTER ZETA", "Z"],
  0x0397: ["GREEK CAPITAL LETTER ETA", "H"],
  0x0399: ["GREEK CAPITAL LETTER IOTA", "I"],
  0x039a: ["GREEK CAPITAL LETTER KAPPA", "K"],
  0x039c: ["GREEK CAPITAL LETTER MU", "M"],
  0x039d: ["GREEK CAPITAL LETTER NU", "N"],
  0x039f: ["GREEK CAPITAL LETTER OMICRON", "O"],
  0x03a1: ["GREEK CAPITAL LETTER RHO", "P"],
  0x03a4: ["GREEK CAPITAL LETTER TAU", "T"],
  0x03a5: ["GREEK CAPITAL LETTER UPSILON", "Y"],
  0x03a7: ["GREEK CAPITAL LETTER CHI", "X"],
  0x03b1: ["GREEK SMALL LETTER ALPHA", "a"],
  0x03b9: ["GREEK SMALL LETTER IOTA", "i"],
  0x03ba: ["GREEK SMALL LETTER KAPPA", "k"],
  0x03bd: ["GREEK SMALL LETTER NU", "v"],
  0x03bf: ["GREEK SMALL LETTER OMICRON", "o"],
  0x03c1: ["GREEK SMALL LETTER RHO", "p"],
  0x03c5: ["GREEK SMALL LETTER UPSILON", "u"],
  0x03c7: ["GREEK SMALL LETTER CHI", "x"],
  // Latin letters that are not ASCII, Armenian
  0x0131: ["LATIN SMALL LETTER DOTLESS I", "i"],
  0x0251: ["LATIN SMALL LETTER ALPHA", "a"],
  0x0261: ["LATIN SMALL LETTER SCRIPT G", "g"],
  0x0585: ["ARMENIAN SMALL LETTER OH", "o"],
  0x0578: ["ARMENIAN SMALL LETTER VO", "n"],
  0x057d: ["ARMENIAN SMALL LETTER SEH", "u"],
  // Punctuation that stands in for a prefix's colon
  0xff1a: ["FULLWIDTH COLON", ":"],
  0x2236: ["RATIO", ":"],
  0x02d0: ["MODIFIER LETTER TRIANGULAR COLON", ":"],
};

const CATEGORIES: [code: string, words: string][] = [
  ["Lu", "uppercase letter"], ["Ll", "lowercase letter"], ["Lt", "titlecase letter"], ["Lm", "modifier letter"],
  ["Lo", "other letter"], ["Mn", "nonspacing mark"], ["Mc", "spacing mark"], ["Me", "enclosing mark"],
  ["Nd", "decimal number"], ["Nl", "letter number"], ["No", "other number"], ["Pc", "connector punctuation"],
  ["Pd", "dash punctuation"], ["Ps", "open punctuation"], ["Pe", "close punctuation"], ["Pi", "initial punctuation"],
  ["Pf", "final punctuation"], ["Po", "other punctuation"], ["Sm", "math symbol"], ["Sc", "currency symbol"],
  ["Sk", "modifier symbol"], ["So", "other symbol"], ["Zs", "space separator"], ["Zl", "line separator"],
  ["Zp", "paragraph separator"], ["Cc", "control"], ["Cf", "format"], ["Cs", "surrogate"], ["Co", "private use"],
  ["Cn", "unassigned"],
];
const CATEGORY_TESTS = CATEGORIES.map(([code, words]) => ({ code, words, test: new RegExp(`^\\p{gc=${code}}$`, "u") }));

/** The Unicode general category of one character, e.g. "Lo" and "other letter". */
function category(char: string): { code: string; words: string } {
  return CATEGORY_TESTS.find((c) => c.test.test(char)) ?? { code: "Cn", words: "unassigned" };
}

const hexCode = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

type Oddity =
  | { kind: "invisible" | "unprintable" | "mark"; cp: number; label: string }
  | { kind: "lookalike"; cp: number; label: string; latin: string }
  | { kind: "foreign"; cp: number; label: string };

/** What is wrong with one character of a subject, or nothing when it is printable ASCII. */
function oddity(char: string): Oddity | undefined {
  const cp = char.codePointAt(0)!;
  if (cp >= 0x20 && cp <= 0x7e) return undefined;
  const gc = category(char);
  const named = (name: string | undefined) => (name ? `${hexCode(cp)} ${name}` : `${hexCode(cp)}, ${gc.words} ${gc.code}`);
  const invisibleName = INVISIBLE[cp];
  if (invisibleName || ["Cc", "Cf", "Zs", "Zl", "Zp"].includes(gc.code)) return { kind: "invisible", cp, label: named(invisibleName) };
  if (["Co", "Cn", "Cs"].includes(gc.code)) return { kind: "unprintable", cp, label: named(undefined) };
  if (["Mn", "Mc", "Me"].includes(gc.code)) return { kind: "mark", cp, label: named(undefined) };
  const known = LOOKALIKES[cp];
  if (known) return { kind: "lookalike", cp, label: named(known[0]), latin: known[1] };
  const folded = char.normalize("NFKC");
  if (folded !== char && /^[\x21-\x7e]+$/.test(folded)) return { kind: "lookalike", cp, label: named(fullwidthName(cp)), latin: folded };
  return { kind: "foreign", cp, label: named(undefined) };
}

/** FULLWIDTH DIGIT ZERO … FULLWIDTH LATIN SMALL LETTER Z, the fullwidth forms typed by East Asian keyboards. */
function fullwidthName(cp: number): string | undefined {
  const DIGITS = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"];
  if (cp >= 0xff10 && cp <= 0xff19) return `FULLWIDTH DIGIT ${DIGITS[cp - 0xff10]}`;
  if (cp >= 0xff21 && cp <= 0xff3a) return `FULLWIDTH LATIN CAPITAL LETTER ${String.fromCharCode(cp - 0xff21 + 65)}`;
  if (cp >= 0xff41 && cp <= 0xff5a) return `FULLWIDTH LATIN SMALL LETTER ${String.fromCharCode(cp - 0xff41 + 65)}`;
  return undefined;
}

/** How a character is shown inside a quoted excerpt: visible ones bracketed, the others by code point. */
function marker(char: string, odd: Oddity): string {
  return odd.kind === "lookalike" || odd.kind === "foreign" ? `[${char}]` : `[${hexCode(odd.cp)}]`;
}

/** At most `max` characters of the value around `at`, every odd character replaced by its marker. */
function excerpt(chars: string[], at: number, max = 80): string {
  const start = chars.length <= max ? 0 : Math.max(0, Math.min(at - max / 2, chars.length - max));
  const end = Math.min(chars.length, start + max);
  const shown = chars.slice(start, end).map((c) => {
    const odd = oddity(c);
    return odd ? marker(c, odd) : c;
  });
  return `"${start > 0 ? "…" : ""}${shown.join("")}${end < chars.length ? "…" : ""}"`;
}

/**
 * What is wrong with a value holding anything but printable ASCII (every address and hash
 * format is ASCII): the first such character named, its code point and 1-based position.
 */
export function characterProblem(input: string): string | undefined {
  const chars = Array.from(input);
  const found: { at: number; char: string; odd: Oddity }[] = [];
  chars.forEach((char, at) => {
    const odd = oddity(char);
    if (odd) found.push({ at, char, odd });
  });
  const first = found[0];
  if (!first) return undefined;
  const { at, char, odd } = first;
  const what =
    odd.kind === "invisible" ? `an invisible character (${odd.label})`
    : odd.kind === "unprintable" ? `an unprintable character (${odd.label})`
    : odd.kind === "mark" ? `a combining mark (${odd.label})`
    : odd.kind === "lookalike" ? `a look-alike character "${char}" (${odd.label}, not the ASCII "${odd.latin}")`
    : `a character no address or hash uses, "${char}" (${odd.label})`;
  const more = found.length > 1 ? ` (and ${found.length - 1} more such character${found.length > 2 ? "s" : ""})` : "";
  const fix = odd.kind === "lookalike" ? `type "${odd.latin}" instead` : "delete it (or type the value rather than paste it)";
  return `it contains ${what} at position ${at + 1}${more}: ${excerpt(chars, at)}; ${fix}`;
}
