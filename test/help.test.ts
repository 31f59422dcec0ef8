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
    expect(viaPpp).toContain("• `severity:critical|high|medium|low` — critical (life or funds moving now), high, medium or low. One of: critical, high, medium, low.");
    expect(viaPpp).toContain("• `tlp:red|amber|green|clear` — who may see it: red (named people only), amber (default), green, clear (optional).");
    expect(viaPpp).toContain('• `/case open title:"Ransom wallet" exchange:EXA severity:critical type:freeze');
    // Nothing was opened by asking.
    expect(await h.text("alice: /case list all")).not.toContain("HKPF-CSTCB-");
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
    expect(out).toContain("You are not vetted yet, so only `/liaison register`, `/liaison whoami` and help work for you.");
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

  it("gets someone who cannot register yet unstuck, without /ppp org list", async () => {
    expect(await h.refused("zoe: /liaison register org:HKPF role:liaison email:zoe@police.gov.hk")).toBe(
      'unknown organisation "HKPF" — your address "zoe@police.gov.hk" belongs to HKPF-CSTCB: /liaison register org:HKPF-CSTCB role:liaison email:zoe@police.gov.hk',
    );
    expect(await h.refused("zoe: /liaison register org:EXAA role:investigator email:zoe@other.example")).toBe(
      'unknown organisation "EXAA" — did you mean EXA? Otherwise ask a coordinator (@root) for your organisation\'s code, or to add your organisation if it is not in Liaison yet',
    );
    const stranger = await h.refused("zoe: /liaison register org:NOPE-NOPE role:investigator email:zoe@other.example");
    expect(stranger).toBe('unknown organisation "NOPE-NOPE" — ask a coordinator (@root) for your organisation\'s code, or to add your organisation if it is not in Liaison yet');
    expect(stranger).not.toContain("/ppp org list");
    expect(await h.refused("zoe: /case list", { audited: true })).toContain("a coordinator can tell you the code");
  });

  it("echoes a huge input only cut short", async () => {
    const huge = "x".repeat(2_000_000);
    for (const line of [`alice: /${huge}`, `alice: /case ${huge}`, `alice: /case open title:${huge}`, `alice: /ppp help ${huge}`]) {
      const out = (await h.say(line)).join("\n");
      expect(out).toContain("error:");
      expect(out.length).toBeLessThan(800);
    }
  });
});
