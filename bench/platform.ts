import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../src/paths.js";
import { APP_ID, FakeDiscord, GUILD_ID } from "../test/fakes/discord.js";
import { FakeSlack, sign } from "../test/fakes/slack.js";
import { percentile, type Figure } from "./stats.js";

/**
 * Benchmarks 2 and 5: Slack's 3-second rule under load — 200 signed slash commands at once
 * to the real bot's /slack/events, compared with a bare Bolt app that only acks — and the
 * bot's memory (RSS) idle with the Slack and Discord adapters loaded, and under that load.
 */

const SECRET = "bench-secret";
const MAIN = join(projectRoot, "dist", "src", "main.js");
/** The flags `npm start` runs the bot with (package.json); both servers get them so the comparison is fair. */
const NODE_FLAGS = ["--max-semi-space-size=2"];
const BARE = join(projectRoot, "dist", "bench", "bare-bolt.js");

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

async function burst(url: string, bodies: string[]): Promise<number[]> {
  return Promise.all(
    bodies.map(async (body) => {
      const t0 = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...sign(SECRET, body) }, body });
      await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return performance.now() - t0;
    }),
  );
}

const command = (fake: FakeSlack, i: number, text: string, command = "/case") =>
  new URLSearchParams({ channel_id: "C0HKEXA", channel_name: "hk-exa", user_id: "U0ROOT", user_name: "root", command, text, response_url: fake.responseUrl(`b${i}`), trigger_id: `t${i}-${Date.now()}` }).toString();

export async function platformBench(options: { concurrency: number; runs: number }): Promise<Figure[]> {
  const slack = new FakeSlack();
  const discord = new FakeDiscord();
  await slack.start();
  await discord.start();
  const dir = mkdtempSync(join(tmpdir(), "liaison-bench-"));
  const bot = spawn(process.execPath, [...NODE_FLAGS, MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      LOG_LEVEL: "info",
      DATABASE_URL: `file:${join(dir, "bench.db")}`,
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
  const bare = spawn(process.execPath, [...NODE_FLAGS, BARE], { env: { PATH: process.env.PATH, SLACK_SIGNING_SECRET: SECRET }, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = Number((await waitForOutput(bot, /"port":(\d+)/, "stderr"))[1]);
    const barePort = Number((await waitForOutput(bare, /port (\d+)/))[1]);
    while (discord.identifies.length === 0) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 3000));
    const idle = rssMb(bot.pid!);
    const url = `http://127.0.0.1:${port}/slack/events`;
    // Organisations for the case opens.
    await burst(url, [command(slack, 0, 'org add code:HKPF kind:agency name:"HK Police" jurisdiction:HK domains:police.gov.hk', "/ppp")]);
    await burst(url, [command(slack, 1, 'org add code:EXA kind:exchange name:"Exchange A" jurisdiction:MT domains:exa.example', "/ppp")]);
    await burst(url, [command(slack, 2, "bind orgs:HKPF,EXA", "/ppp")]);

    // Warm-up: the first commands compile query plans and JIT the handlers.
    await burst(url, Array.from({ length: 20 }, (_, i) => command(slack, 5_000 + i, "whoami", "/liaison")));
    await burst(url, Array.from({ length: 20 }, (_, i) => command(slack, 6_000 + i, `open agency:HKPF title:"Warm ${i}" exchange:EXA severity:high type:freeze`)));
    await new Promise((res) => setTimeout(res, 3000));
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(bot.pid!))), 50);
    const light: number[][] = [];
    const heavy: number[][] = [];
    const baseline: number[][] = [];
    for (let r = 0; r < options.runs; r++) {
      const n = options.concurrency;
      baseline.push(await burst(`http://127.0.0.1:${barePort}/slack/events`, Array.from({ length: n }, (_, i) => command(slack, 10_000 + i, "whoami", "/liaison"))));
      light.push(await burst(url, Array.from({ length: n }, (_, i) => command(slack, 20_000 + r * n + i, "whoami", "/liaison"))));
      heavy.push(await burst(url, Array.from({ length: n }, (_, i) => command(slack, 30_000 + r * n + i, `open agency:HKPF title:"Load ${r}-${i}" exchange:EXA severity:high type:freeze`))));
      // Let the bot finish the work it acknowledged before the next round.
      await new Promise((res) => setTimeout(res, 8000));
    }
    clearInterval(sampler);
    const loaded = rssMb(bot.pid!);
    const med = (runs: number[][], p: number) => percentile(runs.map((l) => percentile(l, p)), 50);
    const bareP99 = med(baseline, 99);
    const lightP99 = med(light, 99);
    const heavyP99 = med(heavy, 99);
    return [
      { name: `Slack ack latency, ${options.concurrency} concurrent /liaison whoami, p50`, value: med(light, 50), unit: "ms", baseline: { name: "bare Bolt", value: med(baseline, 50) } },
      { name: `Slack ack latency, ${options.concurrency} concurrent /liaison whoami, p99`, value: lightP99, unit: "ms", baseline: { name: "bare Bolt", value: bareP99 }, ratio: lightP99 / bareP99, goal: "< 100 ms, ≤ 1.5× bare", met: lightP99 < 100 && lightP99 / bareP99 <= 1.5 },
      { name: `Slack ack latency, ${options.concurrency} concurrent /case open, p50`, value: med(heavy, 50), unit: "ms", baseline: { name: "bare Bolt", value: med(baseline, 50) } },
      { name: `Slack ack latency, ${options.concurrency} concurrent /case open, p99`, value: heavyP99, unit: "ms", baseline: { name: "bare Bolt", value: bareP99 }, ratio: heavyP99 / bareP99, goal: "< 100 ms, ≤ 1.5× bare", met: heavyP99 < 100 && heavyP99 / bareP99 <= 1.5 },
      { name: "RSS idle, Slack + Discord adapters loaded", value: idle, unit: "MB", goal: "< 150 MB", met: idle < 150 },
      { name: "RSS peak under the command bursts", value: peak, unit: "MB", note: `after the bursts: ${loaded.toFixed(0)} MB` },
    ];
  } finally {
    bot.kill("SIGTERM");
    bare.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 500));
    await slack.stop();
    await discord.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
