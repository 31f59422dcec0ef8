import { defineCommand } from "../../src/core/command.js";
import { opt } from "../../src/core/options.js";
import { UserError } from "../../src/model/errors.js";
import * as change from "../../src/domain/cases/changes.js";
import { formatTime } from "../../src/domain/cases/card.js";
import { PROCESS_KINDS } from "../../src/domain/cases/requests.js";
import { done, run } from "./shared.js";

/** `/case extend` and `/case process`: the clocks and the legal basis of a request (docs/contract.md §9). */

export const extendCommand = defineCommand({
  family: "case",
  path: ["extend"],
  summary: "extend a preservation or a freeze hold, with its basis (either side)",
  access: "vetted",
  options: {
    ref: opt.ref(),
    by: opt.duration("how much longer, e.g. 90d (a preservation: its period again by default)", { optional: true, placeholder: "90d" }),
    basis: opt.text('why, e.g. "extension requested under 18 USC 2703(f)"', { max: 500 }),
  },
  async run(ctx, o) {
    const { result, c } = await change.extend(run(ctx), o.ref, { by: o.by, basis: o.basis });
    return done(`The ${result.what} of ${c.ref} now runs until ${formatTime(result.until)}.`);
  },
});

export const processCommand = defineCommand({
  family: "case",
  path: ["process"],
  summary: "record the legal basis: a court or police order, an MLAT request, a subpoena (either side)",
  access: "vetted",
  options: {
    ref: opt.ref(),
    kind: opt.choice(PROCESS_KINDS, "what it is"),
    number: opt.text("its number or reference", { max: 200 }),
    authority: opt.text("who issued it, e.g. a court", { max: 200 }),
    date: opt.word("the date on it, YYYY-MM-DD", { optional: true, placeholder: "YYYY-MM-DD" }),
  },
  async run(ctx, o) {
    if (o.date !== undefined) {
      const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(o.date);
      const real = d && new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]))).toISOString().slice(0, 10) === o.date;
      if (!real) throw UserError.about("date", "invalid_option", `date: "${o.date}" is not a date like 2026-11-20`);
      if (o.date > ctx.now.toISOString().slice(0, 10)) throw UserError.about("date", "invalid_option", `date: ${o.date} is in the future; give the date on the document`);
    }
    const { c } = await change.process(run(ctx), o.ref, { kind: o.kind, number: o.number, authority: o.authority, date: o.date ?? null });
    return done(`Recorded the legal basis of ${c.ref}: ${o.kind} ${o.number}, ${o.authority}.`);
  },
});

export const holdCommand = defineCommand({
  family: "case",
  path: ["hold"],
  summary: "keep a case from being erased by retention (the agency, coordinators)",
  access: "vetted",
  options: { ref: opt.ref(), reason: opt.text("why, e.g. pending litigation", { max: 500 }) },
  async run(ctx, o) {
    const { c } = await change.hold(run(ctx), o.ref, o.reason);
    return done(`${c.ref} is on hold: it will not be erased until released (/case release ${c.ref}).`);
  },
});

export const releaseCommand = defineCommand({
  family: "case",
  path: ["release"],
  summary: "lift a hold; retention applies again (the agency, coordinators)",
  access: "vetted",
  options: { ref: opt.ref() },
  async run(ctx, o) {
    const { c } = await change.release(run(ctx), o.ref);
    return done(`Released the hold on ${c.ref}.`);
  },
});
