import { createHash } from "node:crypto";
import { defineCommand } from "../../src/core/command.js";
import { recordAudit } from "../../src/domain/audit.js";
import { accountKey } from "../../src/domain/members.js";
import { list, para, privateReply, rich } from "../../src/model/message.js";
import { opt } from "../../src/core/options.js";
import { RESULTS } from "../../src/domain/cases/requests.js";
import { evidencePack, exportCase } from "../../src/domain/cases/export.js";
import { sideOf } from "../../src/domain/cases/access.js";
import { findVisible, linkedCases, LIST_ORDERS, listCases, listLine, nameMap, timeline, timelineFor, timelineLine } from "../../src/domain/cases/queries.js";
import { run, cardOf, done, ref } from "./shared.js";

/** `/case show`, `/case list`, `/case export`: reading what the caller may see (docs/contract.md §2). */

export const show = defineCommand({
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

export const listCommand = defineCommand({
  family: "case",
  path: ["list"],
  summary: "cases you may see: mine, open (default), breached or all",
  access: "vetted",
  options: {
    scope: opt.choice(["mine", "open", "breached", "all", "top"] as const, "which cases: open (default), mine, breached, all, or top (the ten highest impact)", { positional: 0, optional: true }),
    by: opt.choice(LIST_ORDERS, "the order: impact (highest first, the default), age (oldest first), newest or deadline (soonest first)", { optional: true }),
    result: opt.choice(RESULTS, "only cases resolved with this result (then all cases by default)", { optional: true }),
  },
  async run(ctx, o) {
    const scope = o.scope ?? (o.result ? "all" : "open");
    const by = o.by ?? "impact";
    const { cases, more } = await listCases(ctx.tx, ctx.caller, scope, ctx.services.policy, ctx.now, { result: o.result, by });
    const what = scope === "top" ? "open cases" : `${scope === "all" ? "" : `${scope} `}cases${o.result ? ` resolved as ${o.result}` : ""}`;
    if (cases.length === 0) return done(`No ${what} you can see.`);
    const order = by === "impact" ? "highest impact first" : by === "age" ? "oldest first" : by === "newest" ? "newest first" : "soonest deadline first";
    return privateReply(
      para(rich`${cases.length}${more ? "+" : ""} case${cases.length === 1 ? "" : "s"} (${scope}${o.result ? `, result ${o.result}` : ""}), ${order}:`),
      list(cases.map((c) => rich`${listLine(c, ctx.now, ctx.services.policy)}`)),
      ...(more ? [para(rich`Only the first ${cases.length} are shown${scope === "top" ? "" : "; /case list top shows the ten highest"}.`)] : []),
    );
  },
});

export const exportCommand = defineCommand({
  family: "case",
  path: ["export"],
  summary: "the timeline as JSON and Markdown with its audit hashes; format:pack for a signed evidence pack (.zip)",
  access: "vetted",
  options: { ...ref, format: opt.choice(["files", "pack"] as const, "files (JSON and Markdown, default) or pack (a signed .zip with the documents)", { optional: true }) },
  async run(ctx, o) {
    const c = await findVisible(ctx.tx, ctx.caller, o.ref);
    const who = ctx.caller.member!.name;
    const out = await exportCase(ctx.tx, c, who, ctx.now, sideOf(c, ctx.caller) ?? "exchange");
    const chain = out.verification.intact ? "intact" : `BROKEN: ${out.verification.problem}`;
    if (o.format === "pack") {
      const pack = await evidencePack(ctx.tx, c, out, who, ctx.now, ctx.services.signer);
      // Who issued which pack, so a manifest can later be confirmed as ours.
      await recordAudit(ctx.tx, {
        at: ctx.now,
        actorId: ctx.caller.member!.id,
        account: accountKey(ctx.caller.account),
        action: "case.exported",
        target: `case:${c.ref}`,
        detail: { format: "pack", sha256: createHash("sha256").update(pack.zip).digest("hex"), key: ctx.services.signer.fingerprint },
      });
      return privateReply(
        para(rich`Evidence pack of ${c.ref} (TLP:${c.tlp.toUpperCase()}): ${out.verification.events} events, hash chain ${chain}, ${pack.documents} document${pack.documents === 1 ? "" : "s"}, signed by the key with SHA-256 fingerprint ${ctx.services.signer.fingerprint}. Check it with: npm run liaison -- evidence verify ${pack.filename}`),
        { kind: "file", filename: pack.filename, mime: "application/zip", content: Buffer.from(pack.zip).toString("base64"), encoding: "base64" },
      );
    }
    return privateReply(
      para(rich`Export of ${c.ref} (TLP:${c.tlp.toUpperCase()}), ${out.verification.events} events, hash chain ${chain}.`),
      { kind: "file", filename: `${c.ref}.json`, mime: "application/json", content: out.json },
      { kind: "file", filename: `${c.ref}.md`, mime: "text/markdown", content: out.markdown },
    );
  },
});
