import { Writable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBlocks } from "../adapters/console/render.js";
import type { Database } from "../src/db/database.js";
import { createLogger } from "../src/log.js";
import { createCore, type Core } from "../src/runtime/app.js";
import { ManualClock } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * Nothing of a case in the logs, crashes included. A marker is planted in every text option
 * of random commands; the database is made to fail every write that carries case content,
 * with an error that quotes the row it refused (as a constraint violation's DETAIL does);
 * the log at its most verbose level must not contain the marker anywhere.
 */

const MARKER = "ZQXMARKER";

/** Makes every timeline event and organisation insert fail, quoting the refused row. */
async function breakWrites(db: Database): Promise<void> {
  if (db.provider === "sqlite") {
    await db.client.$executeRawUnsafe(`CREATE TRIGGER boom_event BEFORE INSERT ON "case_event" BEGIN SELECT RAISE(ABORT, 'refused row ' || NEW."data"); END`);
    await db.client.$executeRawUnsafe(`CREATE TRIGGER boom_org BEFORE INSERT ON "organisation" BEGIN SELECT RAISE(ABORT, 'refused org ' || NEW."name"); END`);
    return;
  }
  await db.client.$executeRawUnsafe(`CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused row %', row_to_json(NEW); END $$ LANGUAGE plpgsql`);
  await db.client.$executeRawUnsafe(`CREATE TRIGGER boom_event BEFORE INSERT ON "case_event" FOR EACH ROW EXECUTE FUNCTION boom()`);
  await db.client.$executeRawUnsafe(`CREATE TRIGGER boom_org BEFORE INSERT ON "organisation" FOR EACH ROW EXECUTE FUNCTION boom()`);
}

const planted = fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 })).map(([a, b]) => `${a.replace(/["\\\n\r]/g, "")} ${MARKER} ${b.replace(/["\\\n\r]/g, "")}`.trim());

describe.each(PROVIDERS)("logs on %s", (provider) => {
  let seeded: Harness;
  let core: Core;
  let logged = "";
  const clock = new ManualClock();

  beforeAll(async () => {
    // The people and a case are made with a normal bot first; then the logging bot runs on the same database.
    seeded = await Harness.open(provider, { clock });
    await seeded.say(SEED);
    await seeded.say('alice@hk-exa: /case open title:"Existing" exchange:EXA severity:high type:freeze');
    const sink = new Writable({ write: (chunk, _enc, done) => ((logged += String(chunk)), done()) });
    const log = createLogger({ level: "trace", destination: sink });
    core = createCore(seeded.db, { clock, log, platforms: ["console"] });
    await breakWrites(seeded.db);
  });
  afterAll(() => seeded?.close());

  const run = async (who: string, text: string, family: "case" | "ppp" = "case") =>
    renderBlocks(
      (
        await core.dispatcher.dispatch({
          platform: "console",
          account: { platform: "console", externalId: who, handle: who },
          channel: { platform: "console", id: "hk-exa", name: "hk-exa", direct: false },
          family,
          input: { text, mentions: (w) => (w.startsWith("@") ? `console:${w.slice(1)}` : undefined) },
        })
      ).blocks,
    ).join("\n");

  it("keeps every planted marker out of the log when commands crash", async () => {
    const ref = "HKPF-CSTCB-2026-0001";
    let crashes = 0;
    await fc.assert(
      fc.asyncProperty(planted, planted, planted, async (a, b, c) => {
        const lines: [string, string, "case" | "ppp"][] = [
          ["alice", `open title:"${a}" exchange:EXA severity:high type:freeze summary:"${b}" reference:"${c}"`, "case"],
          ["alice", `note ${ref} ${a} ${b}`, "case"],
          ["bob", `escalate ${ref} reason:"${a}"`, "case"],
          ["bob", `handoff ${ref} to:@dave note:"${b}"`, "case"],
          ["bob", `resolve ${ref} outcome:"${c}"`, "case"],
          ["root", `org add code:EXZ kind:exchange name:"${a}" jurisdiction:MT domains:exz.example`, "ppp"],
        ];
        for (const [who, text, family] of lines) {
          const reply = await run(who, text, family);
          if (/something went wrong \(ref [0-9a-f]+\)/.test(reply)) crashes++;
          expect(reply).not.toContain(MARKER);
        }
      }),
      { numRuns: 25 },
    );
    // The crashes happened, were logged with a reference and a command name — and nothing else of them.
    expect(crashes).toBeGreaterThan(50);
    expect(logged).toContain('"msg":"command failed"');
    expect(logged).toContain('"command":"/case open"');
    expect(logged).toMatch(/"errorRef":"[0-9a-f]{8}"/);
    expect(logged).toMatch(/"type":"\w+"/);
    expect(logged).not.toContain(MARKER);
  });
});
