import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConsoleAdapter, QUIT_HINT, type CommandRunner } from "../adapters/console/index.js";
import { consoleBanner } from "../adapters/console/banner.js";
import { completeConsoleLine, type CompletionSource } from "../adapters/console/complete.js";
import { ConsoleNotifier } from "../adapters/console/notifier.js";
import { ConsoleWriter } from "../adapters/console/writer.js";
import type { Invocation } from "../src/core/dispatch.js";
import { para, privateReply, rich } from "../src/model/message.js";
import { projectRoot } from "../src/paths.js";
import { ManualClock } from "./helpers/clock.js";
import { Harness, SEED } from "./helpers/harness.js";
import { fakeTerminal, Screen, type FakeTerminal } from "./helpers/terminal.js";

/**
 * The console on a terminal (docs/contract.md §7), driven through readline with a keyboard
 * and a screen: output never lands inside the line being typed, Ctrl-C, history, Tab
 * completion; and `$ref`, which lets scripts such as examples/demo.txt run in any year.
 */

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "liaison-console-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A runner that answers every command privately with what it was asked. */
function echoRunner(seen: Invocation[] = []): CommandRunner {
  return {
    async dispatch(inv) {
      seen.push(inv);
      const text = "text" in inv.input ? inv.input.text : "";
      return privateReply(para(rich`ran ${inv.family} ${text}`));
    },
  };
}

interface Session {
  term: FakeTerminal;
  writer: ConsoleWriter;
  adapter: ConsoleAdapter;
  done: Promise<void>;
  ended: () => boolean;
}

function session(options: Partial<ConstructorParameters<typeof ConsoleAdapter>[0]> = {}): Session {
  const term = fakeTerminal();
  const writer = new ConsoleWriter(term.display);
  const adapter = new ConsoleAdapter({ input: term.keyboard, output: writer, interactive: true, runner: echoRunner(), ...options });
  let ended = false;
  const done = adapter.run().then(() => {
    ended = true;
  });
  return { term, writer, adapter, done, ended: () => ended };
}

const HINT = "Type lines like  root: /ppp help   (Tab completes, Ctrl-D quits)";

describe("the interactive console: output while someone types", () => {
  let s: Session;
  beforeEach(() => {
    s = session();
  });
  afterEach(async () => {
    s.adapter.close();
    await s.done;
  });

  it("prints a delivery above the prompt and redraws the prompt with the half-typed line, cursor where it was", async () => {
    await s.term.type("root: /ppp he");
    expect(s.term.screen.lines()).toEqual([HINT, "liaison> root: /ppp he"]);
    // A reminder delivered by the outbox while root is typing, through the same writer.
    await new ConsoleNotifier(s.writer).deliver({
      id: 7,
      kind: "thread",
      platform: "console",
      channelId: "hk-exa",
      thread: { direct: false },
      payload: { ref: "HKPF-CSTCB-2026-0001", blocks: [{ kind: "text", rich: rich`Reminder. @bob: not acknowledged yet` }] },
    } as never);
    expect(s.term.screen.lines()).toEqual([HINT, "[#hk-exa › HKPF-CSTCB-2026-0001] Reminder. @bob: not acknowledged yet", "liaison> root: /ppp he"]);
    expect(s.term.screen.col).toBe("liaison> root: /ppp he".length);
    // Typing goes on where it stopped; the line entered is the whole of it.
    await s.term.type("lp\r");
    expect(s.term.screen.lines()).toEqual([
      HINT,
      "[#hk-exa › HKPF-CSTCB-2026-0001] Reminder. @bob: not acknowledged yet",
      "liaison> root: /ppp help",
      "(only root) ran ppp help",
      "liaison>",
    ]);
  });

  it("keeps the cursor in the middle of the line when it was moved there", async () => {
    await s.term.type("root: /liaison whoami");
    await s.term.type("\x1b[D\x1b[D\x1b[D");
    s.writer.write("[dm @root] hello\n");
    expect(s.term.screen.lines().slice(-2)).toEqual(["[dm @root] hello", "liaison> root: /liaison whoami"]);
    expect(s.term.screen.col).toBe("liaison> root: /liaison who".length);
  });

  it("clears every row of a line that wrapped on a narrow terminal", async () => {
    s.adapter.close();
    await s.done;
    const term = fakeTerminal(20);
    const writer = new ConsoleWriter(term.display);
    const adapter = new ConsoleAdapter({ input: term.keyboard, output: writer, interactive: true, runner: echoRunner() });
    const done = adapter.run();
    await term.type("root: /case show HKPF-CSTCB");
    const before = term.screen.lines();
    writer.write("[dm @root] hi\n");
    const after = term.screen.lines();
    // The prompt's two rows moved below the message; nothing of them was left above it.
    expect(before.slice(-2)).toEqual(["liaison> root: /case", " show HKPF-CSTCB"]);
    expect(after).toEqual([...before.slice(0, -2), "[dm @root] hi", ...before.slice(-2)]);
    adapter.close();
    await done;
    s = session();
  });

  it("writes output of a line being handled straight after the input line, with no prompt in between", async () => {
    s.adapter.close();
    await s.done;
    let release!: () => void;
    const slow: CommandRunner = {
      async dispatch() {
        await new Promise<void>((r) => (release = r));
        return privateReply(para(rich`done`));
      },
    };
    s = session({ runner: slow });
    await s.term.type("root: /ppp help\r");
    s.writer.write("[dm @root] meanwhile\n");
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(s.term.screen.lines()).toEqual([HINT, "liaison> root: /ppp help", "[dm @root] meanwhile", "(only root) done", "liaison>"]);
  });
});

describe("the interactive console: Ctrl-C", () => {
  it("clears the typed text and shows the hint; a second Ctrl-C on the empty line quits like Ctrl-D", async () => {
    const s = session();
    await s.term.type("root: /case open title:oops");
    await s.term.type("\x03");
    expect(s.term.screen.lines()).toEqual([HINT, QUIT_HINT, "liaison>"]);
    expect(s.ended()).toBe(false);
    await s.term.type("\x03");
    await s.done;
    expect(s.ended()).toBe(true);
  });

  it("does not quit when the second Ctrl-C comes after the window, or after a line was entered", async () => {
    const seen: Invocation[] = [];
    const s = session({ quitWindowMs: 30, runner: echoRunner(seen) });
    await s.term.type("\x03");
    await new Promise((r) => setTimeout(r, 60));
    await s.term.type("\x03");
    expect(s.ended()).toBe(false);
    await s.term.type("root: /ppp help\r");
    await s.term.type("\x03");
    expect(s.ended()).toBe(false);
    expect(seen).toHaveLength(1);
    await s.term.type("\x04");
    await s.done;
    expect(s.ended()).toBe(true);
  });
});

describe("the interactive console: closed while a line is handled (SIGTERM)", () => {
  it("finishes the line, shows no prompt after it, and returns", async () => {
    let release!: () => void;
    const slow: CommandRunner = {
      async dispatch() {
        await new Promise<void>((r) => (release = r));
        return privateReply(para(rich`done`));
      },
    };
    const s = session({ runner: slow });
    await s.term.type("root: /ppp help\r");
    s.adapter.close();
    release();
    await s.done;
    expect(s.term.screen.lines().slice(-2)).toEqual(["liaison> root: /ppp help", "(only root) done"]);
  });
});

describe("the interactive console: history", () => {
  it("keeps the lines typed in a file, at most `size`, and offers them with ↑ in the next session", async () => {
    const file = join(tempDir(), "data", "console_history");
    const seen: Invocation[] = [];
    const first = session({ history: { file, size: 3 }, runner: echoRunner(seen) });
    for (const line of ["root: /ppp help", "root: /liaison whoami", "bob: /liaison whoami", "root: /ppp org list"]) await first.term.type(`${line}\r`);
    await first.term.type("\x04");
    await first.done;
    expect(readFileSync(file, "utf8")).toBe("root: /liaison whoami\nbob: /liaison whoami\nroot: /ppp org list\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = session({ history: { file, size: 3 }, runner: echoRunner(seen) });
    await second.term.type("\x1b[A\x1b[A");
    expect(second.term.screen.lines().at(-1)).toBe("liaison> bob: /liaison whoami");
    await second.term.type("\r\x04");
    await second.done;
    expect(seen.at(-1)!.account.externalId).toBe("bob");
    expect(readFileSync(file, "utf8").trim().split("\n")).toEqual(["root: /liaison whoami", "root: /ppp org list", "bob: /liaison whoami"]);
  });

  it("starts with an empty history when the file does not exist yet, and says once when it cannot be written", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "not-a-dir"), "");
    const s = session({ history: { file: join(dir, "not-a-dir", "history") } });
    await s.term.type("root: /ppp help\r");
    await s.term.type("root: /ppp help\r");
    await s.term.type("\x04");
    await s.done;
    expect(s.term.screen.lines().filter((l) => l.startsWith("(history not saved:"))).toHaveLength(1);
  });
});

describe("Tab completion", () => {
  let h: Harness;
  let source: CompletionSource;
  beforeAll(async () => {
    h = await Harness.open("sqlite");
    await h.say(SEED);
    await h.say('alice@hk-exa: /case open title:"Wallet" exchange:EXA severity:high type:freeze');
    source = { registry: h.core.registry, suggest: (account, kind, typed, context) => h.core.dispatcher.suggest(account, kind, typed, context) };
  });
  afterAll(() => h.close());
  const ref = () => h.adapter.lastRef!;

  it("completes the family, subcommands and option names from the registry", async () => {
    expect(await completeConsoleLine("root: /ca", source)).toEqual([["/case "], "/ca"]);
    expect(await completeConsoleLine("root: ", source)).toEqual([["/case ", "/liaison ", "/ppp "], ""]);
    expect(await completeConsoleLine("root: /case o", source)).toEqual([["open "], "o"]);
    expect(await completeConsoleLine("root@hk-exa: /ppp org l", source)).toEqual([["list "], "l"]);
    expect(await completeConsoleLine("alice: /case open ti", source)).toEqual([["title:"], "ti"]);
    expect((await completeConsoleLine("alice: /case open title:x s", source))[0]).toEqual(["severity:", "subjects:", "summary:"]);
    expect(await completeConsoleLine("alice: /case open severity:c", source)).toEqual([["severity:critical "], "severity:c"]);
    expect(await completeConsoleLine("alice: /case open exchange:E", source)).toEqual([["exchange:EXA ", "exchange:EXB "], "exchange:E"]);
    // Inside quotes is free text; a line that is not `<name>: …` has nothing to complete.
    expect((await completeConsoleLine('alice: /case open title:"Ransom wa', source))[0]).toEqual([]);
    expect((await completeConsoleLine("hello", source))[0]).toEqual([]);
  });

  it("completes case references the speaker may see, and none they may not (need-to-know)", async () => {
    expect(ref()).toMatch(/^HKPF-CSTCB-\d{4}-0001$/);
    expect(await completeConsoleLine("alice: /case show HK", source)).toEqual([[`${ref()} `], "HK"]);
    expect(await completeConsoleLine("bob: /case ack ", source)).toEqual([["ref:", `${ref()} `], ""]);
    expect(await completeConsoleLine("bob: /case note ref:HK", source)).toEqual([[`ref:${ref()} `], "ref:HK"]);
    // Another agency's liaison, an outsider and someone unknown are offered nothing.
    expect((await completeConsoleLine("sam: /case show HK", source))[0]).toEqual([]);
    expect((await completeConsoleLine("eve: /case show HK", source))[0]).toEqual([]);
    expect((await completeConsoleLine("mallory: /case show HK", source))[0]).toEqual([]);
  });

  it("is what Tab does on the terminal", async () => {
    const s = session({ complete: source });
    await s.term.type("alice: /ca\to\tti\t");
    expect(s.term.screen.lines().at(-1)).toBe("liaison> alice: /case open title:");
    await s.term.type("\x03\x03");
    await s.done;
  });
});

describe("$ref: the case this console opened last", () => {
  let h: Harness;
  afterEach(() => h.close());

  it("is refused before any case was opened, then stands for the last case /case open opened", async () => {
    h = await Harness.open("sqlite");
    await h.say(SEED);
    expect(await h.say("bob@hk-exa: /case ack $ref")).toEqual([
      "(only bob) error: $ref stands for the case this console opened last, and none has been opened yet (open one with /case open …)",
    ]);
    await h.say('alice@hk-exa: /case open title:"One" exchange:EXA severity:high type:freeze');
    const first = h.adapter.lastRef!;
    await h.say('alice@hk-exa: /case open title:"Two" exchange:EXA severity:high type:freeze');
    const second = h.adapter.lastRef!;
    expect([first, second].map((r) => r.replace(/-\d{4}-/, "-YYYY-"))).toEqual(["HKPF-CSTCB-YYYY-0001", "HKPF-CSTCB-YYYY-0002"]);
    // A refused open, help, and other commands leave it alone.
    await h.say("alice@hk-exa: /case open title:x exchange:EXA severity:high type:freeze subjects:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD");
    await h.say("alice: /case open help");
    await h.say(`alice: /case show ${first}`);
    expect(h.adapter.lastRef).toBe(second);
    const out = await h.say("bob@hk-exa: /case ack $ref");
    expect(out[0]).toBe(`(only bob) Acknowledged ${second}. Reminders and escalation stop.`);
    // Anywhere in the line, as often as it appears; $refs or $reference are not it.
    const note = await h.say("bob@hk-exa: /case note $ref about $ref, not $reference");
    expect(note.join("\n")).not.toContain("error");
    expect((await h.say(`alice: /case show ${second}`)).join("\n")).toContain(`about ${second}, not $reference`);
  });

  it("makes examples/demo.txt run in any year: no year is written in it, and it runs as it should in 2031 and in 2040", async () => {
    const demo = readFileSync(join(projectRoot, "examples", "demo.txt"), "utf8");
    expect(demo).not.toMatch(/(^|\D)(19|20)\d\d(\D|$)/);
    for (const year of [2031, 2040]) {
      h = await Harness.open("sqlite", { clock: new ManualClock(`${year}-03-04T05:06:07Z`) });
      const out = await h.say(demo);
      const ref = `HKPF-CSTCB-${year}-0001`;
      expect(out).toContain(`(only alice) Opened ${ref}. EXA has been paged; the acknowledgement clock is running.`);
      expect(out.filter((l) => / error: /.test(l))).toEqual([
        "(only alice) error: subjects: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD is refused: its EIP-55 checksum does not match (the upper/lower-case letters are wrong): check it for a typo",
        `(only sam) error: unknown case reference ${ref}`,
        "(only sam) error: unknown case reference HKPF-CSTCB-0000-0099",
      ]);
      expect(out.some((l) => l.startsWith(`(only root) ${ref}: intact — 9 events, head`))).toBe(true);
      if (year !== 2040) await h.close();
    }
  });
});

describe("the start banner", () => {
  const base = { storage: "SQLite ./data/liaison.db", ignored: [], forced: false, port: undefined, coordinators: 1 };

  it("names the database, the adapters and the HTTP port", () => {
    expect(consoleBanner(base)).toEqual([
      "Liaison console",
      "  database  SQLite ./data/liaison.db",
      "  adapters  console (no Slack or Discord credentials)",
      "  http      off (set PORT to serve /healthz, /metrics and the board)",
    ]);
    expect(consoleBanner({ ...base, storage: "PostgreSQL postgresql://liaison:***@db/liaison", port: 8080 }).slice(1, 4)).toEqual([
      "  database  PostgreSQL postgresql://liaison:***@db/liaison",
      "  adapters  console (no Slack or Discord credentials)",
      "  http      port 8080: /healthz, /metrics and the board (/liaison board gives a link)",
    ]);
  });

  it("says when --console leaves platform credentials unused", () => {
    expect(consoleBanner({ ...base, forced: true, ignored: ["Slack", "Discord"] })[2]).toBe("  adapters  console (--console: the Slack and Discord credentials are ignored)");
    expect(consoleBanner({ ...base, forced: true })[2]).toBe("  adapters  console (--console)");
  });

  it("warns when there is no coordinator yet, with the way to name one; says nothing when it could not tell", () => {
    expect(consoleBanner({ ...base, coordinators: 0 }).slice(4)).toEqual([
      "  warning   no coordinator yet: nobody can add organisations or vet people.",
      "            Name the first when starting, e.g. LIAISON_BOOTSTRAP_ADMINS=console:root npm start",
    ]);
    expect(consoleBanner({ ...base, coordinators: undefined })).toHaveLength(4);
  });
});

describe("the test screen", () => {
  it("interprets what readline writes", () => {
    const screen = new Screen(10);
    screen.feed("abc\r\n0123456789xy\x1b[1G\x1b[1A\x1b[0Jq");
    expect(screen.lines()).toEqual(["abc", "q"]);
  });
});
