import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";

/**
 * Debian's Chromium, headless, driven by playwright-core (never a downloaded browser). The
 * flags keep it from reaching out to Google's services on a closed network.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
}

/**
 * A page on another site (127.0.0.1, where the board is on localhost) holding a link, as a
 * chat client would: following it is a cross-site navigation, like clicking in Slack.
 */
export async function chatPage(): Promise<{ url: (link: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const link = new URL(req.url ?? "/", "http://x").searchParams.get("link") ?? "";
    res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>chat</title><a id="link" href="${link.replace(/[&"<>]/g, "")}">your board</a>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (link) => `http://127.0.0.1:${port}/?link=${encodeURIComponent(link)}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
