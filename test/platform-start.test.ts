import { createServer } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import { createLogger, silentLogger } from "../src/log.js";
import { platformClients, startPlatforms, type Platforms } from "../src/platforms.js";
import { startApp, type App } from "../src/runtime/app.js";
import { describeConnectError, PlatformConnection, retryDelay, type PlatformState } from "../src/runtime/connection.js";
import { SingleHolder } from "../src/runtime/lease.js";
import { systemClock } from "../src/clock.js";
import { APP_ID, FakeDiscord, GUILD_ID, interactionBase } from "./fakes/discord.js";
import { FakeSlack } from "./fakes/slack.js";
import { openTestDatabase, type TestDatabase } from "./helpers/harness.js";

/**
 * A platform that cannot be reached at start-up: the real Bolt and discord.js against local
 * fakes that are not listening yet, refuse, or refuse the token. Both platforms retry with
 * backoff (one log line per attempt, the libraries' own noise silenced), /healthz answers 503
 * naming the platform and the reason, and once the fake is up the platform connects by
 * itself, /healthz turns 200 and commands work. A refused token stops with a clear message.
 */

/** Backoff in tens of milliseconds, so a test sees several attempts quickly. */
const FAST = { initialMs: 20, maxMs: 120, attemptTimeoutMs: 5000 };

async function until<T>(probe: () => T | undefined | false | null | Promise<T | undefined | false | null>, what: string, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A port nobody listens on (for now). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

interface Line {
  level: number;
  msg: string;
  platform?: string;
  attempt?: number;
  problem?: string;
  retryInMs?: number;
  retryAt?: string;
  [key: string]: unknown;
}

interface Health {
  status: string;
  database: string;
  platforms?: Record<string, PlatformState & { attempt?: number; reason?: string; retryAt?: string }>;
}

class Running {
  readonly lines: Line[] = [];
  app!: App;
  platforms: Platforms | undefined;
  db!: TestDatabase;

  get url() {
    return `http://127.0.0.1:${this.app.port}`;
  }

  async health(): Promise<{ status: number; body: Health }> {
    const res = await fetch(`${this.url}/healthz`);
    return { status: res.status, body: (await res.json()) as Health };
  }

  /** Where the platforms started (the app's own start-up lines are before it). */
  from = 0;

  /** The warn-or-worse lines since the platforms started: besides the connection's own, nothing should be there. */
  loud(): Line[] {
    return this.lines.slice(this.from).filter((l) => l.level >= 40);
  }

  retries(platform: string): Line[] {
    return this.lines.filter((l) => l.msg === "cannot connect to the chat platform; retrying" && l.platform === platform);
  }
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.platforms?.stop();
    await r.app?.stop();
    await r.db?.cleanup().catch(() => {});
  }
});

/** The whole bot in-process as from the environment (like test/helpers/system.ts), logging JSON into `lines`. */
async function start(env: Record<string, string>, options: { before?: (app: App) => Promise<void> } = {}): Promise<Running> {
  const r = new Running();
  running.push(r);
  r.db = await openTestDatabase("sqlite");
  await r.db.db.close();
  const storage = r.db.storage;
  const parsed = parseConfig({ PORT: "0", DATABASE_URL: storage.provider === "sqlite" ? `file:${storage.file}` : storage.url, ...env });
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  let buffered = "";
  const sink = new Writable({
    write: (chunk, _enc, done) => {
      buffered += String(chunk);
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        r.lines.push(JSON.parse(buffered.slice(0, nl)) as Line);
        buffered = buffered.slice(nl + 1);
      }
      done();
    },
  });
  const log = createLogger({ level: "info", destination: sink });
  const clients = platformClients(parsed.config);
  r.app = await startApp({ config: parsed.config, log, notifiers: clients.notifiers, processMetrics: false });
  await options.before?.(r.app);
  r.from = r.lines.length;
  r.platforms = await startPlatforms(parsed.config, r.app, clients, log, { retry: FAST });
  return r;
}

/** Each retry line names its platform, counts up from 1 without a gap, and says why and when next. */
function expectOneLinePerAttempt(lines: Line[], reason: RegExp[]) {
  expect(lines.map((l) => l.attempt)).toEqual(lines.map((_, i) => i + 1));
  for (const l of lines) {
    expect(l.level).toBe(40);
    expect(typeof l.retryInMs).toBe("number");
    expect(Date.parse(String(l.retryAt))).not.toBeNaN();
    expect(reason.some((r) => r.test(String(l.problem))), `${l.problem} is one of the expected reasons`).toBe(true);
  }
}

describe("the retry policy", () => {
  it("doubles from the first wait to the cap, each wait between half and all of it", () => {
    const policy = { initialMs: 1000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelay(policy, n, () => 1))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect([1, 2, 7].map((n) => retryDelay(policy, n, () => 0))).toEqual([500, 1000, 30_000]);
  });

  it("names a failure by its system error, status or code — never by any other message", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { syscall: "connect", code: "ECONNREFUSED" });
    expect(describeConnectError(Object.assign(new Error("wrapped"), { original: new TypeError("fetch failed", { cause: refused }) }))).toBe("connect ECONNREFUSED 127.0.0.1:9");
    expect(describeConnectError(new TypeError("fetch failed", { cause: new Error("bad port") }))).toBe("fetch refuses to connect to this port (a port browsers block)");
    expect(describeConnectError(Object.assign(new Error("Service Unavailable: case HKPF-1 title"), { status: 503 }))).toBe("HTTP 503");
    expect(describeConnectError(Object.assign(new Error("quoting what someone typed"), { code: "weird_code" }))).toBe("Error (weird_code)");
  });

  it("stops retrying when stopped, and can start again", async () => {
    let attempts = 0;
    let up = false;
    const connection = new PlatformConnection({
      platform: "test",
      log: silentLogger,
      retry: FAST,
      connect: async () => {
        attempts++;
        if (!up) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { syscall: "connect", code: "ECONNREFUSED" });
      },
      disconnect: async () => {},
      classify: () => ({ fatal: false }),
    });
    await connection.start();
    expect(connection.status()).toMatchObject({ state: "connecting", attempt: 1, reason: "connect ECONNREFUSED 127.0.0.1:9" });
    await until(() => attempts >= 3, "three attempts");
    await connection.stop();
    const stoppedAt = attempts;
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(stoppedAt);
    expect(connection.status()).toEqual({ state: "stopped" });
    up = true;
    await connection.start();
    expect(connection.status()).toMatchObject({ state: "connected" });
  });

  it("gives up an attempt that has no outcome in time, and says so", async () => {
    const connection = new PlatformConnection({
      platform: "test",
      log: silentLogger,
      retry: { ...FAST, attemptTimeoutMs: 50 },
      connect: () => new Promise<void>(() => {}),
      disconnect: async () => {},
      classify: () => ({ fatal: false }),
    });
    await connection.start();
    expect(connection.status()).toMatchObject({ state: "connecting", attempt: 1, reason: "no answer within 50ms" });
    await connection.stop();
  });
});

describe("Slack unreachable at start-up", () => {
  const fakes: FakeSlack[] = [];
  afterEach(async () => {
    for (const f of fakes.splice(0)) await f.stop();
  });

  it("retries (Socket Mode) until Slack is up, reporting it on /healthz and once per attempt in the log", async () => {
    const port = await freePort();
    const fake = new FakeSlack();
    fakes.push(fake);
    const r = await start({ SLACK_BOT_TOKEN: "xoxb-test", SLACK_APP_TOKEN: "xapp-test", SLACK_API_URL: `http://127.0.0.1:${port}/api/`, LIAISON_BOOTSTRAP_ADMINS: "slack:U0ROOT" });

    // Nothing listens: auth.test is refused.
    const down = await r.health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: "unavailable", database: "sqlite", platforms: { slack: { state: "connecting", reason: `connect ECONNREFUSED 127.0.0.1:${port}` } } });
    expect(down.body.platforms!.slack!.attempt).toBeGreaterThanOrEqual(1);
    await until(() => r.retries("slack").length >= 3, "three failed attempts");

    // The Web API answers, but the Socket Mode WebSocket cannot open.
    await fake.start(port);
    await until(async () => (await r.health()).body.platforms?.slack?.reason?.includes("Socket Mode WebSocket"), "the WebSocket failing");
    const socketDown = await r.health();
    expect(socketDown.status).toBe(503);
    expect(socketDown.body.platforms!.slack).toMatchObject({ state: "connecting", reason: `the Socket Mode WebSocket to 127.0.0.1:${port} failed to connect` });

    // Slack is up: connected by itself.
    fake.enableSocketMode();
    await until(async () => (await r.health()).status === 200, "/healthz to turn 200");
    const up = await r.health();
    expect(up.body).toEqual({ status: "ok", database: "sqlite", platforms: { slack: { state: "connected", since: expect.any(String) } } });
    expect(fake.socketConnected).toBe(true);

    const retries = r.retries("slack");
    expectOneLinePerAttempt(retries, [/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/, /^the Socket Mode WebSocket to 127\.0\.0\.1:\d+ failed to connect$/]);
    // Bolt, the Web API and Socket Mode said nothing of their own about it ("http request failed", "WebSocket error").
    expect(r.loud()).toEqual(retries);
    expect(r.lines.find((l) => l.msg === "connected to the chat platform")).toMatchObject({ platform: "slack", attempts: retries.length + 1 });

    // A command works.
    const ack = await fake.sendEnvelope(
      "slash_commands",
      { command: "/liaison", text: "whoami", user_id: "U0ROOT", user_name: "root", channel_id: "C0X", channel_name: "x", team_id: "T0FAKE", response_url: fake.responseUrl("late-1"), trigger_id: "trigger-late-1" },
      "env-late-1",
    );
    expect(ack.envelope_id).toBe("env-late-1");
    const reply = await until(() => fake.responses.find((x) => x.id === "late-1"), "the reply");
    expect(JSON.stringify(reply.body.blocks)).toContain("You are *root*");
  });

  it("stops with a clear message when Slack refuses the bot token at start-up", async () => {
    const fake = new FakeSlack();
    fakes.push(fake);
    await fake.start();
    fake.fail("auth.test", { error: "invalid_auth" });
    const started = start({ SLACK_BOT_TOKEN: "xoxb-wrong", SLACK_SIGNING_SECRET: "secret", SLACK_API_URL: fake.apiUrl });
    await expect(started).rejects.toThrow("slack: auth.test answered invalid_auth: Slack refuses SLACK_BOT_TOKEN (not retrying)");
    expect(fake.callsOf("auth.test")).toHaveLength(1);
  });

  it("stops when Slack, once reachable, refuses the app token — after retrying while it was not", async () => {
    const port = await freePort();
    const fake = new FakeSlack();
    fakes.push(fake);
    const r = await start({ SLACK_BOT_TOKEN: "xoxb-test", SLACK_APP_TOKEN: "xapp-wrong", SLACK_API_URL: `http://127.0.0.1:${port}/api/` });
    expect((await r.health()).status).toBe(503);
    fake.fail("apps.connections.open", { error: "invalid_auth" });
    await fake.start(port);
    const refused = await r.platforms!.failed;
    expect(refused.message).toBe("slack: apps.connections.open answered invalid_auth: Slack refuses SLACK_APP_TOKEN (not retrying)");
    const health = await r.health();
    expect(health.status).toBe(503);
    expect(health.body.platforms!.slack).toEqual({ state: "failed", reason: "apps.connections.open answered invalid_auth: Slack refuses SLACK_APP_TOKEN" });
    const calls = fake.callsOf("apps.connections.open").length;
    await new Promise((res) => setTimeout(res, 300));
    expect(fake.callsOf("apps.connections.open")).toHaveLength(calls);
    expect(r.lines.filter((l) => l.level >= 50)).toEqual([expect.objectContaining({ platform: "slack", msg: "the chat platform refused the connection; not retrying" })]);
  });
});

describe("Discord unreachable at start-up", () => {
  const fakes: (FakeDiscord | FakeSlack)[] = [];
  afterEach(async () => {
    for (const f of fakes.splice(0)) await f.stop();
  });
  const env = (apiUrl: string) => ({ DISCORD_TOKEN: "discord-test-token", DISCORD_APPLICATION_ID: APP_ID, DISCORD_GUILD_ID: GUILD_ID, DISCORD_API_URL: apiUrl });

  it("retries until Discord is up, the gateway's refusals included, reporting it on /healthz and once per attempt in the log", async () => {
    const port = await freePort();
    const fake = new FakeDiscord();
    fakes.push(fake);
    const r = await start(env(`http://127.0.0.1:${port}/api`));

    const down = await r.health();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: "unavailable", platforms: { discord: { state: "connecting", reason: `connect ECONNREFUSED 127.0.0.1:${port}` } } });
    await until(() => r.retries("discord").length >= 3, "three failed attempts");

    // REST answers; the gateway refuses the WebSocket.
    fake.gatewayRefusal = 503;
    await fake.start(port);
    await until(async () => (await r.health()).body.platforms?.discord?.reason?.includes("gateway"), "the gateway failing");
    expect((await r.health()).body.platforms!.discord).toMatchObject({ state: "connecting", reason: `the gateway at 127.0.0.1:${port} answered HTTP 503` });
    const gatewayFailures = () => r.retries("discord").filter((l) => l.problem?.includes("gateway")).length;
    await until(() => gatewayFailures() >= 2, "two gateway failures");
    // One WebSocket per attempt: @discordjs/ws's own reconnect loop never ran.
    expect(fake.gatewayAttempts).toBeLessThanOrEqual(gatewayFailures() + 1);

    fake.gatewayRefusal = undefined;
    await until(async () => (await r.health()).status === 200, "/healthz to turn 200");
    expect((await r.health()).body).toEqual({ status: "ok", database: "sqlite", platforms: { discord: { state: "connected", since: expect.any(String) } } });

    const retries = r.retries("discord");
    expectOneLinePerAttempt(retries, [/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/, /^the gateway at 127\.0\.0\.1:\d+ answered HTTP 503$/]);
    expect(r.loud()).toEqual(retries);
    expect(fake.identifies).toHaveLength(1);

    // A command works.
    const base = interactionBase({ id: "800000000000000009", username: "zed" }, { id: "910000000000000001", name: "hk-exa" });
    fake.interact({ ...base, type: 2, data: { id: "1", name: "liaison", type: 1, options: [{ type: 1, name: "whoami", options: [] }], guild_id: GUILD_ID } });
    const answer = await until(() => fake.webhooks.find((w) => w.token === base.token && w.method === "PATCH"), "the answer");
    expect(String(answer.body.content)).toContain("not registered");
  });

  it("stops with a clear message when the gateway refuses the token (4004)", async () => {
    const fake = new FakeDiscord();
    fakes.push(fake);
    await fake.start();
    fake.identifyClose = 4004;
    await expect(start(env(fake.apiUrl))).rejects.toThrow(`discord: the gateway at 127.0.0.1:${fake.port} closed with 4004 (AuthenticationFailed): Discord refuses DISCORD_TOKEN (not retrying)`);
    expect(fake.identifies).toHaveLength(1);
  });

  it("stops with a clear message when Discord's API answers 401", async () => {
    const fake = new FakeDiscord();
    fakes.push(fake);
    await fake.start();
    fake.fail(/^GET \/applications\/\d+\/guilds\/\d+\/commands$/, { status: 401, code: 0, message: "401: Unauthorized" });
    await expect(start(env(fake.apiUrl))).rejects.toThrow("discord: registering commands: HTTP 401: Discord refuses DISCORD_TOKEN (not retrying)");
    expect(fake.identifies).toHaveLength(0);
  });

  it("is healthy in standby while another process holds the gateway", async () => {
    const fake = new FakeDiscord();
    fakes.push(fake);
    await fake.start();
    const r = await start(env(fake.apiUrl), {
      before: async (app) => {
        const other = new SingleHolder({ db: app.db, clock: systemClock, log: silentLogger, name: "discord-gateway", owner: "another-process", ttlMs: 60_000, onAcquired: async () => {}, onLost: async () => {} });
        expect(await other.tryHold()).toBe(true);
      },
    });
    const health = await r.health();
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok", database: "sqlite", platforms: { discord: { state: "standby" } } });
    expect(fake.identifies).toHaveLength(0);
    expect(r.loud()).toEqual([]);
  });

  it("keeps the platform that is up working while the other retries", async () => {
    const discord = new FakeDiscord();
    fakes.push(discord);
    await discord.start();
    const slackPort = await freePort();
    const r = await start({ ...env(discord.apiUrl), SLACK_BOT_TOKEN: "xoxb-test", SLACK_SIGNING_SECRET: "secret", SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/` });
    const health = await r.health();
    expect(health.status).toBe(503);
    expect(health.body.platforms).toMatchObject({ slack: { state: "connecting", reason: `connect ECONNREFUSED 127.0.0.1:${slackPort}` }, discord: { state: "connected" } });
    const base = interactionBase({ id: "800000000000000009", username: "zed" }, { id: "910000000000000001", name: "hk-exa" });
    discord.interact({ ...base, type: 2, data: { id: "1", name: "liaison", type: 1, options: [{ type: 1, name: "whoami", options: [] }], guild_id: GUILD_ID } });
    const answer = await until(() => discord.webhooks.find((w) => w.token === base.token && w.method === "PATCH"), "the answer");
    expect(String(answer.body.content)).toContain("not registered");
    expect(r.retries("discord")).toEqual([]);
    expect(r.retries("slack").length).toBeGreaterThanOrEqual(1);
  });
});
