import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import { silentLogger } from "../src/log.js";
import { HttpServer } from "../src/runtime/http.js";
import { attachBoard } from "../src/web/board.js";
import { chatPage, launchChromium } from "./helpers/browser.js";
import { HOUR } from "./helpers/clock.js";
import { Harness, PROVIDERS, SEED } from "./helpers/harness.js";

/**
 * The web board (docs/contract.md §11) in a real browser: signed in by the one-time link
 * from /liaison board, clicked on another site; exactly the caller's cases; a hidden case
 * looks missing; no script, no external request, a strict CSP; sign-out ends it.
 */

const refOf = (out: string[]) => /Opened (\S+)\./.exec(out.join("\n"))![1]!;
const linkOf = (out: string) => /Your board: (\S+)/.exec(out)![1]!;
const PDF = Buffer.from("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
const ARTIFACTS = join(projectRoot, "artifacts");

describe.each(PROVIDERS)("the board on %s", (provider) => {
  let h: Harness;
  let http: HttpServer;
  let base: string;
  let browser: Browser;
  let chat: Awaited<ReturnType<typeof chatPage>>;
  let mine: string;
  let red: string;
  let others: string;
  const requests: string[] = [];

  beforeAll(async () => {
    h = await Harness.open(provider);
    http = new HttpServer(silentLogger);
    attachBoard(http, { db: h.db, clock: h.clock, log: silentLogger, services: h.core.services, secure: false });
    const port = await http.listen(0);
    base = `http://localhost:${port}`;
    h.core.services.boardUrl = base;
    await h.say(SEED);
    await h.say("root@sg-exb: /ppp bind orgs:SGPF,EXB");
    mine = refOf(await h.say('alice@hk-exa: /case open title:"Mule <b>wallets</b> & co" exchange:EXA severity:high type:freeze'));
    red = refOf(await h.say('carol: /case open title:"Red matter" exchange:EXA severity:low type:intel tlp:red'));
    others = refOf(await h.say('sam: /case open title:"Singapore case" exchange:EXB severity:critical type:freeze'));
    await h.say(`bob: /case ack ${mine}
bob: /case note ${mine} "need the court order" waiting:agency`);
    const path = join(h.filesDir, "order.pdf");
    writeFileSync(path, PDF);
    await h.say(`alice: /case attach ${mine} file:${path} note:"the court order"`);
    browser = await launchChromium();
    chat = await chatPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
    await http?.close();
    await h?.close();
  });

  async function signIn(speaker: string): Promise<{ context: BrowserContext; page: Page; link: string }> {
    const link = linkOf(await h.text(`${speaker}: /liaison board`));
    const context = await browser.newContext();
    context.on("request", (r) => requests.push(r.url()));
    const page = await context.newPage();
    await page.goto(chat.url(link));
    await page.click("#link");
    await page.waitForURL(`${base}/board`);
    return { context, page, link };
  }

  it("signs in from a link clicked on another site and shows exactly the caller's cases", async () => {
    const { context, page } = await signIn("alice");
    await expect(page.locator("h1").textContent()).resolves.toBe("Cases");
    const refs = await page.locator("#cases tbody tr td:first-child").allTextContents();
    // alice sees her agency's AMBER case, not carol's RED one, not Singapore's.
    expect(refs).toEqual([mine]);
    // The title is text, not markup.
    await expect(page.locator("#cases").textContent()).resolves.toContain("Mule <b>wallets</b> & co");
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: "liaison_board", httpOnly: true, sameSite: "Strict", secure: false, path: "/board" });
    expect(cookies[0]!.expires - Date.now() / 1000).toBeGreaterThan(11.9 * 3600);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `board-${provider}.png`), fullPage: true });
    await context.close();
  });

  it("lists the cases highest impact first, each with the reasons for its score", async () => {
    const { context, page } = await signIn("root");
    const refs = await page.locator("#cases tbody tr td:first-child").allTextContents();
    // A coordinator sees all three: critical first, then high, then low.
    expect(refs).toEqual([others, mine, red]);
    const impacts = await page.locator("#cases tbody tr td.impact").allTextContents();
    expect(impacts[0]).toMatch(/^\d+ critical/);
    expect(impacts[2]).toBe("5 low");
    await expect(page.locator("#count").textContent()).resolves.toContain("highest impact first");
    await context.close();
  });

  it("filters by status, severity, whose move and breach, and says which filter value is wrong", async () => {
    const { context, page } = await signIn("root");
    const shown = async () => page.locator("#cases tbody tr td:first-child").allTextContents().catch(() => []);
    expect((await shown()).sort()).toEqual([mine, red, others].sort());
    await page.selectOption("select[name=severity]", "critical");
    await page.click("button[type=submit]");
    expect(await shown()).toEqual([others]);
    await page.goto(`${base}/board?move=agency`);
    expect(await shown()).toEqual([mine]);
    await page.goto(`${base}/board?status=acknowledged`);
    expect(await shown()).toEqual([mine]);
    await page.goto(`${base}/board?status=active&move=exchange`);
    expect((await shown()).sort()).toEqual([red, others].sort());
    // Two hours on, the unacknowledged critical case has missed its deadline.
    h.jump(2 * HOUR);
    await page.goto(`${base}/board?breached=yes`);
    expect(await shown()).toContain(others);
    expect(await shown()).not.toContain(mine);
    const bad = await page.goto(`${base}/board?severity=urgent`);
    expect(bad!.status()).toBe(400);
    await expect(page.locator(".notice").textContent()).resolves.toBe('Unknown severity "urgent": choose one of critical, high, medium, low.');
    await context.close();
  });

  it("shows one case: card, timeline with its verification, documents with hashes", async () => {
    const { context, page } = await signIn("bob");
    await page.click(`a[href="/board/cases/${mine}"]`);
    await expect(page.locator("h1").textContent()).resolves.toBe(mine);
    await expect(page.locator(".card h2").textContent()).resolves.toContain("Mule <b>wallets</b> & co");
    await expect(page.locator("#verify").textContent()).resolves.toMatch(/^Hash chain intact: \d+ events, head [0-9a-f]{16}…$/);
    const timeline = await page.locator("#timeline tbody tr").allTextContents();
    expect(timeline.some((t) => t.includes("acknowledged"))).toBe(true);
    const sha = createHash("sha256").update(PDF).digest("hex");
    await expect(page.locator("#documents").textContent()).resolves.toContain(sha);
    await expect(page.locator("#documents").textContent()).resolves.toContain("order.pdf");
    // A changed event is shown as a broken chain, naming it.
    const where = { case: { ref: mine }, seq: 1 };
    const original = (await h.db.client.caseEvent.findFirstOrThrow({ where })).data;
    await h.db.client.caseEvent.updateMany({ where, data: { data: '{"forged":true}' } });
    await page.reload();
    await expect(page.locator("#verify").textContent()).resolves.toMatch(/^Hash chain BROKEN at event #1: event #1 \(opened/);
    await expect(page.locator("#timeline tbody tr").first().textContent()).resolves.toContain("opened (its data cannot be read)");
    await h.db.client.caseEvent.updateMany({ where, data: { data: original } });
    await context.close();
  });

  it("answers a hidden case's address exactly like a missing one's, and records the attempt", async () => {
    const { context, page } = await signIn("alice");
    const hidden = await page.goto(`${base}/board/cases/${others}`);
    const hiddenBody = (await hidden!.text()).replace(others, "REF");
    const missing = await page.goto(`${base}/board/cases/SGPF-2026-9999`);
    const missingBody = (await missing!.text()).replace("SGPF-2026-9999", "REF");
    expect(hidden!.status()).toBe(404);
    expect(missing!.status()).toBe(404);
    expect(hiddenBody).toBe(missingBody);
    await expect(page.locator(".notice").textContent()).resolves.toBe("unknown case reference SGPF-2026-9999");
    // carol's RED case is not alice's either, though it is her agency's.
    expect((await page.goto(`${base}/board/cases/${red}`))!.status()).toBe(404);
    const denied = await h.db.client.auditEntry.findMany({ where: { action: "access.denied", target: { in: [`case:${others}`, `case:${red}`, "case:SGPF-2026-9999"] } } });
    expect(denied.map((d) => JSON.parse(d.detail!).exists).sort()).toEqual([false, true, true]);
    await context.close();
  });

  it("uses a link once, and only for 10 minutes", async () => {
    const { context, link } = await signIn("dave");
    await context.close();
    const again = await browser.newContext();
    const page = await again.newPage();
    await page.goto(chat.url(link));
    await page.click("#link");
    await page.waitForURL(/\/board\/login\/continue/);
    await expect(page.locator(".notice").textContent()).resolves.toBe("This sign-in link has expired or was already used. Ask for a new one with /liaison board.");
    expect(await again.cookies()).toEqual([]);
    const late = linkOf(await h.text("dave: /liaison board"));
    h.jump(11 * 60_000);
    await page.goto(late);
    await page.waitForURL(/\/board\/login\/continue/);
    await expect(page.locator(".notice").textContent()).resolves.toContain("expired or was already used");
    await again.close();
  });

  it("sends a strict CSP, no script and no request anywhere but the board", async () => {
    requests.length = 0;
    const { context, page } = await signIn("alice");
    const response = await page.goto(`${base}/board/cases/${mine}`);
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(await page.locator("script").count()).toBe(0);
    await page.goto(`${base}/board/digests`);
    expect(await page.locator("script").count()).toBe(0);
    // The stylesheet applied (the CSP let it in): the header is dark.
    expect(await page.locator("header").evaluate((e) => getComputedStyle(e).backgroundColor)).toBe("rgb(31, 41, 51)");
    const elsewhere = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith(chat.url("").split("/?")[0]!));
    expect(elsewhere).toEqual([]);
    await context.close();
  });

  it("shows the digests of the caller's channels with their charts", async () => {
    const { context, page } = await signIn("alice");
    await page.goto(`${base}/board/digests`);
    const titles = await page.locator(".digest h2").allTextContents();
    expect(titles).toEqual(["#hk-exa (console) — EXA · HKPF-CSTCB"]);
    await expect(page.locator(".digest svg title").first().textContent()).resolves.toBe("EXA · HKPF-CSTCB: the last 8 weeks");
    expect(await page.locator(".digest svg rect").count()).toBeGreaterThan(8);
    const text = (await page.locator(".digest").textContent())!;
    expect(text).toContain("Opened: 1");
    expect(text).not.toContain(others);
    await page.locator(".digest").first().screenshot({ path: join(ARTIFACTS, `digest-${provider}.png`) });
    await context.close();
  });

  it("ends the session on sign-out, at 12 hours, and at once for a suspended member", async () => {
    const { context, page } = await signIn("alice");
    await page.click("a[href='/board/logout']");
    await expect(page.locator(".notice").textContent()).resolves.toContain("You are signed out");
    expect((await page.goto(`${base}/board`))!.status()).toBe(401);
    await context.close();

    const second = await signIn("alice");
    h.jump(12 * HOUR + 60_000);
    expect((await second.page.goto(`${base}/board`))!.status()).toBe(401);
    await second.context.close();

    const third = await signIn("lee");
    await h.say('root: /liaison suspend @lee reason:"left the team"');
    const after = await third.page.goto(`${base}/board`);
    expect(after!.status()).toBe(401);
    await expect(third.page.locator("main").textContent()).resolves.toContain("/liaison board");
    await third.context.close();
  });

  it("has no write routes: anything but GET is refused", async () => {
    for (const path of ["/board", "/board/login", `/board/cases/${mine}`, "/board/logout"]) {
      const res = await fetch(`${base}${path}`, { method: "POST" });
      expect(res.status, path).toBe(405);
    }
    // An invented token is refused without a lookup.
    const res = await fetch(`${base}/board/login/continue?token=nope`, { redirect: "manual" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});

describe("the board's link", () => {
  it("is refused with the reason when the board is not served (no PORT)", async () => {
    const h = await Harness.open("sqlite");
    try {
      await h.say(SEED);
      expect(await h.refused("alice: /liaison board")).toBe(
        "the board is not served by this deployment: set PORT (and LIAISON_PUBLIC_URL for the address people open)",
      );
      expect(await h.refused("nobody: /liaison board", { audited: true })).toMatch(/register/);
    } finally {
      await h.close();
    }
  });
});

