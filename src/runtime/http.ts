import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "../log.js";

/**
 * The one HTTP server on PORT: /healthz and /metrics here, and whatever routes adapters
 * add (Slack's /slack/events).
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Told how long each request took until its response was sent (for Slack: until the ack). */
export type RequestObserver = (route: string, seconds: number) => void;

export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #server: Server;
  /** New connections whose first request has not arrived yet, and requests not yet answered. */
  #unanswered = 0;
  /** Per connection: still waiting for its first request, and its requests not yet answered. */
  readonly #sockets = new WeakMap<Socket, { fresh: boolean; open: number }>();

  constructor(
    private readonly log: Logger,
    private readonly observe?: RequestObserver,
  ) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on("connection", (socket: Socket) => {
      const state = { fresh: true, open: 0 };
      this.#sockets.set(socket, state);
      this.#unanswered++;
      // A connection that closes takes its unanswered requests with it (pipelined ones
      // never emit "finish" or "close" of their own).
      socket.once("close", () => {
        this.#unanswered -= (state.fresh ? 1 : 0) + state.open;
        state.fresh = false;
        state.open = 0;
      });
    });
    // Slack and load balancers keep connections open; do not let a slow client pin memory.
    this.#server.requestTimeout = 30_000;
    this.#server.headersTimeout = 15_000;
  }

  /**
   * Whether requests are waiting for an answer. With a synchronous database the commands of
   * earlier requests would otherwise hold up reading and acknowledging new ones.
   */
  get busy(): boolean {
    return this.#unanswered > 0;
  }


  route(method: string, path: string, handler: RouteHandler): void {
    this.#routes.set(`${method} ${path}`, handler);
  }

  readonly #prefixes: { method: string; prefix: string; handler: RouteHandler }[] = [];

  /** A route for every path under `prefix` (which ends with "/"), e.g. the board's case pages. */
  routePrefix(method: string, prefix: string, handler: RouteHandler): void {
    this.#prefixes.push({ method, prefix, handler });
  }

  #find(method: string | undefined, path: string): { handler: RouteHandler | undefined; route: string; known: boolean } {
    const exact = this.#routes.get(`${method} ${path}`);
    if (exact) return { handler: exact, route: `${method} ${path}`, known: true };
    const under = this.#prefixes.filter((p) => path.startsWith(p.prefix) && path.length > p.prefix.length);
    const match = under.find((p) => p.method === method);
    if (match) return { handler: match.handler, route: `${method} ${match.prefix}*`, known: true };
    const known = under.length > 0 || [...this.#routes.keys()].some((k) => k.endsWith(` ${path}`));
    return { handler: undefined, route: `${method} ${path}`, known };
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const state = this.#sockets.get(req.socket) ?? { fresh: false, open: 0 };
    if (state.fresh) {
      state.fresh = false;
      this.#unanswered--;
    }
    state.open++;
    this.#unanswered++;
    let answered = false;
    const done = () => {
      if (answered || state.open === 0) return;
      answered = true;
      state.open--;
      this.#unanswered--;
    };
    res.once("close", done);
    res.once("finish", done);
    const path = (req.url ?? "/").split("?")[0]!;
    const { handler, route, known } = this.#find(req.method, path);
    if (this.observe) {
      const observe = this.observe;
      res.once("finish", () => observe(handler ? route : "other", (performance.now() - started) / 1000));
    }
    if (!handler) {
      const allowed = known;
      res.writeHead(allowed ? 405 : 404, { "content-type": "text/plain" }).end(allowed ? "method not allowed\n" : "not found\n");
      return;
    }
    try {
      await handler(req, res);
    } catch (error) {
      this.log.error({ err: error, path }, "HTTP handler failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error\n");
    }
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === "EADDRINUSE"
            ? new Error(`PORT ${port} is already in use; choose another PORT`)
            : error.code === "EACCES"
              ? new Error(`PORT ${port} needs privileges this process does not have; choose a PORT above 1023`)
              : error,
        );
      };
      this.#server.once("error", onError);
      this.#server.listen(port, () => {
        this.#server.off("error", onError);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }
}
