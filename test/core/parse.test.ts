import { describe, expect, it } from "vitest";
import { consoleMention } from "../../adapters/console/index.js";
import { UserError } from "../../src/model/errors.js";
import { opt } from "../../src/core/options.js";
import { bindTokens, tokenize } from "../../src/core/parse.js";

const values = (s: string) => tokenize(s).map((t) => (t.key ? `${t.key}=${t.value}` : t.value));

describe("tokenize", () => {
  it("splits words and key:value options", () => {
    expect(values('org add code:EXA kind:exchange')).toEqual(["org", "add", "code=EXA", "kind=exchange"]);
  });

  it("keeps spaces inside double-quoted values, with or without a key", () => {
    expect(values('name:"Exchange A" "two words" x')).toEqual(["name=Exchange A", "two words", "x"]);
  });

  it("accepts the curly quotes phones and Slack substitute for straight ones", () => {
    expect(values("name:\u201cExchange A\u201d")).toEqual(["name=Exchange A"]);
  });

  it("understands backslash-escaped quotes inside quotes", () => {
    expect(values('note:"he said \\"freeze now\\""')).toEqual(['note=he said "freeze now"']);
  });

  it("refuses an unterminated quote and says where it starts", () => {
    expect(() => tokenize('name:"Exchange A')).toThrowError(/unterminated quote/);
  });

  it("refuses commands longer than the limit", () => {
    expect(() => tokenize("x".repeat(20_000))).toThrowError(/too long/);
  });
});

const sig = {
  name: "/case note",
  options: { ref: opt.ref(), text: opt.text("the note", { positional: 1, rest: true }) },
};
const orgSig = {
  name: "/ppp org add",
  options: { code: opt.org(), domains: opt.domains("domains"), tz: opt.timezone(undefined, { optional: true }) },
};
const rosterSig = {
  name: "/ppp oncall",
  options: { org: opt.org(undefined, { positional: 0 }), people: opt.people("people", { positional: 1, optional: true }) },
};

describe("bindTokens", () => {
  it("fills positional options in order and gives free text the rest", () => {
    expect(bindTokens(sig, tokenize("HKPF-2026-0001 funds moved to https://x.example/a"), consoleMention)).toEqual({
      ref: "HKPF-2026-0001",
      text: "funds moved to https://x.example/a",
    });
  });

  it("treats an unknown key:value as text when the command takes free text", () => {
    expect(bindTokens(sig, tokenize("R-2026-0001 wallet:1abc seen"), consoleMention).text).toBe("wallet:1abc seen");
  });

  it("refuses an unknown option, listing the real ones", () => {
    expect(() => bindTokens(orgSig, tokenize("code:EXA colour:blue"), consoleMention)).toThrowError(
      /unknown option "colour" for \/ppp org add \(its options: code, domains, tz\)/,
    );
  });

  it("refuses an option given twice", () => {
    expect(() => bindTokens(orgSig, tokenize("code:EXA code:EXB"), consoleMention)).toThrowError(/code: given twice/);
  });

  it("refuses extra words a command does not take", () => {
    expect(() => bindTokens(orgSig, tokenize("code:EXA stray"), consoleMention)).toThrowError(/unexpected "stray"/);
  });

  it("splits comma lists", () => {
    expect(bindTokens(orgSig, tokenize("code:EXA domains:a.example,b.example"), consoleMention).domains).toEqual([
      "a.example",
      "b.example",
    ]);
  });

  it("turns console mentions into account keys", () => {
    expect(bindTokens(rosterSig, tokenize("EXA @bob @dave"), consoleMention)).toEqual({
      org: "EXA",
      people: ["console:bob", "console:dave"],
    });
  });

  it("refuses a person that is not a mention", () => {
    const error = (() => {
      try {
        bindTokens(rosterSig, tokenize("EXA bob"), consoleMention);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toBe('people: expected a person as a mention (like @name), got "bob"');
  });
});
