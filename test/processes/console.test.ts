import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { childEnv, collect, MAIN, run } from "../helpers/spawn.js";
import { Bot, count, fastPolicyDir } from "../helpers/bot.js";
import { Screen } from "../helpers/terminal.js";
import { seedSqliteBase, seedSqliteCases } from "../../bench/seed.js";
import { normalise, outputBlocks, sample, SAMPLES, showsExcerpt, type Sample } from "./readme.js";

/** The bot as a user starts it: a real process, stdin in, stdout out. */

const dirs: string[] = [];
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "liaison-e2e-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The demo from the README, exactly as it is written there, and the output the README shows for it. */
function readmeDemo(): { input: string; env: Record<string, string>; output: string[] } {
  const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
  const block = /```sh\n(printf '[^\n]*' \| LIAISON_BOOTSTRAP_ADMINS=console:root npm start)\n```\n\nwhich prints(?:[^\n]*\n)*?\n```\n([\s\S]*?)\n```/.exec(readme);
  if (!block) throw new Error("README.md no longer contains the console demo and its output");
  const printf = /printf '([^']*)'/.exec(block[1]!)![1]!;
  return { input: printf.replace(/\\n/g, "\n"), env: { LIAISON_BOOTSTRAP_ADMINS: "console:root" }, output: block[2]!.split("\n") };
}

/** Dates differ from run to run; everything else must read as the README says. */
const undated = (lines: string[]) => lines.map((l) => l.replace(/\d{4}-\d{2}-\d{2}/g, "YYYY-MM-DD"));

describe("the console, started with npm start", () => {
  it("runs the README demo and prints exactly what the README shows: bob ends up a vetted investigator of EXA", async () => {
    const demo = readmeDemo();
    const dir = tempDir();
    const result = await run("npm", ["start"], {
      cwd: projectRoot,
      env: childEnv({ ...demo.env, DATABASE_URL: `file:${join(dir, "demo.db")}` }),
      input: demo.input,
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n").filter((l) => l !== "" && !l.startsWith(">"));
    expect(undated(lines)).toEqual(undated(demo.output));
    expect(lines).toContain("(only root) @bob is vetted as investigator of EXA (request #1, bob@exa.example) until " + new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10) + ".");
  });
});

describe("the README's samples of output", () => {
  it("are each one of the samples the tests here run and compare, and each of those is there once", () => {
    const blocks = outputBlocks();
    const names = Object.keys(SAMPLES) as Sample[];
    for (const block of blocks) {
      const claimed = names.filter((n) => SAMPLES[n](block));
      expect(claimed, `README.md line ${block.at}: an output sample no test runs (add it to test/processes/readme.ts and check it)`).toHaveLength(1);
    }
    for (const name of names) expect(() => sample(name)).not.toThrow();
  });

  it("a refusal typed after the quick start's lines prints what the README shows", async () => {
    const lines = sample("refusal");
    const typed = lines.filter((l) => /^[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._-]+)?: \//.test(l));
    const shown = lines.filter((l) => !typed.includes(l));
    expect(typed.length).toBeGreaterThan(0);
    const result = await run("node", [MAIN], {
      cwd: tempDir(),
      env: childEnv({ LIAISON_BOOTSTRAP_ADMINS: "console:root" }),
      input: readmeDemo().input + typed.join("\n") + "\n",
    });
    expect(result.code).toBe(0);
    const out = result.stdout.split("\n").filter(Boolean);
    expect(out.slice(-shown.length)).toEqual(shown);
  });
});

/** The lines of stderr that are not log records (JSON), e.g. the banner. */
const notLogs = (stderr: string) => stderr.split("\n").filter((l) => l !== "" && !l.startsWith("{"));

const EXPECTED_DEMO_ERRORS = (ref: string) => [
  "(only alice) error: subjects: 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD is refused: its EIP-55 checksum does not match (the upper/lower-case letters are wrong): check it for a typo",
  `(only sam) error: unknown case reference ${ref}`,
  "(only sam) error: unknown case reference HKPF-CSTCB-0000-0099",
];

describe("the case demo (npm run demo, examples/demo.txt)", () => {
  it("runs twice in a row, the same each time, on a throwaway database it removes, and prints the README's excerpt", async () => {
    const ref = `HKPF-CSTCB-${new Date().getUTCFullYear()}-0001`;
    for (let round = 1; round <= 2; round++) {
      const result = await run("npm", ["run", "demo", "--silent"], { cwd: projectRoot, env: childEnv({}) });
      expect(result.code, result.stderr).toBe(0);
      const out = result.stdout.split("\n");
      // The refusals the demo means to show, and no other error.
      expect(out.filter((l) => l.includes("error"))).toEqual(EXPECTED_DEMO_ERRORS(ref));
      expect(showsExcerpt(out, sample("demo")), `README.md's demo excerpt, in round ${round}`).toBe(true);
      // The banner on stderr names the throwaway database; it is gone afterwards.
      const banner = notLogs(result.stderr);
      expect(banner[0]).toBe("Liaison console");
      const db = /^ {2}database {2}SQLite (.*demo\.db)$/.exec(banner[1]!)?.[1];
      expect(db).toBeDefined();
      expect(existsSync(dirname(db!))).toBe(false);
    }
  });

  it("runs a whole case and shows need-to-know, escaping and the audit chain", async () => {
    const input = readFileSync(join(projectRoot, "examples", "demo.txt"), "utf8");
    const result = await run("node", [MAIN], { cwd: tempDir(), env: childEnv({ LIAISON_BOOTSTRAP_ADMINS: "console:root" }), input });
    expect(result.code).toBe(0);
    const out = result.stdout.split("\n");
    const ref = `HKPF-CSTCB-${new Date().getUTCFullYear()}-0001`;
    expect(out.filter((l) => l.includes("error"))).toEqual(EXPECTED_DEMO_ERRORS(ref));
    expect(out).toContain(`(only alice) Opened ${ref}. EXA has been paged; the acknowledgement clock is running.`);
    expect(out).toContain(`[#hk-exa] ┌ ${ref} · Ransom wallet <!everyone> @here  [TLP:AMBER]`);
    expect(out).toContain(`[dm @bob] You are paged: ${ref} — critical freeze, HKPF-CSTCB → EXA: Ransom wallet <!everyone> @here`);
    expect(out).toContain(`[#hk-exa › ${ref}] Acknowledged by @bob (0s after the page).`);
    expect(out).toContain(`[#hk-exa › ${ref}] @dave accepted the handoff and now has the case.`);
    expect(out).toContain(`[#hk-exa › ${ref}] Closed by @alice.`);
    expect(out).toContain(`(only alice) Export of ${ref} (TLP:AMBER), 9 events, hash chain intact.`);
    expect(out.some((l) => l.startsWith(`(only root) ${ref}: intact — 9 events, head`))).toBe(true);
  });
});

describe("the escalation example (examples/escalation.sh)", () => {
  it("escalates the unanswered case step by step and leaves the acknowledged one alone", async () => {
    const dir = tempDir();
    const result = await run("bash", [join(projectRoot, "examples", "escalation.sh")], {
      cwd: projectRoot,
      env: childEnv({ DATABASE_URL: `file:${join(dir, "esc.db")}` }),
    });
    expect(result.code).toBe(0);
    const out = result.stdout;
    const year = new Date().getUTCFullYear();
    const a = `HKPF-CSTCB-${year}-0001`;
    const b = `HKPF-CSTCB-${year}-0002`;
    expect(out).toContain(`[#hk-exa › ${a}] Reminder. @bob: ${a} is not acknowledged yet; acknowledge with /case ack ${a}.`);
    expect(out).toContain(`[dm @lee] You are paged at escalation level 2 (team leads): ${a}`);
    expect(out).toContain(`[dm @root] You are paged at escalation level 3 (coordinators): ${a}`);
    expect(out.match(/\[dm @lee\] You are paged/g)).toHaveLength(1);
    expect(out).toContain(`[#hk-exa › ${b}] Acknowledged by @bob`);
    expect(out).not.toContain(`[#hk-exa › ${b}] Reminder`);
    expect(out).toContain(`[#hk-exa]   • ${a} · critical · open · `);
    expect(out).toContain(`[#hk-exa]   • ${b} · critical · acknowledged · `);
    expect(showsExcerpt(out.split("\n"), sample("escalation")), "README.md's escalation excerpt").toBe(true);
  }, 90_000);
});

describe("the console process", () => {
  it("keeps its database in ./data/liaison.db by default and exits after end of input", async () => {
    const cwd = tempDir();
    const result = await run("node", [MAIN], {
      cwd,
      env: childEnv({ LIAISON_BOOTSTRAP_ADMINS: "console:root" }),
      input: "# a comment\n\nroot: /liaison whoami\nmal: /liaison register org:EXA role:investigator email:mal@gmail.com\n",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("(only root) You are root.");
    expect(result.stdout).toContain('(only mal) error: unknown organisation "EXA" — ask your organisation\'s Liaison contact or a coordinator for its code, or to add your organisation if it is not in Liaison yet');
    expect(readFileSync(join(cwd, "data", "liaison.db")).subarray(0, 15).toString()).toBe("SQLite format 3");
  });

  it("answers lines it cannot read with the expected form", async () => {
    const result = await run("node", [MAIN], { cwd: tempDir(), env: childEnv({}), input: "hello there\nbob: /foo\n" });
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([
      'error: cannot read "hello there": write <name>: /command … or <name>@<channel>: /command …',
      '(only bob) error: unknown command "/foo": commands are /case, /liaison and /ppp (try /ppp help)',
    ]);
  });

  it("stops with status 2 and one line per problem when the configuration is invalid", async () => {
    const result = await run("node", [MAIN], {
      cwd: tempDir(),
      env: childEnv({ DATABASE_URL: "mysql://root:secret@localhost/x", PORT: "http" }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      'invalid configuration: PORT must be a whole number from 0 to 65535, got "http"',
      'invalid configuration: DATABASE_URL must start with file: (SQLite) or postgres:// / postgresql:// (PostgreSQL), got "mysql://root:***@localhost/x"',
    ]);
    expect(result.stdout).toBe("");
  });

  it("stops with status 2 when the policy file is invalid", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "policy.yaml"), "severities:\n  critical: { ack: fast }\nstale: 7d\n");
    const result = await run("node", [MAIN], { cwd, env: childEnv({ LIAISON_POLICY_FILE: "policy.yaml" }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid configuration: LIAISON_POLICY_FILE: policy.yaml: severities.critical.ack: "fast" is not a duration like 30s, 15m, 4h or 7d');
    expect(result.stderr).toContain("invalid configuration: LIAISON_POLICY_FILE: policy.yaml: severities.high is missing");
  });

  it("stops with a clear message when the database cannot be reached", async () => {
    const result = await run("node", [MAIN], {
      cwd: tempDir(),
      env: childEnv({ DATABASE_URL: "postgresql://liaison:pw@127.0.0.1:1/liaison" }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^liaison: cannot open the database \(PostgreSQL postgresql:\/\/liaison:\*\*\*@127\.0\.0\.1:1\/liaison\): .*ECONNREFUSED/);
  });

  it("serves /healthz and /metrics on PORT while the console runs", async () => {
    const child = spawn("node", [MAIN], {
      cwd: tempDir(),
      env: childEnv({ PORT: "0", LOG_LEVEL: "info", LIAISON_BOOTSTRAP_ADMINS: "console:root" }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    const done = collect(child);
    const port = await new Promise<number>((resolve, reject) => {
      let seen = "";
      child.stderr!.on("data", (d) => {
        seen += d;
        const m = /"port":(\d+)/.exec(seen);
        if (m) resolve(Number(m[1]));
      });
      child.on("close", () => reject(new Error(`exited early: ${seen}`)));
    });
    child.stdin!.write("root: /liaison whoami\n");
    await new Promise((r) => setTimeout(r, 300));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "sqlite" });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/liaison_commands_total\{command="\/liaison whoami",outcome="ok"\} 1/);
    expect(metrics).toContain("liaison_process_resident_memory_bytes");
    expect(metrics).toMatch(/^liaison_http_request_duration_seconds_count\{route="GET \/healthz"\} 1$/m);
    expect(metrics).toMatch(/^liaison_timers_overdue 0$/m);
    expect(metrics).toMatch(/^liaison_outbox_messages\{state="dead"\} 0$/m);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    child.stdin!.end();
    expect((await done).code).toBe(0);
  });
});

describe("the console while a flood is delivered", () => {
  it("answers a command within a second while 2,000 overdue escalations are being delivered", async () => {
    const dir = tempDir();
    const file = join(dir, "flood.db");
    // The schema as the bot makes it, then 2,000 critical cases whose level-2 step fell due while it was down.
    const made = await run(process.execPath, [MAIN], { cwd: dir, env: childEnv({ DATABASE_URL: `file:${file}` }), input: "" });
    expect(made.code).toBe(0);
    const ids = seedSqliteBase(file);
    seedSqliteCases(file, ids, 2000, Date.now() - 20 * 60_000, Date.now() - 1000);

    const bot = new Bot({ DATABASE_URL: `file:${file}` }, dir);
    try {
      await bot.waitFor(/\[dm @lee\] You are paged at escalation level 2/, 30_000);
      const asked = Date.now();
      bot.send("bob: /liaison whoami");
      await bot.waitFor(/\(only bob\)/, 10_000);
      const answeredIn = Date.now() - asked;
      // Deliveries and commands interleave: the reply does not wait for the flood.
      expect(answeredIn).toBeLessThan(1000);
      const pagedBefore = count(bot.stdout.slice(0, bot.stdout.indexOf("(only bob)")), /\[dm @lee\] You are paged/);
      expect(pagedBefore).toBeLessThan(2000);
      await bot.finish();
      expect(count(bot.stdout, /\[dm @lee\] You are paged at escalation level 2/)).toBe(2000);
    } finally {
      await bot.kill9();
    }
  });
});

/** `script` (util-linux) runs the bot on a pseudo-terminal, as someone at a terminal would. */
const hasScript = spawnSync("script", ["--version"]).status === 0;

/** The bot on a pseudo-terminal of 250 columns (no command line wraps): keys in, a screen out. */
function onTerminal(env: Record<string, string>, cwd: string) {
  const child = spawn("script", ["-qfec", `stty cols 250 rows 50; exec "${process.execPath}" "${MAIN}"`, "/dev/null"], {
    cwd,
    env: childEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const screen = new Screen(250);
  let raw = "";
  child.stdout!.on("data", (d) => {
    raw += d;
    screen.feed(String(d));
  });
  const done = collect(child);
  return {
    screen,
    done,
    type: (keys: string) => child.stdin!.write(keys),
    async waitFor(test: (lines: string[]) => boolean, what: string, timeoutMs = 15_000) {
      const started = Date.now();
      while (!test(screen.lines())) {
        if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n--- screen\n${screen.lines().join("\n")}\n--- raw\n${JSON.stringify(raw.slice(-2000))}`);
        if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${what}\n${screen.lines().join("\n")}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    kill: () => child.kill("SIGKILL"),
  };
}

const prompted = (lines: string[]) => lines.at(-1) === "liaison>";

describe("the start banner", () => {
  it.skipIf(!hasScript)("in a terminal: the README's sample, database, adapters, port and the missing coordinator, above the prompt", async () => {
    const cwd = tempDir();
    const t = onTerminal({}, cwd);
    try {
      await t.waitFor(prompted, "the prompt");
      const lines = t.screen.lines();
      const start = lines.indexOf("Liaison console");
      // Above it, on a first start only, the log line about the signing key it generated (stderr, the same terminal).
      expect(lines.slice(0, start)).toHaveLength(1);
      expect(lines[0]).toMatch(/ WARN \(\d+\): no LIAISON_SIGNING_KEY_FILE: generated an Ed25519 signing key for evidence packs at data\/signing-key\.pem/);
      expect(lines.slice(start).map(normalise)).toEqual(sample("banner").map(normalise));
      t.type("\x04");
      expect((await t.done).code).toBe(0);
    } finally {
      t.kill();
    }
  });

  it("on a pipe: the same banner on stderr, stdout only the conversation; the port when PORT is set; no warning with a coordinator", async () => {
    const readme = sample("banner");
    const bare = await run("node", [MAIN], { cwd: tempDir(), env: childEnv({}), input: "root: /liaison whoami\n" });
    expect(bare.code).toBe(0);
    expect(notLogs(bare.stderr)).toEqual(readme.slice(0, -2));
    expect(bare.stdout.split("\n")[0]).toMatch(/^\(only root\) /);
    expect(bare.stdout).not.toContain("Liaison console");

    const served = await run("node", [MAIN], {
      cwd: tempDir(),
      env: childEnv({ PORT: "0", LIAISON_BOOTSTRAP_ADMINS: "console:root", DATABASE_URL: "file:./elsewhere/x.db" }),
      input: "",
    });
    expect(served.code).toBe(0);
    const banner = notLogs(served.stderr);
    expect(banner.slice(0, 3)).toEqual(["Liaison console", "  database  SQLite ./elsewhere/x.db", "  adapters  console (no Slack or Discord credentials)"]);
    expect(banner[3]).toMatch(/^ {2}http {6}port \d+: \/healthz, \/metrics and the board \(\/liaison board gives a link\)$/);
    expect(banner).toHaveLength(4);
  });

  it("with --console, says the platform credentials set are ignored", async () => {
    const result = await run("node", [MAIN, "--console"], {
      cwd: tempDir(),
      env: childEnv({ LIAISON_BOOTSTRAP_ADMINS: "console:root", SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }),
      input: "",
    });
    expect(result.code).toBe(0);
    expect(notLogs(result.stderr)[2]).toBe("  adapters  console (--console: the Slack credentials are ignored)");
  });
});

describe("the console in a terminal", () => {
  it.skipIf(!hasScript)("prints a reminder above the half-typed line, completes with Tab, keeps history, and quits on Ctrl-C twice", async () => {
    const cwd = tempDir();
    const fast = fastPolicyDir();
    const t = onTerminal({ LIAISON_BOOTSTRAP_ADMINS: "console:root", LIAISON_POLICY_FILE: fast.policy }, cwd);
    try {
      await t.waitFor(prompted, "the prompt");
      const setup = [
        'root: /ppp org add code:HKPF-CSTCB kind:agency name:"Hong Kong Police CSTCB" jurisdiction:HK domains:police.gov.hk',
        'root: /ppp org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example',
        "alice: /liaison register org:HKPF-CSTCB role:liaison email:alice@police.gov.hk",
        "bob: /liaison register org:EXA role:investigator email:bob@exa.example",
        "root: /liaison vet @alice",
        "root: /liaison vet @bob",
        "root: /ppp oncall EXA @bob",
        "root@hk-exa: /ppp bind orgs:HKPF-CSTCB,EXA",
        "alice@hk-exa: /case open title:Unanswered exchange:EXA severity:critical type:freeze",
      ];
      for (const line of setup) {
        t.type(`${line}\r`);
        await t.waitFor((l) => prompted(l) && l.some((x) => x.endsWith(line)), line);
      }
      // Half a line typed, and a reminder comes (every 2 s under this policy).
      t.type("root: /liaison wh");
      await t.waitFor((l) => l.some((x) => x.includes("] Reminder. @bob")), "a reminder");
      await new Promise((r) => setTimeout(r, 100));
      const screen = t.screen.lines();
      expect(screen.at(-1)).toBe("liaison> root: /liaison wh");
      expect(screen.filter((l) => l.startsWith("liaison> root: /liaison wh"))).toHaveLength(1);
      expect(screen.filter((l) => l.includes("Reminder") && l.includes("liaison>"))).toEqual([]);
      expect(screen.some((l) => /^\[#hk-exa › HKPF-CSTCB-\d{4}-0001\] Reminder\. @bob: /.test(l))).toBe(true);
      // Tab completes the rest; Enter runs it.
      t.type("\t");
      await t.waitFor((l) => (l.at(-1) ?? "").startsWith("liaison> root: /liaison whoami"), "the completion");
      t.type("\r");
      await t.waitFor((l) => l.includes("(only root) You are root."), "the reply");
      // Ctrl-C clears a typed line and says how to quit; a second one quits.
      t.type("bob: /case sh");
      await t.waitFor((l) => (l.at(-1) ?? "").endsWith("bob: /case sh"), "typing");
      t.type("\x03");
      await t.waitFor((l) => l.includes("(press Ctrl-C again to quit)") && prompted(l), "the hint");
      t.type("\x03");
      expect((await t.done).code).toBe(0);
      const history = readFileSync(join(cwd, "data", "console_history"), "utf8").trim().split("\n").map((l) => l.trimEnd());
      expect(history).toEqual([...setup, "root: /liaison whoami"]);
      expect(statSync(join(cwd, "data", "console_history")).mode & 0o777).toBe(0o600);
    } finally {
      t.kill();
      fast.cleanup();
    }
  });
});
