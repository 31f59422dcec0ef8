import { describe, expect, it } from "vitest";
import { allCommands } from "../../commands/index.js";
import { commandName } from "../../src/core/command.js";
import { parseOptions, resolveInvocation } from "../../src/core/dispatch.js";
import { Registry, usage } from "../../src/core/registry.js";
import type { Family } from "../../src/core/command.js";

const registry = new Registry(allCommands);
const mentions = (w: string) => (/^@[a-z0-9._-]+$/i.test(w) ? `console:${w.slice(1)}` : undefined);

/** Help shows examples (docs/contract.md §5): each must be a line the command takes as it is. */
describe("the examples help shows", () => {
  it("has at least one example for every command", () => {
    const without = registry.all().filter((c) => !c.examples?.length).map((c) => usage(c));
    expect(without).toEqual([]);
  });

  it.each(registry.all().flatMap((c) => (c.examples ?? []).map((e) => [commandName(c), e] as const)))("%s: %s is read as that command, with valid options", (name, example) => {
    const m = /^\/(\w+)\s*(.*)$/.exec(example)!;
    const { command, raw } = resolveInvocation(registry, {
      platform: "console",
      account: { platform: "console", externalId: "x", handle: "x" },
      channel: { platform: "console", id: "general", name: "general", direct: false },
      family: m[1] as Family,
      input: { text: m[2]!, mentions },
    });
    expect(commandName(command)).toBe(name);
    expect(() => parseOptions(command, raw, {})).not.toThrow();
  });
});
