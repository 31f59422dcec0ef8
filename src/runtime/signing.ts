import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { keyFingerprint, type Signer } from "../domain/evidence.js";

/**
 * The deployment's Ed25519 signing key for evidence packs (docs/contract.md §10), with
 * Node's own crypto: from LIAISON_SIGNING_KEY_FILE (a PEM private key), else generated once
 * at `fallbackFile` (./data/signing-key.pem) and kept there — with a warning, since a key on
 * the bot's disk is only as safe as that disk.
 */

export function signerFrom(privateKey: KeyObject): Signer {
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`the signing key is ${privateKey.asymmetricKeyType ?? "not a key pair"}, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  return {
    sign: (data) => sign(null, data, privateKey),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    fingerprint: keyFingerprint(publicKey),
  };
}

/** A key that lives as long as the process (tests, and tools that sign nothing that is kept). */
export function ephemeralSigner(): Signer {
  return signerFrom(generateKeyPairSync("ed25519").privateKey);
}

export function loadSigner(o: { file: string | undefined; fallbackFile: string; warn: (message: string) => void }): Signer {
  if (o.file) {
    let pem: string;
    try {
      pem = readFileSync(o.file, "utf8");
    } catch (error) {
      throw new Error(`cannot read LIAISON_SIGNING_KEY_FILE ${o.file}: ${(error as Error).message}`);
    }
    try {
      return signerFrom(createPrivateKey(pem));
    } catch (error) {
      throw new Error(`LIAISON_SIGNING_KEY_FILE ${o.file} is not an Ed25519 private key in PEM: ${(error as Error).message}`);
    }
  }
  if (!existsSync(o.fallbackFile)) {
    mkdirSync(dirname(o.fallbackFile), { recursive: true });
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(o.fallbackFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    chmodSync(o.fallbackFile, 0o600);
    o.warn(`no LIAISON_SIGNING_KEY_FILE: generated an Ed25519 signing key for evidence packs at ${o.fallbackFile}; keep it safe and back it up, or set LIAISON_SIGNING_KEY_FILE`);
  } else {
    o.warn(`no LIAISON_SIGNING_KEY_FILE: evidence packs are signed with the key at ${o.fallbackFile}`);
  }
  return signerFrom(createPrivateKey(readFileSync(o.fallbackFile, "utf8")));
}
