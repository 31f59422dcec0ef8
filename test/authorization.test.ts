import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness, SEED } from "./helpers/harness.js";

/**
 * Who may do what to a case: role × organisation × subcommand × TLP, one fresh case per
 * cell. "hidden" means the exact answer a non-existent reference gets.
 */

type Outcome = "ok" | "hidden" | "forbidden" | "not vetted";

const ACTORS = {
  root: "coordinator",
  alice: "liaison of the case's agency (opener)",
  carol: "another liaison of the case's agency, not named",
  sam: "liaison of another agency",
  bob: "investigator of the case's exchange, paged",
  ivy: "investigator of the case's exchange, not named",
  eve: "investigator of another exchange",
  pat: "registered but not vetted",
} as const;
type Actor = keyof typeof ACTORS;

const SUBCOMMANDS = ["show", "ack", "take", "note", "handoff", "accept", "escalate", "resolve", "close", "reopen", "export"] as const;
type Sub = (typeof SUBCOMMANDS)[number];

const line = (sub: Sub, ref: string) =>
  ({
    show: `/case show ${ref}`,
    ack: `/case ack ${ref}`,
    take: `/case take ${ref}`,
    note: `/case note ${ref} a note`,
    handoff: `/case handoff ${ref} to:@dave note:"over to you"`,
    accept: `/case accept ${ref}`,
    escalate: `/case escalate ${ref} reason:"no answer"`,
    resolve: `/case resolve ${ref} outcome:"done"`,
    close: `/case close ${ref}`,
    reopen: `/case reopen ${ref}`,
    export: `/case export ${ref}`,
  })[sub];

function expected(actor: Actor, sub: Sub, tlp: "amber" | "red"): Outcome {
  if (actor === "pat") return "not vetted";
  // TLP:RED is for the people named on it: carol, another liaison of the agency, is not.
  const agency = actor === "alice" || (actor === "carol" && tlp !== "red");
  const exchange = actor === "bob" || (actor === "ivy" && tlp !== "red");
  if (!(actor === "root" || agency || exchange)) return "hidden";
  if (sub === "accept") return "forbidden"; // the handoff is offered to dave, not to them
  if (actor === "root") return "ok";
  const exchangeOnly: Sub[] = ["ack", "take", "handoff", "resolve"];
  const agencyOnly: Sub[] = ["close", "reopen"];
  if (agency && exchangeOnly.includes(sub)) return "forbidden";
  if (exchange && agencyOnly.includes(sub)) return "forbidden";
  return "ok";
}

function classify(out: string[], ref: string): Outcome {
  const error = out.find((l) => / error: /.test(l));
  if (!error) return "ok";
  if (error.endsWith(`error: unknown case reference ${ref}`)) return "hidden";
  if (/error: (only |no handoff of )/.test(error)) return "forbidden";
  if (/error: your registration .* is waiting for a coordinator/.test(error)) return "not vetted";
  return `unexpected: ${error}` as Outcome;
}

describe("case authorisation table (SQLite)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open("sqlite");
    await h.say(SEED);
    await h.say(
      [
        "ivy: /liaison register org:EXA role:investigator email:ivy@exa.example",
        "root: /liaison vet @ivy",
        "pat: /liaison register org:EXA role:investigator email:pat@exa.example",
        "root: /ppp oncall EXA @bob",
      ].join("\n"),
    );
  });
  afterAll(() => h?.close());

  const cells = (["amber", "red"] as const).flatMap((tlp) =>
    SUBCOMMANDS.flatMap((sub) => (Object.keys(ACTORS) as Actor[]).map((actor) => ({ tlp, sub, actor, want: expected(actor, sub, tlp) }))),
  );

  it.each(cells)("TLP:$tlp /case $sub by $actor → $want", async ({ tlp, sub, actor, want }) => {
    const opened = await h.say(`alice: /case open title:"Table" exchange:EXA severity:high type:freeze tlp:${tlp}`);
    const ref = /Opened (\S+)\./.exec(opened.join("\n"))![1]!;
    if (sub === "accept") await h.say(`root: /case handoff ${ref} to:@dave note:"for dave"`);
    if (sub === "reopen") await h.say(`root: /case resolve ${ref} outcome:"done"`);
    const audits = await h.db.client.auditEntry.count({ where: { action: "access.denied" } });
    const got = classify(await h.say(`${actor}: ${line(sub, ref)}`), ref);
    expect(got).toBe(want);
    const audited = (await h.db.client.auditEntry.count({ where: { action: "access.denied" } })) - audits;
    expect(audited).toBe(want === "ok" ? 0 : 1);
  });
});
