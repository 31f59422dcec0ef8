import { truncate } from "../src/model/text.js";
import { defineCommand, type CommandContext } from "../src/core/command.js";
import { UserError } from "../src/model/errors.js";
import { list, para, privateReply, rich, strong, type Block } from "../src/model/message.js";
import { opt } from "../src/core/options.js";
import { parseAmount } from "../src/domain/amounts.js";
import { caseCard } from "../src/domain/cases/card.js";
import * as change from "../src/domain/cases/changes.js";
import { exportCase } from "../src/domain/cases/export.js";
import { CASE_TYPES, TLPS, type CaseRecord } from "../src/domain/cases/model.js";
import { sideOf } from "../src/domain/cases/access.js";
import { findVisible, linkedCases, listCases, listLine, nameMap, timeline, timelineFor, timelineLine } from "../src/domain/cases/queries.js";
import { parseDeadline } from "../src/domain/deadline.js";
import { findOrg } from "../src/domain/orgs.js";
import { SEVERITIES } from "../src/domain/policy.js";
import { describeSubject, parseSubject } from "../src/domain/subjects.js";

/** `/case`: the case desk (SPEC §2). */

const run = (ctx: CommandContext) => ({ tx: ctx.tx, clock: ctx.clock, services: ctx.services, caller: ctx.caller });
const cardOf = (ctx: CommandContext, c: CaseRecord): Block => ({ kind: "card", card: caseCard(c, "direct", ctx.services.policy, ctx.now) });
const done = (message: string) => privateReply(para(rich`${message}`));

const subjectsOption = opt.list(
  "wallet addresses and transaction hashes, comma-separated (prefix with btc:, eth:, tron: or sol: to name the chain)",
  (item) => {
    const parsed = parseSubject(item);
    return parsed.ok ? parsed.value : { error: `${truncate(item, 100)} is refused: ${parsed.problem}` };
  },
  { optional: true, placeholder: "addr,tx" },
);

const amountsOption = (description: string) =>
  opt.list(description, (item) => {
    const parsed = parseAmount(item);
    return parsed.ok ? parsed.value : { error: parsed.problem };
  }, { optional: true, max: 20, placeholder: "12.5 BTC,30000 USDT = 30000 USD" });

const open = defineCommand({
  family: "case",
  path: ["open"],
  summary: "open a case for your agency",
  access: "vetted",
  // `/case` or `/case open` alone opens the form; a small one asks for these.
  form: { bare: true, essentials: ["title", "exchange", "severity", "type", "subjects"] },
  options: {
    title: opt.text("a short title", { max: 200 }),
    exchange: opt.org("the exchange the request goes to"),
    severity: opt.choice(SEVERITIES, "critical (life or funds moving now), high, medium or low"),
    type: opt.choice(CASE_TYPES, "what is asked: freeze, disclosure, preservation, emergency, mlat, intel or other"),
    subjects: subjectsOption,
    summary: opt.text("background and what is asked", { optional: true, max: 4000, long: true }),
    reference: opt.text("your agency's own case number", { optional: true, max: 100 }),
    tlp: opt.choice(TLPS, "who may see it: red (named people only), amber (default), green, clear", { optional: true }),
    amounts: amountsOption("amounts involved, e.g. 12.5 BTC = 1100000 USD"),
    deadline: opt.word("when an answer is needed: 48h, 2026-11-30 or 2026-11-30T18:00+08:00", { optional: true, max: 40 }),
    agency: opt.org("the agency (coordinators opening on its behalf)", { optional: true }),
  },
  async run(ctx, o) {
    let deadline: Date | undefined;
    if (o.deadline) {
      const zone = o.agency ? (await findOrg(ctx.tx, o.agency)).timeZone : (ctx.caller.member?.org?.timeZone ?? "UTC");
      const parsed = parseDeadline(o.deadline, ctx.now, zone);
      if (!parsed.ok) throw UserError.about("deadline", "invalid_option", `deadline: ${parsed.problem}`);
      deadline = parsed.value;
    }
    const seen = new Set<string>();
    const subjects = (o.subjects ?? []).filter((s) => !seen.has(s.value) && seen.add(s.value));
    const c = await change.open(run(ctx), {
      title: o.title,
      exchange: o.exchange,
      agency: o.agency,
      severity: o.severity,
      type: o.type,
      tlp: o.tlp ?? "amber",
      subjects,
      summary: o.summary,
      externalRef: o.reference,
      amounts: o.amounts ?? [],
      deadline,
    });
    const next =
      c.type === "emergency"
        ? `${c.exchange.code} is not paged until a second liaison of ${c.agency.code} or a coordinator confirms it (/case confirm ${c.ref}).`
        : `${c.exchange.code} has been paged; the acknowledgement clock is running.`;
    const kinds = subjects.map(describeSubject);
    return privateReply(
      para(rich`Opened ${strong(c.ref)}. ${next}`),
      ...(kinds.length > 0 ? [para(rich`Subjects: ${kinds.join(", ")}.`)] : []),
      cardOf(ctx, c),
    );
  },
});

const ref = { ref: opt.ref() };

const confirm = defineCommand({
  family: "case",
  path: ["confirm"],
  summary: "confirm someone else's emergency case, so the exchange is paged",
  access: "vetted",
  options: ref,
  async run(ctx, o) {
    const { c } = await change.confirm(run(ctx), o.ref);
    return done(`Confirmed ${c.ref}. ${c.exchange.code} is paged now.`);
  },
});

const show = defineCommand({
  family: "case",
  path: ["show"],
  summary: "the case card and its timeline",
  access: "vetted",
  options: ref,
  async run(ctx, o) {
    const c = await findVisible(ctx.tx, ctx.caller, o.ref);
    const side = sideOf(c, ctx.caller);
    const entries = timelineFor(await timeline(ctx.tx, c), side ?? "exchange");
    const names = await nameMap(ctx.tx, entries);
    const recent = entries.slice(-30);
    const earlier = entries.length - recent.length;
    // Deconfliction is the agencies' business: shown to the agency side and coordinators only.
    const links = side === "agency" || side === "coordinator" ? await linkedCases(ctx.tx, c.id) : [];
    return privateReply(
      cardOf(ctx, c),
      ...(links.length > 0 ? [para(rich`Deconfliction: ${links.map((l) => `${l.ref} (${l.agency})`).join(", ")} name${links.length === 1 ? "s" : ""} the same funds.`)] : []),
      para(rich`Timeline${earlier > 0 ? ` (last ${recent.length} of ${entries.length}; /case export ${c.ref} has all)` : ""}:`),
      list(recent.map((e) => rich`${timelineLine(e, names)}`)),
    );
  },
});

const listCommand = defineCommand({
  family: "case",
  path: ["list"],
  summary: "cases you may see: mine, open (default), breached or all",
  access: "vetted",
  options: { scope: opt.choice(["mine", "open", "breached", "all"] as const, "which cases", { positional: 0, optional: true }) },
  async run(ctx, o) {
    const scope = o.scope ?? "open";
    const { cases, more } = await listCases(ctx.tx, ctx.caller, scope, ctx.services.policy, ctx.now);
    if (cases.length === 0) return done(`No ${scope === "all" ? "" : `${scope} `}cases you can see.`);
    return privateReply(
      para(rich`${cases.length}${more ? "+" : ""} case${cases.length === 1 ? "" : "s"} (${scope}):`),
      list(cases.map((c) => rich`${listLine(c, ctx.now)}`)),
      ...(more ? [para(rich`Only the newest ${cases.length} are shown.`)] : []),
    );
  },
});

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
  },
  async run(ctx, o) {
    const { c } = await change.note(run(ctx), o.ref, o.text, o.waiting);
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
    outcome: opt.text('what happened, e.g. "funds frozen: 12.5 BTC"', { max: 2000, long: true }),
    frozen: amountsOption("amounts frozen, e.g. 12.5 BTC"),
    seized: amountsOption("amounts seized"),
  },
  async run(ctx, o) {
    const { c } = await change.resolve(run(ctx), o.ref, { outcome: o.outcome, frozen: o.frozen ?? [], seized: o.seized ?? [] });
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

const exportCommand = defineCommand({
  family: "case",
  path: ["export"],
  summary: "the timeline as JSON and Markdown, with its audit hashes",
  access: "vetted",
  options: ref,
  async run(ctx, o) {
    const c = await findVisible(ctx.tx, ctx.caller, o.ref);
    const who = ctx.caller.member!.name;
    const out = await exportCase(ctx.tx, c, who, ctx.now, sideOf(c, ctx.caller) ?? "exchange");
    const chain = out.verification.intact ? "intact" : `BROKEN: ${out.verification.problem}`;
    return privateReply(
      para(rich`Export of ${c.ref} (TLP:${c.tlp.toUpperCase()}), ${out.verification.events} events, hash chain ${chain}.`),
      { kind: "file", filename: `${c.ref}.json`, mime: "application/json", content: out.json },
      { kind: "file", filename: `${c.ref}.md`, mime: "text/markdown", content: out.markdown },
    );
  },
});

export const caseCommands = [
  open,
  confirm,
  show,
  listCommand,
  ack,
  takeCommand,
  note,
  handoff,
  accept,
  escalateCommand,
  resolveCommand,
  closeCommand,
  reopenCommand,
  tlpCommand,
  exportCommand,
];
