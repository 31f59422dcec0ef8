import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import type { App as BoltApp, Logger as BoltLogger, RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Family } from "../../src/core/command.js";
import type { CommandRunner, Invocation } from "../../src/core/dispatch.js";
import type { Reply } from "../../src/model/message.js";
import type { RawOptions } from "../../src/core/parse.js";
import type { Registry } from "../../src/core/registry.js";
import type { Logger } from "../../src/log.js";
import { platformUpload } from "../common/download.js";
import { errorBlock, FORM_CALLBACK, formView, submittedFiles, submittedOptions, type FormMeta } from "./forms.js";
import { renderReply } from "./render.js";
import { decodeAction } from "../../src/core/actions.js";
import { normaliseCommandText, slackMention } from "./text.js";
import { neutraliseBidi } from "../../src/model/text.js";


/**
 * The Slack adapter (transport only): slash commands, buttons and modals in; replies out.
 * Every request is acknowledged first, then handled, then answered privately through its
 * response_url. Retried deliveries and double-clicks are dropped by the shared deduper.
 * Over HTTP it serves /slack/events on the bot's own server; with an app token it uses
 * Socket Mode and needs no public URL.
 */

export interface SlackSettings {
  botToken: string;
  signingSecret: string | undefined;
  appToken: string | undefined;
  apiUrl: string | undefined;
}

export interface SlackAdapterOptions {
  settings: SlackSettings;
  runner: CommandRunner;
  registry: Registry;
  dedupe: { firstTime(key: string, windowMs?: number): Promise<boolean> };
  log: Logger;
  client: WebClient;
  /** The bot's HTTP server, for /slack/events in HTTP mode. */
  http?: { route(method: string, path: string, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): void };
}

const DOUBLE_CLICK_MS = 10_000;
/** A modal must be answered within 3 s; past this, it closes and the reply comes separately. */
const FORM_BUDGET_MS = 2500;

/**
 * Bolt's, the Web API's and Socket Mode's logging, into ours. While not connected (`quiet`)
 * they are dropped: a failed connection attempt is logged once, by the connection (with its
 * reason), not once more per library it went through ("http request failed", "WebSocket error").
 */
function boltLogger(log: Logger, quiet: () => boolean): BoltLogger {
  const child = log.child({ adapter: "slack" });
  // Bolt's words are kept; an error it passes is logged as its class, like every other error.
  const say = (level: "info" | "warn" | "error") => (...m: unknown[]) => {
    if (quiet()) return;
    const err = m.find((x) => x instanceof Error);
    const words = m.filter((x) => !(x instanceof Error)).map(String).join(" ");
    // A body Bolt could not parse is quoted after the colon: the quote is dropped.
    child[level](err ? { err } : {}, /^(Failed to parse|Malformed request)/.test(words) ? words.replace(/: .*$/s, "") : words);
  };
  return {
    // Bolt's debug output quotes the requests it parses (what people typed): never logged.
    debug: () => {},
    info: say("info"),
    warn: say("warn"),
    error: say("error"),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

const slackApiUrl = (url: string | undefined) => (url ? (url.endsWith("/") ? url : `${url}/`) : undefined);

export class SlackAdapter {
  readonly app: BoltApp;
  readonly #log: Logger;
  readonly #socket: SocketModeReceiver | undefined;
  #connected = false;
  /** Bumped by each start and stop: an attempt that is no longer the latest gives up. */
  #attempt = 0;
  /** What Socket Mode's WebSocket last failed with, during an attempt. */
  #socketError: unknown;

  constructor(private readonly o: SlackAdapterOptions) {
    this.#log = o.log.child({ adapter: "slack" });
    const logger = boltLogger(o.log, () => !this.#connected);
    const clientOptions = {
      ...(slackApiUrl(o.settings.apiUrl) ? { slackApiUrl: slackApiUrl(o.settings.apiUrl) } : {}),
      retryConfig: { retries: 0 },
    };
    // Socket Mode does not reconnect by itself until connected once: each attempt at start-up
    // either connects or fails, and the connection (src/runtime/connection.ts) decides when to try again.
    const receiver = o.settings.appToken
      ? new SocketModeReceiver({ appToken: o.settings.appToken, logger, installerOptions: { clientOptions }, autoReconnectEnabled: false })
      : new HTTPReceiver({ signingSecret: o.settings.signingSecret!, endpoints: "/slack/events", logger });
    if (receiver instanceof SocketModeReceiver) {
      this.#socket = receiver;
      receiver.client.on("error", (error: unknown) => (this.#socketError = error));
    }
    this.app = new App({
      token: o.settings.botToken,
      receiver,
      socketMode: Boolean(o.settings.appToken),
      clientOptions,
      logger,
      deferInitialization: true,
    });
    if (receiver instanceof HTTPReceiver) {
      if (!o.http) throw new Error("Slack over HTTP needs the HTTP server (set PORT)");
      o.http.route("POST", "/slack/events", (req, res) => receiver.requestListener(req, res));
    }
    this.#listen();
  }

  /**
   * One connection attempt: auth.test (the bot token), then in Socket Mode
   * apps.connections.open (the app token) and the WebSocket until Slack's hello. Rejects
   * with a `SlackConnectError` naming the step; `slackConnectFailure` judges it.
   */
  async start(): Promise<void> {
    const attempt = ++this.#attempt;
    const current = () => {
      if (attempt !== this.#attempt) throw new Error("connection attempt abandoned");
    };
    try {
      await this.app.init();
    } catch (error) {
      throw new SlackConnectError("auth.test", error);
    }
    current();
    const socket = this.#socket;
    if (socket) {
      this.#socketError = undefined;
      try {
        await this.app.start();
      } catch (error) {
        // A WebSocket that fails closes without an error of its own: the one it emitted says why.
        throw error === undefined ? new SlackConnectError("socket", this.#socketError, socketHost(socket)) : new SlackConnectError("apps.connections.open", error);
      }
      current();
      // Connected once: from now on Socket Mode reconnects by itself after a drop.
      (socket.client as unknown as { autoReconnectEnabled: boolean }).autoReconnectEnabled = true;
    }
    this.#connected = true;
    this.#log.info({ mode: socket ? "socket" : "http" }, "Slack adapter ready");
  }

  async stop(): Promise<void> {
    this.#attempt++;
    this.#connected = false;
    const socket = this.#socket;
    if (socket) {
      (socket.client as unknown as { autoReconnectEnabled: boolean }).autoReconnectEnabled = false;
      await this.app.stop();
    }
  }

  #listen(): void {
    // One slash command per family the registry knows.
    const families = new RegExp(`^/(${this.o.registry.families().join("|")})$`);
    this.app.command(families, async ({ command, ack, respond, client }) => {
      await ack();
      const delivery = `slack:command:${command.trigger_id}`;
      const family = command.command.slice(1) as Family;
      const text = normaliseCommandText(command.text ?? "");
      // A command whose form opens bare (`/case`, `/case open`): the modal, with all its options.
      const bare = this.o.registry.bareForm(family, text);
      // A command that takes a file (`/case attach <ref>`): Slack commands carry no files, so its form asks for it.
      const words = text.trim().split(/\s+/);
      const withFile = this.o.registry.find(family, [words[0] ?? ""]);
      if (!bare && withFile && Object.values(withFile.options).some((o) => o.meta.kind === "file") && /^[A-Za-z0-9-]+-\d{4}-\d{4,}$/.test(words[1] ?? "")) {
        if (!(await this.o.dedupe.firstTime(delivery))) return;
        const fixed = { ref: words[1]!.toUpperCase() };
        const only = Object.keys(withFile.options).filter((n) => n !== "ref");
        await this.#openForm(client, command.trigger_id, { f: family, p: [...withFile.path], a: fixed, c: command.channel_id, n: command.channel_name }, only);
        return;
      }
      if (bare) {
        if (!(await this.o.dedupe.firstTime(delivery))) return;
        await this.#openForm(client, command.trigger_id, { f: bare.family, p: [...bare.path], a: {}, c: command.channel_id, n: command.channel_name }, undefined);
        return;
      }
      const reply = await this.o.runner.dispatch(
        { ...this.#where(command.user_id, command.user_name, command.channel_id, command.channel_name), family, input: { text, mentions: slackMention } },
        { key: delivery },
      );
      if (reply) await this.#answer(respond, client, command.user_id, reply);
    });

    this.app.action(/^case\.[a-z]+:\d+$/, async ({ ack, body, action, respond, client }) => {
      await ack();
      if (action.type !== "button" || body.type !== "block_actions" || !("action_id" in action)) return;
      const value = decodeAction(action.value);
      if (value?.kind !== "button") return;
      const args: Record<string, string> = value.ref ? { ref: value.ref } : {};
      const messageTs = body.container?.message_ts ?? "";
      const click = { key: `slack:button:${body.user.id}:${action.action_id}:${messageTs}:${action.value}`, windowMs: DOUBLE_CLICK_MS };
      const channelId = body.channel?.id ?? body.container?.channel_id ?? "";
      const channelName = body.channel?.name ?? channelId;
      if (value.form.length > 0) {
        if (!(await this.o.dedupe.firstTime(click.key, click.windowMs))) return;
        await this.#openForm(client, body.trigger_id, { f: value.family, p: value.path, a: args, c: channelId, n: channelName }, value.form);
        return;
      }
      const reply = await this.o.runner.dispatch(
        {
          ...this.#where(body.user.id, body.user.username ?? body.user.name ?? body.user.id, channelId, channelName),
          family: value.family as Family,
          input: { path: value.path, options: args },
        },
        click,
      );
      if (reply) await this.#answer(respond, client, body.user.id, reply);
    });

    this.app.view(FORM_CALLBACK, async ({ ack, body, view, client }) => {
      const meta = JSON.parse(view.private_metadata) as FormMeta & { only?: string[] };
      const command = this.o.registry.find(meta.f as Family, meta.p);
      if (!command) return ack();
      const raw: RawOptions = submittedOptions(command, view.state.values as never, meta.a);
      const given = submittedFiles(command, view.state.values as never);
      // Fetched from Slack with the bot's token, when the command runs.
      const files = (name: string) => {
        const f = given[name];
        const url = f?.url_private_download ?? f?.url_private;
        return f && url ? platformUpload({ name: f.name, size: f.size ?? null, type: f.mimetype ?? null, url, headers: { authorization: `Bearer ${this.o.settings.botToken}` } }) : undefined;
      };
      const pending = this.o.runner.dispatch({
        ...this.#where(body.user.id, body.user.name ?? body.user.id, meta.c, meta.n),
        family: meta.f as Family,
        input: { path: meta.p, options: raw },
        files,
      });
      const timely = await Promise.race([pending, new Promise<null>((r) => setTimeout(() => r(null), FORM_BUDGET_MS))]);
      if (timely?.tone === "error") {
        // Refused: the modal stays open with the reason beside the field; nothing was written.
        const block = errorBlock(command, timely.field, meta.only);
        if (block) return ack({ response_action: "errors", errors: { [block]: plainOf(timely) } });
      }
      await ack();
      const reply = timely ?? (await pending);
      await this.#privately(client, meta.c, body.user.id, reply);
    });

    this.app.error(async (error) => {
      this.#log.error({ err: error }, "Slack request failed");
    });
  }

  #where(userId: string, handle: string, channelId: string, channelName: string) {
    return {
      platform: "slack" as const,
      account: { platform: "slack" as const, externalId: userId, handle },
      channel: { platform: "slack" as const, id: channelId, name: channelName, direct: channelId.startsWith("D") || channelName === "directmessage" },
    };
  }

  async #openForm(client: WebClient, triggerId: string, meta: FormMeta, only: string[] | undefined): Promise<void> {
    const command = this.o.registry.find(meta.f as Family, meta.p);
    if (!command) return;
    await client.views.open({ trigger_id: triggerId, view: formView(command, { ...meta, ...(only ? { only } : {}) } as FormMeta, only) });
  }

  /** The reply to a command: ephemeral (or in the channel), files by DM. */
  async #answer(respond: RespondFn, client: WebClient, userId: string, reply: Reply): Promise<void> {
    const message = renderReply(reply);
    await respond({ response_type: reply.visibility === "channel" ? "in_channel" : "ephemeral", replace_original: false, text: message.text, blocks: message.blocks });
    await this.#sendFiles(client, userId, reply);
  }

  async #privately(client: WebClient, channel: string, userId: string, reply: Reply): Promise<void> {
    const message = renderReply(reply);
    try {
      await client.chat.postEphemeral({ channel, user: userId, text: message.text, blocks: message.blocks });
    } catch {
      // Not in that channel: a direct message still reaches the person.
      const dm = (await client.conversations.open({ users: userId })) as { channel?: { id?: string } };
      await client.chat.postMessage({ channel: dm.channel!.id!, text: message.text, blocks: message.blocks });
    }
    await this.#sendFiles(client, userId, reply);
  }

  async #sendFiles(client: WebClient, userId: string, reply: Reply): Promise<void> {
    const files = reply.blocks.filter((b) => b.kind === "file");
    if (files.length === 0) return;
    const dm = (await client.conversations.open({ users: userId })) as { channel?: { id?: string } };
    await client.filesUploadV2({
      channel_id: dm.channel!.id!,
      initial_comment: files.length === 1 ? `Your file: ${files[0]!.filename}` : "Your files",
      file_uploads: files.map((f) => ({ filename: f.filename, file: Buffer.from(f.content, f.encoding ?? "utf8") })),
    });
  }
}

function plainOf(reply: Reply): string {
  return neutraliseBidi(reply.blocks
    .map((b) => (b.kind === "text" ? b.rich.map((s) => (s.t === "mention" ? `@${s.person.name}` : s.t === "br" ? " " : s.v)).join("") : ""))
    .join(" "))
    .slice(0, 500);
}

/** A failed connection attempt, with the step it failed at. */
export class SlackConnectError extends Error {
  constructor(
    readonly step: "auth.test" | "apps.connections.open" | "socket",
    cause: unknown,
    readonly host?: string,
  ) {
    super(`Slack connection failed at ${step}`, { cause });
    this.name = "SlackConnectError";
  }
}

function socketHost(socket: SocketModeReceiver): string | undefined {
  const url = (socket.client as unknown as { connectionResponse?: { url?: string } }).connectionResponse?.url;
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Slack's answers that no retry can fix: the token is wrong, revoked, of the wrong kind or
 * lacks the scope (a person must change the configuration). Anything else — the network,
 * 5xx, rate limits, other errors — is retried.
 */
export const SLACK_REFUSALS: ReadonlySet<string> = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "team_disabled",
  "not_allowed_token_type",
  "missing_scope",
]);

const TOKEN_OF_STEP = { "auth.test": "SLACK_BOT_TOKEN", "apps.connections.open": "SLACK_APP_TOKEN", socket: "SLACK_APP_TOKEN" } as const;

/** How a failed `start()` is judged (see ConnectFailure in src/runtime/connection.ts). Reasons carry codes and hosts only. */
export function slackConnectFailure(error: unknown): { fatal: boolean; reason?: string; retryAfterMs?: number } {
  const step = error instanceof SlackConnectError ? error.step : undefined;
  const inner = error instanceof SlackConnectError ? error.cause : error;
  if (step === "socket") {
    return { fatal: false, reason: `the Socket Mode WebSocket${error instanceof SlackConnectError && error.host ? ` to ${error.host}` : ""} failed to connect` };
  }
  const e = inner as { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown; statusCode?: unknown } | undefined;
  const where = step ?? "Slack";
  if (e?.code === "slack_webapi_platform_error" && typeof e.data?.error === "string") {
    const code = e.data.error;
    if (SLACK_REFUSALS.has(code)) return { fatal: true, reason: `${where} answered ${code}: Slack refuses ${step ? TOKEN_OF_STEP[step] : "the token"}` };
    return { fatal: false, reason: `${where} answered ${code}` };
  }
  if (e?.code === "slack_webapi_rate_limited_error" && typeof e.retryAfter === "number") {
    return { fatal: false, reason: `${where} is rate limited (retry after ${e.retryAfter}s)`, retryAfterMs: e.retryAfter * 1000 };
  }
  if (e?.code === "slack_webapi_http_error" && typeof e.statusCode === "number") return { fatal: false, reason: `${where} answered HTTP ${e.statusCode}` };
  // The network (the reason is the system error's message, e.g. connect ECONNREFUSED 127.0.0.1:9).
  return { fatal: false };
}
