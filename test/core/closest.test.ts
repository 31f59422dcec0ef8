import { describe, expect, it } from "vitest";
import { closest } from "../../src/model/closest.js";

const CASE = ["open", "confirm", "show", "list", "ack", "take", "note", "handoff", "accept", "escalate", "resolve", "close", "reopen", "tlp", "process", "extend", "attach", "files", "file", "hold", "release", "export", "help"];

describe("did you mean", () => {
  it("finds slips: a letter wrong, missing or extra, two swapped, a word cut short", () => {
    expect(["opn", "oepn", "lsit", "escalte", "resolev", "handof", "exp"].map((w) => closest(w, CASE))).toEqual(["open", "open", "list", "escalate", "resolve", "handoff", "export"]);
    expect(closest("titel", ["title", "type"])).toBe("title");
    expect(closest("hihg", ["critical", "high", "medium", "low"])).toBe("high");
  });

  it("suggests nothing for another word, nor when two are as close", () => {
    expect(["unhold", "remove", "done", "stop", "kill", "give", "zzzz", "ex", "re"].map((w) => closest(w, CASE))).toEqual(Array(9).fill(undefined));
    expect(closest("EXC", ["EXA", "EXB"])).toBeUndefined();
  });
});
