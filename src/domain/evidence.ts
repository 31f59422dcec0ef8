import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import { strToU8, unzipSync, zipSync, type Zippable } from "fflate";
import { eventHash, GENESIS_HASH } from "./timeline.js";

/**
 * Evidence packs (docs/contract.md §10): one zip a third party can check offline — the
 * timeline as JSON and Markdown, the documents, a manifest with the SHA-256 of every file,
 * the case reference, the chain head, when and by whom, and an Ed25519 signature of the
 * manifest by the deployment's key. `openssl pkeyutl -verify -rawin` checks the signature
 * alone; `verifyPack` checks everything and names what fails.
 */

export const PACK_FORMAT = "liaison-evidence-pack/1";

/** The deployment's signing key, as the domain sees it: sign bytes, show the public half. */
export interface Signer {
  sign(data: Uint8Array): Buffer;
  publicKeyPem: string;
  /** SHA-256 of the public key's DER (SubjectPublicKeyInfo), hex. */
  fingerprint: string;
}

export const keyFingerprint = (key: KeyObject) => createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex");

export interface PackFile {
  path: string;
  content: Uint8Array;
}

export interface Manifest {
  format: string;
  ref: string;
  chain: { events: number; head: string };
  exportedAt: string;
  exportedBy: string;
  signingKey: { algorithm: "Ed25519"; fingerprint: string };
  files: { path: string; sha256: string; size: number }[];
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
/** Every entry gets the export time, so the same pack built twice is the same bytes. */
const zipTime = (at: Date) => new Date(Math.max(at.getTime(), Date.UTC(1980, 0, 2)));

export function buildPack(o: { ref: string; chain: { events: number; head: string }; exportedAt: Date; exportedBy: string; files: PackFile[]; signer: Signer }): Uint8Array {
  const manifest: Manifest = {
    format: PACK_FORMAT,
    ref: o.ref,
    chain: o.chain,
    exportedAt: o.exportedAt.toISOString(),
    exportedBy: o.exportedBy,
    signingKey: { algorithm: "Ed25519", fingerprint: o.signer.fingerprint },
    files: o.files.map((f) => ({ path: f.path, sha256: sha256(f.content), size: f.content.length })),
  };
  const manifestBytes = strToU8(JSON.stringify(manifest, null, 2) + "\n");
  const mtime = zipTime(o.exportedAt);
  const entries: Zippable = {};
  for (const f of o.files) entries[f.path] = [f.content, { mtime }];
  entries["manifest.json"] = [manifestBytes, { mtime }];
  entries["manifest.sig"] = [new Uint8Array(o.signer.sign(manifestBytes)), { mtime }];
  entries["signing-key.pem"] = [strToU8(o.signer.publicKeyPem), { mtime }];
  return zipSync(entries, { level: 6 });
}

export interface PackCheck {
  ok: boolean;
  /** One line per check, "ok …" or "FAIL …". */
  lines: string[];
}

interface TimelineEvent {
  seq: number;
  at: string;
  actor: { id: number } | null;
  type: string;
  data: unknown;
  prevHash: string;
  hash: string;
  withheld?: boolean;
  erased?: boolean;
}

/**
 * Checks a pack offline: the signature of the manifest (by `keyPem`, else the key inside the
 * pack — then its fingerprint is printed to compare with `/ppp audit key`), every file's
 * SHA-256 and size, no file missing or added, and the hash chain of the timeline up to the
 * head the manifest states.
 */
export function verifyPack(zip: Uint8Array, keyPem?: string, fingerprint?: string): PackCheck {
  try {
    return check(zip, keyPem, fingerprint?.trim().toLowerCase());
  } catch (error) {
    return { ok: false, lines: [`FAIL the pack could not be checked: ${(error as Error).message}`] };
  }
}

function check(zip: Uint8Array, keyPem: string | undefined, fingerprint: string | undefined): PackCheck {
  const lines: string[] = [];
  let ok = true;
  const fail = (line: string) => {
    ok = false;
    lines.push(`FAIL ${line}`);
  };
  let files: Record<string, Uint8Array>;
  // Every entry is seen: a name given twice (readers disagree on which one counts), a path
  // that climbs out, or a "directory" holding data is refused before anything is trusted.
  const seen: string[] = [];
  try {
    files = unzipSync(zip, {
      filter: (f) => {
        seen.push(f.name);
        return true;
      },
    });
  } catch (error) {
    return { ok: false, lines: [`FAIL not a readable zip: ${(error as Error).message}`] };
  }
  const names = new Set<string>();
  for (const name of seen) {
    if (names.has(name)) fail(`${name}: appears more than once in the zip`);
    names.add(name);
    if (name.startsWith("/") || name.includes("\\") || name.split("/").includes("..")) fail(`${name}: not a plain path inside the pack`);
    if (name.endsWith("/") && (files[name]?.length ?? 0) > 0) fail(`${name}: a directory entry holding data`);
  }
  const manifestBytes = files["manifest.json"];
  const sig = files["manifest.sig"];
  if (!manifestBytes || !sig) return { ok: false, lines: ["FAIL manifest.json or manifest.sig is missing"] };
  let manifest: Manifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString("utf8")) as Manifest;
  } catch {
    return { ok: false, lines: ["FAIL manifest.json is not JSON"] };
  }
  if (manifest.format !== PACK_FORMAT) fail(`manifest.json: format ${String(manifest.format)} is not ${PACK_FORMAT}`);

  let key: KeyObject | undefined;
  // The pack's own key proves nothing by itself (anyone can sign a forgery with a key of their
  // own): it is trusted only when its fingerprint is the one given.
  const pem = keyPem ?? (files["signing-key.pem"] ? Buffer.from(files["signing-key.pem"]).toString("utf8") : undefined);
  try {
    key = pem ? createPublicKey(pem) : undefined;
  } catch (error) {
    fail(`the public key could not be read: ${(error as Error).message}`);
  }
  if (key) {
    const actual = keyFingerprint(key);
    const good = verifySignature(null, manifestBytes, key, sig);
    if (!good) fail(`manifest.sig: not a signature of manifest.json by the key with fingerprint ${actual}`);
    else if (keyPem) lines.push(`ok   manifest.sig: signed by the key given (SHA-256 fingerprint ${actual})`);
    else if (fingerprint && fingerprint === actual) lines.push(`ok   manifest.sig: signed by the key with the fingerprint given, ${actual}`);
    else if (fingerprint) fail(`manifest.sig: signed by a key with fingerprint ${actual}, not the fingerprint given (${fingerprint})`);
    else fail(`manifest.sig: signed by the key inside the pack (fingerprint ${actual}), which proves nothing by itself: give --key <public.pem> or --fingerprint <sha256> from /ppp audit key`);
    if (manifest.signingKey?.fingerprint !== actual) fail(`manifest.json names signing key ${String(manifest.signingKey?.fingerprint)}, not ${actual}`);
  } else if (!lines.some((l) => l.startsWith("FAIL"))) fail("no public key to check manifest.sig with (give --key <public.pem>)");

  const listed = new Set<string>();
  if (!Array.isArray(manifest.files) || !manifest.chain || typeof manifest.ref !== "string") return { ok: false, lines: [...lines, "FAIL manifest.json does not have the shape of a Liaison evidence pack"] };
  for (const f of manifest.files) {
    listed.add(f.path);
    const content = files[f.path];
    if (!content) fail(`${f.path}: listed in the manifest but missing from the pack`);
    else if (sha256(content) !== f.sha256 || content.length !== f.size) fail(`${f.path}: SHA-256 ${sha256(content)} (${content.length} bytes) does not match the manifest's ${f.sha256} (${f.size} bytes)`);
    else lines.push(`ok   ${f.path}: SHA-256 ${f.sha256}`);
  }
  for (const path of Object.keys(files)) {
    if (!listed.has(path) && !["manifest.json", "manifest.sig", "signing-key.pem"].includes(path) && !path.endsWith("/")) fail(`${path}: in the pack but not in the manifest`);
  }

  const timeline = files["timeline.json"];
  if (!timeline) fail("timeline.json is missing");
  else {
    try {
      const doc = JSON.parse(Buffer.from(timeline).toString("utf8")) as { case: { ref: string }; events: TimelineEvent[] };
      const chain = checkChain(doc.case.ref, doc.events);
      const withheld = doc.events.filter((e) => e.withheld).length;
      if (withheld > 0) lines.push(`note ${withheld} event${withheld === 1 ? " is" : "s are"} another side's matter, withheld from this export: linked by their hashes, their content not checked`);
      if (doc.case.ref !== manifest.ref) fail(`timeline.json is about ${doc.case.ref}, the manifest about ${manifest.ref}`);
      if (chain.problem) fail(`timeline.json: ${chain.problem}`);
      else if (chain.events !== manifest.chain.events || chain.head !== manifest.chain.head) {
        fail(`timeline.json: the chain ends at event #${chain.events} ${chain.head}, the manifest states #${manifest.chain.events} ${manifest.chain.head}`);
      } else lines.push(`ok   timeline.json: hash chain of ${chain.events} events intact, head ${chain.head}`);
    } catch (error) {
      fail(`timeline.json could not be read: ${(error as Error).message}`);
    }
  }
  return { ok, lines };
}

/** Recomputes each event's hash from its content and its link to the one before. */
export function checkChain(ref: string, events: TimelineEvent[]): { events: number; head: string; problem?: string } {
  let prev = GENESIS_HASH;
  for (const [i, e] of events.entries()) {
    if (e.seq !== i + 1) return { events: i, head: prev, problem: `event #${i + 1} is missing (found #${e.seq})` };
    if (e.prevHash !== prev) return { events: i, head: prev, problem: `event #${e.seq} does not follow event #${e.seq - 1} (previous hash ${e.prevHash}, expected ${prev})` };
    // A withheld event (another side's matter) keeps its place: only its stated hash links the
    // chain. It carries nothing else — an event with content flagged withheld is a forgery.
    if (e.withheld && (e.type !== "withheld" || JSON.stringify(e.data) !== "{}")) return { events: i, head: prev, problem: `event #${e.seq} is marked withheld but carries content` };
    if (e.erased && JSON.stringify(e.data) !== "{}") return { events: i, head: prev, problem: `event #${e.seq} is marked erased but carries content` };
    // Erased only by an erasure recorded later in the same timeline (checked in full itself).
    if (e.erased && !events.slice(i + 1).some((x) => x.type === "erased" && !x.erased && !x.withheld)) {
      return { events: i, head: prev, problem: `event #${e.seq} is marked erased, but no erasure follows it` };
    }
    if (!e.withheld && !e.erased) {
      const hash = eventHash({ ref, seq: e.seq, at: new Date(e.at), actorId: e.actor?.id ?? null, type: e.type, data: JSON.stringify(e.data), prevHash: e.prevHash });
      if (hash !== e.hash) return { events: i, head: prev, problem: `event #${e.seq} (${e.type}) was changed: its content hashes to ${hash}, not ${e.hash}` };
    }
    prev = e.hash;
  }
  return { events: events.length, head: prev };
}
