import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPolicy } from "../src/domain/policy.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * Requests as the law shapes them, in the console with the seconds-scale policy of
 * examples/policy-fast.yaml (preservation 60s, at most 120s, reminded 20s before; freezes
 * held 60s): preservation and freeze clocks, legal basis, results, documents (docs/contract.md §9).
 */

const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))![1]!;
const dms = (out: string[], who: string) => out.filter((l) => l.startsWith(`[dm @${who}]`));
const open = (title: string, type: string) => `alice@hk-exa: /case open title:"${title}" exchange:EXA severity:high type:${type}`;
const PDF = Buffer.from("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");

describe.each(PROVIDERS)("requests on %s", (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open(provider, { policy: loadPolicy("examples/policy-fast.yaml") });
    await h.say(SEED);
  });
  afterEach(() => h?.close());
  const refused = (line: string, options: { audited?: boolean } = {}) => h.refused(line, options);

  it("reminds a preservation before it ends, extends it up to its maximum, then records its lapse and tells both sides", async () => {
    const ref = refOf(await h.say(open("Keep the records", "preservation")));
    const warned = await h.advance(41_000);
    expect(dms(warned, "alice")).toEqual([`[dm @alice] The preservation of ${ref} ends in 20s (2026-11-23 09:01 UTC). To keep it, extend it: /case extend ${ref} basis:"…"`]);
    expect(await h.text(`alice: /case extend ${ref} basis:"extension under 18 USC 2703(f)"`)).toContain(`(only alice) The preservation of ${ref} now runs until 2026-11-23 09:02 UTC.`);
    expect(await refused(`bob: /case extend ${ref} by:10s basis:"more"`)).toBe("by: a preservation is held at most 2m from the page, until 2026-11-23 09:02 UTC; it cannot be extended further");
    // The first end passes without a lapse (it was extended); the second is the lapse.
    const later = await h.advance(80_000);
    expect(later.filter((l) => l.includes("lapsed"))).toEqual([
      `[#hk-exa › ${ref}] The preservation of ${ref} lapsed at 2026-11-23 09:02 UTC; it was not extended.`,
      `[dm @alice] The preservation of ${ref} lapsed at 2026-11-23 09:02 UTC; it was not extended.`,
    ]);
    const timeline = await h.text(`alice: /case show ${ref}`);
    expect(timeline).toContain("alice: extended the preservation to 2026-11-23 09:02 UTC: extension under 18 USC 2703(f)");
    expect(timeline).toContain("Liaison: preservation lapsed (not extended)");
    expect(timeline).toContain("preserved until: 2026-11-23 09:02 UTC (lapsed)");
  });

  it("holds a freeze from the resolution, reminds both sides, and extends it on either side's word", async () => {
    const ref = refOf(await h.say(open("Freeze", "freeze")));
    // The agency closes the case: the freeze hold runs on (it is the law's clock, not the case's).
    await h.say(`bob: /case resolve ${ref} outcome:"frozen on our side" frozen:"1 BTC"\nalice: /case close ${ref}`);
    const warned = await h.advance(41_000);
    expect(dms(warned, "bob")).toEqual([`[dm @bob] The freeze hold of ${ref} ends in 20s (2026-11-23 09:01 UTC). To keep it, extend it: /case extend ${ref} by:30d basis:"…"`]);
    expect(await refused(`alice: /case extend ${ref} basis:"court order coming"`)).toBe("missing by (how much longer the freeze is held, e.g. by:30d)");
    expect(await h.text(`alice: /case extend ${ref} by:30d basis:"court order coming"`)).toContain(`The freeze hold of ${ref} now runs until 2026-12-23 09:01 UTC.`);
    expect((await h.advance(60_000)).filter((l) => l.includes("ended"))).toEqual([]);
  });

  it("refuses to resolve a disclosure as disclosed before a legal process is recorded, and a decline without its reason", async () => {
    const ref = refOf(await h.say(open("Disclose", "disclosure")));
    expect(await refused(`bob: /case resolve ${ref} result:disclosed outcome:"sent the KYC"`)).toBe(
      `result: a disclosure case is disclosed only under a legal process; record the order first with /case process ${ref} kind:court-order number:… authority:…`,
    );
    expect(await refused(`bob: /case resolve ${ref} result:declined outcome:"declined"`)).toBe('outcome: a declined request needs the reason, e.g. outcome:"no account matches the address"');
    expect(await refused(`alice: /case process ${ref} kind:warrant number:1 authority:X`)).toMatch(/^kind: must be one of court-order, police-order, mlat, subpoena, other/);
    expect(await refused(`alice: /case process ${ref} kind:court-order number:1 authority:X date:2026-02-30`)).toBe('date: "2026-02-30" is not a date like 2026-11-20');
    expect(await h.text(`alice: /case process ${ref} kind:court-order number:"HCMP 123/2026" authority:"High Court" date:2026-11-20`)).toContain(
      `Recorded the legal basis of ${ref}: court-order HCMP 123/2026, High Court.`,
    );
    expect(await h.text(`bob: /case resolve ${ref} result:disclosed outcome:"sent the KYC records"`)).toContain(`Resolved ${ref}.`);
    const card = await h.text(`alice: /case show ${ref}`);
    expect(card).toContain("legal basis: court-order HCMP 123/2026, High Court, 2026-11-20");
    expect(card).toContain("outcome: disclosed: sent the KYC records");
  });

  it("counts results in the digest and filters /case list by result", async () => {
    const a = refOf(await h.say(open("One", "freeze")));
    const b = refOf(await h.say(open("Two", "intel")));
    await h.say(`bob: /case resolve ${a} outcome:"frozen" frozen:"2 ETH"\nbob: /case resolve ${b} result:declined outcome:"no account matches the address"`);
    await h.advance(60_000);
    const digest = await h.text("root@hk-exa: /ppp digest now");
    expect(digest).toContain("Results of the week's resolutions: declined 1, frozen 1.");
    expect(await h.text("alice: /case list result:declined")).toContain(`(only alice) 1 case (all, result declined), highest impact first:\n(only alice)   • ${b} · high intel · resolved`);
    expect(await h.text("alice: /case list result:seized")).toBe("(only alice) No cases resolved as seized you can see.");
  });

  it("keeps a document by its SHA-256, lists and hands it only to people who may see the case", async () => {
    const ref = refOf(await h.say(open("Order", "disclosure")));
    const path = join(h.filesDir, "order.pdf");
    writeFileSync(path, PDF);
    const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
    expect(await h.text(`alice: /case attach ${ref} file:${path} note:"the court order"`)).toBe(
      `(only alice) Attached to ${ref} as document #1: order.pdf (application/pdf, 48 bytes), SHA-256 ${sha}.\n[#hk-exa › ${ref}] @alice attached order.pdf (application/pdf, SHA-256 ${sha.slice(0, 16)}…). /case files ${ref} lists the documents.`,
    );
    expect(await h.text(`alice: /case show ${ref}`)).toContain(`alice: attached document order.pdf (application/pdf, 48 bytes), SHA-256 ${sha}`);
    expect(await h.text(`bob: /case files ${ref}`)).toContain(`#1 order.pdf — application/pdf, 48 bytes, 2026-11-23 09:00 UTC — the court order; SHA-256 ${sha}`);
    // An outsider hears exactly what a missing case answers (and the attempt is audited).
    expect(await refused(`sam: /case files ${ref}`, { audited: true })).toBe(`unknown case reference ${ref}`);
    expect(await refused(`sam: /case file ${ref} 1`, { audited: true })).toBe(`unknown case reference ${ref}`);
    expect(await refused(`eve: /case file ${ref} 1`, { audited: true })).toBe(`unknown case reference ${ref}`);
    const got = await h.say(`bob: /case file ${ref} 1`);
    expect(got.at(-1)).toBe(`(only bob) saved order.pdf to ${join(h.filesDir, "order.pdf")}`);
    expect(createHash("sha256").update(readFileSync(join(h.filesDir, "order.pdf"))).digest("hex")).toBe(sha);
    expect(await refused(`bob: /case file ${ref} 2`)).toBe(`${ref} has no document #2 (/case files ${ref} lists them)`);
  });

  it("refuses what is not a document, too large, missing or unreadable, changing nothing", async () => {
    const ref = refOf(await h.say(open("Bad files", "intel")));
    const elf = join(h.filesDir, "tool.pdf");
    writeFileSync(elf, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]));
    expect(await refused(`alice: /case attach ${ref} file:${elf}`)).toBe("file: tool.pdf is application/x-elf; Liaison keeps PDF, images, office documents, e-mail, text, CSV or ZIP, never programs or scripts");
    const page = join(h.filesDir, "invoice.html");
    writeFileSync(page, "<!doctype html><script>alert(1)</script>");
    expect(await refused(`alice: /case attach ${ref} file:${page}`)).toBe("file: invoice.html is a script or a web page; Liaison keeps documents, never programs or scripts");
    const empty = join(h.filesDir, "empty.txt");
    writeFileSync(empty, "");
    expect(await refused(`alice: /case attach ${ref} file:${empty}`)).toBe("file: empty.txt is empty");
    const big = join(h.filesDir, "big.txt");
    writeFileSync(big, Buffer.alloc(25 * 1024 * 1024 + 1, 0x61));
    expect(await refused(`alice: /case attach ${ref} file:${big}`)).toBe("file: big.txt is 25.0 MB; a document may be at most 25.0 MB");
    expect(await refused(`alice: /case attach ${ref} file:${join(h.filesDir, "nope.pdf")}`)).toBe(`file: cannot read ${join(h.filesDir, "nope.pdf")}: no such file`);
    expect(await refused(`alice: /case attach ${ref}`)).toBe(
      "missing file: attach the file to the command (on Slack in its form, on Discord as the attachment option, in the console as file:<path>)",
    );
  });
});
