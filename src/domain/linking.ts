import { createHash, randomInt } from "node:crypto";
import type { Tx } from "../db/database.js";
import { UserError } from "../model/errors.js";
import { recordAudit } from "./audit.js";
import { accountKey, loadMember, type Caller, type MemberView } from "./members.js";

/**
 * Linking a second platform account to a member (`/liaison link`): the member asks for a
 * one-time code on an account Liaison knows, then types it from the new account. Codes
 * are stored hashed, expire, and work once.
 */

export const LINK_CODE_TTL_MS = 15 * 60_000;
// No 0/O, 1/I/L: codes are read off one screen and typed into another.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

const hash = (code: string) => createHash("sha256").update(code).digest("hex");
const normalise = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, "");

export async function issueLinkCode(tx: Tx, caller: Caller, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const member = caller.member;
  if (!member || caller.standing === "unregistered") {
    throw new UserError("invalid_state", "register first (/liaison register …), then link your other accounts to it");
  }
  if (caller.standing === "suspended") throw new UserError("forbidden", "your access is suspended; contact a coordinator", { denial: {} });
  let code = "";
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
  await tx.linkCode.create({ data: { codeHash: hash(code), memberId: member.id, expiresAt, createdAt: now } });
  return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
}

/** Codes tried per account: a few mistakes are fine, guessing is not. */
export const LINK_ATTEMPTS = { max: 5, windowMs: 15 * 60_000 };

export async function redeemLinkCode(tx: Tx, caller: Caller, code: string, now: Date): Promise<MemberView> {
  // Every refused attempt is an access.denied audit entry; they are what is counted.
  const denial = { denial: { target: "link-code" } };
  const recent = await tx.auditEntry.count({
    where: { action: "access.denied", target: denial.denial.target, account: accountKey(caller.account), at: { gt: new Date(now.getTime() - LINK_ATTEMPTS.windowMs) } },
  });
  if (recent >= LINK_ATTEMPTS.max) {
    throw new UserError("rate_limited", `too many link codes were tried from this account; wait ${LINK_ATTEMPTS.windowMs / 60_000} minutes, then try again`, denial);
  }
  const row = await tx.linkCode.findUnique({ where: { codeHash: hash(normalise(code)) } });
  if (!row || row.usedAt || row.expiresAt.getTime() <= now.getTime()) {
    throw new UserError("not_found", "that link code is unknown, used or expired; ask for a new one with /liaison link on your registered account", denial);
  }
  if (caller.member?.id === row.memberId) throw new UserError("conflict", "this account is already linked to you");
  // A good code from an account that may not use it is counted like a wrong one.
  if (caller.member && caller.member.status !== "unregistered") {
    throw new UserError(
      "conflict",
      `this ${caller.account.platform} account already belongs to ${caller.member.name}; an account with its own registration cannot be merged`,
      denial,
    );
  }
  const target = await loadMember(tx, row.memberId);
  if (target.accounts.some((a) => a.platform === caller.account.platform)) {
    throw new UserError("conflict", `${target.name} already has a ${caller.account.platform} account linked`, denial);
  }
  await tx.linkCode.update({ where: { id: row.id }, data: { usedAt: now } });
  const existing = await tx.account.findUnique({
    where: { platform_externalId: { platform: caller.account.platform, externalId: caller.account.externalId } },
  });
  if (existing) {
    await tx.account.update({ where: { id: existing.id }, data: { memberId: target.id } });
  } else {
    await tx.account.create({
      data: { ...caller.account, handle: caller.account.handle || caller.account.externalId, memberId: target.id, createdAt: now },
    });
  }
  await recordAudit(tx, {
    at: now,
    actorId: target.id,
    account: accountKey(caller.account),
    action: "member.account_linked",
    target: `member:${target.id}`,
    detail: { account: accountKey(caller.account) },
  });
  return loadMember(tx, target.id);
}
