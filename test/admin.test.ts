import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY } from "./helpers/clock.js";
import { renderBlocks } from "../adapters/console/render.js";
import type { Reply } from "../src/model/message.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

const plainReply = (r: Reply) => renderBlocks(r.blocks).join("\n");

/** Organisations, vetting, rosters and bindings, as people type them (docs/contract.md §1, §5). */
describe.each(PROVIDERS)("administration on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    const out = await h.say(SEED);
    expect(out.filter((l) => l.includes("error:"))).toEqual([]);
  });
  afterAll(() => h?.close());

  /** Runs a line that must be refused: returns the error and proves nothing was written. */
  const refused = (line: string, options: { audited?: boolean } = {}) => h.refused(line, options);


  it("shows a vetted investigator their organisation, role and expiry", async () => {
    const out = await h.text("bob: /liaison whoami");
    expect(out).toContain("You are bob.");
    expect(out).toContain("role: investigator of EXA (exchange, Exchange A)");
    expect(out).toContain("standing: vetted until 2027-11-23");
    expect(out).toContain("accounts: console:bob");
  });

  it("lists organisations to vetted members", async () => {
    const out = await h.text("sam: /ppp org list");
    expect(out).toContain("4 organisations:");
    expect(out).toContain("HKPF-CSTCB — Hong Kong Police CSTCB (agency, HK, Asia/Hong_Kong); domains police.gov.hk");
    expect(out).toContain("EXB — Exchange B (exchange, SC, UTC)");
  });

  it("refuses free-mail registrations, naming the provider", async () => {
    expect(await refused("mal: /liaison register org:EXA role:investigator email:mal@gmail.com")).toBe(
      "email: gmail.com is a free-mail provider; register with your official EXA address (exa.example)",
    );
    expect(await refused("mal: /liaison register org:EXA role:investigator email:mal@proton.me")).toMatch(/proton\.me is a free-mail provider/);
  });

  it("refuses an address outside the organisation's domains", async () => {
    expect(await refused("mal: /liaison register org:EXA role:investigator email:mal@exa.example.evil.com")).toBe(
      "email: mal@exa.example.evil.com is not a EXA address; use an address at exa.example",
    );
  });

  it("refuses a role that does not fit the organisation's kind", async () => {
    expect(await refused("mal: /liaison register org:EXA role:liaison email:mal@exa.example")).toBe(
      "role: EXA is an exchange, so its people register as investigator",
    );
  });

  it("refuses a free-mail domain for an organisation", async () => {
    expect(await refused('root: /ppp org add code:EXC kind:exchange name:"C" jurisdiction:GB domains:exc.example,hotmail.co.uk')).toBe(
      "domains: hotmail.co.uk is a free-mail domain; an organisation's people must use its official domains",
    );
  });

  it("names the bad value of every kind of option", async () => {
    expect(await refused('root: /ppp org add code:EXC kind:bank name:"C" jurisdiction:GB domains:exc.example')).toBe(
      'kind: must be one of agency, exchange (got "bank")',
    );
    expect(await refused('root: /ppp org add code:EXC kind:exchange name:"C" jurisdiction:XX domains:exc.example')).toBe(
      'jurisdiction: "XX" is not an ISO 3166-1 country code (like HK, MT or GB)',
    );
    expect(await refused('root: /ppp org add code:EXC kind:exchange name:"C" jurisdiction:GB domains:exc.example tz:Mars/Olympus')).toBe(
      'tz: "Mars/Olympus" is not an IANA time zone (like Europe/Malta or Asia/Hong_Kong)',
    );
    expect(await refused('root: /ppp org add code:EXC kind:exchange name:"C" jurisdiction:GB domains:not_a_domain')).toBe(
      'domains: "not_a_domain" is not a domain name (like police.gov.hk)',
    );
    expect(await refused('root: /ppp org add code:E kind:exchange name:"C" jurisdiction:GB domains:exc.example')).toMatch(
      /^code: "E" is not an organisation code/,
    );
    expect(await refused("root: /liaison vet @bob expires:forever")).toBe('expires: "forever" is not a duration like 30m, 12h or 365d');
  });

  it("refuses malformed commands with the reason, changing nothing", async () => {
    expect(await refused("root: /ppp org add code:EXC kind:exchange")).toMatch(/^missing name \(full name\), jurisdiction \(ISO 3166-1 country code, e\.g\. HK\) and domains \(official e-mail domains, comma-separated\)\. Usage: \/ppp org add code:<code>/);
    expect(await refused('root: /ppp org add code:EXC name:"unterminated')).toMatch(/^unterminated quote/);
    expect(await refused("root: /ppp org frobnicate")).toBe('unknown subcommand "/ppp org frobnicate". /ppp org takes: add, edit, list (/ppp help says what each does)');
    expect(await refused("root: /ppp org list colour:red")).toMatch(/^unknown option "colour" for \/ppp org list/);
    expect(await refused(`root: /ppp org edit EXA name:"${"x".repeat(121)}"`)).toBe("name: is too long (121 characters, at most 120)");
    expect(await refused("root: /liaison vet @nobody")).toBe("@nobody is not registered with Liaison (they can start with /liaison register)");
    expect(await refused("root: /ppp oncall NOPE @bob")).toBe('unknown organisation "NOPE" (see /ppp org list)');
  });

  it("refuses everything but register, whoami and help to someone unvetted, and audits the attempt", async () => {
    await h.say("pat: /liaison register org:EXB role:investigator email:pat@exb.example");
    expect(await refused("pat: /ppp org list", { audited: true })).toBe(
      "your registration (investigator of EXB) is waiting for a coordinator to vet it; until then you can use /liaison whoami and /ppp help",
    );
    expect(await refused("stranger: /ppp org list", { audited: true })).toMatch(/^you are not registered with Liaison\. Start with: \/liaison register/);
    expect(await h.text("pat: /liaison whoami")).toContain("standing: registration waiting to be vetted");
    expect(await h.text("stranger: /ppp help")).toContain("You are not registered yet: /liaison register asks to be vetted");
  });

  it("keeps coordinator commands to coordinators", async () => {
    expect(await refused("bob: /liaison vet @dave", { audited: true })).toBe("only coordinators can run /liaison vet");
    expect(await refused("alice@hk-exa: /ppp unbind", { audited: true })).toBe("only coordinators can run /ppp unbind");
  });

  it("does not let a coordinator vet or suspend themselves", async () => {
    expect(await refused("root: /liaison vet @root", { audited: true })).toBe("you cannot vet yourself; another coordinator must");
    expect(await refused("root: /liaison suspend @root reason:test", { audited: true })).toBe("you cannot suspend yourself");
  });

  it("suspends at once and reinstates by vetting again", async () => {
    expect(await h.text('root: /liaison suspend @eve reason:"left the company"')).toBe(
      "(only root) @eve is suspended. Their commands are refused from now on.",
    );
    expect(await refused("eve: /ppp org list", { audited: true })).toBe("your access is suspended (left the company); contact a coordinator");
    expect(await refused("eve: /liaison register org:EXB role:investigator email:eve@exb.example", { audited: true })).toBe(
      "your access is suspended; contact a coordinator",
    );
    expect(await h.text("root: /liaison vet @eve")).toContain("@eve is vetted as investigator of EXB");
    expect(await h.text("eve: /ppp org list")).toContain("organisations:");
  });

  it("lets vetting expire, and refuses the expired member with the date", async () => {
    await h.say("gus: /liaison register org:EXB role:investigator email:gus@exb.example\nroot: /liaison vet @gus expires:30d");
    expect(await h.text("gus: /ppp org list")).toContain("organisations:");
    h.clock.advance(31 * DAY);
    try {
      expect(await refused("gus: /ppp org list", { audited: true })).toBe("your vetting expired on 2026-12-23; ask a coordinator to vet you again");
    } finally {
      h.clock.advance(-31 * DAY);
    }
  });

  it("sets and shows the on-call (the always-on default layer) and leads, people of that organisation only", async () => {
    expect(await h.text("alice: /ppp oncall EXA")).toBe("(only alice) EXA on call now (times in Asia/Hong_Kong):\n(only alice)   • default: @bob, @dave");
    expect(await h.text("alice: /ppp leads EXA")).toBe("(only alice) EXA level-2 contacts (team leads): @lee");
    expect(await refused("root: /ppp oncall EXA @eve")).toBe("eve is not an investigator of EXA");
    expect(await refused("root: /ppp oncall HKPF-CSTCB @bob")).toBe("bob is not a liaison of HKPF-CSTCB");
    expect(await refused("dave: /ppp oncall EXA @dave", { audited: true })).toBe("only coordinators and EXA's leads can set its on-call rotation");
    expect(await h.text("lee: /ppp oncall EXA @dave @bob")).toBe(
      "(only lee) EXA's default layer (always on call, all at once) is now: @dave, @bob.\n(only lee) EXA on call now (times in Europe/Malta):\n(only lee)   • default: @dave, @bob",
    );
    // An agency keeps an on-call too (its 24/7 point of contact): its liaisons.
    expect(await h.text("root: /ppp oncall HKPF-CSTCB @alice")).toContain("HKPF-CSTCB's default layer (always on call, all at once) is now: @alice.");
  });

  it("binds a channel publicly and refuses unknown organisations", async () => {
    expect(await h.text("root@exb-room: /ppp bind orgs:SGPF,EXB")).toMatch(
      /^\[#exb-room\] This channel is now a liaison channel for EXB, SGPF\. .*on Mondays at 09:00 \(Asia\/Singapore\)\.$/,
    );
    expect(await refused("root@other: /ppp bind orgs:SGPF,NOPE")).toBe('unknown organisation "NOPE" (see /ppp org list)');
    expect(await h.text("root@exb-room: /ppp unbind")).toBe(
      "[#exb-room] This channel is no longer a liaison channel for EXB, SGPF. Nothing more will be posted here.",
    );
    expect(await refused("root@exb-room: /ppp unbind")).toBe("this channel is not bound to any organisation");
  });

  it("edits an organisation and keeps a record of who did it", async () => {
    expect(await h.text("root: /ppp org edit EXB tz:Indian/Mahe")).toContain("EXB — Exchange B (exchange, SC, Indian/Mahe)");
    const entries = await h.db.client.auditEntry.findMany({ where: { action: "org.edited" } });
    expect(entries.map((e) => [e.account, e.target, e.detail])).toContainEqual(["console:root", "org:EXB", '{"changed":["timeZone"]}']);
  });

  it("links a second platform account to the same member with a one-time code", async () => {
    const out = await h.text("dave: /liaison link");
    const code = /link code:([A-Z0-9-]+)/.exec(out)![1]!;
    const fromSlack = (text: string) =>
      h.core.dispatcher.dispatch({
        platform: "slack",
        account: { platform: "slack", externalId: "U0DAVE", handle: "dave.exa" },
        channel: { platform: "slack", id: "D1", name: "dm", direct: true },
        family: "liaison",
        input: { text, mentions: () => undefined },
      });
    expect(plainReply(await fromSlack(`link code:${code}`))).toBe("This slack account is now linked to dave.");
    expect(await h.text("dave: /liaison whoami")).toContain("accounts: console:dave, slack:U0DAVE");
    expect(plainReply(await fromSlack("whoami"))).toContain("You are dave.");
    // A used code is refused like a wrong one, and the attempt is audited.
    expect(await refused(`mallory: /liaison link code:${code}`, { audited: true })).toBe(
      "that link code is unknown, used or expired; ask for a new one with /liaison link on your registered account",
    );
  });

  it("refuses to link a second account of the same platform", async () => {
    const code = /link code:([A-Z0-9-]+)/.exec(await h.text("bob: /liaison link"))![1]!;
    expect(await refused(`bob2: /liaison link code:${code}`, { audited: true })).toBe("bob already has a console account linked");
  });
});
