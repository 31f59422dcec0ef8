import type { Clock } from "../../src/clock.js";
import { parseConfig, type Config } from "../../src/config.js";
import type { Policy } from "../../src/domain/policy.js";
import { silentLogger } from "../../src/log.js";
import { startApp, type App } from "../../src/runtime/app.js";
import { platformClients, startPlatforms, type Platforms } from "../../src/platforms.js";
import { openTestDatabase, type Provider, type TestDatabase } from "./harness.js";

/**
 * The whole bot in-process, configured exactly as from the environment: database, core,
 * scheduler, outbox, HTTP server and the real platform adapters, pointed at local fakes.
 */
export interface System {
  app: App;
  platforms: Platforms;
  config: Config;
  url: string;
  close(): Promise<void>;
}

export async function startSystem(
  provider: Provider,
  env: Record<string, string>,
  options: { clock?: Clock; policy?: Policy } = {},
): Promise<System> {
  const db: TestDatabase = await openTestDatabase(provider);
  await db.db.close();
  const storageEnv = db.storage.provider === "sqlite" ? { DATABASE_URL: `file:${db.storage.file}` } : { DATABASE_URL: db.storage.url };
  const parsed = parseConfig({ PORT: "0", ...storageEnv, ...env });
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  const config = parsed.config;
  const clients = platformClients(config);
  const app = await startApp({ config, log: silentLogger, notifiers: clients.notifiers, processMetrics: false, ...options });
  const platforms = await startPlatforms(config, app, clients, silentLogger);
  return {
    app,
    platforms,
    config,
    url: `http://127.0.0.1:${app.port}`,
    async close() {
      await platforms.stop();
      await app.stop();
      await db.cleanup().catch(() => {});
    },
  };
}
