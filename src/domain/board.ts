import { createHash, randomBytes } from "node:crypto";
import type { Tx } from "../db/database.js";
import { UserError } from "../model/errors.js";
import { recordAudit } from "./audit.js";
import { accountKey, isCoordinator, loadMember, loadMembers, standingOf, type Caller } from "./members.js";
import type { Binding } from "../db/rows.js";
import { bindingInclude, toBinding } from "./bindings.js";
import { buildDigest, type Digest } from "./digest.js";
import type { Policy, Severity } from "./policy.js";
import { verifyChain, type Verification } from "./timeline.js";
import { requireVisible, type Side } from "./cases/access.js";
import { loadCase, loadCases, type CaseRecord } from "./cases/model.js";
import { linkedCases, rankCases, nameMap, timeline, timelineFor, visibleWhere, type TimelineEntry } from "./cases/queries.js";

/**
 * Signing in to the web board (docs/contract.md §11). `/liaison board` sends a one-time
 * link, valid 10 minutes; opening it starts a session of 12 hours in a cookie. Only the
 * SHA-256 of the link's and the session's secrets is stored, so a copy of the database
 * signs nobody in. Every request is judged by the member's standing at that moment: a
 * suspension or an expired vetting ends the board at once.
 */

export const BOARD_LINK_TTL_MS = 10 * 60_000;
export const BOARD_SESSION_TTL_MS = 12 * 60 * 60_000;

// Hex, so a link survives every platform's markdown as plain text (no "_" or "-" to escape).
const secret = () => randomBytes(32).toString("hex");
const digest = (token: string) => createHash("sha256").update(token).digest("hex");
/** What a token looks like (64 hex digits): anything else is not looked up. */
const TOKEN = /^[0-9a-f]{64}$/;

/** A new one-time sign-in link's secret for the caller. */
export async function issueBoardLink(tx: Tx, caller: Caller, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const member = caller.member!;
  const token = secret();
  const expiresAt = new Date(now.getTime() + BOARD_LINK_TTL_MS);
  await tx.boardSession.create({ data: { memberId: member.id, linkHash: digest(token), linkExpiresAt: expiresAt, createdAt: now } });
  await recordAudit(tx, { at: now, actorId: member.id, account: accountKey(caller.account), action: "board.link_issued", target: `member:${member.id}` });
  return { token, expiresAt };
}

export type SignIn = { ok: true; session: string; expiresAt: Date } | { ok: false; reason: string };

const REFUSED = "This sign-in link has expired or was already used. Ask for a new one with /liaison board.";

/**
 * Uses a link once: a session begins, or the reason it cannot. Two tabs opening the same
 * link at once get one session between them (the update is conditional on it being unused).
 */
export async function redeemBoardLink(tx: Tx, token: string, now: Date): Promise<SignIn> {
  if (!TOKEN.test(token)) return { ok: false, reason: REFUSED };
  const row = await tx.boardSession.findUnique({ where: { linkHash: digest(token) } });
  if (!row || row.usedAt || row.linkExpiresAt.getTime() <= now.getTime()) return { ok: false, reason: REFUSED };
  const member = await loadMember(tx, row.memberId);
  if (standingOf(member, now) !== "vetted") {
    return { ok: false, reason: "Your access is not vetted now (suspended or expired), so the board cannot open. Contact a coordinator." };
  }
  const session = secret();
  const expiresAt = new Date(now.getTime() + BOARD_SESSION_TTL_MS);
  const taken = await tx.boardSession.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now, sessionHash: digest(session), expiresAt } });
  if (taken.count !== 1) return { ok: false, reason: REFUSED };
  await recordAudit(tx, { at: now, actorId: member.id, account: "board", action: "board.signed_in", target: `member:${member.id}`, detail: { session: row.id } });
  return { ok: true, session, expiresAt };
}

/** The member a session cookie signs in, as a caller, while the session holds and they are vetted. */
export async function boardCaller(tx: Tx, session: string | undefined, now: Date): Promise<Caller | null> {
  if (!session || !TOKEN.test(session)) return null;
  const row = await tx.boardSession.findUnique({ where: { sessionHash: digest(session) } });
  if (!row || row.endedAt || !row.expiresAt || row.expiresAt.getTime() <= now.getTime()) return null;
  const member = await loadMember(tx, row.memberId);
  const standing = standingOf(member, now);
  if (standing !== "vetted") return null;
  const account = member.accounts[0] ?? { platform: "console" as const, externalId: `member:${member.id}`, handle: member.name };
  return { account, member, standing };
}

/** Ends a session (/board/logout); ending one that is gone already is not an error. */
export async function endBoardSession(tx: Tx, session: string | undefined, now: Date): Promise<void> {
  if (!session || !TOKEN.test(session)) return;
  const row = await tx.boardSession.findUnique({ where: { sessionHash: digest(session) } });
  if (!row || row.endedAt) return;
  await tx.boardSession.update({ where: { id: row.id }, data: { endedAt: now } });
  await recordAudit(tx, { at: now, actorId: row.memberId, account: "board", action: "board.signed_out", target: `member:${row.memberId}`, detail: { session: row.id } });
}

/** The board's address, or why there is none (refused before anything is written). */
export function requireBoardUrl(base: string | undefined): string {
  if (!base) throw new UserError("invalid_state", "the board is not served by this deployment: set PORT (and LIAISON_PUBLIC_URL for the address people open)");
  return base.replace(/\/+$/, "");
}

export const boardLinkUrl = (base: string, token: string) => `${base}/board/login?token=${token}`;

// ---- What the board shows: the same need-to-know as /case show, through the same functions.

export const BOARD_STATUSES = ["active", "open", "acknowledged", "in_progress", "reopened", "resolved", "closed"] as const;
export const BOARD_MOVES = ["exchange", "agency"] as const;
export const BOARD_LIMIT = 200;

export interface BoardFilters {
  status?: (typeof BOARD_STATUSES)[number];
  severity?: Severity;
  move?: (typeof BOARD_MOVES)[number];
  breached?: boolean;
}

/** The cases a member may see, filtered, highest impact first (at most BOARD_LIMIT). */
export async function boardCases(tx: Tx, caller: Caller, f: BoardFilters, policy: Policy, now: Date): Promise<{ cases: CaseRecord[]; more: boolean }> {
  const and: object[] = [visibleWhere(caller)];
  if (f.status === "active") and.push({ status: { in: ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "REOPENED"] } });
  else if (f.status) and.push({ status: f.status.toUpperCase() });
  if (f.severity) and.push({ severity: f.severity });
  // Whose move only means something while a case is open.
  if (f.move) and.push({ whoseMove: f.move, status: { notIn: ["CLOSED"] } });
  return rankCases(tx, { AND: and }, policy, now, { limit: BOARD_LIMIT, by: "impact", breached: f.breached ?? false });
}

export interface BoardCase {
  c: CaseRecord;
  side: Side;
  entries: TimelineEntry[];
  names: Map<number, string>;
  verification: Verification;
  documents: { position: number; filename: string; mime: string; size: number; sha256: string; uploadedAt: Date; uploadedBy: string }[];
  links: { ref: string; agency: string }[];
}

/**
 * One case as /case show gives it, with the whole timeline, its verification and the
 * documents. A case the member may not see throws the very refusal a missing one does
 * (and the attempt is audited the same way).
 */
export async function boardCase(tx: Tx, caller: Caller, ref: string): Promise<BoardCase> {
  const { c, side } = requireVisible(await loadCase(tx, { ref }), ref, caller);
  const entries = timelineFor(await timeline(tx, c), side);
  const names = await nameMap(tx, entries);
  const verification = await verifyChain(tx, { id: c.id, ref: c.ref, eventCount: c.eventCount, headHash: c.headHash });
  const docs = await tx.caseDocument.findMany({ where: { caseId: c.id }, orderBy: { position: "asc" } });
  const uploaders = await loadMembers(tx, docs.map((d) => d.uploadedById));
  const links = side === "agency" || side === "coordinator" ? await linkedCases(tx, c.id) : [];
  return {
    c,
    side,
    entries,
    names,
    verification,
    documents: docs.map((d) => ({ position: d.position, filename: d.filename, mime: d.mime, size: d.size, sha256: d.sha256, uploadedAt: d.uploadedAt, uploadedBy: uploaders.get(d.uploadedById)?.name ?? `member ${d.uploadedById}` })),
    links,
  };
}

/** Records a refused case page like a refused /case show: one access.denied entry. */
export async function auditBoardDenial(tx: Tx, caller: Caller, error: UserError, now: Date): Promise<void> {
  await recordAudit(tx, {
    at: now,
    actorId: caller.member?.id ?? null,
    account: "board",
    action: "access.denied",
    target: error.deniedTarget ?? null,
    detail: { command: "board case", reason: error.code, ...(error.denial?.exists !== undefined ? { exists: error.denial.exists } : {}) },
  });
}

/**
 * The digests of the channels bound to the member's organisation (coordinators: every
 * bound channel), each over the cases both the channel and the member may see.
 */
export async function boardDigests(tx: Tx, caller: Caller, policy: Policy, now: Date): Promise<{ binding: Binding; digest: Digest }[]> {
  const orgId = caller.member?.org?.id;
  const rows = await tx.binding.findMany({
    where: isCoordinator(caller) ? {} : { orgs: { some: { orgId: orgId ?? -1 } } },
    include: bindingInclude,
    orderBy: { id: "asc" },
  });
  const out: { binding: Binding; digest: Digest }[] = [];
  for (const row of rows) {
    const binding = toBinding(row);
    out.push({ binding, digest: await buildDigest(tx, binding, now, policy, { viewer: visibleWhere(caller) }) });
  }
  return out;
}
