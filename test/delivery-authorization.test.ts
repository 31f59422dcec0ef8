import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * Need-to-know at delivery. For each change of who may see a case — a person suspended, a
 * vetting expired, the case moved to another exchange, its channel unbound or bound wider,
 * its TLP tightened — and each kind of message, nothing reaches anyone who may not see the
 * case when the message is delivered: neither what was queued before the change (withheld,
 * with its reason) nor what the case says after it (not even addressed).
 */

type Kind = "card" | "card_update" | "note" | "reminder" | "escalation" | "handoff" | "digest" | "export";
type Change = "suspend" | "expire" | "move" | "unbind" | "rebind" | "tlp";

const KINDS: Kind[] = ["card", "card_update", "note", "reminder", "escalation", "handoff", "digest", "export"];

/** Who loses the case with each change: people (their DMs) or the channel #hk-exa. */
const AFFECTED: Record<Change, { people: string[] } | { channel: "hk-exa"; reader?: string }> = {
  suspend: { people: ["bob"] },
  expire: { people: ["bob"] },
  move: { people: ["bob", "dave", "lee"] },
  unbind: { channel: "hk-exa" },
  rebind: { channel: "hk-exa" },
  // Tightened to RED: the channel loses it, and so does carol, a liaison not named on it.
  tlp: { channel: "hk-exa", reader: "carol" },
};

/**
 * Which kinds can reach the affected audience at all. A person gets a RED case's card,
 * updates, notes, reminders, escalations and handoffs by DM, and may ask for an export;
 * digests go to channels, not people. A channel gets everything but exports (replies to a
 * person); a tightened TLP takes exports from the liaison who is not named.
 */
function applies(change: Change, kind: Kind): boolean {
  const affected = AFFECTED[change];
  if ("people" in affected) return kind !== "digest";
  if (kind === "export") return affected.reader !== undefined;
  return true;
}

const cells = PROVIDERS.flatMap((provider) =>
  (Object.keys(AFFECTED) as Change[]).flatMap((change) => KINDS.filter((kind) => applies(change, kind)).map((kind) => ({ provider, change, kind }))),
);

const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))?.[1];

describe.each(PROVIDERS)("need-to-know at delivery on %s", (provider) => {
  let h: Harness;
  let n = 0;
  beforeAll(async () => {
    h = await Harness.open(provider);
    const out = await h.say(`${SEED}\nroot: /ppp oncall EXB @eve`);
    expect(out.filter((l) => l.includes("error:"))).toEqual([]);
  });
  afterAll(() => h?.close());

  /** Lines that reached the affected audience; a thread's farewell (the reference alone) is allowed. */
  function leaked(change: Change, lines: string[], ref: string, title: string): string[] {
    const affected = AFFECTED[change];
    return lines.filter((l) => {
      if ("people" in affected) return affected.people.some((p) => l.startsWith(`[dm @${p}]`)) && (l.includes(ref) || l.includes(title));
      if (l.startsWith(`[dm @${affected.reader}]`) && l.includes(ref)) return true;
      if (!l.startsWith("[#hk-exa")) return false;
      // Whatever the channel may still see (a fresh digest of what it may see) is fine; the case is not.
      if (l.includes(title)) return true;
      return l.includes(ref) && !/is no longer followed here\.$/.test(l);
    });
  }

  async function open(tlp: string, title: string, queued: boolean): Promise<string> {
    const line = `alice@hk-exa: /case open title:"${title}" exchange:EXA severity:critical type:freeze tlp:${tlp}`;
    const out = queued ? await h.queue(line) : await h.say(line);
    const ref = refOf(out);
    if (!ref) throw new Error(`open failed: ${out.join("\n")}`);
    return ref;
  }

  /** Queues one message of the kind (nothing delivered). */
  async function produce(kind: Kind, ref: string, personal: boolean): Promise<void> {
    switch (kind) {
      case "card":
        return; // the open itself
      case "card_update":
        await h.queue(`dave: /case take ${ref}`);
        return;
      case "note":
        await h.queue(`alice: /case note ${ref} the court order is on its way`);
        return;
      case "reminder":
        h.clock.advance(5 * MINUTE);
        await h.fireDue();
        return;
      case "escalation":
        h.clock.advance(15 * MINUTE);
        await h.fireDue();
        return;
      case "handoff":
        await h.queue(personal ? `dave: /case handoff ${ref} to:@bob note:"yours now"` : `bob: /case handoff ${ref} to:@dave note:"yours now"`);
        return;
      case "digest":
        await h.queue("root@hk-exa: /ppp digest now");
        return;
      case "export":
        return; // a reply, asked for after the change
    }
  }

  async function apply(change: Change, ref: string): Promise<void> {
    switch (change) {
      case "suspend":
        await h.queue('root: /liaison suspend @bob reason:"left the team"');
        return;
      case "expire":
        await h.queue("root: /liaison vet @bob expires:1m");
        h.clock.advance(2 * MINUTE);
        return;
      case "move":
        await h.queue(`root: /case handoff ${ref} to:EXB note:"funds moved to EXB"\neve: /case accept ${ref}\nalice: /case accept ${ref}`);
        return;
      case "unbind":
        await h.queue("root@hk-exa: /ppp unbind");
        return;
      case "rebind":
        await h.queue("root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA,EXB,SGPF");
        return;
      case "tlp":
        await h.queue(`alice: /case tlp ${ref} red reason:"a suspect may be an insider"`);
        return;
    }
  }

  async function restore(change: Change): Promise<void> {
    if (change === "suspend" || change === "expire") await h.say("root: /liaison vet @bob");
    if (change === "unbind" || change === "rebind") await h.say("root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA");
    // Quiet what this cell left open, so the next cell sees only its own timers.
    await h.db.tx((tx) => tx.timer.updateMany({ where: { state: "scheduled", kind: { not: "digest" } }, data: { state: "cancelled" } }));
    await h.settle();
  }

  it.each(cells.filter((c) => c.provider === provider))("$change × $kind: withheld if queued before, not addressed after", async ({ change, kind }) => {
    try {
      await cell(change, kind);
    } finally {
      await restore(change);
    }
  });

  async function cell(change: Change, kind: Kind): Promise<void> {
    const personal = "people" in AFFECTED[change];
    const title = `Secret ${change} ${kind} ${++n}`;
    const ref = await open(personal ? "red" : "amber", title, kind === "card");
    await produce(kind, ref, personal);
    const withheldBefore = await h.db.client.outbox.count({ where: { state: "withheld" } });

    await apply(change, ref);
    const since = h.mark();
    await h.settle();
    // After the change: the same kind of message again. For a card that is a new case — where
    // the change is about the audience (a person, a channel) rather than about this one case.
    const wholeAudience = change === "suspend" || change === "expire" || change === "unbind" || change === "rebind";
    const after = kind === "card" && wholeAudience ? await open(personal ? "red" : "amber", `${title} again`, false) : ref;
    if (kind === "export") {
      const reader = "people" in AFFECTED[change] ? "bob" : AFFECTED[change].reader!;
      expect(await h.text(`${reader}: /case export ${ref}`)).toMatch(/error: (unknown case reference|your (access is suspended|vetting expired))/);
    } else if (kind !== "card") {
      // (a note, update, reminder… on the same case)
      await produce(kind, after, personal);
      await h.settle();
    }
    const lines = since();
    expect(leaked(change, lines, ref, title)).toEqual([]);
    if (after !== ref) expect(leaked(change, lines, after, `${title} again`)).toEqual([]);

    // What was already queued for them is withheld, with its reason, and audited.
    if (kind !== "export") {
      const withheld = await h.db.client.outbox.findMany({ where: { state: "withheld", id: { gt: 0 } }, orderBy: { id: "desc" }, take: 50 });
      expect(withheld.length).toBeGreaterThan(0);
      expect(await h.db.client.outbox.count({ where: { state: "withheld" } })).toBeGreaterThan(withheldBefore);
      expect(withheld.every((w) => (w.lastError ?? "").length > 10)).toBe(true);
      const audited = await h.db.client.auditEntry.count({ where: { action: "outbox.withheld", target: `outbox:${withheld[0]!.id}` } });
      expect(audited).toBe(1);
    }
  }

  it("lists withheld messages apart from undelivered ones, with their reasons, for coordinators", async () => {
    const ref = await open("red", "Listed", false);
    await h.queue(`alice: /case note ${ref} for the named only`);
    await h.queue('root: /liaison suspend @dave reason:"on leave"');
    await h.settle();
    try {
      const listed = await h.text("root: /ppp outbox");
      expect(listed).toMatch(/messages? (was|were) withheld at delivery, because who may see the case changed/);
      expect(listed).toMatch(new RegExp(`#\\d+ thread to console:dave \\(${ref}\\), .*: @dave is suspended`));
      expect(listed).not.toMatch(/could not be delivered/);
      expect(await h.text("bob: /ppp outbox")).toBe("(only bob) error: only coordinators can run /ppp outbox");
      const id = /#(\d+) thread to console:dave/.exec(listed)![1]!;
      expect(await h.text(`root: /ppp outbox retry:${id}`)).toBe(
        `(only root) error: message ${id} was withheld because its audience no longer qualifies; withheld messages are never sent`,
      );
    } finally {
      await h.say("root: /liaison vet @dave");
    }
  });
});
