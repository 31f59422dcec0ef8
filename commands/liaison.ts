import { liaisonHelp } from "./help.js";
import { defineCommand } from "../src/core/command.js";
import { UserError } from "../src/model/errors.js";
import { code, list, mention, para, privateReply, rich, strong, type Rich } from "../src/model/message.js";
import { opt } from "../src/core/options.js";
import { issueLinkCode, redeemLinkCode } from "../src/domain/linking.js";
import { boardLinkUrl, issueBoardLink, requireBoardUrl } from "../src/domain/board.js";
import { accountKey, coordinators, personRef, resolvePerson, standingOf, type MemberView } from "../src/domain/members.js";
import { directMessages, enqueue } from "../src/domain/outbox.js";
import { register, standingMessage, suspend, vet } from "../src/domain/vetting.js";

/** `/liaison`: registration, vetting and identity (docs/contract.md §1). */

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);
const MAX_VETTING_MS = 3650 * 86_400_000;

function describeStanding(m: MemberView, now: Date): Rich {
  const standing = standingOf(m, now);
  switch (standing) {
    case "vetted":
      return rich`vetted${m.vettedUntil ? ` until ${dateOnly(m.vettedUntil)}` : " (no expiry)"}`;
    case "expired":
      return rich`vetting expired on ${dateOnly(m.vettedUntil!)}`;
    case "suspended":
      return rich`suspended${m.suspendedReason ? `: ${m.suspendedReason}` : ""}`;
    case "pending":
      return rich`registration waiting to be vetted`;
    case "unregistered":
      return rich`not registered`;
  }
}

const registerCommand = defineCommand({
  family: "liaison",
  path: ["register"],
  summary: "ask to be vetted as a liaison (agency) or investigator (exchange)",
  access: "anyone",
  options: {
    org: opt.org("your organisation's code"),
    role: opt.choice(["liaison", "investigator"] as const, "liaison for agencies, investigator for exchanges"),
    email: opt.email("your official e-mail address"),
  },
  async run(ctx, o) {
    const { member, request } = await register(ctx.tx, ctx.caller, { org: o.org, role: o.role, email: o.email }, ctx.now);
    const ask = [
      para(rich`${mention(personRef(member))} asks to be vetted as ${member.role} of ${member.org!.code} (${member.email}) — request #${request}.`),
      para(rich`Check it, then run /liaison vet @${member.name} request:${request}`),
    ];
    // One notice per registration request, however quickly the requests come.
    const messages = (await coordinators(ctx.tx, ctx.now)).flatMap((c) =>
      directMessages(c, ctx.services.platforms, `member:${member.id}:registered:${request}:${c.id}`, { blocks: ask }, "coordinators"),
    );
    await enqueue(ctx.tx, ctx.now, messages);
    return privateReply(
      para(
        rich`Registration received: ${strong(`${member.role} of ${member.org!.code}`)} as ${member.email}. A coordinator will vet it; ${code("/liaison whoami")} shows where it stands.`,
      ),
    );
  },
});

const vetCommand = defineCommand({
  family: "liaison",
  path: ["vet"],
  summary: "vet a registered person (coordinators)",
  access: "coordinator",
  options: {
    user: opt.person("the person to vet", { positional: 0 }),
    expires: opt.duration("how long the vetting holds (default 365d)", { optional: true, max: MAX_VETTING_MS }),
    role: opt.choice(["coordinator"] as const, "make them a coordinator", { optional: true }),
    request: opt.word("the request number from the notice you checked", { optional: true, pattern: /^#?\d{1,9}$/, max: 10 }),
  },
  async run(ctx, o) {
    const target = await resolvePerson(ctx.tx, o.user);
    const request = o.request === undefined ? undefined : Number(o.request.replace("#", ""));
    const { member: vetted, request: granted } = await vet(
      ctx.tx,
      ctx.caller,
      target,
      { validityMs: o.expires ?? ctx.services.vettingValidityMs, role: o.role, request },
      ctx.now,
    );
    const what = vetted.org ? `${vetted.role} of ${vetted.org.code}` : vetted.role!;
    const which = granted !== null ? ` (request #${granted}${vetted.email ? `, ${vetted.email}` : ""})` : "";
    return privateReply(para(rich`${mention(personRef(vetted))} is vetted as ${strong(what)}${which} until ${dateOnly(vetted.vettedUntil!)}.`));
  },
});

const suspendCommand = defineCommand({
  family: "liaison",
  path: ["suspend"],
  summary: "revoke someone's access at once (coordinators)",
  access: "coordinator",
  options: {
    user: opt.person("the person to suspend", { positional: 0 }),
    reason: opt.text("why, for the record", { max: 500 }),
  },
  async run(ctx, o) {
    const target = await resolvePerson(ctx.tx, o.user);
    const suspended = await suspend(ctx.tx, ctx.caller, target, o.reason, ctx.now);
    return privateReply(para(rich`${mention(personRef(suspended))} is suspended. Their commands are refused from now on.`));
  },
});

const whoamiCommand = defineCommand({
  family: "liaison",
  path: ["whoami"],
  summary: "who Liaison thinks you are, and your standing",
  access: "anyone",
  options: {},
  async run(ctx) {
    const m = ctx.caller.member;
    if (!m || m.status === "unregistered") {
      return privateReply(para(rich`You are ${code(accountKey(ctx.caller.account))}: ${standingMessage(ctx.caller)}.`));
    }
    const lines: Rich[] = [
      rich`role: ${m.role ?? "none"}${m.org ? ` of ${m.org.code} (${m.org.kind === "AGENCY" ? "agency" : "exchange"}, ${m.org.name})` : ""}`,
      rich`standing: ${describeStanding(m, ctx.now)}`,
      rich`e-mail: ${m.email ?? "none"}`,
      rich`accounts: ${m.accounts.map((a) => accountKey(a)).join(", ")}`,
    ];
    return privateReply(para(rich`You are ${strong(m.name)}.`), list(lines));
  },
});

const linkCommand = defineCommand({
  family: "liaison",
  path: ["link"],
  summary: "link another platform account to you: get a code here, type it there",
  access: "anyone",
  options: {
    code: opt.word("a link code from your other account", { optional: true, max: 16 }),
  },
  async run(ctx, o) {
    if (o.code === undefined) {
      const { code: linkCode, expiresAt } = await issueLinkCode(ctx.tx, ctx.caller, ctx.now);
      const minutes = Math.round((expiresAt.getTime() - ctx.now.getTime()) / 60_000);
      return privateReply(
        para(rich`Your link code is ${code(linkCode)}, valid for ${minutes} minutes and usable once. From your other account run ${code(`/liaison link code:${linkCode}`)}`),
      );
    }
    if (ctx.caller.standing === "suspended") throw new UserError("forbidden", standingMessage(ctx.caller), { denial: {} });
    const member = await redeemLinkCode(ctx.tx, ctx.caller, o.code, ctx.now);
    return privateReply(para(rich`This ${ctx.caller.account.platform} account is now linked to ${strong(member.name)}.`));
  },
});

const boardCommand = defineCommand({
  family: "liaison",
  path: ["board"],
  summary: "a private sign-in link to the read-only web board of your cases (valid 10 minutes, once)",
  access: "vetted",
  options: {},
  async run(ctx) {
    const base = requireBoardUrl(ctx.services.boardUrl);
    const { token, expiresAt } = await issueBoardLink(ctx.tx, ctx.caller, ctx.now);
    const minutes = Math.round((expiresAt.getTime() - ctx.now.getTime()) / 60_000);
    return privateReply(
      para(rich`Your board: ${boardLinkUrl(base, token)}`),
      para(rich`Valid for ${minutes} minutes and usable once; it signs you in for 12 hours. Do not forward it: it opens your cases.`),
    );
  },
});

export const liaisonCommands = [registerCommand, vetCommand, suspendCommand, whoamiCommand, linkCommand, boardCommand, liaisonHelp];
