import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/paths.js";
import { APP_ID, FakeDiscord, GUILD_ID } from "../test/fakes/discord.js";
import { FakeSlack } from "../test/fakes/slack.js";
import { createTempPostgres } from "../test/helpers/postgres.js";
import { percentile, type Figure } from "./stats.js";

/**
 * Benchmarks 2 and 5: Slack's 3-second rule under load — 200 signed slash commands at once
 * to the real bot's /slack/events, compared with a bare Bolt app that only acks — and the
 * bot's memory (RSS) idle with the Slack and Discord adapters loaded, and under that load.
 * The requests come from a process of their own; the fake Slack receiving the bot's replies
 * runs here.
 */

const SECRET = "bench-secret";
const MAIN = join(projectRoot, "dist", "src", "main.js");
/** The flags `npm start` runs the bot with (package.json); both servers get them so the comparison is fair. */
const NODE_FLAGS = ["--max-semi-space-size=2"];
const BARE = join(projectRoot, "dist", "bench", "bare-bolt.js");
const LOAD = join(projectRoot, "dist", "bench", "load.js");

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function waitForOutput(child: ChildProcess, pattern: RegExp, stream: "stdout" | "stderr" = "stdout"): Promise<RegExpExecArray> {
  let seen = "";
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      seen += d;
      const m = pattern.exec(seen);
      if (m) {
        child[stream]!.off("data", onData);
        resolve(m);
      }
    };
    child[stream]!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited with ${code} before ${pattern}: ${seen.slice(-500)}`)));
  });
}

/** Sends bursts from a separate, long-lived process (bench/load.ts). */
class LoadGenerator {
  readonly #child: ChildProcess;
  #buffer = "";
  #waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];

  constructor(cpu: string | undefined) {
    const command = cpu ? ["taskset", ["-c", cpu, process.execPath, LOAD]] as const : [process.execPath, [LOAD]] as const;
    this.#child = spawn(command[0], [...command[1]], { stdio: ["pipe", "pipe", "inherit"] });
    this.#child.on("error", (error) => {
      for (const w of this.#waiting.splice(0)) w.reject(error);
    });
    this.#child.on("exit", (code) => {
      for (const w of this.#waiting.splice(0)) w.reject(new Error(`the load generator exited (${code})`));
    });
    this.#child.stdout!.on("data", (d) => {
      this.#buffer += d;
      let nl: number;
      while ((nl = this.#buffer.indexOf("\n")) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.#waiting.shift()?.resolve(line);
      }
    });
  }

  /** Every body at once; the latency of each, in milliseconds. */
  burst(url: string, bodies: string[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve: (line) => resolve(JSON.parse(line) as number[]), reject });
      this.#child.stdin!.write(`${JSON.stringify({ url, secret: SECRET, bodies })}\n`);
    });
  }

  stop(): void {
    this.#child.kill();
  }
}

/** The bot's own histogram of Slack request durations (arrival → ack sent): count per bucket. */
async function ackBuckets(port: number): Promise<Map<number, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^liaison_http_request_duration_seconds_bucket\{le="([^"]+)",route="POST \/slack\/events"\} (\d+)$/gm)) {
    buckets.set(m[1] === "+Inf" ? Infinity : Number(m[1]) * 1000, Number(m[2]));
  }
  return buckets;
}

/** The bucket bound (ms) under which `p` percent of the requests between two readings fell. */
function bucketPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const le of bounds) if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= (total * p) / 100) return le;
  return Infinity;
}

/**
 * Waits until the bot has handled `commands` commands and delivered everything they caused
 * (its own /metrics), so that each burst meets an idle bot rather than the previous one's work.
 */
async function quiesce(port: number, commands: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  const sum = (text: string, name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
  while (Date.now() < deadline) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const waiting = [...text.matchAll(/^liaison_outbox_messages\{state="(pending|sending)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[2]), 0);
    if (sum(text, "liaison_commands_total") >= commands && waiting === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the bot did not finish ${commands} commands and its deliveries within 2 minutes`);
}

const command = (fake: FakeSlack, i: number, text: string, command = "/case") =>
  new URLSearchParams({ channel_id: "C0HKEXA", channel_name: "hk-exa", user_id: "U0ROOT", user_name: "root", command, text, response_url: fake.responseUrl(`b${i}`), trigger_id: `t${i}-${Date.now()}` }).toString();

/**
 * On a machine with few cores the load generator would otherwise compete for CPU with the
 * bot and the fake Slack, and its clock would measure its own waiting. With `taskset` it
 * gets the first core to itself; this process (the fake Slack) and the servers it starts
 * share the others.
 */
function pinning(): { load: string | undefined; restore: () => void } {
  const cores = cpus().length;
  if (cores < 2 || spawnSync("taskset", ["-V"]).status !== 0) return { load: undefined, restore: () => {} };
  const original = /list:\s*(\S+)/.exec(spawnSync("taskset", ["-p", "-c", String(process.pid)], { encoding: "utf8" }).stdout)?.[1];
  const rest = cores === 2 ? "1" : `1-${cores - 1}`;
  if (!original || spawnSync("taskset", ["-a", "-p", "-c", rest, String(process.pid)]).status !== 0) return { load: undefined, restore: () => {} };
  return { load: "0", restore: () => void spawnSync("taskset", ["-a", "-p", "-c", original, String(process.pid)]) };
}

export async function platformBench(options: { concurrency: number; runs: number; storage: "sqlite" | "postgresql" }): Promise<Figure[]> {
  // Everything started is stopped, whatever fails on the way.
  const cleanups: (() => unknown)[] = [];
  try {
    const pins = pinning();
    cleanups.push(pins.restore);
    const pgTemp = options.storage === "postgresql" ? await createTempPostgres("liaison_bench_slack") : undefined;
    if (pgTemp) cleanups.push(() => pgTemp.drop());
    const slack = new FakeSlack();
    const discord = new FakeDiscord();
    await slack.start();
    cleanups.push(() => slack.stop());
    await discord.start();
    cleanups.push(() => discord.stop());
    const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bot = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        PORT: "0",
        LOG_LEVEL: "info",
        DATABASE_URL: pgTemp ? pgTemp.url : `file:${join(dir, "bench.db")}`,
        LIAISON_BOOTSTRAP_ADMINS: "slack:U0ROOT",
        SLACK_BOT_TOKEN: "xoxb-bench",
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.apiUrl,
        DISCORD_TOKEN: "discord-bench",
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_GUILD_ID: GUILD_ID,
        DISCORD_API_URL: discord.apiUrl,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(() => stopChild(bot));
    const bare = spawn(process.execPath, [...NODE_FLAGS, BARE], { env: { PATH: process.env.PATH, SLACK_SIGNING_SECRET: SECRET }, stdio: ["ignore", "pipe", "inherit"] });
    cleanups.push(() => bare.kill("SIGKILL"));
    const load = new LoadGenerator(pins.load);
    cleanups.push(() => load.stop());
    const port = Number((await waitForOutput(bot, /"port":(\d+)/, "stderr"))[1]);
    const barePort = Number((await waitForOutput(bare, /port (\d+)/))[1]);
    while (discord.identifies.length === 0) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 3000));
    const idle = rssMb(bot.pid!);
    const url = `http://127.0.0.1:${port}/slack/events`;
    let sent = 0;
    const send = async (target: string, bodies: string[]) => {
      sent += bodies.length;
      return load.burst(target, bodies);
    };
    // Organisations for the case opens.
    await send(url, [command(slack, 0, 'org add code:HKPF kind:agency name:"HK Police" jurisdiction:HK domains:police.gov.hk', "/ppp")]);
    await send(url, [command(slack, 1, 'org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example', "/ppp")]);
    await send(url, [command(slack, 2, "bind orgs:HKPF,EXA", "/ppp")]);

    // Warm-up: the first commands compile query plans and JIT the handlers (and the load
    // generator's HTTP client, on the bare app, which has no state to disturb).
    await load.burst(`http://127.0.0.1:${barePort}/slack/events`, Array.from({ length: options.concurrency }, (_, i) => command(slack, 4_000 + i, "whoami", "/liaison")));
    await send(url, Array.from({ length: 20 }, (_, i) => command(slack, 5_000 + i, "whoami", "/liaison")));
    await send(url, Array.from({ length: 20 }, (_, i) => command(slack, 6_000 + i, `open agency:HKPF title:"Warm ${i}" exchange:EXA severity:high type:freeze`)));
    await quiesce(port, sent);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(bot.pid!))), 50);
    const light: number[][] = [];
    const heavy: number[][] = [];
    const baseline: number[][] = [];
    const lightServer: number[] = [];
    const heavyServer: number[] = [];
    for (let r = 0; r < options.runs; r++) {
      const n = options.concurrency;
      baseline.push(await load.burst(`http://127.0.0.1:${barePort}/slack/events`, Array.from({ length: n }, (_, i) => command(slack, 10_000 + i, "whoami", "/liaison"))));
      let before = await ackBuckets(port);
      light.push(await send(url, Array.from({ length: n }, (_, i) => command(slack, 20_000 + r * n + i, "whoami", "/liaison"))));
      lightServer.push(bucketPercentile(before, await ackBuckets(port), 99));
      await quiesce(port, sent);
      before = await ackBuckets(port);
      heavy.push(await send(url, Array.from({ length: n }, (_, i) => command(slack, 30_000 + r * n + i, `open agency:HKPF title:"Load ${r}-${i}" exchange:EXA severity:high type:freeze`))));
      heavyServer.push(bucketPercentile(before, await ackBuckets(port), 99));
      // Let the bot finish the work it acknowledged before the next round.
      await quiesce(port, sent);
    }
    clearInterval(sampler);
    const loaded = rssMb(bot.pid!);
    const med = (runs: number[][], p: number) => percentile(runs.map((l) => percentile(l, p)), 50);
    const bareP99 = med(baseline, 99);
    const figures: Figure[] = [];
    const db = options.storage === "sqlite" ? "SQLite" : "PostgreSQL";
    for (const [what, runs, server] of [
      ["/liaison whoami", light, lightServer],
      ["/case open", heavy, heavyServer],
    ] as const) {
      const p99 = med(runs, 99);
      const serverP99 = percentile(server, 50);
      figures.push(
        { name: `${db}: Slack ack latency, ${options.concurrency} concurrent ${what}, p50`, value: med(runs, 50), unit: "ms", baseline: { name: "bare Bolt", value: med(baseline, 50) } },
        { name: `${db}: Slack ack latency, ${options.concurrency} concurrent ${what}, p99`, value: p99, unit: "ms", baseline: { name: "bare Bolt", value: bareP99 }, ratio: p99 / bareP99, goal: "< 100 ms, ≤ 1.5× bare", met: p99 < 100 && p99 / bareP99 <= 1.5 },
        { name: `  same, measured in the bot (arrival → ack sent), p99 at most`, value: serverP99, unit: "ms", goal: "< 100 ms", met: serverP99 <= 100 },
      );
    }
    return [
      ...figures,
      { name: `${db}: RSS idle, Slack + Discord adapters loaded`, value: idle, unit: "MB", goal: "< 150 MB", met: idle < 150 },
      { name: `${db}: RSS peak under the command bursts`, value: peak, unit: "MB", note: `after the bursts: ${loaded.toFixed(0)} MB` },
    ];
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep going: the rest must still be stopped.
      }
    }
  }
}

/** SIGTERM (the bot shuts down gracefully), then SIGKILL if it has not exited in 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
