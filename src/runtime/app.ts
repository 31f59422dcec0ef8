import { allCommands } from "../../commands/index.js";
import { systemClock, type Clock } from "../clock.js";
import { redactUrl, type Config } from "../config.js";
import type { Services } from "../core/command.js";
import { Dispatcher } from "../core/dispatch.js";
import { Registry } from "../core/registry.js";
import { openDatabase, type Database } from "../db/database.js";
import { ensureBootstrapCoordinators } from "../domain/members.js";
import type { Logger } from "../log.js";
import { HttpServer } from "./http.js";
import { Metrics } from "./metrics.js";

/** Start-up and shutdown: database, core, HTTP. Adapters attach to what this returns. */

export interface AppOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Collect Node's default process metrics (off in tests that start many apps). */
  processMetrics?: boolean;
}

export interface App {
  readonly db: Database;
  readonly dispatcher: Dispatcher;
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly http: HttpServer | undefined;
  /** The port HTTP listens on, when PORT is set. */
  readonly port: number | undefined;
  /** Delivers what is due now (used by the console at end of input). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_VETTING_VALIDITY_MS = 365 * 86_400_000;

function describeStorage(config: Config): string {
  return config.storage.provider === "sqlite" ? `SQLite ${config.storage.file}` : `PostgreSQL ${redactUrl(config.storage.url)}`;
}

export interface Core {
  registry: Registry;
  services: Services;
  dispatcher: Dispatcher;
}

/** The core on an open database: commands, services and the dispatcher. */
export function createCore(db: Database, clock: Clock, log: Logger, metrics?: Metrics): Core {
  const registry = new Registry(allCommands);
  const services: Services = { vettingValidityMs: DEFAULT_VETTING_VALIDITY_MS, registry };
  const dispatcher = new Dispatcher({ db, registry, clock, log, services, metrics });
  return { registry, services, dispatcher };
}

export async function startApp(options: AppOptions): Promise<App> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  let db: Database;
  try {
    db = await openDatabase(config.storage, { log });
  } catch (error) {
    throw new Error(`cannot open the database (${describeStorage(config)}): ${(error as Error).message}`, { cause: error });
  }
  await db.tx((tx) => ensureBootstrapCoordinators(tx, config.bootstrapAdmins, clock.now()));

  const metrics = new Metrics({ defaults: options.processMetrics ?? true });
  const { registry, dispatcher } = createCore(db, clock, log, metrics);

  let http: HttpServer | undefined;
  let port: number | undefined;
  if (config.port !== undefined) {
    http = new HttpServer(log);
    http.route("GET", "/healthz", async (_req, res) => {
      try {
        await db.tx((tx) => tx.$queryRaw`SELECT 1`);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", database: db.provider }));
      } catch {
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ status: "unavailable", database: db.provider }));
      }
    });
    http.route("GET", "/metrics", async (_req, res) => {
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
    });
    try {
      port = await http.listen(config.port);
    } catch (error) {
      await db.close();
      throw error;
    }
    log.info({ port }, "serving /healthz and /metrics");
  }
  log.info({ storage: db.provider }, "Liaison started");

  return {
    db,
    dispatcher,
    registry,
    metrics,
    http,
    port,
    async settle() {},
    async stop() {
      await http?.close();
      await db.close();
      log.info("Liaison stopped");
    },
  };
}
