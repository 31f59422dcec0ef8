import type { REST } from "@discordjs/rest";
import type { WebClient } from "@slack/web-api";
import { DiscordAdapter, discordConnectFailure } from "../adapters/discord/index.js";
import { DiscordNotifier, discordRest } from "../adapters/discord/notifier.js";
import { SlackAdapter, slackConnectFailure } from "../adapters/slack/index.js";
import { SlackNotifier, slackClient } from "../adapters/slack/notifier.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import type { App } from "./runtime/app.js";
import { PlatformConnection, type PlatformRefused, type PlatformState, type RetryPolicy } from "./runtime/connection.js";
import { SingleHolder } from "./runtime/lease.js";
import type { Notifier } from "./runtime/outbox.js";

/**
 * The composition root for chat platforms: which notifiers deliver the outbox, and which
 * adapters take commands. Slack and Discord may run in one process.
 */

export interface PlatformClients {
  notifiers: Notifier[];
  slack?: WebClient;
  discord?: REST;
}

export function platformClients(config: Config): PlatformClients {
  const notifiers: Notifier[] = [];
  let slack: WebClient | undefined;
  if (config.slack) {
    slack = slackClient(config.slack.botToken, config.slack.apiUrl);
    notifiers.push(new SlackNotifier(slack));
  }
  let discord: REST | undefined;
  if (config.discord) {
    discord = discordRest(config.discord.token, config.discord.apiUrl);
    notifiers.push(new DiscordNotifier(discord));
  }
  return { notifiers, ...(slack ? { slack } : {}), ...(discord ? { discord } : {}) };
}

export interface Platforms {
  slack?: { adapter: SlackAdapter; connection: PlatformConnection };
  discord?: { adapter: DiscordAdapter; gateway: SingleHolder; connection: PlatformConnection };
  /**
   * Resolves when a platform refused the credentials for good, after start-up (a refusal at
   * the first attempt rejects startPlatforms instead). The process then exits with status 1.
   */
  failed: Promise<PlatformRefused>;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** How connecting is retried (src/runtime/connection.ts: 1 s doubling to 60 s); tests shorten it. */
  retry?: Partial<RetryPolicy>;
}

/** How quickly another process takes the Discord gateway over when its holder dies. */
export const GATEWAY_LEASE = { ttlMs: 10_000, renewMs: 3_000 };

/**
 * Starts each configured platform's connection and waits for each first attempt's outcome.
 * A platform that cannot be reached is retried in the background (PlatformConnection):
 * commands and delivery go on for the others, and /healthz answers 503 naming it until it
 * connects. A refused token at the first attempt stops everything and rejects; later, `failed`.
 */
export async function startPlatforms(config: Config, app: App, clients: PlatformClients, log: Logger, options: PlatformOptions = {}): Promise<Platforms> {
  const started: { stop(): Promise<void> }[] = [];
  const connections: PlatformConnection[] = [];
  const firstOutcomes: Promise<void>[] = [];
  let slack: Platforms["slack"];
  let discord: Platforms["discord"];
  const retry = options.retry ?? {};
  try {
    if (config.slack && clients.slack) {
      const adapter = new SlackAdapter({
        settings: config.slack,
        runner: app.dispatcher,
        registry: app.registry,
        dedupe: app.dedupe,
        log,
        client: clients.slack,
        ...(app.http ? { http: app.http } : {}),
      });
      const connection = new PlatformConnection({
        platform: "slack",
        log,
        retry,
        connect: () => adapter.start(),
        disconnect: () => adapter.stop(),
        classify: slackConnectFailure,
      });
      app.platformHealth.watch("slack", () => connection.status());
      connections.push(connection);
      started.push(connection);
      firstOutcomes.push(connection.start());
      slack = { adapter, connection };
    }
    if (config.discord && clients.discord) {
      const adapter = new DiscordAdapter({
        settings: config.discord,
        runner: app.dispatcher,
        registry: app.registry,
        log,
        rest: clients.discord,
      });
      const connection = new PlatformConnection({
        platform: "discord",
        log,
        retry,
        connect: () => adapter.connect(),
        disconnect: () => adapter.disconnect(),
        classify: discordConnectFailure,
      });
      // One gateway connection for all processes: whoever holds the lease connects (and retries
      // while it holds it, renewing it meanwhile); the others stand by, healthy.
      const gateway = new SingleHolder({
        db: app.db,
        // Wall-clock time on purpose: takeover is about processes dying, not about case time.
        clock: systemClock,
        log,
        name: "discord-gateway",
        ...GATEWAY_LEASE,
        onAcquired: async () => void connection.start(),
        onLost: () => connection.stop(),
      });
      let leaseKnown = false;
      const waiting: PlatformState = { state: "connecting", attempt: 0 };
      app.platformHealth.watch("discord", () => (!leaseKnown ? waiting : gateway.held ? connection.status() : { state: "standby" }));
      connections.push(connection);
      started.push(gateway);
      discord = { adapter, gateway, connection };
      firstOutcomes.push(
        (async () => {
          // The first round decides who holds the gateway before anything reports on it.
          await gateway.runOnce();
          leaseKnown = true;
          gateway.start();
          if (gateway.held) await connection.start();
        })(),
      );
    }
    await Promise.all(firstOutcomes);
    const refused = connections.find((c) => c.status().state === "failed");
    if (refused) throw await refused.failed;
  } catch (error) {
    await Promise.allSettled(firstOutcomes);
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return {
    ...(slack ? { slack } : {}),
    ...(discord ? { discord } : {}),
    failed: Promise.race(connections.map((c) => c.failed)),
    async stop() {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
