import { base58, createBase58check } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSegwit, parseSubject, SubjectError, toChecksumAddress } from "../../src/domain/subjects.js";

/** The subject, or its refusal thrown (as the assertions below read it). */
const subject = (text: string) => {
  const parsed = parseSubject(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value;
};

/** Published vectors: BIP-173 and BIP-350 (segwit addresses), EIP-55 (EVM checksums). */

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
function scriptPubKey(address: string): string {
  const hrp = address.toLowerCase().startsWith("tb") ? "tb" : "bc";
  const { version, program } = decodeSegwit(address, hrp);
  return hex(Uint8Array.of(version === 0 ? 0 : 0x50 + version, program.length, ...program));
}

describe("segwit addresses (BIP-350 valid vectors)", () => {
  const valid: [string, string][] = [
    ["BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"],
    ["tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"],
    ["bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"],
    ["BC1SW50QGDZ25J", "6002751e"],
    ["bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"],
    ["tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"],
    ["tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"],
  ];
  it.each(valid)("%s decodes to scriptPubKey %s", (address, script) => {
    expect(scriptPubKey(address)).toBe(script);
  });
});

describe("segwit addresses (BIP-173 and BIP-350 invalid vectors)", () => {
  const invalid: [string, string][] = [
    // BIP-350
    ["tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", "Invalid human-readable part"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "Bech32 instead of Bech32m"],
    ["tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "Bech32 instead of Bech32m"],
    ["BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "Bech32 instead of Bech32m"],
    ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "Bech32m instead of Bech32"],
    ["tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "Bech32m instead of Bech32"],
    ["bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "Invalid character in checksum"],
    ["BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "Invalid witness version"],
    ["bc1pw5dgrnzv", "Invalid program length (1 byte)"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", "Invalid program length (41 bytes)"],
    ["BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "Invalid program length for witness version 0"],
    ["tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "Mixed case"],
    ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", "zero padding of more than 4 bits"],
    ["tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "Non-zero padding in 8-to-5 conversion"],
    ["bc1gmk9yu", "Empty data section"],
    // BIP-173
    ["tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "Invalid human-readable part"],
    ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid checksum"],
    ["BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "Invalid witness version"],
    ["bc1rw5uspcuh", "Invalid program length"],
    ["bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", "Invalid program length"],
    ["tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "Mixed case"],
    ["bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "zero padding of more than 4 bits"],
    ["tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", "Non-zero padding in 8-to-5 conversion"],
    // Valid under BIP-173 but v1+ with a bech32 checksum, which BIP-350 forbids.
    ["bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "v1 with bech32"],
    ["BC1SW50QA3JX3S", "v16 with bech32"],
    ["bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "v2 with bech32"],
  ];
  it.each(invalid)("%s is refused (%s)", (address) => {
    const hrp = address.toLowerCase().startsWith("tb") ? "tb" : "bc";
    expect(() => decodeSegwit(address, hrp)).toThrow(SubjectError);
  });
});

describe("EVM addresses (EIP-55 vectors)", () => {
  const checksummed = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
  ];
  it.each(checksummed)("%s is its own checksum and is accepted", (address) => {
    expect(toChecksumAddress(address.toLowerCase())).toBe(address);
    expect(subject(address)).toEqual({ kind: "address", chain: "EVM", value: address.toLowerCase(), display: address });
  });

  it.each(["0x52908400098527886E0F7030069857D2E4169EE7", "0xde709f2102306220921060314715629080e2fb77"])(
    "accepts %s: all upper or all lower case carries no checksum",
    (address) => {
      expect(subject(address).chain).toBe("EVM");
    },
  );

  it("refuses a mixed-case address whose checksum does not match", () => {
    expect(() => subject("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")).toThrowError(/EIP-55 checksum does not match/);
  });

  it("refuses the wrong length", () => {
    expect(() => subject("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA")).toThrowError(/40 hex digits; this has 38/);
  });
});

describe("other chains", () => {
  it("accepts Bitcoin base58check P2PKH and P2SH addresses and refuses a typo", () => {
    expect(subject("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toMatchObject({ chain: "BTC", kind: "address" });
    expect(subject("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")).toMatchObject({ chain: "BTC", kind: "address" });
    expect(() => subject("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")).toThrowError(/base58check checksum does not match/);
  });

  it("accepts TRON addresses (base58check of 0x41 + 20 bytes)", () => {
    expect(subject("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")).toMatchObject({ chain: "TRON", kind: "address" });
    const built = createBase58check(sha256).encode(Uint8Array.of(0x41, ...new Uint8Array(20).fill(7)));
    expect(subject(built).chain).toBe("TRON");
    expect(() => subject("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u")).toThrowError(/checksum does not match/);
  });

  it("accepts Solana addresses (32 bytes) and signatures (64 bytes)", () => {
    expect(subject("So11111111111111111111111111111111111111112")).toMatchObject({ chain: "SOL", kind: "address" });
    expect(subject("11111111111111111111111111111111")).toMatchObject({ chain: "SOL", kind: "address" });
    const signature = base58.encode(new Uint8Array(64).fill(9));
    expect(subject(signature)).toMatchObject({ chain: "SOL", kind: "tx" });
  });

  it("tells the chains' transaction hashes apart, with a prefix where the format is shared", () => {
    const h = "a".repeat(64);
    expect(subject(`0x${h}`)).toMatchObject({ chain: "EVM", kind: "tx" });
    expect(subject(h)).toMatchObject({ chain: "BTC/TRON", kind: "tx" });
    expect(subject(`tron:${h.toUpperCase()}`)).toMatchObject({ chain: "TRON", kind: "tx", value: h });
  });

  it("names what is wrong with something that is no subject at all", () => {
    expect(() => subject("hello-world")).toThrowError(/not a BTC, EVM, TRON or Solana address or transaction hash/);
    expect(() => subject("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")).toThrowError(/testnet/);
  });
});

/** The refusal's reason, or a failure when the value is accepted. */
const problem = (text: string) => {
  const parsed = parseSubject(text);
  if (parsed.ok) throw new Error(`${text} was accepted as ${JSON.stringify(parsed.value)}`);
  return parsed.problem;
};
const b58check = createBase58check(sha256);
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("Solana keys that begin like a bech32 address", () => {
  // Verified: each decodes (base58) to exactly 32 bytes, so each is a Solana public key.
  const keys = ["bc1XRheAzRVg1Z31QM166csu4mcFVZuHeySWZLMfqYb", "tb1XRheAzRVg1Z31QM166csu4mcFVZuHeySWZLMfqYb", "BC1GXRheAzRVg1Z31QM166csu4mcFVZuHeySWZLMfqYb"];
  it.each(keys)("accepts %s as a Solana address", (key) => {
    expect(base58.decode(key).length).toBe(32);
    expect(subject(key)).toEqual({ kind: "address", chain: "SOL", value: key, display: key });
  });

  it("accepts any 32-byte key written with a bc1 or tb1 start", () => {
    // "bc1"/"tb1" and 40 more base58 digits is 43 digits, 33·58⁴² to 59·58⁴²: always 32 bytes.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom("bc1", "tb1"), (key, start) => {
        const text = start + base58.encode(key).slice(-40);
        expect(base58.decode(text).length).toBe(32);
        expect(subject(text)).toMatchObject({ chain: "SOL", kind: "address", value: text });
      }),
      { seed: 55, numRuns: 200 },
    );
  });

  it("still gives the bech32 reason for what is no Solana key either", () => {
    expect(problem("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")).toMatch(/bech32 checksum does not match/);
    // Base58, but 20 bytes: neither a segwit address nor a Solana key, so the bech32 reason.
    expect(problem("bc1XRheAzRVg1Z31QM166csu4m")).toMatch(/mixes upper and lower case, which bech32 forbids/);
    expect(problem("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k8")).toMatch(/bech32 checksum does not match/);
  });

  it("still accepts a real bc1 address as Bitcoin", () => {
    expect(subject("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")).toMatchObject({ chain: "BTC", kind: "address" });
  });
});

describe("Bitcoin testnet addresses", () => {
  const p2pkh = [b58check.encode(Uint8Array.of(0x6f, ...bytes(20, 0))), b58check.encode(Uint8Array.of(0x6f, ...bytes(20, 0xff))), "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", "n3GNqMveyvaPvUbH469vDRadqpJMPc84JA"];
  const p2sh = [b58check.encode(Uint8Array.of(0xc4, ...bytes(20, 0x11))), "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc"];

  it("builds testnet addresses that start m, n and 2", () => {
    expect(p2pkh.map((a) => a[0])).toEqual(["m", "n", "m", "n"]);
    expect(p2sh.map((a) => a[0])).toEqual(["2", "2"]);
  });

  it.each(p2pkh)("refuses the P2PKH testnet address %s as testnet, not as a wrong-length Solana key", (address) => {
    const reason = problem(address);
    expect(reason).toBe("it is a Bitcoin testnet address (P2PKH, version byte 0x6f); Liaison takes mainnet addresses only (1…, 3… or bc1…)");
    expect(reason).not.toMatch(/Solana|bytes/);
  });

  it.each(p2sh)("refuses the P2SH testnet address %s as testnet", (address) => {
    expect(problem(address)).toBe("it is a Bitcoin testnet address (P2SH, version byte 0xc4); Liaison takes mainnet addresses only (1…, 3… or bc1…)");
  });

  it("refuses a testnet address named as Bitcoin the same way", () => {
    expect(problem(`btc:${p2pkh[2]}`)).toMatch(/^it is a Bitcoin testnet address \(P2PKH/);
    expect(problem(`btc:${p2sh[1]}`)).toMatch(/^it is a Bitcoin testnet address \(P2SH/);
  });

  it("gives a typo in a testnet address the checksum reason, not Solana's", () => {
    expect(problem("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfo")).toBe("its base58check checksum does not match: check it for a typo");
  });

  it("treats tb1 alike: a valid testnet address is refused as testnet, an invalid one with its bech32 reason", () => {
    expect(problem("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")).toBe(
      "it is a Bitcoin testnet address (tb1…); Liaison takes mainnet addresses only (1…, 3… or bc1…)",
    );
    expect(problem("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7")).toMatch(/mixes upper and lower case/);
  });

  it("still accepts Solana keys that start with m, n or 2", () => {
    for (const fill of [1, 50, 100, 200]) {
      const key = base58.encode(bytes(32, fill));
      expect(subject(key)).toMatchObject({ chain: "SOL", kind: "address" });
    }
    const m = `m${base58.encode(bytes(32, 9)).slice(-42)}`;
    expect(base58.decode(m).length).toBe(32);
    expect(subject(m).chain).toBe("SOL");
  });
});

describe("a chain prefix names whose reason is given", () => {
  const EVM_BAD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
  it.each([
    [`eth:${EVM_BAD}`, /^its EIP-55 checksum does not match/],
    [`evm:${EVM_BAD}`, /^its EIP-55 checksum does not match/],
    ["eth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", /^an EVM address is 0x followed by 40 hex digits; this has 38/],
    ["eth:5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", /^an EVM address starts with 0x/],
    ["btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", /^its base58check checksum does not match/],
    ["btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", /^its base58check checksum does not match/],
    ["btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", /^its bech32 checksum does not match/],
    ["BTC:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T5", /^its bech32 checksum does not match/],
    [`btc:${"a".repeat(63)}`, /^a transaction hash is 64 hex digits; this has 63/],
    [`tron:${"a".repeat(63)}`, /^a transaction hash is 64 hex digits; this has 63/],
    [`trx:${"0".repeat(65)}`, /^a transaction hash is 64 hex digits; this has 65/],
    ["tron:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", /^its base58check checksum does not match/],
    ["sol:So1111111111111111111111111111111111111111", /^it decodes to \d+ bytes; a Solana address has 32/],
    ["btc:hello-world", /^it is not a Bitcoin address/],
    ["tron:hello-world", /^it is not a TRON address/],
    ["eth:hello-world", /^it is not an EVM address/],
    ["eth:", /^nothing follows the eth: prefix/],
  ])("%s is refused with that chain's reason", (text, reason) => {
    const got = problem(text);
    expect(got).toMatch(reason);
    expect(got).not.toMatch(/not a BTC, EVM, TRON or Solana/);
  });

  it.each([
    ["sol:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "it is an EVM address, not a Solana one: check the chain, or leave out the sol: prefix"],
    ["btc:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "it is a TRON address, not a Bitcoin one: check the chain, or leave out the btc: prefix"],
    ["btc:11111111111111111111111111111111", "it is a Solana address, not a Bitcoin one: check the chain, or leave out the btc: prefix"],
    ["eth:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "it is a Bitcoin address, not an EVM one: check the chain, or leave out the eth: prefix"],
    ["tron:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "it is a Bitcoin address, not a TRON one: check the chain, or leave out the tron: prefix"],
  ])("%s: a valid value of another chain is named as that, not given this chain's reason", (text, reason) => {
    expect(problem(text)).toBe(reason);
  });

  it("still accepts what the prefix names, with spaces after the colon", () => {
    expect(subject("btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toMatchObject({ chain: "BTC", kind: "address" });
    expect(subject("btc: bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")).toMatchObject({ chain: "BTC", kind: "address" });
    expect(subject("eth:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).toMatchObject({ chain: "EVM", kind: "address" });
    expect(subject(`eth:${"b".repeat(64)}`)).toMatchObject({ chain: "EVM", kind: "tx", value: `0x${"b".repeat(64)}` });
    expect(subject(`btc:${"b".repeat(64)}`)).toMatchObject({ chain: "BTC", kind: "tx" });
    expect(subject("trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")).toMatchObject({ chain: "TRON", kind: "address" });
    expect(subject("sol:bc1XRheAzRVg1Z31QM166csu4mcFVZuHeySWZLMfqYb")).toMatchObject({ chain: "SOL", kind: "address" });
  });
});

describe("invisible and look-alike characters", () => {
  const EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
  /** EVM with `char` put in after its first `at` characters (so it is at position at + 1). */
  const inserted = (char: string, at: number, value = EVM) => value.slice(0, at) + char + value.slice(at);

  it.each([
    ["U+200B ZERO WIDTH SPACE", "\u200b"],
    ["U+200C ZERO WIDTH NON-JOINER", "\u200c"],
    ["U+200D ZERO WIDTH JOINER", "\u200d"],
    ["U+2060 WORD JOINER", "\u2060"],
    ["U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark)", "\ufeff"],
    ["U+00A0 NO-BREAK SPACE", "\u00a0"],
    ["U+00AD SOFT HYPHEN", "\u00ad"],
    ["U+202E RIGHT-TO-LEFT OVERRIDE", "\u202e"],
    ["U+2066 LEFT-TO-RIGHT ISOLATE", "\u2066"],
    ["U+200F RIGHT-TO-LEFT MARK", "\u200f"],
    ["U+0009 CHARACTER TABULATION", "\t"],
    ["U+3164 HANGUL FILLER", "\u3164"],
    ["U+FE0F VARIATION SELECTOR-16", "\ufe0f"],
    ["U+2061 FUNCTION APPLICATION", "\u2061"],
    ["U+E0041, format Cf", "\u{e0041}"],
  ])("names an invisible %s by code point and position, and marks it without echoing it", (label, char) => {
    const reason = problem(inserted(char, 6));
    expect(reason).toContain(`it contains an invisible character (${label}) at position 7`);
    const hex = label.split(/[ ,]/)[0]!;
    expect(reason).toContain(`"0x5aAe[${hex}]b6053F3E94C9b9A09f33669435E7Ef1BeAed"`);
    expect(reason).not.toContain(char);
  });

  it.each([
    ["\u0430", "а", "U+0430 CYRILLIC SMALL LETTER A", "a"],
    ["\u043e", "о", "U+043E CYRILLIC SMALL LETTER O", "o"],
    ["\u0435", "е", "U+0435 CYRILLIC SMALL LETTER IE", "e"],
    ["\u0441", "с", "U+0441 CYRILLIC SMALL LETTER ES", "c"],
    ["\u0440", "р", "U+0440 CYRILLIC SMALL LETTER ER", "p"],
    ["\u0445", "х", "U+0445 CYRILLIC SMALL LETTER HA", "x"],
    ["\u0412", "В", "U+0412 CYRILLIC CAPITAL LETTER VE", "B"],
    ["\u039f", "Ο", "U+039F GREEK CAPITAL LETTER OMICRON", "O"],
    ["\u03bf", "ο", "U+03BF GREEK SMALL LETTER OMICRON", "o"],
    ["\uff15", "５", "U+FF15 FULLWIDTH DIGIT FIVE", "5"],
    ["\uff41", "ａ", "U+FF41 FULLWIDTH LATIN SMALL LETTER A", "a"],
    ["\uff26", "Ｆ", "U+FF26 FULLWIDTH LATIN CAPITAL LETTER F", "F"],
    ["\u{1d41a}", "𝐚", "U+1D41A, lowercase letter Ll", "a"],
  ])("names a look-alike %j in place of a letter or digit", (_escaped, char, label, latin) => {
    // In place of the third character, the "5" of 0x5aAe…
    const reason = problem(`0x${char}${EVM.slice(3)}`);
    expect(reason).toBe(`it contains a look-alike character "${char}" (${label}, not the ASCII "${latin}") at position 3: "0x[${char}]${EVM.slice(3)}"; type "${latin}" instead`);
  });

  it("gives the example messages of the issue", () => {
    expect(problem(inserted("\u200b", 6))).toBe(
      'it contains an invisible character (U+200B ZERO WIDTH SPACE) at position 7: "0x5aAe[U+200B]b6053F3E94C9b9A09f33669435E7Ef1BeAed"; delete it (or type the value rather than paste it)',
    );
    expect(problem("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".replace("a", "\u0430"))).toMatch(
      /^it contains a look-alike character "а" \(U\+0430 CYRILLIC SMALL LETTER A, not the ASCII "a"\) at position 24: /,
    );
  });

  it("finds them in every format and in the chain prefix, before any checksum", () => {
    expect(problem("\u0435th:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).toMatch(/^it contains a look-alike character "е" \(U\+0435 CYRILLIC SMALL LETTER IE.* at position 1:/);
    expect(problem("btc\uff1abc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")).toMatch(/^it contains a look-alike character "：" \(U\+FF1A FULLWIDTH COLON, not the ASCII ":"\) at position 4:/);
    expect(problem(inserted("\u200b", 10, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"))).toMatch(/U\+200B ZERO WIDTH SPACE\) at position 11/);
    expect(problem(inserted("\u2060", 42, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"))).toMatch(/U\+2060 WORD JOINER\) at position 43/);
    expect(problem(inserted("\u200d", 3, "So11111111111111111111111111111111111111112"))).toMatch(/U\+200D ZERO WIDTH JOINER\) at position 4/);
    expect(problem(inserted("\u0441", 20, "c".repeat(64)))).toMatch(/CYRILLIC SMALL LETTER ES.* at position 21/);
  });

  it("counts positions in characters, so one beyond the BMP counts once", () => {
    expect(problem(`0x\u{1f600}\u200b${EVM.slice(2)}`)).toMatch(/^it contains a character no address or hash uses, "😀" \(U\+1F600, other symbol So\) at position 3 \(and 1 more such character\): "0x\[😀\]\[U\+200B\]5aAe/);
  });

  it("names other characters by code point and general category", () => {
    expect(problem(`${EVM}\u20ac`)).toMatch(/^it contains a character no address or hash uses, "€" \(U\+20AC, currency symbol Sc\) at position 43/);
    expect(problem(inserted("\u0301", 4))).toMatch(/^it contains a combining mark \(U\+0301, nonspacing mark Mn\) at position 5: "0x5a\[U\+0301\]Ae/);
    expect(problem(inserted("\ue000", 4))).toMatch(/^it contains an unprintable character \(U\+E000, private use Co\) at position 5/);
    expect(problem(inserted("\u0660", 4))).toMatch(/^it contains a character no address or hash uses, "٠" \(U\+0660, decimal number Nd\)/);
  });

  it("quotes no more than 80 characters of a long value, cut with an ellipsis", () => {
    const long = `0x${"a".repeat(200)}\u202e${"b".repeat(200)}`;
    const reason = problem(long);
    expect(reason).toMatch(/U\+202E RIGHT-TO-LEFT OVERRIDE\) at position 203: "…a+\[U\+202E\]b+…"/);
    const quoted = /"(…[^"]*…)"/.exec(reason)![1]!;
    expect(quoted.replace("[U+202E]", "x").length).toBeLessThanOrEqual(82);
    expect(reason).not.toContain("\u202e");
    expect(reason.length).toBeLessThan(250);
    // Near the start: cut at the end only.
    expect(problem(`\u200b${"a".repeat(300)}`)).toMatch(/at position 1: "\[U\+200B\]a{79}…"/);
    // Near the end: cut at the start only.
    expect(problem(`${"a".repeat(300)}\u200b`)).toMatch(/at position 301: "…a{79}\[U\+200B\]"/);
  });

  it("leaves the invisible characters trimmed from either end alone, as before", () => {
    expect(subject(`\ufeff${EVM}\u00a0`)).toMatchObject({ chain: "EVM", display: EVM });
  });
});
