import { createHmac } from "node:crypto";
import { request } from "node:http";
import { createInterface } from "node:readline";

/**
 * The load generator of the Slack benchmark, in a process of its own so that the fake Slack
 * (which receives the bot's replies meanwhile) does not delay its clock. Each stdin line is
 * `{ url, secret, bodies }`: every body is sent at once, signed, and one stdout line answers
 * with each request's latency in milliseconds. One process serves all bursts, so it is warm;
 * every request opens its own connection, so no target gains from connections left open
 * by an earlier burst.
 */

function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: false, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function sign(secret: string, body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { "x-slack-request-timestamp": String(ts), "x-slack-signature": `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}` };
}

for await (const line of createInterface({ input: process.stdin })) {
  const { url, secret, bodies } = JSON.parse(line) as { url: string; secret: string; bodies: string[] };
  const signed = bodies.map((body) => ({ body, headers: { "content-type": "application/x-www-form-urlencoded", ...sign(secret, body) } }));
  const latencies = await Promise.all(
    signed.map(async ({ body, headers }) => {
      const t0 = performance.now();
      const status = await post(url, headers, body);
      if (status !== 200) throw new Error(`HTTP ${status}`);
      return performance.now() - t0;
    }),
  );
  process.stdout.write(`${JSON.stringify(latencies)}\n`);
}
