import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyPack, type Manifest } from "../src/domain/evidence.js";
import { projectRoot } from "../src/paths.js";
import { ephemeralSigner } from "../src/runtime/signing.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * Evidence packs a third party can check (docs/contract.md §10): built in the console, checked
 * by `evidence verify` and by openssl alone; one changed byte is found and named.
 */

const CLI = join(projectRoot, "dist", "src", "cli.js");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function cli(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, DATABASE_URL: "" } });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.each(PROVIDERS)("evidence packs on %s", (provider) => {
  let h: Harness;
  let dir: string;
  beforeEach(async () => {
    h = await Harness.open(provider);
    await h.say(SEED);
    dir = mkdtempSync(join(tmpdir(), "liaison-pack-"));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  async function pack(): Promise<{ ref: string; zip: Buffer; file: string }> {
    const ref = /Opened (\S+)\./.exec((await h.say(`alice@hk-exa: /case open title:"Ransom" exchange:EXA severity:high type:freeze`)).join("\n"))![1]!;
    writeFileSync(join(h.filesDir, "order.pdf"), PDF);
    await h.say(`alice: /case attach ${ref} file:${join(h.filesDir, "order.pdf")}\nbob: /case ack ${ref}\nbob: /case note ${ref} "account frozen"`);
    const out = await h.say(`alice: /case export ${ref} format:pack`);
    expect(out[0]).toMatch(new RegExp(`^\\(only alice\\) Evidence pack of ${ref} \\(TLP:AMBER\\): 5 events, hash chain intact, 1 document, signed by the key with SHA-256 fingerprint [0-9a-f]{64}\\.`));
    const file = join(h.filesDir, `${ref}-evidence.zip`);
    expect(out.at(-1)).toBe(`(only alice) saved ${ref}-evidence.zip to ${file}`);
    return { ref, zip: readFileSync(file), file };
  }

  it("holds the timeline, the documents and a signed manifest, and verifies offline with evidence verify and with openssl", async () => {
    const { ref, zip, file } = await pack();
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(["documents/1-order.pdf", "manifest.json", "manifest.sig", "signing-key.pem", "timeline.json", "timeline.md"]);
    const manifest = JSON.parse(strFromU8(files["manifest.json"]!)) as Manifest;
    const c = await h.db.tx((tx) => tx.case.findFirstOrThrow({ where: { ref } }));
    expect(manifest).toMatchObject({ format: "liaison-evidence-pack/1", ref, chain: { events: 5, head: c.headHash }, exportedBy: "alice" });
    expect(manifest.files.find((f) => f.path === "documents/1-order.pdf")).toEqual({ path: "documents/1-order.pdf", sha256: sha(PDF), size: PDF.length });
    // Who issued which pack is in the audit log, with the pack's hash.
    const audit = await h.db.tx((tx) => tx.auditEntry.findMany({ where: { action: "case.exported" } }));
    expect(audit.map((a) => [a.target, JSON.parse(a.detail!).sha256])).toEqual([[`case:${ref}`, sha(zip)]]);
    // The key in the pack is the deployment's: /ppp audit key shows the same fingerprint.
    expect(await h.text("bob: /ppp audit key")).toContain(manifest.signingKey.fingerprint);

    const fp = manifest.signingKey.fingerprint;
    expect(verifyPack(zip, undefined, fp).ok).toBe(true);
    // The key inside the pack alone proves nothing: without the deployment's key or its fingerprint, no verdict.
    const unkeyed = cli("evidence", "verify", file);
    expect(unkeyed.status).toBe(1);
    expect(unkeyed.out).toContain("which proves nothing by itself: give --key <public.pem> or --fingerprint <sha256> from /ppp audit key");
    const ok = cli("evidence", "verify", file, "--fingerprint", fp);
    expect(ok.status).toBe(0);
    expect(ok.out).toContain(`ok   timeline.json: hash chain of 5 events intact, head ${c.headHash}`);
    expect(ok.out).toContain(`${file}: the pack is intact`);

    // openssl alone, as the README shows it.
    for (const [path, content] of Object.entries(files)) {
      if (path.includes("/")) continue;
      writeFileSync(join(dir, path), content);
    }
    const verified = execFileSync("openssl", ["pkeyutl", "-verify", "-pubin", "-inkey", join(dir, "signing-key.pem"), "-rawin", "-in", join(dir, "manifest.json"), "-sigfile", join(dir, "manifest.sig")], { encoding: "utf8" });
    expect(verified).toContain("Signature Verified Successfully");
    const digest = execFileSync("openssl", ["dgst", "-sha256", "-r", join(dir, "timeline.json")], { encoding: "utf8" }).split(" ")[0];
    expect(manifest.files.find((f) => f.path === "timeline.json")!.sha256).toBe(digest);
  });

  it("names what fails when one byte changes, when the manifest is altered, or against another key", async () => {
    const { zip } = await pack();
    const files = unzipSync(zip);
    const timeline = Buffer.from(files["timeline.json"]!);
    const at = timeline.indexOf("account frozen");
    timeline[at] = "A".charCodeAt(0);
    const tampered = zipSync({ ...files, "timeline.json": new Uint8Array(timeline) });
    const bad = join(dir, "tampered.zip");
    writeFileSync(bad, tampered);
    const fp = (JSON.parse(strFromU8(files["manifest.json"]!)) as Manifest).signingKey.fingerprint;
    const r = cli("evidence", "verify", bad, "--fingerprint", fp);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/FAIL timeline\.json: SHA-256 [0-9a-f]{64} \(\d+ bytes\) does not match the manifest's/);
    expect(r.out).toMatch(/FAIL timeline\.json: event #5 \(note\) was changed: its content hashes to [0-9a-f]{64}/);
    expect(r.out).toContain("ok   documents/1-order.pdf");
    expect(r.out).toContain(`${bad}: the pack does NOT verify`);

    // A manifest rewritten to match the change no longer matches its signature.
    const manifest = JSON.parse(strFromU8(files["manifest.json"]!)) as Manifest;
    manifest.files.find((f) => f.path === "timeline.json")!.sha256 = sha(timeline);
    const forged = verifyPack(zipSync({ ...files, "timeline.json": new Uint8Array(timeline), "manifest.json": strToU8(JSON.stringify(manifest, null, 2) + "\n") }));
    expect(forged.ok).toBe(false);
    expect(forged.lines.find((l) => l.startsWith("FAIL manifest.sig"))).toMatch(/^FAIL manifest\.sig: not a signature of manifest\.json/);

    // A forger who re-signs with a key of their own (and hides a changed event as "withheld")
    // fails against the deployment's fingerprint.
    const doc = JSON.parse(strFromU8(files["timeline.json"]!)) as { events: { withheld?: boolean }[] };
    doc.events[4]!.withheld = true;
    const forgedTimeline = strToU8(JSON.stringify(doc, null, 2) + "\n");
    const forger = ephemeralSigner();
    const forgedManifest = { ...manifest, signingKey: { algorithm: "Ed25519", fingerprint: forger.fingerprint } };
    forgedManifest.files = manifest.files.map((f) => (f.path === "timeline.json" ? { ...f, sha256: sha(forgedTimeline), size: forgedTimeline.length } : f));
    const forgedBytes = strToU8(JSON.stringify(forgedManifest, null, 2) + "\n");
    const resigned = verifyPack(
      zipSync({ ...files, "timeline.json": forgedTimeline, "manifest.json": forgedBytes, "manifest.sig": new Uint8Array(forger.sign(forgedBytes)), "signing-key.pem": strToU8(forger.publicKeyPem) }),
      undefined,
      fp,
    );
    expect(resigned.ok).toBe(false);
    expect(resigned.lines).toContain(`FAIL manifest.sig: signed by a key with fingerprint ${forger.fingerprint}, not the fingerprint given (${fp})`);
    expect(resigned.lines).toContain("FAIL timeline.json: event #5 is marked withheld but carries content");

    // Checked against another deployment's key, the genuine pack fails.
    const other = join(dir, "other.pem");
    writeFileSync(other, ephemeralSigner().publicKeyPem);
    const good = join(dir, "good.zip");
    writeFileSync(good, zip);
    const wrongKey = cli("evidence", "verify", good, "--key", other);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.out).toContain("FAIL manifest.sig: not a signature of manifest.json by the key with fingerprint");
    expect(cli("evidence", "verify").status).toBe(2);
    expect(cli("evidence", "verify", join(dir, "missing.zip")).status).toBe(3);
  });
});
