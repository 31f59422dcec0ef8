import type { REST } from "@discordjs/rest";
import type { WebClient } from "@slack/web-api";
import { DiscordAdapter } from "../adapters/discord/index.js";
import { DiscordNotifier, discordRest } from "../adapters/discord/notifier.js";
import { SlackAdapter } from "../adapters/slack/index.js";
import { SlackNotifier, slackClient } from "../adapters/slack/notifier.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import type { App } from "./runtime/app.js";
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
  discord?: { adapter: DiscordAdapter; gateway: SingleHolder };
  stop(): Promise<void>;
}

/** How quickly another process takes the Discord gateway over when its holder dies. */
export const GATEWAY_LEASE = { ttlMs: 10_000, renewMs: 3_000 };

export async function startPlatforms(config: Config, app: App, clients: PlatformClients, log: Logger): Promise<Platforms> {
  const started: { stop(): Promise<void> }[] = [];
  let discord: Platforms["discord"];
  try {
    if (config.slack && clients.slack) {
      const slack = new SlackAdapter({
        settings: config.slack,
        runner: app.dispatcher,
        registry: app.registry,
        dedupe: app.dedupe,
        log,
        client: clients.slack,
        ...(app.http ? { http: app.http } : {}),
      });
      await slack.start();
      started.push(slack);
    }
    if (config.discord && clients.discord) {
      const adapter = new DiscordAdapter({
        settings: config.discord,
        runner: app.dispatcher,
        registry: app.registry,
        log,
        rest: clients.discord,
      });
      // One gateway connection for all processes: whoever holds the lease connects.
      const gateway = new SingleHolder({
        db: app.db,
        // Wall-clock time on purpose: takeover is about processes dying, not about case time.
        clock: systemClock,
        log,
        name: "discord-gateway",
        ...GATEWAY_LEASE,
        onAcquired: () => adapter.connect(),
        onLost: () => adapter.disconnect(),
      });
      gateway.start();
      started.push(gateway);
      discord = { adapter, gateway };
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return {
    ...(discord ? { discord } : {}),
    async stop() {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
