import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bot, sleep } from "../helpers/bot.js";
import { APP_ID, FakeDiscord, GUILD_ID, interactionBase } from "../fakes/discord.js";
import { createTempPostgres, type TempDatabase } from "../helpers/postgres.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Several bot processes on one PostgreSQL database: exactly one holds the Discord gateway;
 * when it is killed, another takes over within seconds.
 */
describe("the Discord gateway across processes", () => {
  const fake = new FakeDiscord();
  let db: TempDatabase;
  const dir = mkdtempSync(join(tmpdir(), "liaison-gateway-"));
  const bots: Bot[] = [];

  beforeAll(async () => {
    await fake.start();
    db = await createTempPostgres("liaison_gateway");
  });
  afterAll(async () => {
    await Promise.all(bots.map((b) => b.kill9()));
    await fake.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = () => {
    const bot = new Bot(
      { DATABASE_URL: db.url, DISCORD_TOKEN: "discord-test-token", DISCORD_APPLICATION_ID: APP_ID, DISCORD_GUILD_ID: GUILD_ID, DISCORD_API_URL: fake.apiUrl, LOG_LEVEL: "info" },
      dir,
    );
    bots.push(bot);
    return bot;
  };

  async function waitUntil(probe: () => boolean, what: string, ms = 20_000) {
    const started = Date.now();
    while (!probe()) {
      if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
    return Date.now() - started;
  }

  it("is held by one process at a time and taken over when the holder is killed", async () => {
    const a = start();
    await waitUntil(() => fake.identifies.length === 1, "the first connection");
    const b = start();
    await b.waitFor(/"msg":"Liaison started"/);
    await sleep(4000);
    expect(fake.identifies).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/commands"))).toHaveLength(1);

    await a.kill9();
    const tookOver = await waitUntil(() => fake.identifies.length === 2 && fake.connections === 1, "the takeover");
    expect(tookOver).toBeLessThan(15_000);
    // The new holder answers interactions.
    const base = interactionBase({ id: "800000000000000009", username: "zed" }, { id: "910000000000000001", name: "hk-exa" });
    fake.interact({ ...base, type: 2, data: { id: "1", name: "liaison", type: 1, options: [{ type: 1, name: "whoami", options: [] }], guild_id: GUILD_ID } });
    await waitUntil(() => fake.webhooks.some((w) => w.token === base.token), "the answer");
    expect(String(fake.webhooks.find((w) => w.token === base.token)!.body.content)).toContain("not registered");
    // Commands were already registered: the new holder does not register them again.
    expect(fake.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/commands"))).toHaveLength(1);

    b.stop();
    expect(await b.exited).toBe(0);
  }, 60_000);
});
