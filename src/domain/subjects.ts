import { accept, refuse, type Parsed } from "../model/parsed.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base58, bech32, bech32m, createBase58check } from "@scure/base";

/**
 * Case subjects: wallet addresses and transaction hashes, each validated for its chain with
 * its checksum (docs/contract.md §2). Parsing never guesses silently: a value that
 * fits no chain is refused with the reason, naming the value.
 *
 * A refusal reads after the value the caller echoes ("<value> is refused: <reason>"), so
 * reasons start with "it" / "its"; a reason that has to point inside the value (an
 * invisible or look-alike character) quotes at most ~80 characters of it.
 */

export type Chain = "BTC" | "EVM" | "TRON" | "SOL" | "BTC/TRON";

export interface Subject {
  kind: "address" | "tx";
  chain: Chain;
  /** Canonical form, used to find the same funds named in other cases. */
  value: string;
  /** How it is shown: EIP-55 checksummed, lower-case bech32, as typed otherwise. */
  display: string;
}

/**
 * Thrown by the decoders below, turned into a refusal by parseSubject. `recognised` marks a
 * reason given about a value that is surely of that format (its checksum holds, or it has
 * exactly that format's shape): it wins over the reasons other formats give for the value.
 */
export class SubjectError extends Error {
  constructor(message: string, readonly recognised = false) {
    super(message);
  }
}

const b58check = createBase58check(sha256);
const HEX = /^[0-9a-fA-F]+$/;
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;
const HEX64 = /^(0x)?[0-9a-f]{64}$/i;
const HEXISH = /^(0x)?[0-9a-f]+$/i;
const MAINNET = "Liaison takes mainnet addresses only (1…, 3… or bc1…)";

// ---------------------------------------------------------------------------------------
// Characters: invisible ones and look-alikes, named before any format is tried.

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
 * Refuses a value holding anything but printable ASCII (every address and hash format is
 * ASCII), naming the first such character, its code point and its 1-based position.
 */
function checkCharacters(input: string): void {
  const chars = Array.from(input);
  const found: { at: number; char: string; odd: Oddity }[] = [];
  chars.forEach((char, at) => {
    const odd = oddity(char);
    if (odd) found.push({ at, char, odd });
  });
  const first = found[0];
  if (!first) return;
  const { at, char, odd } = first;
  const what =
    odd.kind === "invisible" ? `an invisible character (${odd.label})`
    : odd.kind === "unprintable" ? `an unprintable character (${odd.label})`
    : odd.kind === "mark" ? `a combining mark (${odd.label})`
    : odd.kind === "lookalike" ? `a look-alike character "${char}" (${odd.label}, not the ASCII "${odd.latin}")`
    : `a character no address or hash uses, "${char}" (${odd.label})`;
  const more = found.length > 1 ? ` (and ${found.length - 1} more such character${found.length > 2 ? "s" : ""})` : "";
  const fix = odd.kind === "lookalike" ? `type "${odd.latin}" instead` : "delete it (or type the value rather than paste it)";
  throw new SubjectError(`it contains ${what} at position ${at + 1}${more}: ${excerpt(chars, at)}; ${fix}`, true);
}

// ---------------------------------------------------------------------------------------
// Formats.

/** EIP-55: hex digits upper-cased where the keccak-256 of the lower-case address has a high nibble. */
export function toChecksumAddress(address: string): string {
  const lower = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  }
  return out;
}

function evmAddress(input: string): Subject {
  const digits = input.slice(2);
  if (digits.length !== 40 || !HEX.test(digits)) {
    const txHint = digits.length > 40 ? " (a transaction hash has 64)" : "";
    throw new SubjectError(`an EVM address is 0x followed by 40 hex digits; this has ${digits.length} characters after 0x${txHint}${HEX.test(digits) ? "" : " and some are not hex"}`);
  }
  const checksummed = toChecksumAddress(input);
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed && checksummed !== input) {
    throw new SubjectError("its EIP-55 checksum does not match (the upper/lower-case letters are wrong): check it for a typo", true);
  }
  return { kind: "address", chain: "EVM", value: input.toLowerCase(), display: checksummed };
}

export interface SegwitAddress {
  hrp: string;
  version: number;
  program: Uint8Array;
}

/** BIP-173 / BIP-350 segwit address decoding for the given human-readable part. */
export function decodeSegwit(address: string, hrp: string): SegwitAddress {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) {
    throw new SubjectError("it mixes upper and lower case, which bech32 forbids");
  }
  const lower = address.toLowerCase();
  const decoded = bech32.decodeUnsafe(lower, 90) ?? bech32m.decodeUnsafe(lower, 90);
  if (!decoded) throw new SubjectError("its bech32 checksum does not match: check it for a typo");
  if (decoded.prefix !== hrp) throw new SubjectError(`its prefix is "${decoded.prefix}", not "${hrp}"`);
  if (decoded.words.length === 0) throw new SubjectError("it has no witness program");
  const version = decoded.words[0]!;
  if (version > 16) throw new SubjectError(`witness version ${version} does not exist (0 to 16)`);
  const usedBech32m = bech32.decodeUnsafe(lower, 90) === undefined;
  if (version === 0 && usedBech32m) throw new SubjectError("a version 0 address must use the bech32 checksum, not bech32m (BIP-350)");
  if (version > 0 && !usedBech32m) throw new SubjectError(`a version ${version} address must use the bech32m checksum (BIP-350)`);
  const program = bech32.fromWordsUnsafe(decoded.words.slice(1));
  if (!program) throw new SubjectError("its padding is invalid");
  if (program.length < 2 || program.length > 40) throw new SubjectError(`its witness program is ${program.length} bytes (2 to 40 allowed)`);
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw new SubjectError(`a version 0 witness program is 20 or 32 bytes, not ${program.length} (BIP-141)`);
  }
  return { hrp, version, program };
}

/**
 * A `bc1…` address is decoded as mainnet; a `tb1…` one as testnet, and refused as such only
 * when it is a valid testnet address (otherwise its decoding error is the reason), as the
 * base58 testnet addresses are below.
 */
function bitcoinSegwit(input: string): Subject {
  if (/^tb1/i.test(input)) {
    decodeSegwit(input, "tb");
    throw new SubjectError(`it is a Bitcoin testnet address (tb1…); ${MAINNET}`, true);
  }
  decodeSegwit(input, "bc");
  return { kind: "address", chain: "BTC", value: input.toLowerCase(), display: input.toLowerCase() };
}

/** Names the first character base58 has no digit for. */
function notBase58(input: string): SubjectError {
  const bad = Array.from(input).find((c) => !BASE58.test(c));
  return new SubjectError(`it contains ${bad === undefined ? "characters" : `"${bad}"`}, which base58 does not use (no 0, O, I, l or symbols)`);
}

function decodeBase58check(input: string): Uint8Array {
  if (!BASE58.test(input)) throw notBase58(input);
  try {
    return b58check.decode(input);
  } catch (error) {
    const message = (error as Error).message.toLowerCase();
    if (!message.includes("checksum")) throw notBase58(input);
    // 25 bytes is the shape of a base58check address (1 version byte, 20 of hash, 4 of checksum).
    throw new SubjectError("its base58check checksum does not match: check it for a typo", base58.decode(input).length === 25);
  }
}

function bitcoinBase58(input: string): Subject {
  const payload = decodeBase58check(input);
  if (payload.length !== 21) throw new SubjectError(`it decodes to ${payload.length} bytes, not the 21 of a Bitcoin address`);
  const version = payload[0];
  if (version === 0x6f) throw new SubjectError(`it is a Bitcoin testnet address (P2PKH, version byte 0x6f); ${MAINNET}`, true);
  if (version === 0xc4) throw new SubjectError(`it is a Bitcoin testnet address (P2SH, version byte 0xc4); ${MAINNET}`, true);
  if (version !== 0x00 && version !== 0x05) throw new SubjectError(`its version byte 0x${version!.toString(16)} is not a Bitcoin P2PKH or P2SH address`);
  return { kind: "address", chain: "BTC", value: input, display: input };
}

function tronAddress(input: string): Subject {
  const payload = decodeBase58check(input);
  if (payload.length !== 21 || payload[0] !== 0x41) throw new SubjectError("it does not decode to a TRON address (0x41 followed by 20 bytes)");
  return { kind: "address", chain: "TRON", value: input, display: input };
}

function solana(input: string): Subject {
  if (!BASE58.test(input)) throw notBase58(input);
  const bytes = base58.decode(input);
  if (bytes.length === 32) return { kind: "address", chain: "SOL", value: input, display: input };
  if (bytes.length === 64) return { kind: "tx", chain: "SOL", value: input, display: input };
  throw new SubjectError(`it decodes to ${bytes.length} bytes; a Solana address has 32 and a signature 64`);
}

function hexTx(input: string, chain: Chain): Subject {
  const digits = input.startsWith("0x") || input.startsWith("0X") ? input.slice(2) : input;
  if (digits.length !== 64 || !HEX.test(digits)) {
    throw new SubjectError(`a transaction hash is 64 hex digits; this has ${digits.length} characters${HEX.test(digits) ? "" : " and some are not hex"}`);
  }
  const value = chain === "EVM" ? `0x${digits.toLowerCase()}` : digits.toLowerCase();
  return { kind: "tx", chain, value, display: value };
}

type Validator = (input: string) => Subject;

/** The validators worth trying for a value, most specific first. */
function candidates(input: string): Validator[] {
  if (/^0x[0-9a-fA-F]{64}$/i.test(input)) return [(s) => hexTx(s, "EVM")];
  if (/^0x/i.test(input)) return [evmAddress];
  if (/^[0-9a-fA-F]{64}$/.test(input)) return [(s) => hexTx(s, "BTC/TRON")];
  // A Solana key can begin with bc1 or tb1 too: it is refused as bech32 only if it is no Solana key either.
  if (/^(bc|tb)1/i.test(input)) return [bitcoinSegwit, solana];
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(input)) return [tronAddress, solana];
  if (/^[13][1-9A-HJ-NP-Za-km-z]{24,34}$/.test(input)) return [bitcoinBase58, solana];
  // Testnet P2PKH (m…, n…) and P2SH (2…): Solana first, but a valid testnet address is named as one.
  if (/^[mn2][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(input)) return [solana, bitcoinBase58];
  if (/^[1-9A-HJ-NP-Za-km-z]{32,88}$/.test(input)) return [solana];
  return [];
}

/** The first validator that accepts; else the first recognised reason, else the first reason. */
function validateWith(validators: Validator[], input: string): Subject {
  const reasons: SubjectError[] = [];
  for (const validate of validators) {
    try {
      return validate(input);
    } catch (error) {
      if (!(error instanceof SubjectError)) throw error;
      reasons.push(error);
    }
  }
  throw reasons.find((r) => r.recognised) ?? reasons[0] ?? new SubjectError("it is not a BTC, EVM, TRON or Solana address or transaction hash");
}

type Named = "btc" | "evm" | "tron" | "sol";

const PREFIXES: Record<string, Named> = { btc: "btc", eth: "evm", evm: "evm", tron: "tron", trx: "tron", sol: "sol" };

const CHAIN_WORDS: Record<Chain, string> = { BTC: "a Bitcoin", EVM: "an EVM", TRON: "a TRON", SOL: "a Solana", "BTC/TRON": "a Bitcoin or TRON" };
const NAMED_CHAIN: Record<Named, Chain> = { btc: "BTC", evm: "EVM", tron: "TRON", sol: "SOL" };

/** What a value named for a chain is checked as, by its shape; the last one left gives the reason. */
function chainValidators(chain: Named, value: string): Validator[] {
  const tx: Validator = (s) => hexTx(s, NAMED_CHAIN[chain]);
  const longHex = HEXISH.test(value) && value.replace(/^0x/i, "").length >= 50;
  switch (chain) {
    case "btc":
      if (HEX64.test(value)) return [tx];
      if (/^(bc|tb)1/i.test(value)) return [bitcoinSegwit];
      if (longHex) return [tx];
      if (BASE58.test(value)) return [bitcoinBase58];
      if (HEXISH.test(value)) return [tx];
      return [];
    case "evm":
      if (HEX64.test(value)) return [tx];
      if (/^0x/i.test(value)) return [evmAddress];
      if (/^[0-9a-f]{40}$/i.test(value)) return [() => { throw new SubjectError("an EVM address starts with 0x: add it before the 40 hex digits"); }];
      if (HEXISH.test(value)) return [tx];
      return [];
    case "tron":
      if (HEX64.test(value)) return [tx];
      if (/^T/.test(value)) return [tronAddress];
      if (longHex) return [tx];
      if (BASE58.test(value)) return [tronAddress];
      if (HEXISH.test(value)) return [tx];
      return [];
    case "sol":
      return [solana];
  }
}

const NOT_THE_CHAIN: Record<Named, string> = {
  btc: "it is not a Bitcoin address (1…, 3… or bc1…) or transaction hash (64 hex digits)",
  evm: "it is not an EVM address (0x and 40 hex digits) or transaction hash (0x and 64 hex digits)",
  tron: "it is not a TRON address (T…, base58check) or transaction hash (64 hex digits)",
  sol: "it is not a Solana address or signature (base58)",
};

/**
 * A value named for a chain (`btc:…`) is refused with that chain's reason. When it is no
 * value of that chain but a valid one of another, the refusal says which, rather than
 * giving the chain's reason for something that was never meant for it.
 */
function validateForChain(prefix: string, chain: Named, value: string): Subject {
  if (value === "") throw new SubjectError(`nothing follows the ${prefix}: prefix`);
  const validators = chainValidators(chain, value);
  let own: SubjectError;
  try {
    return validateWith(validators, value);
  } catch (error) {
    if (!(error instanceof SubjectError)) throw error;
    own = error;
  }
  let other: Subject | undefined;
  try {
    other = validateWith(candidates(value), value);
  } catch (error) {
    if (!(error instanceof SubjectError)) throw error;
  }
  const sameChain = other && (other.chain === NAMED_CHAIN[chain] || (other.chain === "BTC/TRON" && (chain === "btc" || chain === "tron")));
  if (other && !sameChain) {
    const kind = other.kind === "tx" ? "transaction hash" : "address";
    const theirs = other.chain === "SOL" && other.kind === "tx" ? "a Solana signature" : `${CHAIN_WORDS[other.chain]} ${kind}`;
    throw new SubjectError(`it is ${theirs}, not ${CHAIN_WORDS[NAMED_CHAIN[chain]]} one: check the chain, or leave out the ${prefix}: prefix`);
  }
  if (validators.length === 0) throw new SubjectError(NOT_THE_CHAIN[chain]);
  throw own;
}

/** Parses one subject as typed, optionally with a chain prefix (`tron:…`, `btc:…`). */
export function parseSubject(raw: string): Parsed<Subject> {
  const input = raw.trim();
  try {
    checkCharacters(input);
    const prefixed = /^(btc|eth|evm|tron|trx|sol):(.*)$/i.exec(input);
    if (prefixed) {
      const prefix = prefixed[1]!.toLowerCase();
      return accept(validateForChain(prefix, PREFIXES[prefix]!, prefixed[2]!.trim()));
    }
    return accept(validateWith(candidates(input), input));
  } catch (error) {
    if (error instanceof SubjectError) return refuse(error.message);
    throw error;
  }
}

/** `bc1qw508d6…kv8f3t4`: enough to recognise in a channel, not to copy. */
export function shortenSubject(display: string): string {
  return display.length <= 16 ? display : `${display.slice(0, 10)}…${display.slice(-6)}`;
}

export function describeSubject(s: Subject): string {
  const chain = s.chain === "BTC/TRON" ? "BTC or TRON" : s.chain;
  return `${chain} ${s.kind === "tx" ? "transaction" : "address"}`;
}
