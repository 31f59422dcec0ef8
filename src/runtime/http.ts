import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";

/**
 * The one HTTP server on PORT: /healthz and /metrics here, and whatever routes adapters
 * add (Slack's /slack/events).
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export class HttpServer {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #server: Server;

  constructor(private readonly log: Logger) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    // Slack and load balancers keep connections open; do not let a slow client pin memory.
    this.#server.requestTimeout = 30_000;
    this.#server.headersTimeout = 15_000;
  }

  route(method: string, path: string, handler: RouteHandler): void {
    this.#routes.set(`${method} ${path}`, handler);
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0]!;
    const handler = this.#routes.get(`${req.method} ${path}`);
    if (!handler) {
      const allowed = [...this.#routes.keys()].some((k) => k.endsWith(` ${path}`));
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
