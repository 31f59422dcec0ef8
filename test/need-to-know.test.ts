import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBootstrapCoordinators } from "../src/domain/members.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * The rest of need-to-know, as a user tries it in the console: one visibility rule for every
 * read, vetting that grants exactly what was checked, refusals that crash nothing and say
 * what was wrong, and hidden cases answered exactly like missing ones.
 */

const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))?.[1];
const errorOf = (out: string[]) => out.find((l) => l.includes(" error: "))?.replace(/^\(only [^)]+\) error: /, "");

describe.each(PROVIDERS)("need-to-know on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    const out = await h.say(SEED);
    expect(out.filter((l) => l.includes("error:"))).toEqual([]);
  });
  afterAll(() => h?.close());

  /** A refused line: its error, and proof that nothing but (maybe) an audit entry was written. */
  async function refused(line: string): Promise<string> {
    await h.settle();
    const before = await h.counts(["audit_entry"]);
    const out = await h.say(line);
    expect(await h.counts(["audit_entry"])).toEqual(before);
    expect(out).toHaveLength(1);
    return errorOf(out)!;
  }

  it("keeps an unconfirmed emergency out of the exchange's digest, not even as a count", async () => {
    const opened = await h.say('alice@hk-exa: /case open title:"Kidnap ransom" exchange:EXA severity:critical type:emergency');
    const ref = refOf(opened)!;
    const digest = await h.say("bob@hk-exa: /ppp digest now");
    const posted = digest.filter((l) => l.startsWith("[#hk-exa]")).join("\n");
    expect(posted).toContain("Weekly digest for EXA · HKPF-CSTCB");
    expect(posted).not.toContain(ref);
    expect(posted).toMatch(/Opened: 0 \(0 critical/);
    expect(await h.text(`bob: /case show ${ref}`)).toBe(`(only bob) error: unknown case reference ${ref}`);
    expect(await h.text("bob: /case list all")).not.toContain(ref);
    // Once confirmed it exists for the exchange, everywhere at once.
    await h.say(`carol: /case confirm ${ref}`);
    expect((await h.say("bob@hk-exa: /ppp digest now")).join("\n")).toContain(ref);
    expect(await h.text("bob: /case list all")).toContain(ref);
  });

  it("refuses an out-of-range deadline with the reason, changing nothing", async () => {
    const open = (deadline: string) => `alice: /case open title:"Far" exchange:EXA severity:low type:intel deadline:${deadline}`;
    expect(await refused(open("999999999d"))).toBe('deadline: "999999999d" is too far ahead: a deadline is at most ten years away');
    expect(await refused(open("9999-12-31"))).toBe('deadline: "9999-12-31" is too far ahead: a deadline is at most ten years away');
    expect(await refused(open("2026-02-30"))).toBe('deadline: "2026-02-30" is not a real date');
    expect(await refused("root: /liaison vet @bob expires:999999999d")).toBe('expires: "999999999d" is longer than allowed (at most 3650d)');
  });

  it("vets exactly the request the coordinators were shown", async () => {
    const first = await h.say("max: /liaison register org:EXA role:investigator email:max@exa.example");
    const notice = first.find((l) => l.startsWith("[dm @root]") && l.includes("request #"))!;
    const request = /request #(\d+)/.exec(notice)![1]!;
    expect(first).toContain(`[dm @root] Check it, then run /liaison vet @max request:${request}`);
    // max registers again, for another organisation, after the coordinators were told.
    const second = await h.say("max: /liaison register org:EXB role:investigator email:max@exb.example");
    const again = /request #(\d+)/.exec(second.find((l) => l.startsWith("[dm @root]"))!)![1]!;
    expect(again).not.toBe(request);
    expect(await refused(`root: /liaison vet @max request:${request}`)).toBe(
      `request: #${request} is not max's current request; they registered again (request #${again}: investigator of EXB as max@exb.example); check it, then /liaison vet @max request:${again}`,
    );
    expect(await refused("root: /liaison vet @max")).toBe(
      `max changed their registration since the coordinators were told; it is now request #${again}: investigator of EXB as max@exb.example; check it, then /liaison vet @max request:${again}`,
    );
    expect(await h.text(`root: /liaison vet @max request:${again}`)).toBe(
      `(only root) @max is vetted as investigator of EXB (request #${again}, max@exb.example) until 2027-11-23.`,
    );
    expect(await h.text("max: /liaison whoami")).toContain("role: investigator of EXB");
  });

  it("lets one official address belong to one member only", async () => {
    expect(await refused("impostor: /liaison register org:EXA role:investigator email:bob@exa.example")).toBe(
      "email: bob@exa.example already belongs to another member of Liaison; if it is yours, link this account to it with /liaison link",
    );
  });

  it("makes a bootstrap coordinator once: a suspension survives the next start", async () => {
    await h.say("root2: /liaison whoami");
    await h.db.tx((tx) => ensureBootstrapCoordinators(tx, [{ platform: "console", externalId: "root2" }], h.clock.now()));
    expect(await h.text("root2: /liaison whoami")).toContain("role: coordinator");
    expect(await h.text('root: /liaison suspend @root2 reason:"lost laptop"')).toContain("@root2 is suspended");
    // The next start reads LIAISON_BOOTSTRAP_ADMINS again.
    await h.db.tx((tx) => ensureBootstrapCoordinators(tx, [{ platform: "console", externalId: "root2" }], h.clock.now()));
    expect(await h.text("root2: /ppp org list")).toBe("(only root2) error: your access is suspended (lost laptop); contact a coordinator");
    expect(await h.text("root: /liaison vet @root2")).toContain("@root2 is vetted as coordinator");
  });

  it("refuses a title of only invisible characters", async () => {
    expect(await refused('alice: /case open title:"\u200b\u2060\ufeff" exchange:EXA severity:low type:intel')).toBe(
      "title: must not be empty: it has only invisible characters",
    );
  });

  it("limits link codes tried from one account, and audits every attempt", async () => {
    const attempts = async () => h.db.client.auditEntry.count({ where: { action: "access.denied", target: "link-code", account: "console:guesser" } });
    for (let i = 0; i < 5; i++) {
      expect(await h.text(`guesser: /liaison link code:AAAA-BBB${i}`)).toMatch(/that link code is unknown, used or expired/);
    }
    expect(await attempts()).toBe(5);
    const code = /link code:([A-Z0-9-]+)/.exec(await h.text("dave: /liaison link"))![1]!;
    // Even the right code is refused now: the account has to wait.
    expect(await h.text(`guesser: /liaison link code:${code}`)).toBe(
      "(only guesser) error: too many link codes were tried from this account; wait 15 minutes, then try again",
    );
    expect(await attempts()).toBe(6);
    h.clock.advance(16 * 60_000);
    try {
      const fresh = /link code:([A-Z0-9-]+)/.exec(await h.text("dave: /liaison link"))![1]!;
      // The wait is over: the code is judged again (a console account cannot join another console account).
      expect(await h.text(`guesser: /liaison link code:${fresh}`)).toBe("(only guesser) error: dave already has a console account linked");
    } finally {
      h.clock.advance(-16 * 60_000);
    }
  });

  it("answers a hidden case by the same path as a missing one: one audit entry each, which alone knows the difference", async () => {
    const ref = refOf(await h.say('alice: /case open title:"Hidden" exchange:EXA severity:low type:intel'))!;
    const missing = "HKPF-CSTCB-2026-9999";
    const hidden = await h.text(`sam: /case show ${ref}`);
    const absent = await h.text(`sam: /case show ${missing}`);
    expect(hidden.replace(ref, "REF")).toBe(absent.replace(missing, "REF"));
    const entries = await h.db.client.auditEntry.findMany({ where: { action: "access.denied", target: { in: [`case:${ref}`, `case:${missing}`] } }, orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.target, JSON.parse(e.detail!).exists])).toEqual([
      [`case:${ref}`, true],
      [`case:${missing}`, false],
    ]);
  });

  it("asks only coordinators to confirm a TLP:RED emergency: other liaisons may not see it", async () => {
    const out = await h.say('alice@hk-exa: /case open title:"Red emergency" exchange:EXA severity:critical type:emergency tlp:red');
    const ref = refOf(out)!;
    expect(out.some((l) => l.startsWith("[dm @root]") && l.includes(ref))).toBe(true);
    expect(out.some((l) => l.startsWith("[dm @carol]"))).toBe(false);
    expect(await h.text(`carol: /case confirm ${ref}`)).toBe(`(only carol) error: unknown case reference ${ref}`);
    expect(await h.text(`root: /case confirm ${ref}`)).toContain(`Confirmed ${ref}`);
  });

  it("hands off no emergency before it is confirmed", async () => {
    const ref = refOf(await h.say('alice: /case open title:"Kidnap P1" exchange:EXA severity:critical type:emergency'))!;
    expect(await refused(`root: /case handoff ${ref} to:EXB note:"please"`)).toBe(
      `${ref} is an emergency awaiting confirmation; it cannot be handed off until it is confirmed (/case confirm ${ref})`,
    );
  });

  it("offers a TLP:RED case to another organisation only by name: its on-call, nobody else of it", async () => {
    await h.say("fay: /liaison register org:EXB role:investigator email:fay@exb.example\nroot: /liaison vet @fay\nroot: /ppp oncall EXB @eve");
    const ref = refOf(await h.say('alice: /case open title:"Red move" exchange:EXA severity:high type:freeze tlp:red'))!;
    const offered = await h.say(`bob: /case handoff ${ref} to:EXB note:"their customer"`);
    expect(offered.some((l) => l.startsWith("[dm @eve]") && l.includes(`offers you ${ref}`))).toBe(true);
    expect(offered.some((l) => l.startsWith("[dm @fay]"))).toBe(false);
    expect(await h.text(`fay: /case accept ${ref}`)).toBe(`(only fay) error: unknown case reference ${ref}`);
    expect(await h.text(`eve: /case accept ${ref}`)).toContain("moves to your exchange once HKPF-CSTCB consents");
    // While the agency is asked, the ball is with the agency.
    expect(await h.text(`bob: /case show ${ref}`)).toContain("whose move: waiting on agency (HKPF-CSTCB)");
    expect((await h.say(`alice: /case accept ${ref}`))[0]).toBe(`(only alice) Consent recorded: ${ref} moved to EXB (assignee @eve).`);
    expect(await h.text(`eve: /case show ${ref}`)).toContain("whose move: waiting on exchange (EXB)");
  });

  it("lets an acceptance lapse when the one who accepted was suspended before the agency consented", async () => {
    await h.say("gil: /liaison register org:EXB role:investigator email:gil@exb.example\nroot: /liaison vet @gil");
    const ref = refOf(await h.say('alice: /case open title:"Lapse" exchange:EXA severity:high type:freeze'))!;
    await h.say(`bob: /case handoff ${ref} to:EXB note:"theirs"\ngil: /case accept ${ref}\nroot: /liaison suspend @gil reason:"left"`);
    expect((await h.say(`alice: /case accept ${ref}`))[0]).toBe(`(only alice) Consent recorded. ${ref} moves to EXB once it accepts.`);
    expect(await h.text(`alice: /case show ${ref}`)).toContain("parties: HKPF-CSTCB → EXA");
    await h.say("root: /liaison vet @gil");
  });

  it("reminds the agency, not the exchange's leads, when a move waits only for its consent", async () => {
    const ref = refOf(await h.say('alice: /case open title:"Consent wait" exchange:EXA severity:critical type:freeze'))!;
    await h.say(`bob: /case ack ${ref}\nbob: /case handoff ${ref} to:EXB note:"theirs"\neve: /case accept ${ref}`);
    const later = await h.advance(20 * 60_000);
    expect(later.filter((l) => l.includes("Escalated") && l.includes(ref))).toEqual([]);
    expect(later).toContain(`[dm @alice] ${ref} is still waiting for HKPF-CSTCB's consent to move it to EXB: /case accept ${ref}`);
  });

  it("asks a coordinator to consent when no liaison of the agency is on the case", async () => {
    const ref = refOf(await h.say('root: /case open title:"By root" exchange:EXA severity:low type:intel agency:HKPF-CSTCB'))!;
    const out = await h.say(`bob: /case handoff ${ref} to:EXB note:"theirs"\neve: /case accept ${ref}`);
    expect(out.some((l) => l.startsWith("[dm @root]") && l.includes(`once HKPF-CSTCB consents: /case accept ${ref}`))).toBe(true);
  });

  it("takes the old exchange's people off a moved case: its reminders and card name only who is on it now", async () => {
    await h.say("root@hk-exb: /ppp bind orgs:HKPF-CSTCB,EXB");
    const ref = refOf(await h.say('alice@hk-exa: /case open title:"Moved on" exchange:EXA severity:critical type:freeze'))!;
    await h.say(`bob: /case ack ${ref}\nbob: /case handoff ${ref} to:EXB note:"theirs"\neve: /case accept ${ref}\nalice: /case accept ${ref}`);
    await h.say(`eve: /case resolve ${ref} outcome:"done"\nalice: /case reopen ${ref}`);
    const later = await h.advance(6 * 60_000);
    const reminders = later.filter((l) => l.includes("Reminder.") && l.includes(ref));
    expect(reminders.length).toBeGreaterThan(0);
    for (const r of reminders) expect(r).not.toMatch(/@bob|@dave|@lee/);
    expect(await h.text(`eve: /case show ${ref}`)).not.toMatch(/paged: .*@(bob|dave)/);
  });

  it("says goodbye to no channel that was unbound", async () => {
    const ref = refOf(await h.say('alice@hk-exa: /case open title:"Bye" exchange:EXA severity:low type:intel'))!;
    await h.queue(`alice: /case tlp ${ref} red`);
    await h.queue("root@hk-exa: /ppp unbind");
    const out = await h.say("root: /liaison whoami");
    expect(out.filter((l) => l.startsWith("[#hk-exa"))).toEqual([]);
    await h.say("root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA");
  });

  it("refuses what would have crashed or flooded: a huge outbox id, a digest every second, a look-alike address, blank characters", async () => {
    expect(await refused("root: /ppp outbox retry:99999999999999999999")).toMatch(/^retry: "99999999999999999999" is not valid here/);
    expect(await refused('root@hk-exa: /ppp digest schedule "* * * * * *"')).toBe('cron: "* * * * * *" would post a digest every 1s; a digest comes at most once an hour');
    expect(await refused("bobby: /liaison register org:EXA role:investigator email:bob+2@exa.example")).toMatch(/^email: bob\+2@exa\.example already belongs to another member/);
    expect(await refused('alice: /case open title:"\u2800\u0301" exchange:EXA severity:low type:intel')).toBe("title: must not be empty: it has only invisible characters");
  });

  it("keeps a timeline event of the agencies' (an older deconfliction record) from the exchange", async () => {
    const ref = refOf(await h.say('alice: /case open title:"Old record" exchange:EXA severity:low type:intel'))!;
    // A timeline written by an earlier version recorded deconfliction as an event.
    await h.db.tx(async (tx) => {
      const { appendEvent } = await import("../src/domain/timeline.js");
      const c = await tx.case.findUniqueOrThrow({ where: { ref } });
      await appendEvent(tx, c, { at: h.clock.now(), actorId: null, type: "deconfliction", data: { linkedRef: "SGPF-2026-0042", linkedAgency: "SGPF" } });
    });
    expect(await h.text(`bob: /case show ${ref}`)).not.toContain("SGPF");
    expect(await h.text(`bob: /case show ${ref}`)).toContain("(an agency matter, not shown to the exchange)");
    expect(await h.text(`bob: /case export ${ref}`)).not.toContain("SGPF");
    expect(await h.text(`alice: /case show ${ref}`)).toContain("SGPF-2026-0042 (SGPF) names the same funds");
    expect(await h.text(`root: /ppp audit verify ${ref}`)).toContain("intact");
  });

  it("lists, suggests and shows exactly the same cases, for every kind of caller", async () => {
    await h.say("ivy: /liaison register org:EXA role:investigator email:ivy@exa.example\nroot: /liaison vet @ivy");
    const opened: string[] = [];
    for (const line of [
      'alice: /case open title:"A amber" exchange:EXA severity:low type:intel',
      'alice: /case open title:"A red" exchange:EXA severity:low type:intel tlp:red',
      'alice: /case open title:"A emergency" exchange:EXA severity:low type:emergency',
      'sam: /case open title:"S green" exchange:EXA severity:low type:intel tlp:green',
      'sam: /case open title:"S red to EXB" exchange:EXB severity:low type:intel tlp:red',
    ]) {
      opened.push(refOf(await h.say(line))!);
    }
    for (const who of ["root", "alice", "carol", "sam", "bob", "ivy", "eve"]) {
      const listed = await h.text(`${who}: /case list all`);
      const suggested = await h.core.dispatcher.suggest({ platform: "console", externalId: who, handle: who }, "ref", "");
      for (const ref of opened) {
        const shown = !(await h.text(`${who}: /case show ${ref}`)).includes("error: unknown case reference");
        expect({ who, ref, listed: listed.includes(ref), suggested: suggested.includes(ref) }).toEqual({ who, ref, listed: shown, suggested: shown });
      }
    }
  });
});
