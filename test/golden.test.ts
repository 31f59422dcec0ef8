import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import { PROVIDERS } from "./helpers/harness.js";
import { runStory, type Recorded } from "./golden/scenario.js";

/**
 * The data path keeps its results: the same story (test/golden/scenario.ts) leaves the same
 * timelines — every event, time and hash — and the same outbox messages, in the same order,
 * with the same payloads, as the record taken before the data path was rebuilt
 * (test/golden/story.json). `LIAISON_GOLDEN=write` takes the record anew; only do that when
 * a change of behaviour is meant, and say so in the commit.
 */

const FILE = join(projectRoot, "test", "golden", "story.json");

describe.each(PROVIDERS)("the golden story on %s", (provider) => {
  it("leaves exactly the recorded timelines and messages", async () => {
    const got = await runStory(provider);
    if (process.env.LIAISON_GOLDEN === "write" && provider === "sqlite") writeFileSync(FILE, JSON.stringify(got, null, 1) + "\n");
    expect(existsSync(FILE)).toBe(true);
    const want = JSON.parse(readFileSync(FILE, "utf8")) as Recorded;
    expect(got.events.length).toBe(want.events.length);
    for (let i = 0; i < want.events.length; i++) expect(got.events[i]).toEqual(want.events[i]);
    expect(got.outbox.length).toBe(want.outbox.length);
    for (let i = 0; i < want.outbox.length; i++) expect(got.outbox[i]).toEqual(want.outbox[i]);
  });
});
