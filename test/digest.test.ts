import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY, HOUR, MINUTE, ManualClock } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/** Weekly digests (docs/contract.md §4): per channel, on its own schedule, counts and references only. */

describe.each(PROVIDERS)("digests on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    // Saturday before the UK's clocks go forward (Sunday 28 March 2027).
    h = await Harness.open(provider, { clock: new ManualClock("2027-03-20T12:00:00Z") });
    await h.say(SEED.replace("root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA", "root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA tz:Europe/London"));
  });
  afterAll(() => h?.close());

  it("ticks at 09:00 London time every Monday, across the change to summer time", async () => {
    const ref = /Opened (\S+)\./.exec(
      (await h.say(`alice@hk-exa: /case open title:"SECRET-TITLE" exchange:EXA severity:high type:freeze subjects:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4`)).join("\n"),
    )![1]!;
    await h.say(`bob: /case ack ${ref}\nbob: /case note ${ref} SECRET-NOTE`);
    const week1 = await h.advance(2 * DAY); // to Monday 22 March 12:00 UTC
    // (The card, refreshed as the impact rose, is not the digest.)
    const digest = week1.filter((l) => l.startsWith("[#hk-exa]") && !/^\[#hk-exa\] card \S+ updated: /.test(l));
    expect(digest[0]).toBe("[#hk-exa] Weekly digest for EXA · HKPF-CSTCB (2027-03-15 to 2027-03-22)");
    expect(digest).toContain("[#hk-exa]   • Opened: 1 (0 critical, 1 high, 0 medium, 0 low); closed: 0.");
    expect(digest).toContain("[#hk-exa]   • Time to acknowledge: median 0s, p90 0s (1 case).");
    expect(digest.some((l) => l.includes(`${ref} · high · acknowledged`))).toBe(true);
    expect(digest).toContain("[#hk-exa] Highest impact:");
    expect(digest).toContain(`[#hk-exa]   • ${ref} · impact 45: high · waiting on EXA 1d 21h`);
    expect(digest.join("\n")).not.toMatch(/SECRET|bc1q/);
    await h.advance(7 * DAY);
    const ticks = await h.db.client.timer.findMany({ where: { kind: "digest", state: "done" }, orderBy: { dueAt: "asc" } });
    expect(ticks.map((t) => t.dueAt.toISOString())).toEqual(["2027-03-22T09:00:00.000Z", "2027-03-29T08:00:00.000Z"]);
    const next = await h.db.client.timer.findFirst({ where: { kind: "digest", state: "scheduled" } });
    expect(next?.dueAt.toISOString()).toBe("2027-04-05T08:00:00.000Z");
  });

  it("posts a digest on demand, and only about cases the channel may see", async () => {
    await h.say("root@crowd: /ppp bind orgs:HKPF-CSTCB,EXA,SGPF");
    const amber = /Opened (\S+)\./.exec((await h.say(`alice: /case open title:a exchange:EXA severity:low type:intel`)).join("\n"))![1]!;
    const green = /Opened (\S+)\./.exec((await h.say(`alice: /case open title:g exchange:EXA severity:low type:intel tlp:green`)).join("\n"))![1]!;
    const out = await h.say("alice@crowd: /ppp digest now");
    expect(out[0]).toBe("(only alice) The digest is on its way to this channel.");
    const posted = out.filter((l) => l.startsWith("[#crowd]")).join("\n");
    expect(posted).toContain(green);
    expect(posted).not.toContain(amber);
    const hk = await h.say("alice@hk-exa: /ppp digest now");
    expect(hk.join("\n")).toContain(amber);
    // The chart follows the digest: written as a PNG, its path printed.
    const chart = hk.filter((l) => l.startsWith("[#hk-exa] chart: ")).at(-1)!;
    const path = /^\[#hk-exa\] chart: EXA · HKPF-CSTCB: the last 8 weeks — (.+\.png)$/.exec(chart)![1]!;
    expect(path.startsWith(h.digestsDir)).toBe(true);
    expect(readFileSync(path).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(await h.text("eve@hk-exa: /ppp digest now")).toBe(
      "(only eve) error: only coordinators and members of this channel's organisations can ask for its digest",
    );
  });

  it("changes the schedule, and refuses a cron expression it cannot read", async () => {
    expect(await h.text('root@hk-exa: /ppp digest schedule "0 8 * * *" Asia/Hong_Kong')).toMatch(
      /^\(only root\) The digest for this channel now follows `0 8 \* \* \*` in Asia\/Hong_Kong; the next one is at \d{4}-\d\d-\d\d 00:00 UTC\.$/,
    );
    const binding = await h.db.client.binding.findFirstOrThrow({ where: { channelId: "hk-exa" } });
    const scheduled = await h.db.client.timer.findMany({ where: { kind: "digest", state: "scheduled", bindingId: binding.id } });
    expect(scheduled.map((t) => JSON.parse(t.payload).cron)).toEqual(["0 8 * * *"]);
    expect(await h.text("root@hk-exa: /ppp digest schedule every monday")).toMatch(/^\(only root\) error: cron: "every monday" is not a cron expression/);
    const posted = await h.advance(1 * DAY + HOUR + MINUTE);
    expect(posted.filter((l) => l.startsWith("[#hk-exa] Weekly digest"))).toHaveLength(1);
  });
});
