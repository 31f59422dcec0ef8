import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBlocks } from "../adapters/console/render.js";
import { MINUTE } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/** Cases end to end through the console (docs/contract.md §2, §6). */

const BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
const EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const EVM_BAD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";

const openLine = (who: string, extra = "", title = "Ransom wallet") =>
  `${who}: /case open title:"${title}" exchange:EXA severity:critical type:freeze subjects:${BTC},${EVM} ${extra}`.trim();
const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))?.[1];
const errorOf = (out: string[]) => out.find((l) => l.includes(" error: "))?.replace(/^\(only [^)]+\) error: /, "");

describe.each(PROVIDERS)("cases on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    const out = await h.say(SEED);
    expect(out.filter((l) => l.includes("error:"))).toEqual([]);
  });
  afterAll(() => h?.close());

  async function open(extra = "", who = "alice@hk-exa", title?: string): Promise<string> {
    const out = await h.say(openLine(who, extra, title));
    const ref = refOf(out);
    if (!ref) throw new Error(`open failed: ${out.join("\n")}`);
    return ref;
  }

  it("runs a whole case: open, ack, note, handoff, accept, resolve, close, show, export", async () => {
    const opened = await h.say(openLine("alice@hk-exa"));
    const ref = refOf(opened)!;
    expect(ref).toMatch(/^HKPF-CSTCB-2026-\d{4}$/);
    expect(opened).toContain(`(only alice) Opened ${ref}. EXA has been paged; the acknowledgement clock is running.`);
    expect(opened).toContain("(only alice) Subjects: BTC address, EVM address.");
    // The card goes to the bound channel, subjects shortened; the on-call are paged there and by DM.
    expect(opened).toContain(`[#hk-exa] ┌ ${ref} · Ransom wallet  [TLP:AMBER]`);
    expect(opened).toContain("[#hk-exa] │ subjects (2): bc1qw508d6…v8f3t4, 0x5aAeb605…1BeAed");
    expect(opened).toContain(`[#hk-exa › ${ref}] Paging on-call investigators. @bob, @dave: ${ref} is not acknowledged yet; acknowledge with /case ack ${ref}.`);
    expect(opened.filter((l) => l.startsWith("[dm @bob] You are paged"))).toHaveLength(1);
    expect(opened.filter((l) => l.startsWith("[dm @dave] You are paged"))).toHaveLength(1);

    const acked = await h.say(`bob@hk-exa: /case ack ${ref}`);
    expect(acked).toContain(`(only bob) Acknowledged ${ref}. Reminders and escalation stop.`);
    expect(acked).toContain(`[#hk-exa › ${ref}] Acknowledged by @bob (0s after the page).`);
    expect(acked).toContain(`[#hk-exa] card ${ref} updated: acknowledged · waiting on exchange (EXA) · assignee nobody yet`);

    expect(await h.say(`bob: /case note ${ref} Account holder identified; need a court order waiting:agency`)).toContain(
      `[#hk-exa › ${ref}] Note from @bob (EXA): Account holder identified; need a court order`,
    );
    expect(await h.say(`bob: /case handoff ${ref} to:@dave note:"end of my shift"`)).toContain(`[#hk-exa › ${ref}] @bob offers the case to @dave: end of my shift`);
    expect(await h.say(`dave: /case accept ${ref}`)).toContain(`[#hk-exa] card ${ref} updated: in progress · waiting on agency (HKPF-CSTCB) · assignee @dave`);
    expect(await h.say(`dave: /case resolve ${ref} outcome:"funds frozen: 12.5 BTC" frozen:"12.5 BTC"`)).toContain(
      `[dm @alice] ${ref} was resolved by dave: funds frozen: 12.5 BTC`,
    );
    expect(await h.say(`alice: /case close ${ref}`)).toContain(`[#hk-exa › ${ref}] Closed by @alice.`);

    const shown = await h.text(`alice: /case show ${ref}`);
    expect(shown).toContain(`│ subjects (2): ${BTC}, ${EVM}`);
    expect(shown).toContain("│ frozen / seized: 12.5 BTC");
    for (const step of ["opened: critical freeze", "paged level 1: bob, dave", "bob: acknowledged", "bob: note: Account holder identified", "bob: offered the case to dave: end of my shift", "dave: accepted the handoff", "dave: resolved (frozen): funds frozen: 12.5 BTC", "alice: closed"]) {
      expect(shown).toContain(step);
    }

    const exported = await h.say(`alice: /case export ${ref}`);
    expect(exported[0]).toBe(`(only alice) Export of ${ref} (TLP:AMBER), 8 events, hash chain intact.`);
    const json = exported.join("\n").split(`--- ${ref}.json ---`)[1]!.split(`--- end of ${ref}.json ---`)[0]!;
    const doc = JSON.parse(json.split("\n").map((l) => l.replace(/^\(only alice\) /, "")).join("\n")) as {
      tlp: string;
      case: { whoseMove: string | null; acknowledgedAt: string | null };
      events: { seq: number; at: string; actor: { id: number } | null; type: string; data: unknown; prevHash: string; hash: string }[];
    };
    expect(doc.tlp).toBe("AMBER");
    // The export says what the card says: a closed case is nobody's move; bob had acknowledged
    // before dave resolved it, so resolving acknowledged nothing more.
    expect(doc.case.whoseMove).toBeNull();
    expect(shown).toContain("│ whose move: nobody (closed)");
    expect(doc.case.acknowledgedAt).not.toBeNull();
    const resolved = doc.events.find((e) => e.type === "resolved")!.data as Record<string, unknown>;
    expect(resolved).toMatchObject({ alsoAcknowledged: false });
    expect(resolved).not.toHaveProperty("acknowledged");
    expect(exported.join("\n")).toContain("- Whose move: nobody (closed)");
    expect(await h.refused(`bob: /case handoff ${ref} to:@dave note:x`)).toBe(`${ref} is closed; reopen it (/case reopen ${ref}) before you hand it off`);
    // A third party can recompute every hash from the export alone.
    let prev = "0".repeat(64);
    const canonical = (v: unknown): string =>
      v === null || typeof v !== "object"
        ? JSON.stringify(v)
        : Array.isArray(v)
          ? `[${v.map(canonical).join(",")}]`
          : `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
    for (const e of doc.events) {
      expect(e.prevHash).toBe(prev);
      const content = { v: 1, ref, seq: e.seq, at: e.at, actor: e.actor?.id ?? null, type: e.type, data: e.data, prev };
      expect(createHash("sha256").update(canonical(content)).digest("hex")).toBe(e.hash);
      prev = e.hash;
    }
    expect(exported.join("\n")).toContain(`| 1 | `);
  });

  it("refuses a bad EIP-55 checksum, naming it, and consumes no reference", async () => {
    const before = await h.counts(["audit_entry"]);
    const out = await h.say(`alice: /case open title:x exchange:EXA severity:high type:freeze subjects:${BTC},${EVM_BAD}`);
    expect(errorOf(out)).toBe(`subjects: ${EVM_BAD} is refused: its EIP-55 checksum does not match (the upper/lower-case letters are wrong): check it for a typo`);
    expect(await h.counts(["audit_entry"])).toEqual(before);
    const last = await h.db.client.refCounter.findFirst({ where: { agency: { code: "HKPF-CSTCB" } } });
    const ref = await open();
    expect(ref).toBe(`HKPF-CSTCB-2026-${String(last!.last + 1).padStart(4, "0")}`);
  });

  it("answers a liaison of another agency exactly as for a reference that does not exist", async () => {
    const ref = await open();
    const missing = "HKPF-CSTCB-2026-9999";
    for (const sub of ["show", "ack", "note", "export", "close"]) {
      const extra = sub === "note" ? " hello" : "";
      const other = await h.text(`sam: /case ${sub} ${ref}${extra}`);
      const none = await h.text(`sam: /case ${sub} ${missing}${extra}`);
      expect(other.replace(ref, "REF")).toBe(none.replace(missing, "REF"));
      expect(other).toBe(`(only sam) error: unknown case reference ${ref}`);
    }
    const denials = await h.db.client.auditEntry.findMany({ where: { action: "access.denied", target: `case:${ref}` } });
    expect(denials).toHaveLength(5);
    expect(await h.text(`sam: /ppp audit verify ${ref}`)).toBe(`(only sam) error: unknown case reference ${ref}`);
    expect(await h.text("sam: /case list all")).not.toContain(ref);
  });

  it("keeps a title with <!everyone> @here as plain text", async () => {
    const out = await h.say(openLine("alice@hk-exa", "", "Ransom <!everyone> @here <@U123>"));
    expect(out).toContain(`[#hk-exa] ┌ ${refOf(out)} · Ransom <!everyone> @here <@U123>  [TLP:AMBER]`);
  });

  it("names the first changed event when the stored timeline was edited", async () => {
    const ref = await open();
    await h.say(`bob: /case ack ${ref}\nbob: /case note ${ref} first note\nbob: /case note ${ref} second note`);
    expect(await h.text(`root: /ppp audit verify ${ref}`)).toMatch(new RegExp(`^\\(only root\\) ${ref}: intact — 5 events, head \`[0-9a-f]{64}\`\\.$`));
    const c = await h.db.client.case.findUniqueOrThrow({ where: { ref } });
    await h.db.client.caseEvent.updateMany({ where: { caseId: c.id, seq: 4 }, data: { data: '{"text":"first note, edited","waiting":null}' } });
    expect(await h.text(`root: /ppp audit verify ${ref}`)).toMatch(
      new RegExp(`^\\(only root\\) ${ref}: NOT intact — event #4 \\(note, .*\\) does not match its hash: it was changed after it was written\\.$`),
    );
    await h.db.client.caseEvent.deleteMany({ where: { caseId: c.id, seq: 5 } });
    await h.db.client.caseEvent.updateMany({ where: { caseId: c.id, seq: 4 }, data: { data: '{"text":"first note","waiting":null}' } });
    expect(await h.text(`root: /ppp audit verify ${ref}`)).toContain("events were removed");
  });

  it("holds an emergency until a second liaison confirms; the opener cannot confirm it", async () => {
    const out = await h.say(openLine("alice@hk-exa", "type:emergency").replace("type:freeze ", ""));
    const ref = refOf(out)!;
    expect(out).toContain(`(only alice) Opened ${ref}. EXA is not paged until a second liaison of HKPF-CSTCB or a coordinator confirms it (/case confirm ${ref}).`);
    expect(out.some((l) => l.startsWith("[#hk-exa]") || l.startsWith("[dm @bob]"))).toBe(false);
    expect(out.some((l) => l.startsWith(`[dm @carol] Emergency case ${ref}`))).toBe(true);
    expect(out.some((l) => l.startsWith(`[dm @root] Emergency case ${ref}`))).toBe(true);
    // The exchange cannot see it yet.
    expect(await h.text(`bob: /case show ${ref}`)).toBe(`(only bob) error: unknown case reference ${ref}`);
    expect(await h.text(`alice: /case confirm ${ref}`)).toBe(
      `(only alice) error: you opened ${ref}; a second liaison of HKPF-CSTCB or a coordinator must confirm it`,
    );
    const confirmed = await h.say(`carol: /case confirm ${ref}`);
    expect(confirmed).toContain(`(only carol) Confirmed ${ref}. EXA is paged now.`);
    expect(confirmed.some((l) => l.startsWith("[dm @bob] You are paged"))).toBe(true);
    expect(confirmed).toContain(`[#hk-exa] ┌ ${ref} · Ransom wallet  [TLP:AMBER]`);
    expect(await h.text(`carol: /case confirm ${ref}`)).toBe(`(only carol) error: ${ref} was already confirmed`);
  });

  it("tells both owners and the coordinators when another agency's open case names the same funds", async () => {
    const first = await open();
    const out = await h.say(`sam: /case open title:"Scam proceeds" exchange:EXA severity:high type:freeze subjects:${EVM.toLowerCase()}`);
    const second = refOf(out)!;
    expect(out).toContain(`[dm @sam] Deconfliction: your case ${second} names funds that HKPF-CSTCB is also working on in ${first}. Coordinate with them before acting.`);
    expect(out).toContain(`[dm @alice] Deconfliction: your case ${first} names funds that SGPF is also working on in ${second}. Coordinate with them before acting.`);
    expect(out).toContain(`[dm @root] Deconfliction: ${second} (SGPF) and ${first} (HKPF-CSTCB) name the same funds. Both owners have been told.`);
    // Reference and agency only: nothing of the other case's content.
    expect(out.filter((l) => l.includes("Deconfliction")).join("\n")).not.toMatch(/Ransom|Scam|0x5a/i);
    // An agency matter: the exchange is not told, and it is on no timeline the exchange reads.
    expect(out.filter((l) => /^\[dm @(bob|dave|lee)\]/.test(l) && /econfliction/.test(l))).toEqual([]);
    expect(await h.text(`bob: /case show ${first}`)).not.toMatch(/econfliction|SGPF/);
    expect(await h.text(`bob: /case export ${first}`)).not.toMatch(/econfliction|SGPF/);
    expect(await h.text(`alice: /case show ${first}`)).toContain(`(only alice) Deconfliction: ${second} (SGPF) names the same funds.`);
    expect(await h.text(`root: /case show ${second}`)).toMatch(new RegExp(`\\(only root\\) Deconfliction: .*${first} \\(HKPF-CSTCB\\) names? the same funds\\.`));
  });

  it("sends TLP:RED only to named people, never to a channel", async () => {
    const out = await h.say(openLine("alice@hk-exa", "tlp:red"));
    const ref = refOf(out)!;
    expect(out.some((l) => l.startsWith("[#hk-exa]"))).toBe(false);
    expect(out).toContain(`[dm @bob] ┌ ${ref} · Ransom wallet  [TLP:RED]`);
    expect(out).toContain(`[dm @alice] ┌ ${ref} · Ransom wallet  [TLP:RED]`);
    await h.say("ivy: /liaison register org:EXA role:investigator email:ivy@exa.example\nroot: /liaison vet @ivy");
    expect(await h.text(`ivy: /case show ${ref}`)).toBe(`(only ivy) error: unknown case reference ${ref}`);
    const note = await h.say(`bob: /case note ${ref} confidential detail`);
    expect(note).toContain(`[dm @alice] ${ref}: Note from @bob (EXA): confidential detail`);
    expect(note.some((l) => l.startsWith("[#"))).toBe(false);
  });

  it("posts TLP:AMBER only where exactly the two organisations are bound, GREEN wherever both are", async () => {
    await h.say("root@crowd: /ppp bind orgs:HKPF-CSTCB,EXA,SGPF");
    const amber = await h.say(openLine("alice@hk-exa"));
    expect(amber.some((l) => l.startsWith("[#crowd]"))).toBe(false);
    const green = await h.say(openLine("alice@hk-exa", "tlp:green"));
    expect(green.some((l) => l.startsWith("[#crowd] ┌"))).toBe(true);
    expect(green.some((l) => l.startsWith("[#hk-exa] ┌"))).toBe(true);
    await h.say("root@crowd: /ppp unbind");
  });

  it("refuses what the state does not allow, privately and without writing", async () => {
    const ref = await open();
    await h.say(`bob: /case ack ${ref}`);
    const before = await h.counts(["audit_entry"]);
    expect(await h.text(`dave: /case ack ${ref}`)).toMatch(new RegExp(`^\\(only dave\\) error: ${ref} was already acknowledged by bob at `));
    expect(await h.text(`bob: /case accept ${ref}`)).toBe(`(only bob) error: no handoff of ${ref} is offered to you`);
    expect(await h.text(`bob: /case close ${ref}`)).toBe(`(only bob) error: only the agency's liaisons or coordinators can close ${ref}`);
    expect(await h.text(`alice: /case ack ${ref}`)).toBe(`(only alice) error: only the exchange's investigators or coordinators can acknowledge ${ref}`);
    expect(await h.text(`bob: /case handoff ${ref} to:@bob note:x`)).toBe("(only bob) error: to: you cannot hand a case to yourself");
    expect(await h.text(`bob: /case handoff ${ref} to:@sam note:x`)).toMatch(/^\(only bob\) error: to: sam is not an investigator of EXA/);
    expect(await h.counts(["audit_entry"])).toEqual(before);
    await h.say(`alice: /case close ${ref} reason:"withdrawn by the requester"`);
    expect(await h.text(`bob: /case note ${ref} too late`)).toBe(`(only bob) error: ${ref} is closed; reopen it (/case reopen ${ref}) before you add a note to it`);
    expect(await h.text(`alice: /case close ${ref}`)).toBe(`(only alice) error: ${ref} is already closed`);
    expect(await h.say(`alice: /case reopen ${ref} reason:"new wallet found"`)).toContain(`(only alice) Reopened ${ref}; EXA is asked to acknowledge it again.`);
  });

  it("pauses the exchange's clock while the case waits on the agency", async () => {
    const ref = await open();
    await h.say(`bob: /case ack ${ref}\nbob: /case note ${ref} please send the court order waiting:agency`);
    h.clock.advance(90 * MINUTE);
    const out = await h.say(`alice: /case note ${ref} court order attached`);
    expect(out).toContain(`[#hk-exa › ${ref}] Now waiting on the exchange (EXA).`);
    const c = await h.db.client.case.findUniqueOrThrow({ where: { ref } });
    expect(c.agencyWaitSeconds).toBe(90 * 60);
    expect(c.whoseMove).toBe("exchange");
  });

  it("lists only the cases the caller may see", async () => {
    const ref = await open();
    expect(await h.text("alice: /case list")).toContain(ref);
    expect(await h.text("bob: /case list open")).toContain(ref);
    expect(await h.text("eve: /case list all")).not.toContain(ref);
    expect(await h.text("pat2: /case list")).toBe(
      "(only pat2) error: you are not registered with Liaison. Start with: /liaison register org:<your organisation's code> role:<liaison|investigator> email:<official address> (a coordinator can tell you the code; /liaison help register explains)",
    );
  });

  it("moves a case to another exchange once that exchange accepts and the agency consents", async () => {
    const ref = await open();
    await h.say(`bob: /case ack ${ref}`);
    const offered = await h.say(`bob: /case handoff ${ref} to:EXB note:"the funds moved to EXB"`);
    expect(offered).toContain(`[#hk-exa › ${ref}] @bob offers the case to EXB: the funds moved to EXB`);
    const accepted = await h.say(`eve: /case accept ${ref}`);
    expect(accepted).toContain(`(only eve) Accepted. ${ref} moves to your exchange once HKPF-CSTCB consents; until then it stays with EXA.`);
    expect(accepted.some((l) => l.startsWith("[dm @alice]") && l.includes(`It moves there once HKPF-CSTCB consents: /case accept ${ref}`))).toBe(true);
    // Until the agency consents the case stays where it is.
    expect(await h.text(`eve: /case show ${ref}`)).toBe(`(only eve) error: unknown case reference ${ref}`);
    expect(await h.text(`bob: /case show ${ref}`)).toContain("parties: HKPF-CSTCB → EXA");
    expect(await h.text(`carol: /case accept ${ref}`)).toBe(`(only carol) error: no handoff of ${ref} is offered to you`);
    const consented = await h.say(`alice: /case accept ${ref}`);
    expect(consented).toContain(`(only alice) Consent recorded: ${ref} moved to EXB (assignee @eve).`);
    expect(consented).toContain(`[#hk-exa › ${ref}] ${ref} was handed to EXB; it is no longer followed here.`);
    expect(await h.text(`eve: /case show ${ref}`)).toContain("parties: HKPF-CSTCB → EXB");
    expect(await h.text(`eve: /case show ${ref}`)).toContain("assignee: @eve");
    expect(await h.text(`bob: /case show ${ref}`)).toBe(`(only bob) error: unknown case reference ${ref}`);
    // The old exchange hears nothing more of it.
    const note = await h.say(`alice: /case note ${ref} the court order is attached`);
    expect(note.filter((l) => l.includes("@bob") || l.startsWith("[#hk-exa"))).toEqual([]);
  });
});

describe("references under concurrency on postgresql", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open("postgresql");
    await h.say(SEED);
  });
  afterAll(() => h?.close());

  it("gives two cases opened at the same instant different numbers", async () => {
    const lines = Array.from({ length: 8 }, (_, i) =>
      h.core.dispatcher.dispatch({
        platform: "console",
        account: { platform: "console", externalId: "alice", handle: "alice" },
        channel: { platform: "console", id: "hk-exa", name: "hk-exa", direct: false },
        family: "case",
        input: { text: `open title:"parallel ${i}" exchange:EXA severity:low type:intel`, mentions: () => undefined },
      }),
    );
    const replies = await Promise.all(lines);
    const refs = replies.map((r) => renderBlocks(r.blocks).join("\n")).map((s) => /Opened (HKPF-CSTCB-2026-\d{4})/.exec(s)?.[1]);
    expect(refs.every(Boolean)).toBe(true);
    expect(new Set(refs).size).toBe(8);
    expect(refs.map((r) => Number(r!.slice(-4))).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
