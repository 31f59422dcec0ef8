import { dirname, join } from "node:path";
import { ephemeralSigner, loadSigner } from "./signing.js";
import type { Signer } from "../domain/evidence.js";
import { allCommands } from "../../commands/index.js";
import { systemClock, type Clock } from "../clock.js";
import { redactUrl, type Config, type Platform } from "../config.js";
import type { Services } from "../core/command.js";
import { Dispatcher } from "../core/dispatch.js";
import { Registry } from "../core/registry.js";
import { openDatabase, type Database } from "../db/database.js";
import { ensureBootstrapCoordinators } from "../domain/members.js";
import { ensureImpactTimers } from "../domain/cases/impact.js";
import { DEFAULT_POLICY, type Policy } from "../domain/policy.js";
import type { Logger } from "../log.js";
import { HttpServer } from "./http.js";
import { attachBoard } from "../web/board.js";
import { Metrics } from "./metrics.js";
import { OutboxWorker, type Notifier } from "./outbox.js";
import { Scheduler } from "./scheduler.js";
import { DatabaseDeduper, type Deduper } from "./dedupe.js";
import { PlatformHealth } from "./connection.js";

/** Start-up and shutdown: database, core, delivery, HTTP. Adapters attach to what this returns. */

export const DEFAULT_VETTING_VALIDITY_MS = 365 * 86_400_000;

export interface CoreOptions {
  clock: Clock;
  log: Logger;
  policy?: Policy;
  /** Platforms that have a notifier in this deployment. */
  platforms: readonly Platform[];
  metrics?: Metrics;
  /** Called after a command committed, to wake delivery. */
  onCommitted?: () => void;
  /** Where commands claim their platform delivery, so a retried one is handled once. */
  dedupe?: Deduper;
  /** Whether HTTP requests are waiting for an answer (they go before commands). */
  ioPending?: () => boolean;
  /** Signs evidence packs; a key for this process only when not given. */
  signer?: Signer;
}

export interface Core {
  registry: Registry;
  services: Services;
  dispatcher: Dispatcher;
}

/** The core on an open database: commands, services and the dispatcher. */
export function createCore(db: Database, o: CoreOptions): Core {
  const registry = new Registry(allCommands);
  const services: Services = {
    vettingValidityMs: DEFAULT_VETTING_VALIDITY_MS,
    registry,
    policy: o.policy ?? DEFAULT_POLICY,
    platforms: o.platforms,
    signer: o.signer ?? ephemeralSigner(),
  };
  const dispatcher = new Dispatcher({
    db,
    registry,
    clock: o.clock,
    log: o.log,
    services,
    metrics: o.metrics,
    onCommitted: o.onCommitted,
    deliveries: o.dedupe ?? new DatabaseDeduper(db, o.clock),
    ioPending: o.ioPending,
    // SQLite does its work synchronously: one command at a time keeps acknowledgements prompt.
    concurrency: db.provider === "sqlite" ? 1 : 8,
  });
  return { registry, services, dispatcher };
}

export interface AppOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  policy?: Policy;
  notifiers: Notifier[];
  /** Collect Node's default process metrics (off in tests that start many apps). */
  processMetrics?: boolean;
  /** See OutboxOptions.exclusive. */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** See OutboxOptions.parallel. */
  parallelDelivery?: boolean;
}

export interface App extends Core {
  readonly db: Database;
  readonly metrics: Metrics;
  readonly outbox: OutboxWorker;
  readonly scheduler: Scheduler;
  readonly dedupe: Deduper;
  readonly http: HttpServer | undefined;
  /** The port HTTP listens on, when PORT is set. */
  readonly port: number | undefined;
  /** The chat platforms' connections, as /healthz reports them (src/platforms.ts registers them). */
  readonly platformHealth: PlatformHealth;
  /**
   * Fires and delivers what is due now (the console after each line and at end of input).
   * With `budgetMs` it stops after the round that passes it; the background loops go on.
   */
  settle(options?: { budgetMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

function describeStorage(config: Config): string {
  return config.storage.provider === "sqlite" ? `SQLite ${config.storage.file}` : `PostgreSQL ${redactUrl(config.storage.url)}`;
}

async function startHttp(port: number, db: Database, metrics: Metrics, log: Logger, health: PlatformHealth): Promise<{ http: HttpServer; port: number }> {
  const http = new HttpServer(log, (route, seconds) => metrics.httpSeconds.observe({ route }, seconds));
  // 503 while the database does not answer or a configured platform is not connected (a
  // process in standby for the Discord gateway is healthy); each platform's state is named.
  http.route("GET", "/healthz", async (_req, res) => {
    let database = true;
    try {
      await db.tx((tx) => tx.$queryRaw`SELECT 1`);
    } catch {
      database = false;
    }
    const platforms = health.report();
    const ok = database && (platforms?.healthy ?? true);
    const body = { status: ok ? "ok" : "unavailable", database: db.provider, ...(platforms ? { platforms: platforms.platforms } : {}) };
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  http.route("GET", "/metrics", async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
  });
  return { http, port: await http.listen(port) };
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
  // Open cases from before impact triage (or whose chain ended) get their next crossing.
  const impactTimers = await db.tx((tx) => ensureImpactTimers(tx, options.policy ?? DEFAULT_POLICY, clock.now()));
  if (impactTimers > 0) log.info({ cases: impactTimers }, "scheduled impact timers for open cases");

  const metrics = new Metrics({ defaults: options.processMetrics ?? true });
  const dedupe = new DatabaseDeduper(db, clock);
  metrics.watchQueues(db, clock);
  // SQLite runs one transaction at a time: background work lets a waiting command go first.
  const commandsFirst = db.provider === "sqlite" ? () => core.dispatcher.idle() : undefined;
  const outbox = new OutboxWorker({
    db,
    clock,
    log,
    notifiers: options.notifiers,
    metrics,
    exclusive: options.exclusive,
    parallel: options.parallelDelivery,
    leaseMs: config.leaseMs,
    yieldTo: commandsFirst,
  });
  const signer = loadSigner({ file: config.signingKeyFile, fallbackFile: join(config.storage.provider === "sqlite" ? dirname(config.storage.file) : "data", "signing-key.pem"), warn: (m) => log.warn(m) });
  const core = createCore(db, {
    clock,
    log,
    signer,
    policy: options.policy,
    platforms: outbox.platforms,
    metrics,
    dedupe,
    ioPending: () => http?.busy ?? false,
    onCommitted: () => {
      outbox.wake();
      scheduler.wake();
    },
  });
  const scheduler = new Scheduler({
    db,
    clock,
    log,
    services: core.services,
    metrics,
    onFired: () => outbox.wake(),
    exclusive: options.exclusive,
    leaseMs: config.leaseMs,
    yieldTo: commandsFirst,
  });

  let http: HttpServer | undefined;
  let port: number | undefined;
  const platformHealth = new PlatformHealth();
  if (config.port !== undefined) {
    try {
      ({ http, port } = await startHttp(config.port, db, metrics, log, platformHealth));
    } catch (error) {
      await db.close();
      throw error;
    }
    core.services.boardUrl = config.publicUrl ?? `http://localhost:${port}`;
    attachBoard(http, { db, clock, log, services: core.services, secure: core.services.boardUrl.startsWith("https:") });
    log.info({ port, board: `${core.services.boardUrl}/board` }, "serving /healthz, /metrics and the board");
  }
  outbox.start();
  scheduler.start();
  log.info({ storage: db.provider, platforms: outbox.platforms }, "Liaison started");

  return {
    ...core,
    db,
    metrics,
    outbox,
    scheduler,
    dedupe,
    http,
    port,
    platformHealth,
    async settle(options = {}) {
      // Round by round, so a bounded settle (the console) leaves the rest to the loops.
      const until = options.budgetMs === undefined ? Infinity : performance.now() + options.budgetMs;
      for (let round = 0; round < 10_000; round++) {
        const did = (await scheduler.runOnce()) + (await outbox.runOnce());
        if (did === 0 || performance.now() > until) return;
      }
    },
    async stop() {
      // Stop claiming; what is in hand finishes (or its lease runs out and another process takes it).
      await scheduler.stop();
      await outbox.stop();
      await http?.close();
      await db.close();
      log.info("Liaison stopped");
    },
  };
}
