import { base58, createBase58check } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
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
