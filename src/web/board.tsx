import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../clock.js";
import type { Database } from "../db/database.js";
import { UserError } from "../model/errors.js";
import type { Logger } from "../log.js";
import type { DomainServices } from "../domain/services.js";
import type { Caller } from "../domain/members.js";
import {
  auditBoardDenial,
  BOARD_LIMIT,
  BOARD_MOVES,
  BOARD_STATUSES,
  boardCaller,
  boardCase,
  boardCases,
  boardDigests,
  endBoardSession,
  redeemBoardLink,
  type BoardFilters,
} from "../domain/board.js";
import { SEVERITIES, type Severity } from "../domain/policy.js";
import { caseCard, formatTime, statusLabel, whoseMoveLabel } from "../domain/cases/card.js";
import { ackBreached, describeEvent } from "../domain/cases/queries.js";
import { formatAge } from "../domain/durations.js";
import { caseImpact } from "../domain/cases/impact.js";
import type { Policy } from "../domain/policy.js";
import type { CaseRecord } from "../domain/cases/model.js";
import { formatBytes } from "../model/upload.js";
import { Blocks, CardView, html, Page, STYLE } from "./views.js";
import type { HttpServer } from "../runtime/http.js";

/** A case's impact on the board: the score and, beside it, why (never a bare number). */
function impactCell(c: CaseRecord, policy: Policy, now: Date) {
  const impact = caseImpact(c, policy, now);
  if (!impact) return "—";
  return (
    <>
      <strong>{impact.score}</strong> <span class="muted">{impact.reasons.join(" · ")}</span>
    </>
  );
}

/**
 * The read-only case board (docs/contract.md §11) on the bot's HTTP server: GET routes only,
 * each page one read of the database through the same need-to-know as /case show. Signed in
 * by a one-time link (/liaison board); the session is an HttpOnly, SameSite=Strict cookie.
 */

export interface BoardDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  services: DomainServices;
  /** Whether people reach the board over https (then the cookie is Secure). */
  secure: boolean;
}

const COOKIE = "liaison_board";

/** Headers on every board response: nothing external, nothing inline, nothing cached. */
const HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

function send(res: ServerResponse, status: number, body: string, extra: Record<string, string | string[]> = {}) {
  res.writeHead(status, { ...HEADERS, "content-type": "text/html; charset=utf-8", ...extra }).end(body);
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === COOKIE) return value.join("=");
  }
  return undefined;
}

const query = (req: IncomingMessage) => new URL(req.url ?? "/", "http://board.invalid").searchParams;
const who = (c: Caller) => `${c.member!.name}${c.member!.org ? ` · ${c.member!.org.code}` : " · coordinator"}`;

function SignInNeeded({ reason }: { reason?: string }) {
  return (
    <Page title="Sign in">
      <p class="notice">{reason ?? "You are not signed in (or your session ended)."}</p>
      <p>
        Ask Liaison for a sign-in link: run <code>/liaison board</code> in Slack, Discord or the console. The link it sends you privately works once, for 10 minutes.
      </p>
    </Page>
  );
}

/** Reads a filter from the query; an unknown value is a clear error, not an empty list. */
function filters(q: URLSearchParams): { ok: true; f: BoardFilters } | { ok: false; problem: string } {
  const f: BoardFilters = {};
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined | Error => {
    const v = q.get(name);
    if (v === null || v === "") return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    return new Error(`Unknown ${name} "${v.slice(0, 40)}": choose one of ${allowed.join(", ")}.`);
  };
  const status = pick("status", BOARD_STATUSES);
  const severity = pick<Severity>("severity", SEVERITIES);
  const move = pick("move", BOARD_MOVES);
  for (const v of [status, severity, move]) if (v instanceof Error) return { ok: false, problem: v.message };
  if (status) f.status = status as BoardFilters["status"];
  if (severity) f.severity = severity as Severity;
  if (move) f.move = move as BoardFilters["move"];
  const breached = q.get("breached");
  if (breached !== null && breached !== "" && breached !== "yes") return { ok: false, problem: `Unknown breached "${breached.slice(0, 40)}": use breached=yes or leave it out.` };
  if (breached === "yes") f.breached = true;
  return { ok: true, f };
}

function Select({ name, label, values, current }: { name: string; label: string; values: readonly string[]; current: string | undefined }) {
  return (
    <label>
      {label}
      <select name={name}>
        <option value="">any</option>
        {values.map((v) => (
          <option key={v} value={v} selected={v === current}>
            {v.replace("_", " ")}
          </option>
        ))}
      </select>
    </label>
  );
}

export function attachBoard(http: HttpServer, deps: BoardDeps): void {
  const { db, clock, log, services } = deps;
  const cookie = (value: string, maxAge: number) =>
    `${COOKIE}=${value}; Path=/board; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${deps.secure ? "; Secure" : ""}`;

  /** A page for a signed-in member, or the sign-in page. */
  const signedIn =
    (render: (caller: Caller, req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const caller = await db.tx((tx) => boardCaller(tx, cookieOf(req), clock.now()));
      if (!caller) return send(res, 401, html(<SignInNeeded />));
      await render(caller, req, res);
    };

  http.route("GET", "/board/board.css", async (_req, res) => {
    res.writeHead(200, { ...HEADERS, "content-type": "text/css; charset=utf-8", "cache-control": "max-age=3600" }).end(STYLE);
  });

  // Step one, from the chat platform (a cross-site navigation): nothing is used yet, so a
  // link preview fetching this page spends nothing. The page moves on by itself, same-site.
  http.route("GET", "/board/login", async (req, res) => {
    const token = query(req).get("token") ?? "";
    const next = `/board/login/continue?token=${encodeURIComponent(token)}`;
    send(
      res,
      200,
      html(
        <Page title="Signing you in" refresh={next}>
          <p>
            Signing you in to the board… If nothing happens, <a href={next}>continue</a>.
          </p>
        </Page>,
      ),
    );
  });

  // Step two, from the board's own page (same-site): the link is used, the cookie set, and
  // the redirect to the board carries it.
  http.route("GET", "/board/login/continue", async (req, res) => {
    const token = query(req).get("token") ?? "";
    const now = clock.now();
    const result = await db.tx((tx) => redeemBoardLink(tx, token, now));
    if (!result.ok) return send(res, 403, html(<SignInNeeded reason={result.reason} />));
    const maxAge = Math.floor((result.expiresAt.getTime() - now.getTime()) / 1000);
    res.writeHead(303, { ...HEADERS, location: "/board", "set-cookie": cookie(result.session, maxAge) }).end();
  });

  http.route("GET", "/board/logout", async (req, res) => {
    await db.tx((tx) => endBoardSession(tx, cookieOf(req), clock.now()));
    send(
      res,
      200,
      html(
        <Page title="Signed out">
          <p class="notice">You are signed out of the board. Run <code>/liaison board</code> for a new link.</p>
        </Page>,
      ),
      { "set-cookie": cookie("", 0), "clear-site-data": '"cookies"' },
    );
  });

  http.route(
    "GET",
    "/board",
    signedIn(async (caller, req, res) => {
      const parsed = filters(query(req));
      if (!parsed.ok) {
        return send(res, 400, html(<Page title="Cases" who={who(caller)}><p class="notice">{parsed.problem}</p><p><a href="/board">Show all cases</a></p></Page>));
      }
      const f = parsed.f;
      const now = clock.now();
      const { cases, more } = await db.tx((tx) => boardCases(tx, caller, f, services.policy, now));
      send(
        res,
        200,
        html(
          <Page title="Cases" who={who(caller)}>
            <form class="filters" method="get" action="/board">
              <Select name="status" label="Status" values={BOARD_STATUSES} current={f.status} />
              <Select name="severity" label="Severity" values={SEVERITIES} current={f.severity} />
              <Select name="move" label="Whose move" values={BOARD_MOVES} current={f.move} />
              <label class="check">
                <input type="checkbox" name="breached" value="yes" checked={f.breached === true} /> acknowledgement breached
              </label>
              <button type="submit">Filter</button>
            </form>
            <p class="muted" id="count">
              {`${cases.length}${more ? "+" : ""} case${cases.length === 1 ? "" : "s"}, highest impact first${more ? ` (the first ${BOARD_LIMIT})` : ""}`}
            </p>
            {cases.length > 0 && (
              <table id="cases">
                <thead>
                  <tr>
                    <th>Reference</th>
                    <th>Impact</th>
                    <th>Severity</th>
                    <th>Status</th>
                    <th>Whose move</th>
                    <th>Age</th>
                    <th>TLP</th>
                    <th>Title</th>
                  </tr>
                </thead>
                <tbody>
                  {cases.map((c) => (
                    <tr key={c.ref}>
                      <td>
                        <a href={`/board/cases/${encodeURIComponent(c.ref)}`}>{c.ref}</a>
                      </td>
                      <td class="impact">{impactCell(c, services.policy, now)}</td>
                      <td>{`${c.severity} ${c.type}`}</td>
                      <td>
                        {statusLabel(c)}
                        {ackBreached(c, services.policy, now) && <span class="breached"> · breached</span>}
                      </td>
                      <td>{whoseMoveLabel(c)}</td>
                      <td>{formatAge(now.getTime() - c.createdAt.getTime())}</td>
                      <td>{`TLP:${c.tlp.toUpperCase()}`}</td>
                      <td>{c.title}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Page>,
        ),
      );
    }),
  );

  http.routePrefix(
    "GET",
    "/board/cases/",
    signedIn(async (caller, req, res) => {
      const now = clock.now();
      let ref: string;
      try {
        ref = decodeURIComponent(new URL(req.url ?? "/", "http://board.invalid").pathname.slice("/board/cases/".length)).slice(0, 80);
      } catch {
        ref = "";
      }
      let page: Awaited<ReturnType<typeof boardCase>>;
      try {
        page = await db.tx((tx) => boardCase(tx, caller, ref));
      } catch (error) {
        if (!(error instanceof UserError) || error.code !== "not_found") throw error;
        // A hidden case and a missing one: the same page, and the same audit entry.
        await db.tx((tx) => auditBoardDenial(tx, caller, error, now)).catch((e: unknown) => log.error({ err: e }, "could not record a denied board read"));
        return send(res, 404, html(<Page title="Not found" who={who(caller)}><p class="notice">{error.message}</p><p><a href="/board">Back to your cases</a></p></Page>));
      }
      const { c, entries, names, verification, documents, links } = page;
      const card = caseCard(c, "direct", services.policy, now);
      send(
        res,
        200,
        html(
          <Page title={c.ref} who={who(caller)}>
            <CardView card={card} />
            {links.length > 0 && <p class="notice">{`Deconfliction: ${links.map((l) => `${l.ref} (${l.agency})`).join(", ")} name the same funds.`}</p>}
            <h2>Timeline</h2>
            <p id="verify">
              {verification.intact ? (
                <span class="ok">{`Hash chain intact: ${verification.events} events, head ${verification.headHash.slice(0, 16)}…${verification.erased ? `; ${verification.erased.events} erased by retention on ${formatTime(verification.erased.at)}` : ""}`}</span>
              ) : (
                <span class="broken">{`Hash chain BROKEN at event #${verification.seq}: ${verification.problem}`}</span>
              )}
            </p>
            <table id="timeline">
              <thead>
                <tr>
                  <th>#</th>
                  <th>When</th>
                  <th>Who</th>
                  <th>What</th>
                  <th>Hash</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>{formatTime(e.at)}</td>
                    <td>{e.actor ? e.actor.name : "Liaison"}</td>
                    <td>{describeEvent(e, names)}</td>
                    <td class="hash" title={e.hash}>{e.hash.slice(0, 12)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Documents</h2>
            {documents.length === 0 ? (
              <p class="muted">No documents.</p>
            ) : (
              <table id="documents">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>File</th>
                    <th>Type</th>
                    <th>Size</th>
                    <th>SHA-256</th>
                    <th>Attached</th>
                  </tr>
                </thead>
                <tbody>
                  {documents.map((d) => (
                    <tr key={d.position}>
                      <td>{d.position}</td>
                      <td>{d.filename}</td>
                      <td>{d.mime}</td>
                      <td>{formatBytes(d.size)}</td>
                      <td class="hash">{d.sha256}</td>
                      <td>{`${d.uploadedBy}, ${formatTime(d.uploadedAt)}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p class="muted">{`The documents themselves: /case file ${c.ref} <n> in chat.`}</p>
          </Page>,
        ),
      );
    }),
  );

  http.route(
    "GET",
    "/board/digests",
    signedIn(async (caller, _req, res) => {
      const now = clock.now();
      const digests = await db.tx((tx) => boardDigests(tx, caller, services.policy, now));
      send(
        res,
        200,
        html(
          <Page title="Digests" who={who(caller)}>
            {digests.length === 0 && <p class="notice">No liaison channel is bound to your organisation yet.</p>}
            {digests.map(({ binding, digest }) => (
              <section class="digest" key={binding.id}>
                <h2>{`#${binding.channelName} (${binding.platform}) — ${binding.orgs.map((o) => o.code).join(" · ")}`}</h2>
                <Blocks blocks={[{ kind: "chart", chart: digest.chart }, ...digest.blocks]} />
              </section>
            ))}
            <p class="muted">Each digest covers the cases both its channel and you may see, in the week up to now.</p>
          </Page>,
        ),
      );
    }),
  );
}
