import {
  ActionRowBuilder,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  ModalBuilder,
  Options,
  TextInputBuilder,
  TextInputStyle,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type ModalSubmitInteraction,
} from "discord.js";
import type { REST } from "@discordjs/rest";
import { GatewayCloseCodes, Routes } from "discord-api-types/v10";
import type { AnyCommand, Family } from "../../src/core/command.js";
import type { CommandRunner, Invocation } from "../../src/core/dispatch.js";
import type { Reply } from "../../src/model/message.js";
import type { RawOptions } from "../../src/core/parse.js";
import type { Registry } from "../../src/core/registry.js";
import type { Logger } from "../../src/log.js";
import { platformUpload } from "../common/download.js";
import { autocompleteKind, buildCommands, optionsFrom, sameCommands, type ApiCommand } from "./commands.js";
import { renderReply, type Rendered } from "./render.js";
import { decodeAction, encodeAction } from "../../src/core/actions.js";

/**
 * The Discord adapter (transport only): typed slash commands, autocomplete, buttons and
 * modals in; replies out. Every interaction is deferred or answered at once. Only the
 * process holding the gateway lease connects to Discord's gateway; every process delivers
 * the outbox through REST (see notifier.ts).
 */

export interface DiscordSettings {
  token: string;
  applicationId: string;
  guildId: string | undefined;
  apiUrl: string | undefined;
}

export interface DiscordAdapterOptions {
  settings: DiscordSettings;
  runner: CommandRunner & {
    suggest(account: Invocation["account"], kind: "ref" | "org" | "exchange" | "agency" | "layer", typed: string, context?: { org?: string }): Promise<string[]>;
  };
  registry: Registry;
  log: Logger;
  rest: REST;
}

const DOUBLE_CLICK_MS = 10_000;

export class DiscordAdapter {
  #client: Client | undefined;
  readonly #log: Logger;
  /** Bumped by each connect and disconnect: an attempt that is no longer the latest gives up. */
  #attempt = 0;

  constructor(private readonly o: DiscordAdapterOptions) {
    this.#log = o.log.child({ adapter: "discord" });
  }

  get client(): Client | undefined {
    return this.#client;
  }

  /** Registers the commands if what is live differs from the declarations. Returns whether it wrote. */
  async registerCommands(): Promise<boolean> {
    const { applicationId, guildId } = this.o.settings;
    const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
    const wanted = buildCommands(this.o.registry);
    const live = (await this.o.rest.get(route)) as ApiCommand[];
    if (sameCommands(live, wanted)) return false;
    await this.o.rest.put(route, { body: wanted });
    this.#log.info({ commands: wanted.length, guild: guildId ?? "global" }, "registered Discord commands");
    return true;
  }

  /**
   * One connection attempt (made while this process holds the gateway lease): the commands
   * registered, then login and the gateway until READY. Rejects with a `DiscordConnectError`
   * naming the step, the client destroyed — it never enters @discordjs/ws's own reconnect
   * loop, which retries a gateway it cannot reach at once and without end;
   * `discordConnectFailure` judges it, and the connection (src/runtime/connection.ts) decides
   * when to try again.
   */
  async connect(): Promise<void> {
    const attempt = ++this.#attempt;
    const current = () => {
      if (attempt !== this.#attempt) throw new Error("connection attempt abandoned");
    };
    try {
      await this.registerCommands();
    } catch (error) {
      throw new DiscordConnectError("commands", error);
    }
    current();
    const client = new Client({
      intents: [GatewayIntentBits.Guilds],
      // The bot reads interactions, not history: keep no messages, members or presences.
      makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0, GuildMemberManager: 0, PresenceManager: 0, ReactionManager: 0, GuildEmojiManager: 0, GuildStickerManager: 0, VoiceStateManager: 0 }),
      rest: { ...(this.o.settings.apiUrl ? { api: this.o.settings.apiUrl.replace(/\/$/, "") } : {}), version: "10" },
      allowedMentions: { parse: [] },
    });
    client.on(Events.InteractionCreate, (interaction) => void this.#handle(interaction));
    client.on(Events.Error, (error) => this.#log.warn({ err: error }, "Discord client error"));
    this.#client = client;
    // Until READY, the first close of the gateway ends the attempt, with what was seen of it.
    const seen: { network: boolean; code?: number; error?: unknown } = { network: false };
    const host = () => gatewayHost(client.ws.gateway);
    const onDebug = (message: string) => {
      if (message.includes("due to a network error")) seen.network = true;
      const closed = /closed with an unexpected code (\d+)/.exec(message);
      if (closed) seen.code = Number(closed[1]);
    };
    const onShardError = (error: Error) => (seen.error = error);
    let onClosed: (event?: { code: number }) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      client.once(Events.ClientReady, () => resolve());
      onClosed = (event) => reject(new DiscordConnectError("gateway", seen.error, { host: host(), code: event?.code ?? seen.code, network: seen.network, final: event !== undefined }));
    });
    const onReconnecting = () => onClosed();
    client.on(Events.Debug, onDebug);
    client.on(Events.ShardError, onShardError);
    client.on(Events.ShardDisconnect, onClosed);
    client.on(Events.ShardReconnecting, onReconnecting);
    try {
      await Promise.all([
        client.login(this.o.settings.token).catch((error: unknown) => {
          throw new DiscordConnectError("login", error);
        }),
        ready,
      ]);
    } finally {
      client.off(Events.Debug, onDebug);
      client.off(Events.ShardError, onShardError);
      client.off(Events.ShardDisconnect, onClosed);
      client.off(Events.ShardReconnecting, onReconnecting);
    }
    current();
    this.#log.info("Discord gateway connected");
  }

  /** Ends the gateway connection, or abandons the attempt under way. */
  async disconnect(): Promise<void> {
    this.#attempt++;
    const client = this.#client;
    this.#client = undefined;
    await client?.destroy();
  }

  #account(interaction: Interaction): Invocation["account"] {
    return { platform: "discord", externalId: interaction.user.id, handle: interaction.user.username };
  }

  #where(interaction: Interaction): Pick<Invocation, "platform" | "account" | "channel"> {
    const channelId = interaction.channelId ?? "";
    const channel = interaction.channel;
    const name = channel && "name" in channel && channel.name ? channel.name : channelId;
    return {
      platform: "discord",
      account: this.#account(interaction),
      channel: { platform: "discord", id: channelId, name, direct: !interaction.inGuild() },
    };
  }

  async #handle(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isAutocomplete()) await this.#autocomplete(interaction);
      else if (interaction.isChatInputCommand()) await this.#command(interaction);
      else if (interaction.isButton()) await this.#button(interaction);
      else if (interaction.isModalSubmit()) await this.#modal(interaction);
    } catch (error) {
      this.#log.error({ err: error, interaction: interaction.id }, "Discord interaction failed");
    }
  }

  #find(family: string, path: string[]): AnyCommand | undefined {
    return this.o.registry.find(family as Family, path);
  }

  async #command(interaction: ChatInputCommandInteraction): Promise<void> {
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand(false);
    const path = [group, sub].filter((p): p is string => Boolean(p));
    const family = interaction.commandName;
    const command = this.#find(family, path);
    const leaf = interaction.options.data.flatMap((o) => (o.options ?? []).flatMap((x) => (x.options ? x.options : [x])));
    // A command whose form opens bare, typed without options: Discord's modals take five
    // inputs, so the form asks for the command's essentials.
    if (command?.form?.bare && leaf.length === 0) {
      await interaction.showModal(this.#form(command, {}, [...command.form.essentials]));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const options: RawOptions = command ? optionsFrom(command, leaf as { name: string; value?: unknown; type: number }[]) : {};
    // An attachment option: the file Discord holds, fetched from its CDN when the command runs.
    const files = (name: string) => {
      const a = interaction.options.getAttachment(name, false);
      return a ? platformUpload({ name: a.name, size: a.size, type: a.contentType ?? null, url: a.url }) : undefined;
    };
    const reply = await this.o.runner.dispatch({ ...this.#where(interaction), family: family as Family, input: { path, options }, files }, this.#once(interaction));
    if (reply) await this.#answer(interaction, reply);
    else await interaction.editReply({ content: "Already handled." });
  }

  /** A command or form submission is handled once, even if Discord delivers it again. */
  #once(interaction: Interaction) {
    return { key: `discord:interaction:${interaction.id}` };
  }

  async #autocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const path = [interaction.options.getSubcommandGroup(false), interaction.options.getSubcommand(false)].filter((p): p is string => Boolean(p));
    const command = this.#find(interaction.commandName, path);
    const meta = command?.options[focused.name]?.meta;
    const kind = meta ? autocompleteKind(focused.name, meta) : undefined;
    // A layer name is completed among the layers of the organisation typed in `org`.
    const org = kind === "layer" ? (interaction.options.getString("org", false) ?? "") : undefined;
    const values = kind ? await this.o.runner.suggest(this.#account(interaction), kind, String(focused.value), org === undefined ? {} : { org }) : [];
    await interaction.respond(values.slice(0, 25).map((v) => ({ name: v, value: v })));
  }

  async #button(interaction: ButtonInteraction): Promise<void> {
    const parsed = decodeAction(interaction.customId);
    if (parsed?.kind !== "button") return;
    const command = this.#find(parsed.family, parsed.path);
    if (!command) return;
    if (parsed.form.length > 0) {
      // Showing a form twice changes nothing; its submission is what is handled once.
      await interaction.showModal(this.#form(command, { ref: parsed.ref }, parsed.form));
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const click = { key: `discord:button:${interaction.user.id}:${interaction.customId}:${interaction.message.id}`, windowMs: DOUBLE_CLICK_MS };
    const reply = await this.o.runner.dispatch(
      { ...this.#where(interaction), family: parsed.family as Family, input: { path: parsed.path, options: { ref: parsed.ref } } },
      click,
    );
    if (!reply) {
      await interaction.editReply({ content: "Already handled." });
      return;
    }
    await this.#answer(interaction, reply);
  }

  #form(command: AnyCommand, fixed: Record<string, string>, fields: string[]): ModalBuilder {
    const id = encodeAction({ kind: "form", family: command.family, path: [...command.path], ref: fixed.ref ?? "" });
    const modal = new ModalBuilder().setCustomId(id).setTitle(`/${command.family} ${command.path.join(" ")}${fixed.ref ? ` ${fixed.ref}` : ""}`.slice(0, 45));
    for (const name of fields.filter((f) => f in command.options).slice(0, 5)) {
      const meta = command.options[name]!.meta;
      const input = new TextInputBuilder()
        .setCustomId(name)
        .setLabel(name.slice(0, 45))
        .setStyle(meta.long || meta.kind === "list" ? TextInputStyle.Paragraph : TextInputStyle.Short)
        .setRequired(meta.required)
        .setPlaceholder((meta.choices ? meta.choices.join(", ") : meta.description).slice(0, 100));
      if (meta.maxLength) input.setMaxLength(Math.min(meta.maxLength, 4000));
      modal.addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
    }
    return modal;
  }

  async #modal(interaction: ModalSubmitInteraction): Promise<void> {
    const action = decodeAction(interaction.customId);
    if (action?.kind !== "form") return;
    const { family, path, ref } = action;
    const command = this.#find(family, path);
    if (!command) return;
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const values = interaction.fields.fields.map((f) => ({ name: f.customId, value: "value" in f ? f.value : undefined, type: 3 }));
    const options = optionsFrom(command, values.filter((v) => typeof v.value === "string" && v.value.trim() !== ""));
    if (ref) options.ref = ref;
    const reply = await this.o.runner.dispatch({ ...this.#where(interaction), family: family as Family, input: { path, options } }, this.#once(interaction));
    if (reply) await this.#answer(interaction, reply);
    else await interaction.editReply({ content: "Already handled." });
  }

  /** Edits the deferred (private) reply; a channel reply is posted publicly as well. */
  async #answer(interaction: ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction, reply: Reply): Promise<void> {
    const rendered = renderReply(reply);
    const message = toOptions(rendered);
    if (reply.visibility === "channel") {
      await interaction.followUp({ ...message });
      await interaction.editReply({ content: "Posted in the channel." });
      return;
    }
    await interaction.editReply(message);
  }
}

function toOptions(r: Rendered) {
  return {
    ...(r.content ? { content: r.content } : { content: "" }),
    embeds: r.embeds ?? [],
    components: (r.components ?? []) as never[],
    allowedMentions: { parse: [], users: r.allowed_mentions.users },
    files: r.files.map((f) => ({ attachment: f.data, name: f.name })),
  };
}

/** A failed connection attempt, with the step it failed at. */
export class DiscordConnectError extends Error {
  constructor(
    readonly step: "commands" | "login" | "gateway",
    cause: unknown,
    /** For the gateway: where, its close code, whether the socket never opened (network), whether discord.js gave up on it (final). */
    readonly gateway?: { host: string | undefined; code: number | undefined; network: boolean; final: boolean },
  ) {
    super(`Discord connection failed at ${step}`, { cause });
    this.name = "DiscordConnectError";
  }
}

function gatewayHost(url: string | null | undefined): string | undefined {
  try {
    return url ? new URL(url).host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Close codes after which Discord will not take this connection as configured (discord.js
 * does not reconnect after them either): 4004 the token, 4010–4014 shards, API version, intents.
 */
const GATEWAY_REFUSALS: ReadonlySet<number> = new Set([
  GatewayCloseCodes.AuthenticationFailed,
  GatewayCloseCodes.InvalidShard,
  GatewayCloseCodes.ShardingRequired,
  GatewayCloseCodes.InvalidAPIVersion,
  GatewayCloseCodes.InvalidIntents,
  GatewayCloseCodes.DisallowedIntents,
]);

const STEP_WORDS = { commands: "registering commands", login: "logging in", gateway: "the gateway" } as const;

/**
 * How a failed `connect()` is judged (see ConnectFailure in src/runtime/connection.ts): a
 * refused token (HTTP 401, discord.js's TokenInvalid, gateway close 4004) or a refused
 * configuration (close 4010–4014) is not retried; the network, 5xx, other statuses and
 * other closes are. Reasons carry statuses, codes and hosts only.
 */
export function discordConnectFailure(error: unknown): { fatal: boolean; reason?: string } {
  const step = error instanceof DiscordConnectError ? error.step : undefined;
  const inner = (error instanceof DiscordConnectError ? error.cause : error) as { status?: unknown; code?: unknown; message?: unknown } | undefined;
  const where = step ? STEP_WORDS[step] : "Discord";
  if (error instanceof DiscordConnectError && error.gateway) {
    const { host, code, network, final } = error.gateway;
    const at = host ? ` at ${host}` : "";
    const name = code !== undefined ? GatewayCloseCodes[code] : undefined;
    if (final && code !== undefined && GATEWAY_REFUSALS.has(code)) {
      const what = code === GatewayCloseCodes.AuthenticationFailed ? "Discord refuses DISCORD_TOKEN" : "Discord refuses the connection as configured";
      return { fatal: true, reason: `the gateway${at} closed with ${code}${name ? ` (${name})` : ""}: ${what}` };
    }
    if (network) return { fatal: false, reason: `cannot reach the gateway${at} (network error)` };
    const answered = typeof inner?.message === "string" ? /^Unexpected server response: (\d{3})$/.exec(inner.message) : null;
    if (answered) return { fatal: false, reason: `the gateway${at} answered HTTP ${answered[1]}` };
    return { fatal: false, reason: `the gateway${at} closed the connection${code !== undefined ? ` (code ${code}${name ? ` ${name}` : ""})` : ""}` };
  }
  if (inner?.code === "TokenInvalid" || inner?.status === 401) return { fatal: true, reason: `${where}: HTTP 401: Discord refuses DISCORD_TOKEN` };
  if (typeof inner?.status === "number") {
    return { fatal: false, reason: `${where}: HTTP ${inner.status}${typeof inner.code === "number" && inner.code > 0 ? ` (Discord code ${inner.code})` : ""}` };
  }
  // The network (the reason is the system error's message, e.g. connect ECONNREFUSED 127.0.0.1:9).
  return { fatal: false };
}
