import type { WebClient } from "@slack/web-api";
import { SlackAdapter } from "../../adapters/slack/index.js";
import { SlackNotifier, slackClient } from "../../adapters/slack/notifier.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { App } from "./app.js";
import type { Notifier } from "./outbox.js";

/**
 * The composition root for chat platforms: which notifiers deliver the outbox, and which
 * adapters take commands. Slack and Discord may run in one process.
 */

export interface PlatformClients {
  notifiers: Notifier[];
  slack?: WebClient;
}

export function platformClients(config: Config): PlatformClients {
  const notifiers: Notifier[] = [];
  let slack: WebClient | undefined;
  if (config.slack) {
    slack = slackClient(config.slack.botToken, config.slack.apiUrl);
    notifiers.push(new SlackNotifier(slack));
  }
  return { notifiers, ...(slack ? { slack } : {}) };
}

export interface Platforms {
  stop(): Promise<void>;
}

export async function startPlatforms(config: Config, app: App, clients: PlatformClients, log: Logger): Promise<Platforms> {
  const started: { stop(): Promise<void> }[] = [];
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
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return {
    async stop() {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
