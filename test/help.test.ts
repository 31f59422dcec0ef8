import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/** Help where people look for it, and errors that say what to do (docs/contract.md §5, §7). */
describe.each(PROVIDERS)("help and suggestions on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    const out = await h.say(SEED);
    expect(out.filter((l) => l.includes("error:"))).toEqual([]);
  });
  afterAll(() => h?.close());

  it("shows one command's options and examples, however help is asked for", async () => {
    const viaPpp = await h.text("alice: /ppp help case open");
    const viaFamily = await h.text("alice: /case help open");
    const viaCommand = await h.text("alice: /case open help");
    expect(viaFamily).toBe(viaPpp);
    expect(viaCommand).toBe(viaPpp);
    expect(viaPpp).toContain("/case open — open a case for your agency (for vetted members)");
    expect(viaPpp).toContain("Usage: `/case open title:<text> exchange:<code> severity:critical|high|medium|low");
    expect(viaPpp).toContain("• `severity:critical|high|medium|low` — critical (life or funds moving now), high, medium or low.");
    expect(viaPpp).toContain("• `tlp:red|amber|green|clear` — who may see it: red (named people only), amber (default), green, clear (optional).");
    expect(viaPpp).toContain('• `/case open title:"Ransom wallet" exchange:EXA severity:critical type:freeze');
    // Asking for help after a whole command runs nothing: the command's own words are not read.
    const before = await h.counts();
    expect(await h.text("alice: /case ack help")).toContain("/case ack — acknowledge a case");
    expect(await h.counts()).toEqual(before);
  });

  it("lists a family's commands with /case help, and every family's with /ppp help", async () => {
    const family = await h.text("bob: /case help");
    expect(family).toContain("• `/case ack` — acknowledge a case");
    expect(family).toContain("For one command's options and examples: `/case help open` or `/case open help`.");
    expect(family).not.toContain("/ppp bind");
    const all = await h.text("bob: /ppp help");
    expect(all).toContain("• /case — open · confirm · show · list · ack · take · note · handoff ·");
    expect(all).toContain("• /ppp — org add · org edit · org list · oncall · rotation add ·");
    expect(all).toContain("(`/liaison help` says what each does)");
  });

  it("helps people who are not vetted yet, and tells them what they can run", async () => {
    const out = await h.text("newcomer: /liaison help register");
    expect(out).toContain("/liaison register — ask to be vetted as a liaison (agency) or investigator (exchange) (for anyone)");
    expect(out).toContain("• `/liaison register org:HKPF-CSTCB role:liaison email:alice@police.gov.hk`");
    // Where they stand comes first, so a platform that cuts a long message cannot lose it.
    expect(out.split("\n")[0]).toBe(
      "(only newcomer) You are not registered yet: /liaison register asks to be vetted (a coordinator tells you your organisation's code); /liaison link connects an account you already use on another platform; /liaison whoami and help work for you.",
    );
  });

  it("answers a mistyped subcommand with the closest one at its own level", async () => {
    expect(await h.refused("root: /ppp org lis")).toBe('unknown subcommand "/ppp org lis" — did you mean /ppp org list? /ppp org takes: add, edit, list (/ppp help says what each does)');
    expect(await h.refused("root: /ppp orgg list")).toMatch(/^unknown subcommand "\/ppp orgg" — did you mean \/ppp org\? \/ppp takes: org, oncall, rotation, /);
    expect(await h.refused("alice: /case opn title:x")).toMatch(/^unknown subcommand "\/case opn" — did you mean \/case open\?/);
    expect(await h.refused("root: /ppp rotation")).toBe("/ppp rotation needs a subcommand: add, list, remove");
    expect(await h.refused("alice: /case zzzzzz")).toMatch(/^unknown subcommand "\/case zzzzzz"\. \/case takes: open, confirm, show, list,/);
    expect(await h.refused("alice: /ppp help case opn")).toBe('/case has no command "opn" — did you mean /case open? /case help lists them.');
  });

  it("answers a mistyped option name or choice with the closest valid one", async () => {
    expect(await h.refused("alice: /case open titel:x exchange:EXA severity:low type:intel")).toMatch(/^unknown option "titel" for \/case open — did you mean title:\? \(its options: title, exchange,/);
    expect(await h.refused("alice: /case open title:x exchange:EXA severity:hihg type:intel")).toBe(
      'severity: must be one of critical, high, medium, low (got "hihg"; did you mean high?)',
    );
    expect(await h.refused("alice: /case open title:x exchange:EXB2 severity:low type:intel")).toBe('unknown organisation "EXB2" — did you mean EXB? (see /ppp org list)');
  });

  it("reports every missing required option at once", async () => {
    expect(await h.refused("alice: /case open title:x")).toBe(
      "missing exchange (the exchange the request goes to), severity (critical (life or funds moving now), high, medium or low) and type (what is asked: freeze, disclosure, preservation, emergency, mlat, intel or other). Usage: /case open title:<text> exchange:<code> severity:critical|high|medium|low type:freeze|disclosure|preservation|emergency|mlat|intel|other [subjects:<addr,tx>] [summary:<text>] [reference:<text>] [tlp:red|amber|green|clear] [amounts:<12.5 BTC,30000 USDT = 30000 USD>] [deadline:<text>] [agency:<code>]",
    );
  });

  it("gets someone who cannot register yet unstuck, without /ppp org list and without guessing codes", async () => {
    expect(await h.refused("zoe: /liaison register org:HKPF role:liaison email:zoe@police.gov.hk")).toBe(
      'unknown organisation "HKPF" — your address belongs to HKPF-CSTCB: /liaison register org:HKPF-CSTCB role:liaison email:zoe@police.gov.hk',
    );
    // A close code is not offered to someone who may not list organisations.
    for (const code of ["EXAA", "HK", "EX"]) {
      const out = await h.refused(`zoe: /liaison register org:${code} role:investigator email:zoe@other.example`);
      expect(out).toBe(`unknown organisation "${code}" — ask your organisation's Liaison contact or a coordinator for its code, or to add your organisation if it is not in Liaison yet`);
    }
    expect(await h.refused("zoe: /case list", { audited: true })).toContain("a coordinator can tell you the code");
  });

  it("echoes a huge input only cut short", async () => {
    // Whole lines past the parser's limit, and words just under it, each reaching a message that echoes them.
    const word = "x".repeat(11_000);
    for (const line of [`alice: /${"x".repeat(2_000_000)}`, `alice: /case ${word}`, `alice: /ppp org ${word}`, `alice: /case open ${word}:1`, `alice: /case open title:x exchange:EXA severity:${word} type:intel`, `alice: /ppp help case ${word}`, `zoe: /liaison register org:${"X".repeat(20)} role:liaison email:zoe@${"a".repeat(60)}.police.gov.hk`]) {
      const out = (await h.say(line)).join("\n");
      expect(out).toContain("error:");
      expect(out.length).toBeLessThan(800);
    }
  });
});
