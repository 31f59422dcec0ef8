import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * A local stand-in for Slack: the Web API (`/api/<method>`), response_url endpoints, file
 * uploads, and a Socket Mode WebSocket server. It records every call so tests can see what
 * the real Bolt and WebClient sent, and can be told to fail the next calls (429, 500,
 * platform errors).
 */

export interface Call {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  edits: number;
}

type Failure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export class FakeSlack {
  readonly calls: Call[] = [];
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  readonly messages: StoredMessage[] = [];
  readonly views: Record<string, unknown>[] = [];
  readonly uploads: { id: string; content: string; bytes: Buffer }[] = [];
  readonly socketAcks: Record<string, unknown>[] = [];
  /** Files users shared, served at /files-pri/… only with the bot's token (as Slack does). */
  readonly files = new Map<string, { content: Buffer; type: string }>();
  readonly fileFetches: { path: string; authorization: string | undefined }[] = [];
  botToken = "xoxb-fake";
  #server: Server;
  #wss: WebSocketServer | undefined;
  #sockets: WebSocket[] = [];
  #failures = new Map<string, Failure[]>();
  #ts = 1_700_000_000;
  port = 0;

  constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** Listens on `port` (default: any free one). */
  async start(port = 0): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(port, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/respond/${id}`;
  }

  /** The next `times` calls of a method fail this way. */
  fail(method: string, failure: Failure, times = 1): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), ...Array(times).fill(failure)]);
  }

  callsOf(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise<void>((r) => (this.#wss ? this.#wss.close(() => r()) : r()));
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  async #body(req: IncomingMessage): Promise<string> {
    return (await this.#bytes(req)).toString("utf8");
  }

  async #bytes(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** A file a user shared, as a submitted file input names it. */
  file(name: string, content: Buffer, type: string): { id: string; name: string; mimetype: string; size: number; url_private: string; url_private_download: string } {
    const id = `F${this.files.size + 1}FAKE`;
    const path = `/files-pri/T0FAKE-${id}/download/${encodeURIComponent(name)}`;
    this.files.set(path, { content, type });
    const url = `http://127.0.0.1:${this.port}${path}`;
    return { id, name, mimetype: type, size: content.length, url_private: url, url_private_download: url };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const shared = this.files.get(url.pathname);
    if (shared && req.method === "GET") {
      this.fileFetches.push({ path: url.pathname, authorization: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${this.botToken}`) {
        res.writeHead(302, { location: "https://fake.slack.com/login" }).end();
        return;
      }
      res.writeHead(200, { "content-type": shared.type, "content-length": String(shared.content.length) }).end(shared.content);
      return;
    }
    const bytes = await this.#bytes(req);
    const raw = bytes.toString("utf8");
    if (url.pathname.startsWith("/respond/")) {
      this.responses.push({ id: decodeURIComponent(url.pathname.slice("/respond/".length)), body: JSON.parse(raw || "{}") });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (url.pathname.startsWith("/upload/")) {
      // A multipart upload's file part, byte for byte (latin1 keeps every byte).
      const part = /filename="[^"]*"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(bytes.toString("latin1"))?.[1];
      this.uploads.push({ id: url.pathname.slice("/upload/".length), content: raw, bytes: part === undefined ? bytes : Buffer.from(part, "latin1") });
      res.writeHead(200, { "content-type": "text/plain" }).end("OK - 0");
      return;
    }
    const method = url.pathname.replace(/^\/api\//, "");
    let args: Record<string, unknown>;
    if ((req.headers["content-type"] ?? "").includes("json")) args = JSON.parse(raw || "{}");
    else {
      args = Object.fromEntries(new URLSearchParams(raw));
      for (const key of ["blocks", "metadata", "view", "files", "attachments"]) {
        if (typeof args[key] === "string") {
          try {
            args[key] = JSON.parse(args[key] as string);
          } catch {
            /* leave as sent */
          }
        }
      }
    }
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "") || (args.token as string | undefined);
    this.calls.push({ method, args, token, at: Date.now() });
    const failure = this.#failures.get(method)?.shift();
    if (failure) {
      if ("status" in failure && failure.status === 429) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": String(failure.retryAfter) }).end(JSON.stringify({ ok: false, error: "ratelimited" }));
      } else if ("status" in failure) {
        res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
      } else {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error: failure.error }));
      }
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.#answer(method, args)));
  }

  #nextTs(): string {
    return `${this.#ts++}.000100`;
  }

  #answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://fake.slack.com/", team: "Fake", user: "liaison", team_id: "T0FAKE", user_id: "U0BOT", bot_id: "B0BOT" };
      case "chat.postMessage": {
        const m: StoredMessage = {
          channel: String(args.channel),
          ts: this.#nextTs(),
          text: String(args.text ?? ""),
          blocks: (args.blocks as unknown[]) ?? [],
          edits: 0,
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
          ...(args.metadata ? { metadata: args.metadata as StoredMessage["metadata"] } : {}),
        };
        this.messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: { text: m.text, ts: m.ts } };
      }
      case "chat.update": {
        const m = this.messages.find((x) => x.channel === args.channel && x.ts === args.ts);
        if (!m) return { ok: false, error: "message_not_found" };
        m.text = String(args.text ?? "");
        m.blocks = (args.blocks as unknown[]) ?? [];
        m.edits++;
        return { ok: true, channel: m.channel, ts: m.ts };
      }
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.#nextTs() };
      case "conversations.open":
        return { ok: true, channel: { id: `D${String(args.users)}` } };
      case "conversations.history":
      case "conversations.replies": {
        const list = this.messages.filter((m) => m.channel === args.channel && (method === "conversations.history" ? !m.thread_ts : m.thread_ts === args.ts || m.ts === args.ts));
        return { ok: true, messages: list.map((m) => ({ ts: m.ts, text: m.text, metadata: m.metadata })) };
      }
      case "views.open":
        this.views.push(args.view as Record<string, unknown>);
        return { ok: true, view: { id: `V${this.views.length}` } };
      case "apps.connections.open":
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket` };
      case "files.getUploadURLExternal":
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/F${this.uploads.length + 1}`, file_id: `F${this.calls.length}` };
      case "files.completeUploadExternal":
        return { ok: true, files: (args.files as { id: string }[] | undefined) ?? [] };
      default:
        return { ok: true };
    }
  }

  /** Socket Mode: accept Bolt's connection and say hello. */
  enableSocketMode(): void {
    this.#wss = new WebSocketServer({ server: this.#server, path: "/socket" });
    this.#wss.on("connection", (socket) => {
      this.#sockets.push(socket);
      socket.on("message", (data) => this.socketAcks.push(JSON.parse(String(data))));
      socket.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0FAKE" } }));
    });
  }

  get socketConnected(): boolean {
    return this.#sockets.some((s) => s.readyState === s.OPEN);
  }

  /** Sends an envelope the way Slack does and waits for Bolt's ack. */
  async sendEnvelope(type: string, payload: Record<string, unknown>, envelopeId: string, retryAttempt = 0): Promise<Record<string, unknown>> {
    const socket = this.#sockets.find((s) => s.readyState === s.OPEN);
    if (!socket) throw new Error("no Socket Mode connection");
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api", retry_attempt: retryAttempt, retry_reason: retryAttempt ? "timeout" : "" }));
    const started = Date.now();
    for (;;) {
      const ack = this.socketAcks.find((a) => a.envelope_id === envelopeId);
      if (ack) return ack;
      if (Date.now() - started > 5000) throw new Error(`no ack for envelope ${envelopeId}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** Slack's request signature: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
export function sign(secret: string, body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return { "x-slack-request-timestamp": String(ts), "x-slack-signature": signature };
}
