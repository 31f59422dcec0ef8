import { defineCommand } from "../../src/core/command.js";
import { UserError } from "../../src/model/errors.js";
import { para, privateReply, rich, strong } from "../../src/model/message.js";
import { opt } from "../../src/core/options.js";
import * as change from "../../src/domain/cases/changes.js";
import { CASE_TYPES, TLPS } from "../../src/domain/cases/model.js";
import { parseDeadline } from "../../src/domain/deadline.js";
import { findOrg } from "../../src/domain/orgs.js";
import { SEVERITIES } from "../../src/domain/policy.js";
import { describeSubject } from "../../src/domain/subjects.js";
import { run, cardOf, done, subjectsOption, amountsOption, ref } from "./shared.js";

/** `/case open` and `/case confirm`: how a case starts (docs/contract.md §2). */

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

export const openCommands = [open, confirm];
