import { accept, refuse, type Parsed } from "../model/parsed.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base58, bech32, bech32m, createBase58check } from "@scure/base";

/**
 * Case subjects: wallet addresses and transaction hashes, each validated for its chain with
 * its checksum (docs/contract.md §2). Parsing never guesses silently: a value that
 * fits no chain is refused with the reason, naming the value.
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

/** Thrown by the decoders below, turned into a refusal by parseSubject. */
export class SubjectError extends Error {}

const b58check = createBase58check(sha256);
const HEX = /^[0-9a-fA-F]+$/;

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
    throw new SubjectError(`an EVM address is 0x followed by 40 hex digits; this has ${digits.length} characters after 0x${HEX.test(digits) ? "" : " and some are not hex"}`);
  }
  const checksummed = toChecksumAddress(input);
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed && checksummed !== input) {
    throw new SubjectError("its EIP-55 checksum does not match (the upper/lower-case letters are wrong): check it for a typo");
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

function bitcoinSegwit(input: string): Subject {
  if (/^tb1/i.test(input)) throw new SubjectError("it is a Bitcoin testnet address, not mainnet");
  decodeSegwit(input, "bc");
  return { kind: "address", chain: "BTC", value: input.toLowerCase(), display: input.toLowerCase() };
}

function decodeBase58check(input: string): Uint8Array {
  try {
    return b58check.decode(input);
  } catch (error) {
    const message = (error as Error).message.toLowerCase();
    if (message.includes("checksum")) throw new SubjectError("its base58check checksum does not match: check it for a typo");
    throw new SubjectError("it contains characters base58 does not use (0, O, I, l or symbols)");
  }
}

function bitcoinBase58(input: string): Subject {
  const payload = decodeBase58check(input);
  if (payload.length !== 21) throw new SubjectError(`it decodes to ${payload.length} bytes, not the 21 of a Bitcoin address`);
  const version = payload[0];
  if (version === 0x6f || version === 0xc4) throw new SubjectError("it is a Bitcoin testnet address, not mainnet");
  if (version !== 0x00 && version !== 0x05) throw new SubjectError(`its version byte 0x${version!.toString(16)} is not a Bitcoin P2PKH or P2SH address`);
  return { kind: "address", chain: "BTC", value: input, display: input };
}

function tronAddress(input: string): Subject {
  const payload = decodeBase58check(input);
  if (payload.length !== 21 || payload[0] !== 0x41) throw new SubjectError("it does not decode to a TRON address (0x41 followed by 20 bytes)");
  return { kind: "address", chain: "TRON", value: input, display: input };
}

function solana(input: string): Subject {
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(input);
  } catch {
    throw new SubjectError("it contains characters base58 does not use (0, O, I, l or symbols)");
  }
  if (bytes.length === 32) return { kind: "address", chain: "SOL", value: input, display: input };
  if (bytes.length === 64) return { kind: "tx", chain: "SOL", value: input, display: input };
  throw new SubjectError(`it decodes to ${bytes.length} bytes; a Solana address has 32 and a signature 64`);
}

function hexTx(input: string, chain: Chain): Subject {
  const digits = input.startsWith("0x") || input.startsWith("0X") ? input.slice(2) : input;
  if (digits.length !== 64 || !HEX.test(digits)) throw new SubjectError("a transaction hash is 64 hex digits");
  const value = chain === "EVM" ? `0x${digits.toLowerCase()}` : digits.toLowerCase();
  return { kind: "tx", chain, value, display: value };
}

type Validator = (input: string) => Subject;

const PREFIXES: Record<string, Validator[]> = {
  btc: [bitcoinSegwit, bitcoinBase58, (s) => hexTx(s, "BTC")],
  eth: [evmAddress, (s) => hexTx(s, "EVM")],
  evm: [evmAddress, (s) => hexTx(s, "EVM")],
  tron: [tronAddress, (s) => hexTx(s, "TRON")],
  trx: [tronAddress, (s) => hexTx(s, "TRON")],
  sol: [solana],
};

/** The validators worth trying for a value, most specific first. */
function candidates(input: string): Validator[] {
  if (/^0x[0-9a-fA-F]{64}$/i.test(input)) return [(s) => hexTx(s, "EVM")];
  if (/^0x/i.test(input)) return [evmAddress];
  if (/^[0-9a-fA-F]{64}$/.test(input)) return [(s) => hexTx(s, "BTC/TRON")];
  if (/^(bc|tb)1/i.test(input)) return [bitcoinSegwit];
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(input)) return [tronAddress, solana];
  if (/^[13][1-9A-HJ-NP-Za-km-z]{24,34}$/.test(input)) return [bitcoinBase58, solana];
  if (/^[1-9A-HJ-NP-Za-km-z]{32,88}$/.test(input)) return [solana];
  return [];
}

function validateWith(validators: Validator[], input: string): Subject {
  let first: SubjectError | undefined;
  for (const validate of validators) {
    try {
      return validate(input);
    } catch (error) {
      if (!(error instanceof SubjectError)) throw error;
      first ??= error;
    }
  }
  throw first ?? new SubjectError("it is not a BTC, EVM, TRON or Solana address or transaction hash");
}

/** Parses one subject as typed, optionally with a chain prefix (`tron:…`, `btc:…`). */
export function parseSubject(raw: string): Parsed<Subject> {
  const input = raw.trim();
  const prefixed = /^(btc|eth|evm|tron|trx|sol):(.+)$/i.exec(input);
  try {
    return accept(prefixed ? validateWith(PREFIXES[prefixed[1]!.toLowerCase()]!, prefixed[2]!) : validateWith(candidates(input), input));
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
