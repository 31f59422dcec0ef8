import { accept, refuse, type Parsed } from "../model/parsed.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base58, bech32, bech32m, createBase58check } from "@scure/base";
import { characterProblem } from "./characters.js";

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
    const odd = characterProblem(input);
    if (odd) throw new SubjectError(odd, true);
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
