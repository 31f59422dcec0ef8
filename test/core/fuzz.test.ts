import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCommands } from "../../commands/index.js";
import { isUserError } from "../../src/core/errors.js";
import { tokenize } from "../../src/core/parse.js";
import { Harness, PROVIDERS, SEED } from "../helpers/harness.js";

/**
 * Random command lines must never crash the parser or the dispatcher, and a line that is
 * refused must write nothing (beyond the audit entry of a denied access attempt).
 */

const words = [...new Set(allCommands.flatMap((c) => [c.family, ...c.path, ...Object.keys(c.options)]))];
const optionNames = [...new Set(allCommands.flatMap((c) => Object.keys(c.options)))];
const hostile = ["@everyone", "<!channel>", '"', "\u201c", "\\", "\u0000", "\u001b[31m", "\n", "@root", "@bob", ":", ",", "EXA", "gmail.com", "365d", "x".repeat(300)];

const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(...hostile),
  fc.constantFrom(...words),
  fc.stringMatching(/^[A-Z]{2,6}(-[A-Z]{2,6})?$/),
);
const token = fc.oneof(
  value,
  fc.tuple(fc.constantFrom(...optionNames, "colour", "x"), value).map(([k, v]) => `${k}:${v}`),
  fc.tuple(fc.constantFrom(...optionNames), fc.string({ maxLength: 30 })).map(([k, v]) => `${k}:"${v}"`),
);
const commandLine = fc
  .tuple(
    fc.constantFrom(...allCommands.map((c) => [c.family, ...c.path].join(" "))),
    fc.array(token, { maxLength: 6 }),
  )
  .map(([head, rest]) => `/${head} ${rest.join(" ")}`);

describe("the text parser", () => {
  it("either tokenises any input or refuses it with a UserError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (input) => {
        try {
          tokenize(input);
        } catch (error) {
          expect(isUserError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe.each(PROVIDERS)("random command lines on %s", (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open(provider);
    await h.say(SEED);
  });
  afterAll(() => h?.close());

  it("never crash, and write nothing when refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("root", "bob", "mal"), commandLine, async (speaker, line) => {
        const before = await h.counts(["audit_entry", "link_code"]);
        const out = await h.say(`${speaker}: ${line.replace(/\n/g, " ")}`);
        const text = out.join("\n");
        expect(text).not.toMatch(/something went wrong/);
        expect(out.length).toBeGreaterThan(0);
        if (out[0]!.startsWith(`(only ${speaker}) error: `)) {
          expect(out[0]!.length).toBeLessThan(600);
          expect(await h.counts(["audit_entry", "link_code"])).toEqual(before);
        }
      }),
      { numRuns: provider === "sqlite" ? 400 : 150 },
    );
  });
});
