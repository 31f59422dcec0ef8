import { commandName, defineCommand, FAMILIES } from "../../src/core/command.js";
import { UserError } from "../../src/model/errors.js";
import { code, list, para, privateReply, rich, strong } from "../../src/model/message.js";
import { opt } from "../../src/core/options.js";
import { recordAudit } from "../../src/domain/audit.js";
import { formatTime } from "../../src/domain/cases/card.js";
import { DELIVERY_DEADLINE_MS } from "../../src/domain/outbox.js";
import { accountKey } from "../../src/domain/members.js";
import { findVisible } from "../../src/domain/cases/queries.js";
import { describePolicy } from "../../src/domain/policy.js";
import { verifyChain } from "../../src/domain/timeline.js";

/** `/ppp audit verify`, `/ppp policy show`, `/ppp outbox`: running the deployment (docs/contract.md §5). */

export const auditVerify = defineCommand({
  family: "ppp",
  path: ["audit", "verify"],
  summary: "check a case timeline's hash chain",
  access: "vetted",
  options: { ref: opt.ref() },
  async run(ctx, o) {
    const c = await findVisible(ctx.tx, ctx.caller, o.ref);
    const result = await verifyChain(ctx.tx, c);
    if (result.intact) {
      const erased = result.erased ? ` The content of ${result.erased.events} events was erased by retention at ${formatTime(result.erased.at)}; their hashes and links were checked.` : "";
      return privateReply(para(rich`${c.ref}: intact — ${result.events} events, head ${code(result.headHash)}.${erased}`));
    }
    return privateReply(para(rich`${c.ref}: NOT intact — ${result.problem}.`));
  },
});

export const auditKey = defineCommand({
  family: "ppp",
  path: ["audit", "key"],
  summary: "the public key evidence packs are signed with, and its fingerprint",
  access: "vetted",
  options: {},
  async run(ctx) {
    const { signer } = ctx.services;
    return privateReply(
      para(rich`Evidence packs are signed (Ed25519) with the key whose SHA-256 fingerprint is ${code(signer.fingerprint)}. Its public key:`),
      { kind: "file", filename: "liaison-signing-key.pem", mime: "application/x-pem-file", content: signer.publicKeyPem },
    );
  },
});

export const policyShow = defineCommand({
  family: "ppp",
  path: ["policy", "show"],
  summary: "the escalation policy in force",
  access: "vetted",
  options: {},
  async run(ctx) {
    return privateReply(para(rich`Escalation policy (times count from the page):`), list(describePolicy(ctx.services.policy).map((l) => rich`${l}`)));
  },
});

export const outboxCommand = defineCommand({
  family: "ppp",
  path: ["outbox"],
  summary: "messages that could not be delivered, and those withheld; retry:<id|all> queues undelivered ones again (coordinators)",
  access: "coordinator",
  options: { retry: opt.word("an id from the list, or all", { optional: true, pattern: /^(\d{1,9}|all)$/i }) },
  async run(ctx, o) {
    if (o.retry) {
      const where = o.retry.toLowerCase() === "all" ? { state: "dead" } : { state: "dead", id: Number(o.retry) };
      const r = await ctx.tx.outbox.updateMany({
        where,
        data: { state: "pending", nextAttemptAt: ctx.now, deadlineAt: new Date(ctx.now.getTime() + DELIVERY_DEADLINE_MS), lastError: null },
      });
      if (r.count === 0) {
        const withheld = o.retry.toLowerCase() !== "all" && (await ctx.tx.outbox.count({ where: { state: "withheld", id: Number(o.retry) } })) > 0;
        throw new UserError("not_found", withheld ? `message ${o.retry} was withheld because its audience no longer qualifies; withheld messages are never sent` : `no undelivered message ${o.retry}`);
      }
      await recordAudit(ctx.tx, { at: ctx.now, actorId: ctx.caller.member!.id, account: accountKey(ctx.caller.account), action: "outbox.retry", target: `outbox:${o.retry}`, detail: { count: r.count } });
      return privateReply(para(rich`Queued ${r.count} message${r.count === 1 ? "" : "s"} again.`));
    }
    const shown = 25;
    const dead = await ctx.tx.outbox.findMany({ where: { state: "dead" }, orderBy: { id: "desc" }, take: shown });
    const withheld = await ctx.tx.outbox.findMany({ where: { state: "withheld" }, orderBy: { id: "desc" }, take: shown });
    const deadTotal = await ctx.tx.outbox.count({ where: { state: "dead" } });
    const withheldTotal = await ctx.tx.outbox.count({ where: { state: "withheld" } });
    const pending = await ctx.tx.outbox.count({ where: { state: { in: ["pending", "sending"] } } });
    const waiting = `${pending} message${pending === 1 ? "" : "s"} waiting to be sent.`;
    if (dead.length === 0 && withheld.length === 0) return privateReply(para(rich`Nothing undelivered or withheld. ${waiting}`));
    const caseIds = [...dead, ...withheld].map((d) => d.caseId ?? -1);
    const refs = new Map((await ctx.tx.case.findMany({ where: { id: { in: caseIds } }, select: { id: true, ref: true } })).map((c) => [c.id, c.ref]));
    const line = (d: (typeof dead)[number], attempts: boolean) =>
      rich`#${d.id} ${d.kind} to ${d.platform}:${d.channelId}${d.caseId ? ` (${refs.get(d.caseId) ?? "case"})` : ""}, ${formatTime(d.createdAt)}${attempts ? `, ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}` : ""}: ${d.lastError ?? "no reason recorded"}`;
    const more = (total: number, listed: number) => (total > listed ? ` (newest ${listed} shown)` : "");
    const blocks = [];
    if (dead.length > 0) {
      blocks.push(
        para(rich`${deadTotal} message${deadTotal === 1 ? "" : "s"} could not be delivered${more(deadTotal, dead.length)}:`),
        list(dead.map((d) => line(d, true))),
        para(rich`Fix the cause (invite the bot, check its token), then ${code("/ppp outbox retry:all")}.`),
      );
    }
    if (withheld.length > 0) {
      blocks.push(
        para(rich`${withheldTotal} message${withheldTotal === 1 ? " was" : "s were"} withheld at delivery, because who may see the case changed${more(withheldTotal, withheld.length)}; they are never sent:`),
        list(withheld.map((d) => line(d, false))),
      );
    }
    blocks.push(para(rich`${waiting}`));
    return privateReply(...blocks);
  },
});
