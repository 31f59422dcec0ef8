import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadPolicy } from "../src/domain/policy.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * Retention (docs/contract.md §10) with the seconds-scale policy (retention 60s): a closed
 * case's content is erased by a durable timer, the chain still verifies and says what was
 * erased; a hold suspends erasure and a release lets it happen; need-to-know is unchanged.
 */

const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))![1]!;

describe.each(PROVIDERS)("retention on %s", (provider) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open(provider, { policy: loadPolicy("examples/policy-fast.yaml") });
    await h.say(SEED);
  });
  afterEach(() => h?.close());

  async function closedCase(title: string): Promise<string> {
    const ref = refOf(await h.say(`alice@hk-exa: /case open title:"${title}" exchange:EXA severity:high type:freeze subjects:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 summary:"the victim's wallet"`));
    writeFileSync(join(h.filesDir, "order.pdf"), Buffer.from("%PDF-1.4\n%%EOF\n"));
    await h.say(`alice: /case attach ${ref} file:${join(h.filesDir, "order.pdf")}\nbob: /case note ${ref} "holder is Mr X"\nbob: /case resolve ${ref} outcome:"frozen" frozen:"1 BTC"\nalice: /case close ${ref}`);
    return ref;
  }

  it("erases a closed case's content after retention, keeps the chain verifiable and says what was erased", async () => {
    const ref = await closedCase("Secret title");
    await h.advance(61_000);
    const show = await h.text(`alice: /case show ${ref}`);
    expect(show).toContain(`${ref} · [erased]`);
    expect(show).not.toContain("Secret title");
    expect(show).not.toContain("Mr X");
    expect(show).not.toContain("bc1qw508");
    expect(show).toContain("note (content erased)");
    expect(show).toMatch(/Liaison: content erased \(retention\): \d+ events, 1 subjects, 1 amounts/);
    expect(await h.text(`alice: /ppp audit verify ${ref}`)).toMatch(new RegExp(`${ref}: intact — \\d+ events, head .+ The content of \\d+ events was erased by retention at 2026-11-23 09:01 UTC; their hashes and links were checked\\.`));
    expect(await h.refused(`bob: /case file ${ref} 1`)).toBe(`${ref} has no document #1 (/case files ${ref} lists them)`);
    expect(await h.db.tx((tx) => tx.documentBlob.count())).toBe(0);
    // Need-to-know as before: an outsider still hears of no such case.
    expect(await h.refused(`sam: /case show ${ref}`, { audited: true })).toBe(`unknown case reference ${ref}`);
    const audit = await h.db.tx((tx) => tx.auditEntry.findMany({ where: { action: "case.erased" } }));
    expect(audit.map((a) => a.target)).toEqual([`case:${ref}`]);
    // Nothing of the content is left in what the bot sent either, and the case cannot be reopened.
    const payloads = await h.db.tx((tx) => tx.outbox.findMany({ where: { caseId: { not: null } }, select: { payload: true } }));
    expect(payloads.some((p) => p.payload.includes("Secret title") || p.payload.includes("Mr X"))).toBe(false);
    expect(await h.refused(`alice: /case reopen ${ref}`)).toBe(`${ref} was erased by retention; open a new case instead`);
  });

  it("finds an event someone marked erased by hand", async () => {
    const ref = refOf(await h.say(`alice@hk-exa: /case open title:"Live" exchange:EXA severity:high type:freeze`));
    await h.say(`bob: /case note ${ref} "original"`);
    const c = await h.db.tx((tx) => tx.case.findFirstOrThrow({ where: { ref } }));
    await h.db.tx((tx) => tx.caseEvent.updateMany({ where: { caseId: c.id, type: "note" }, data: { data: "{}", erasedAt: new Date() } }));
    expect(await h.text(`alice: /ppp audit verify ${ref}`)).toMatch(/NOT intact — event #\d+ \(note\) is marked erased, but the case's erasure does not account for it/);
  });

  it("does not erase a held case, and erases it once released", async () => {
    const ref = await closedCase("Held");
    expect(await h.refused(`bob: /case hold ${ref} reason:"litigation"`, { audited: true })).toBe(`only HKPF-CSTCB's liaisons and coordinators can hold ${ref}`);
    expect(await h.text(`alice: /case hold ${ref} reason:"pending litigation"`)).toContain(`${ref} is on hold: it will not be erased until released`);
    await h.advance(120_000);
    expect(await h.text(`alice: /case show ${ref}`)).toContain(`${ref} · Held`);
    await h.say(`alice: /case release ${ref}`);
    await h.advance(1_000);
    const show = await h.text(`alice: /case show ${ref}`);
    expect(show).toContain(`${ref} · [erased]`);
    expect(show).toContain("alice: retention hold (content erased)");
    const audit = await h.db.tx((tx) => tx.auditEntry.findMany({ where: { action: { in: ["case.held", "case.released", "case.erased"] } }, orderBy: { id: "asc" } }));
    expect(audit.map((a) => a.action)).toEqual(["case.held", "case.released", "case.erased"]);
  });

  it("does not erase a case reopened before its retention ran out", async () => {
    const ref = await closedCase("Reopened");
    await h.say(`alice: /case reopen ${ref} reason:"new funds"`);
    await h.advance(61_000);
    expect(await h.text(`alice: /case show ${ref}`)).toContain(`${ref} · Reopened`);
  });
});
