import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * A local stand-in for Discord: the REST API under /api/v10 and a gateway WebSocket. It
 * speaks enough of both for the real discord.js Client and @discordjs/rest: HELLO,
 * IDENTIFY → READY (with a loopback resume URL) → GUILD_CREATE, heartbeats, RESUME, and
 * INTERACTION_CREATE dispatches; interaction callbacks and webhooks; channel messages,
 * threads and DM channels; application command registration. It records every request
 * and can be told to fail the next ones (429 with retry_after, 500, API error codes).
 */

export const APP_ID = "900000000000000001";
export const GUILD_ID = "900000000000000002";

export interface Request {
  method: string;
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  allowed_mentions?: { parse?: string[]; users?: string[] };
  nonce?: string;
  message_reference?: { message_id: string };
  edits: number;
}

type Failure = { status: 429; retryAfter: number; global?: boolean } | { status: 500 } | { status: number; code: number; message: string };

export class FakeDiscord {
  readonly requests: Request[] = [];
  readonly messages: FakeMessage[] = [];
  readonly callbacks: { id: string; token: string; type: number; data: Record<string, unknown> }[] = [];
  readonly webhooks: { token: string; method: string; body: Record<string, unknown> }[] = [];
  readonly threads: { id: string; parent: string; name: string }[] = [];
  commands: { guild: Record<string, unknown>[]; global: Record<string, unknown>[] } = { guild: [], global: [] };
  readonly identifies: Record<string, unknown>[] = [];
  readonly resumes: Record<string, unknown>[] = [];
  channels = [{ id: "910000000000000001", name: "hk-exa" }];
  #server: Server;
  #wss: WebSocketServer;
  #sockets: WebSocket[] = [];
  #seq = 0;
  #snowflake = 920000000000000000n;
  #failures: { match: RegExp; failure: Failure }[] = [];
  port = 0;
  /** While set, the gateway refuses WebSocket upgrades with this HTTP status (the REST API still answers). */
  gatewayRefusal: number | undefined;
  /** While set, the gateway closes the connection with this close code on IDENTIFY (4004: Authentication failed). */
  identifyClose: number | undefined;
  /** Gateway upgrade requests seen (refused ones included). */
  gatewayAttempts = 0;
  /** Files Discord holds (attachments), served from its CDN at /cdn/…. */
  readonly cdn = new Map<string, { content: Buffer; type: string }>();

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#wss = new WebSocketServer({
      server: this.#server,
      path: "/gateway",
      verifyClient: (_info, done) => {
        this.gatewayAttempts++;
        if (this.gatewayRefusal === undefined) done(true);
        else done(false, this.gatewayRefusal);
      },
    });
    this.#wss.on("connection", (socket) => this.#connected(socket));
  }

  /** Listens on `port` (default: any free one). */
  async start(port = 0): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(port, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  snowflake(): string {
    this.#snowflake += 1n;
    return this.#snowflake.toString();
  }

  /** The next request matching `route` (e.g. /POST \/channels\/.+\/messages$/) fails this way. */
  fail(route: RegExp, failure: Failure, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push({ match: route, failure });
  }

  /** Drops every gateway connection, as a network hiccup would. */
  dropConnections(): void {
    for (const s of this.#sockets) s.terminate();
    this.#sockets = [];
  }

  get connections(): number {
    return this.#sockets.filter((s) => s.readyState === s.OPEN).length;
  }

  // Gateway ---------------------------------------------------------------

  #send(socket: WebSocket, payload: Record<string, unknown>) {
    socket.send(JSON.stringify(payload));
  }

  #connected(socket: WebSocket) {
    this.#sockets.push(socket);
    this.#send(socket, { op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    socket.on("message", (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (msg.op === 1) this.#send(socket, { op: 11, d: null, s: null, t: null });
      if (msg.op === 2 && this.identifyClose !== undefined) {
        this.identifies.push(msg.d);
        socket.close(this.identifyClose, "Authentication failed.");
        return;
      }
      if (msg.op === 2) {
        this.identifies.push(msg.d);
        this.#dispatch(socket, "READY", {
          v: 10,
          user: { id: APP_ID, username: "liaison", discriminator: "0", global_name: "Liaison", avatar: null, bot: true },
          guilds: [{ id: GUILD_ID, unavailable: true }],
          session_id: `session-${this.identifies.length}`,
          resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
          application: { id: APP_ID, flags: 0 },
          private_channels: [],
        });
        this.#dispatch(socket, "GUILD_CREATE", this.#guild());
      }
      if (msg.op === 6) {
        this.resumes.push(msg.d);
        this.#dispatch(socket, "RESUMED", {});
      }
    });
  }

  #guild() {
    return {
      id: GUILD_ID,
      name: "Liaison test guild",
      unavailable: false,
      owner_id: "1",
      icon: null,
      features: [],
      member_count: 1,
      large: false,
      joined_at: new Date().toISOString(),
      roles: [{ id: GUILD_ID, name: "@everyone", permissions: "0", position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
      channels: this.channels.map((c, i) => ({ id: c.id, type: 0, name: c.name, guild_id: GUILD_ID, position: i, permission_overwrites: [], parent_id: null, nsfw: false })),
      threads: [],
      members: [],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      preferred_locale: "en-US",
    };
  }

  #dispatch(socket: WebSocket, t: string, d: unknown) {
    this.#send(socket, { op: 0, t, s: ++this.#seq, d });
  }

  /** Sends an INTERACTION_CREATE to the connected bot. */
  interact(d: Record<string, unknown>): void {
    const socket = this.#sockets.find((s) => s.readyState === s.OPEN);
    if (!socket) throw new Error("no gateway connection");
    this.#dispatch(socket, "INTERACTION_CREATE", d);
  }

  // REST ------------------------------------------------------------------

  async #body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    if (!raw) return {};
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("multipart/form-data")) {
      // Each file part's bytes, as sent (read in latin1, which keeps every byte).
      const binary = bytes.toString("latin1");
      const __fileBytes = [...binary.matchAll(/filename="[^"]+"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/g)].map((m) => Buffer.from(m[1]!, "latin1"));
      // Only payload_json matters here; file parts are kept as their names.
      const json = /name="payload_json"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(raw)?.[1];
      const files = [...raw.matchAll(/filename="([^"]+)"/g)].map((m) => m[1]);
      return { ...(json ? (JSON.parse(json) as Record<string, unknown>) : {}), __files: files, __fileBytes, __raw: raw };
    }
    return JSON.parse(raw) as Record<string, unknown>;
  }

  #json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  #message(channel: string, body: Record<string, unknown>): FakeMessage & Record<string, unknown> {
    return {
      id: this.snowflake(),
      channel_id: channel,
      content: String(body.content ?? ""),
      embeds: (body.embeds as Record<string, unknown>[]) ?? [],
      components: (body.components as Record<string, unknown>[]) ?? [],
      ...(body.allowed_mentions ? { allowed_mentions: body.allowed_mentions as FakeMessage["allowed_mentions"] } : {}),
      ...(body.nonce ? { nonce: String(body.nonce) } : {}),
      ...(body.message_reference ? { message_reference: body.message_reference as { message_id: string } } : {}),
      edits: 0,
    };
  }

  /** What the API returns for a message. */
  apiMessage(m: FakeMessage) {
    return {
      id: m.id,
      channel_id: m.channel_id,
      type: 0,
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      author: { id: APP_ID, username: "liaison", discriminator: "0", avatar: null, bot: true },
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: 0,
    };
  }

  /** An attachment as an interaction's `resolved.attachments` carries it, its bytes on the fake CDN. */
  attachment(name: string, content: Buffer, type: string): { id: string; filename: string; size: number; url: string; proxy_url: string; content_type: string } {
    const id = this.snowflake();
    const path = `/cdn/attachments/${id}/${name}`;
    this.cdn.set(path, { content, type });
    const url = `http://127.0.0.1:${this.port}${path}`;
    return { id, filename: name, size: content.length, url, proxy_url: url, content_type: type };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const stored = this.cdn.get(decodeURIComponent(url.pathname));
    if (stored && req.method === "GET") {
      this.requests.push({ method: "GET", path: decodeURIComponent(url.pathname), body: {}, at: Date.now() });
      res.writeHead(200, { "content-type": stored.type, "content-length": String(stored.content.length) }).end(stored.content);
      return;
    }
    const path = decodeURIComponent(url.pathname).replace(/^\/api(\/v10)?/, "");
    const method = req.method ?? "GET";
    const body = await this.#body(req);
    this.requests.push({ method, path, body, at: Date.now() });
    const failure = this.#failures.findIndex((f) => f.match.test(`${method} ${path}`));
    if (failure >= 0) {
      const { failure: f } = this.#failures.splice(failure, 1)[0]!;
      if (f.status === 429 && "retryAfter" in f) {
        res.writeHead(429, {
          "content-type": "application/json",
          "retry-after": String(Math.ceil(f.retryAfter)),
          "x-ratelimit-scope": f.global ? "global" : "user",
          ...(f.global ? { "x-ratelimit-global": "true" } : { "x-ratelimit-bucket": "fake-bucket", "x-ratelimit-limit": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": String(f.retryAfter) }),
        }).end(JSON.stringify({ message: "You are being rate limited.", retry_after: f.retryAfter, global: Boolean(f.global) }));
      } else if (f.status === 500) {
        res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
      } else if ("code" in f) {
        this.#json(res, f.status, { message: f.message, code: f.code });
      }
      return;
    }

    // Discord refuses a message over its limits as a whole (Invalid Form Body), as the real API does.
    const invalid = (method === "POST" || method === "PATCH") && /\/messages(\/\d+)?$/.test(path) ? overLimits(body) : undefined;
    if (invalid) return this.#json(res, 400, { message: "Invalid Form Body", code: 50035, errors: invalid });

    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/gateway/bot") {
      return this.#json(res, 200, { url: `ws://127.0.0.1:${this.port}/gateway`, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } });
    }
    if ((m = /^\/applications\/\d+\/(guilds\/\d+\/)?commands$/.exec(path))) {
      const scope = m[1] ? "guild" : "global";
      if (method === "PUT") {
        this.commands[scope] = (body as unknown as Record<string, unknown>[]).map((c) => ({ ...c, id: this.snowflake(), application_id: APP_ID, version: this.snowflake(), default_member_permissions: null }));
      }
      return this.#json(res, 200, this.commands[scope]);
    }
    if ((m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      this.callbacks.push({ id: m[1]!, token: m[2]!, type: Number(body.type), data: (body.data as Record<string, unknown>) ?? {} });
      if (url.searchParams.get("with_response") === "true") {
        return this.#json(res, 200, { interaction: { id: m[1], type: 2 }, resource: { type: Number(body.type) } });
      }
      // A 204 must carry no content-type, or @discordjs/rest tries to parse it.
      res.writeHead(204).end();
      return;
    }
    if ((m = /^\/webhooks\/\d+\/([^/]+)(\/messages\/@original)?$/.exec(path))) {
      this.webhooks.push({ token: m[1]!, method, body });
      return this.#json(res, 200, this.apiMessage(this.#message("910000000000000001", body)));
    }
    if (method === "POST" && path === "/users/@me/channels") {
      return this.#json(res, 200, { id: `dm${String(body.recipient_id)}`.slice(0, 20), type: 1, recipients: [{ id: String(body.recipient_id), username: "user", discriminator: "0", avatar: null }] });
    }
    if ((m = /^\/channels\/([^/]+)\/messages\/(\d+)\/threads$/.exec(path)) && method === "POST") {
      this.threads.push({ id: m[2]!, parent: m[1]!, name: String(body.name) });
      return this.#json(res, 201, { id: m[2], type: 11, parent_id: m[1], name: body.name, guild_id: GUILD_ID });
    }
    if ((m = /^\/channels\/([^/]+)\/messages$/.exec(path)) && method === "POST") {
      // enforce_nonce: the same nonce in the same channel returns the message already made.
      const again = body.enforce_nonce && body.nonce ? this.messages.find((x) => x.channel_id === m![1] && x.nonce === String(body.nonce)) : undefined;
      if (again) return this.#json(res, 200, this.apiMessage(again));
      const message = this.#message(m[1]!, body);
      this.messages.push(message);
      return this.#json(res, 200, this.apiMessage(message));
    }
    if ((m = /^\/channels\/([^/]+)\/messages\/(\d+)$/.exec(path)) && method === "PATCH") {
      const message = this.messages.find((x) => x.id === m![2]);
      if (!message) return this.#json(res, 404, { message: "Unknown Message", code: 10008 });
      Object.assign(message, { content: body.content ?? message.content, embeds: body.embeds ?? message.embeds, components: body.components ?? message.components });
      message.edits++;
      return this.#json(res, 200, this.apiMessage(message));
    }
    if ((m = /^\/channels\/([^/]+)$/.exec(path)) && method === "PATCH") {
      return this.#json(res, 200, { id: m[1], type: 11 });
    }
    this.#json(res, 404, { message: `fake has no route for ${method} ${path}`, code: 0 });
  }
}

/** What Discord would refuse in a message body: content over 2,000, embeds over 6,000 together, or a part over its own limit. */
function overLimits(body: Record<string, unknown>): string | undefined {
  if (typeof body.content === "string" && body.content.length > 2000) return "content: must be 2000 or fewer in length";
  const embeds = (body.embeds as { title?: string; description?: string; footer?: { text?: string }; fields?: { name: string; value: string }[] }[] | undefined) ?? [];
  if (embeds.length > 10) return "embeds: must be 10 or fewer";
  let total = 0;
  for (const e of embeds) {
    if ((e.title?.length ?? 0) > 256 || (e.description?.length ?? 0) > 4096 || (e.fields?.length ?? 0) > 25) return "embed part over its limit";
    for (const f of e.fields ?? []) if (f.name.length > 256 || f.value.length > 1024 || f.value.length === 0) return "embed field over its limit";
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text?.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  }
  return total > 6000 ? "embeds: total size must be 6000 or fewer" : undefined;
}

/** A user as Discord sends it in interactions. */
export function discordUser(id: string, username: string) {
  return { id, username, discriminator: "0", global_name: username, avatar: null };
}

let interactionSeq = 930000000000000000n;
/** A fresh interaction id and token. */
export function interactionIds(): { id: string; token: string } {
  interactionSeq += 1n;
  return { id: interactionSeq.toString(), token: `token-${interactionSeq}` };
}

/** The parts every interaction payload shares. */
export function interactionBase(user: { id: string; username: string }, channel: { id: string; name: string } | null) {
  const { id, token } = interactionIds();
  return {
    id,
    token,
    application_id: APP_ID,
    version: 1,
    app_permissions: "0",
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: {},
    attachment_size_limit: 8_388_608,
    ...(channel
      ? {
          guild_id: GUILD_ID,
          guild_locale: "en-US",
          channel_id: channel.id,
          channel: { id: channel.id, type: 0, name: channel.name, guild_id: GUILD_ID },
          member: { user: discordUser(user.id, user.username), roles: [], permissions: "0", joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
          context: 0,
        }
      : { channel_id: `dm${user.id}`.slice(0, 20), channel: { id: `dm${user.id}`.slice(0, 20), type: 1 }, user: discordUser(user.id, user.username), context: 1 }),
  };
}
