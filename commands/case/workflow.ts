import { defineCommand } from "../../src/core/command.js";
import { opt } from "../../src/core/options.js";
import * as change from "../../src/domain/cases/changes.js";
import { TLPS } from "../../src/domain/cases/model.js";
import { RESULTS } from "../../src/domain/cases/requests.js";
import { timeline } from "../../src/domain/cases/queries.js";
import { run, done, amountsOption, ref } from "./shared.js";

/** The life of a case after it opens: acknowledge, take, note, hand off, escalate, resolve, close, reopen, reclassify (docs/contract.md §2). */

const ack = defineCommand({
  family: "case",
  path: ["ack"],
  summary: "acknowledge a case (investigators); stops the reminders",
  access: "vetted",
  options: ref,
  async run(ctx, o) {
    const { c } = await change.acknowledge(run(ctx), o.ref);
    return done(`Acknowledged ${c.ref}. Reminders and escalation stop.`);
  },
});

const takeCommand = defineCommand({
  family: "case",
  path: ["take"],
  summary: "become the case's assignee",
  access: "vetted",
  options: ref,
  async run(ctx, o) {
    const { c } = await change.take(run(ctx), o.ref);
    return done(`You have ${c.ref} now.`);
  },
});

const note = defineCommand({
  family: "case",
  path: ["note"],
  summary: "add a note to the timeline (posted in the case thread)",
  access: "vetted",
  options: {
    ref: opt.ref(),
    text: opt.text("the note", { positional: 1, rest: true, max: 4000, long: true }),
    waiting: opt.choice(["agency", "exchange"] as const, "whose move it is now, e.g. waiting:agency when you need something from them", { optional: true }),
    frozen: amountsOption("amounts newly frozen while the case goes on, added to what is recorded, e.g. 10 BTC (no longer at risk)"),
    seized: amountsOption("amounts newly seized, added to what is recorded, e.g. 5000 USDT"),
  },
  async run(ctx, o) {
    const { c } = await change.note(run(ctx), o.ref, o.text, o.waiting, { frozen: o.frozen ?? [], seized: o.seized ?? [] });
    return done(`Noted on ${c.ref}.`);
  },
});

const handoff = defineCommand({
  family: "case",
  path: ["handoff"],
  summary: "offer the case to a colleague or another exchange",
  access: "vetted",
  options: {
    ref: opt.ref(),
    to: opt.target("a person (mention) or an exchange's code"),
    note: opt.text("why, and what they need to know", { max: 1000, long: true }),
  },
  async run(ctx, o) {
    const { c } = await change.handoff(run(ctx), o.ref, o.to, o.note);
    const to = c.pendingHandoff?.toMember?.name ?? c.pendingHandoff?.toOrg?.code ?? o.to;
    return done(`Offered ${c.ref} to ${to}. It is theirs once they accept.`);
  },
});

const accept = defineCommand({
  family: "case",
  path: ["accept"],
  summary: "accept a handoff offered to you (or your exchange); for the agency, consent to moving the case",
  access: "vetted",
  options: ref,
  async run(ctx, o) {
    const { c, result: { waitingFor, receiver } } = await change.accept(run(ctx), o.ref);
    if (waitingFor === "consent") return done(`Accepted. ${c.ref} moves to your exchange once ${c.agency.code} consents; until then it stays with ${c.exchange.code}.`);
    if (waitingFor === "acceptance") return done(`Consent recorded. ${c.ref} moves to ${c.pendingHandoff!.toOrg!.code} once it accepts.`);
    if (receiver && receiver.id !== ctx.caller.member!.id) return done(`Consent recorded: ${c.ref} moved to ${c.exchange.code} (assignee @${receiver.name}).`);
    return done(`You have ${c.ref} now.`);
  },
});

const escalateCommand = defineCommand({
  family: "case",
  path: ["escalate"],
  summary: "escalate now, one level up (leads, then coordinators)",
  access: "vetted",
  options: { ref: opt.ref(), reason: opt.text("why", { max: 1000 }) },
  async run(ctx, o) {
    const { c, result: level } = await change.escalate(run(ctx), o.ref, o.reason);
    return done(`Escalated ${c.ref} to level ${level}.`);
  },
});

const resolveCommand = defineCommand({
  family: "case",
  path: ["resolve"],
  summary: "mark resolved, with the outcome",
  access: "vetted",
  options: {
    ref: opt.ref(),
    result: opt.choice(RESULTS, "the result: frozen when frozen: is given, else other", { optional: true }),
    outcome: opt.text('what happened, e.g. "funds frozen: 12.5 BTC" (declined: the reason)', { max: 2000, long: true }),
    frozen: amountsOption("amounts frozen, e.g. 12.5 BTC"),
    seized: amountsOption("amounts seized"),
  },
  async run(ctx, o) {
    const { c } = await change.resolve(run(ctx), o.ref, { outcome: o.outcome, result: o.result, frozen: o.frozen ?? [], seized: o.seized ?? [] });
    return done(`Resolved ${c.ref}. ${c.agency.code} closes it when satisfied.`);
  },
});

const closeCommand = defineCommand({
  family: "case",
  path: ["close"],
  summary: "close a case (the agency, or coordinators)",
  access: "vetted",
  options: { ref: opt.ref(), reason: opt.text("why, when closing without a resolution", { optional: true, max: 1000 }) },
  async run(ctx, o) {
    const { c } = await change.close(run(ctx), o.ref, o.reason);
    return done(`Closed ${c.ref}.`);
  },
});

const reopenCommand = defineCommand({
  family: "case",
  path: ["reopen"],
  summary: "reopen a resolved or closed case",
  access: "vetted",
  options: { ref: opt.ref(), reason: opt.text("why", { optional: true, max: 1000 }) },
  async run(ctx, o) {
    const { c } = await change.reopen(run(ctx), o.ref, o.reason);
    return done(`Reopened ${c.ref}; ${c.exchange.code} is asked to acknowledge it again.`);
  },
});

const tlpCommand = defineCommand({
  family: "case",
  path: ["tlp"],
  summary: "change who may see a case (the agency, or coordinators): red, amber, green or clear",
  access: "vetted",
  options: {
    ref: opt.ref(),
    tlp: opt.choice(TLPS, "the new marking: red (named people only), amber, green or clear", { positional: 1 }),
    reason: opt.text("why, for the timeline", { optional: true, max: 500 }),
  },
  async run(ctx, o) {
    const { c } = await change.changeTlp(run(ctx), o.ref, o.tlp, o.reason);
    return done(`${c.ref} is now TLP:${c.tlp.toUpperCase()}.`);
  },
});

export const workflowCommands = [ack, takeCommand, note, handoff, accept, escalateCommand, resolveCommand, closeCommand, reopenCommand, tlpCommand];
