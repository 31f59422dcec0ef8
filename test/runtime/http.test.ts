import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { consoleMention } from "../../adapters/console/index.js";
import { systemClock } from "../../src/clock.js";
import { silentLogger } from "../../src/log.js";
import { createCore } from "../../src/runtime/app.js";
import { HttpServer } from "../../src/runtime/http.js";
import { openTestDatabase } from "../helpers/harness.js";

/**
 * The bot's HTTP server knows when requests are waiting to be read or answered (commands
 * wait for them, so Slack's acks are not held up by a synchronous database), and reports
 * how long each took until its response was sent.
 */

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe("HttpServer", () => {
  const opened: (HttpServer | Socket)[] = [];
  afterEach(async () => {
    for (const x of opened.splice(0)) {
      if (x instanceof HttpServer) await x.close();
      else x.destroy();
    }
  });

  it("is busy from a new connection until its request is answered, and only then", async () => {
    const observed: [string, number][] = [];
    const server = new HttpServer(silentLogger, (route, seconds) => observed.push([route, seconds]));
    opened.push(server);
    let answer: (() => void) | undefined;
    server.route("POST", "/slack/events", (_req, res) => {
      answer = () => res.writeHead(200).end();
    });
    const port = await server.listen(0);
    expect(server.busy).toBe(false);

    const socket = connect(port, "127.0.0.1");
    opened.push(socket);
    await new Promise((r) => socket.once("connect", r));
    while (!server.busy) await turns(1);
    // Connected, nothing sent yet: still waiting to be read.
    await turns(5);
    expect(server.busy).toBe(true);

    socket.write("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
    while (!answer) await turns(1);
    expect(server.busy).toBe(true);
    answer();
    const response = await new Promise<string>((r) => socket.once("data", (d) => r(String(d))));
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(server.busy).toBe(false);
    expect(observed.map(([route]) => route)).toEqual(["POST /slack/events"]);

    // An idle keep-alive connection keeps nobody waiting.
    await turns(5);
    expect(server.busy).toBe(false);
  });

  it("stops counting a connection that closes without a request", async () => {
    const server = new HttpServer(silentLogger);
    opened.push(server);
    const port = await server.listen(0);
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    while (!server.busy) await turns(1);
    socket.destroy();
    while (server.busy) await turns(1);
    expect(server.busy).toBe(false);
  });

  it("forgets requests left unanswered on a connection that closes, pipelined ones too", async () => {
    const server = new HttpServer(silentLogger);
    opened.push(server);
    let arrived = 0;
    server.route("POST", "/slow", () => {
      arrived++;
    });
    const port = await server.listen(0);
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    const request = "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    socket.write(request + request);
    while (arrived === 0) await turns(1);
    expect(server.busy).toBe(true);
    socket.destroy();
    for (let i = 0; i < 200 && server.busy; i++) await turns(1);
    expect(server.busy).toBe(false);
  });

  it("labels unknown paths as one route, so scanners cannot grow the metrics", async () => {
    const observed: string[] = [];
    const server = new HttpServer(silentLogger, (route) => observed.push(route));
    opened.push(server);
    const port = await server.listen(0);
    expect((await fetch(`http://127.0.0.1:${port}/wp-login.php`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/.env`)).status).toBe(404);
    expect(observed).toEqual(["other", "other"]);
  });
});

describe("commands and waiting requests", () => {
  it("lets waiting requests go first, but never starves a command", async () => {
    const t = await openTestDatabase("sqlite");
    try {
      let asked = 0;
      // Requests that never stop arriving: the command must still run, after a few turns.
      const core = createCore(t.db, { clock: systemClock, log: silentLogger, platforms: ["console"], ioPending: () => (asked++, true) });
      const reply = await core.dispatcher.dispatch({
        platform: "console",
        account: { platform: "console", externalId: "sam", handle: "sam" },
        channel: { platform: "console", id: "general", name: "general", direct: false },
        family: "ppp",
        input: { text: "help", mentions: consoleMention },
      });
      expect(reply.tone).not.toBe("error");
      expect(asked).toBeGreaterThan(0);
      expect(asked).toBeLessThanOrEqual(8);
    } finally {
      await t.cleanup();
    }
  });
});
