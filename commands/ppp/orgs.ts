import { defineCommand, type CommandContext } from "../../src/core/command.js";
import { UserError } from "../../src/model/errors.js";
import { code, joinRich, list, mention, para, privateReply, rich, strong, type Rich } from "../../src/model/message.js";
import { opt } from "../../src/core/options.js";
import { isCoordinator, personRef, resolvePeople, standingOf, type MemberView } from "../../src/domain/members.js";
import { addOrg, editOrg, findOrg, getRoster, listOrgs, setRoster, type Organisation } from "../../src/domain/orgs.js";
import { countryName } from "../../src/domain/validate.js";

/** `/ppp org …`, `/ppp leads`: organisations and their level-2 contacts (docs/contract.md §5); on-call is in rotation.ts. */

function orgLine(o: Organisation): Rich {
  return rich`${strong(o.code)} — ${o.name} (${o.kind === "AGENCY" ? "agency" : "exchange"}, ${o.jurisdiction}, ${o.timeZone}); domains ${o.domains.join(", ")}`;
}

export const orgAdd = defineCommand({
  family: "ppp",
  path: ["org", "add"],
  summary: "add an agency or exchange (coordinators)",
  access: "coordinator",
  options: {
    code: opt.org("short code, e.g. HKPF-CSTCB"),
    kind: opt.choice(["agency", "exchange"] as const, "agency or exchange"),
    name: opt.text("full name", { max: 120 }),
    jurisdiction: opt.country(),
    domains: opt.domains("official e-mail domains, comma-separated"),
    tz: opt.timezone("time zone (default UTC)", { optional: true }),
  },
  async run(ctx, o) {
    const org = await addOrg(
      ctx.tx,
      ctx.caller,
      { code: o.code, kind: o.kind, name: o.name, jurisdiction: o.jurisdiction, domains: o.domains, timeZone: o.tz ?? "UTC" },
      ctx.now,
    );
    return privateReply(para(rich`Added ${orgLine(org)}. Jurisdiction: ${countryName(org.jurisdiction)}.`));
  },
});

export const orgEdit = defineCommand({
  family: "ppp",
  path: ["org", "edit"],
  summary: "change an organisation's name, jurisdiction, domains or time zone (coordinators)",
  access: "coordinator",
  options: {
    code: opt.org("the organisation to change", { positional: 0 }),
    name: opt.text("full name", { max: 120, optional: true }),
    jurisdiction: opt.country(undefined, { optional: true }),
    domains: opt.domains("official e-mail domains (replaces the list)", { optional: true }),
    tz: opt.timezone(undefined, { optional: true }),
  },
  async run(ctx, o) {
    const org = await editOrg(
      ctx.tx,
      ctx.caller,
      o.code,
      { name: o.name, jurisdiction: o.jurisdiction, domains: o.domains, timeZone: o.tz },
      ctx.now,
    );
    return privateReply(para(rich`Updated ${orgLine(org)}.`));
  },
});

export const orgList = defineCommand({
  family: "ppp",
  path: ["org", "list"],
  summary: "list organisations",
  access: "vetted",
  options: {},
  async run(ctx) {
    const orgs = await listOrgs(ctx.tx);
    if (orgs.length === 0) return privateReply(para(rich`No organisations yet. Coordinators add them with ${code("/ppp org add")}.`));
    return privateReply(para(rich`${orgs.length} organisation${orgs.length === 1 ? "" : "s"}:`), list(orgs.map(orgLine)));
  },
});

function rosterLine(people: MemberView[], now: Date): Rich {
  if (people.length === 0) return rich`nobody`;
  return joinRich(
    people.map((p) => {
      const standing = standingOf(p, now);
      return standing === "vetted" ? [mention(personRef(p))] : rich`${mention(personRef(p))} (${standing}, not paged)`;
    }),
  );
}

/** `/ppp leads <exchange> [@a @b …]`: show or set an exchange's level-2 contacts. */
export const leadsCommand = defineCommand({
  family: "ppp",
  path: ["leads"],
  summary: "show or set an exchange's level-2 contacts (team leads)",
  access: "vetted",
  options: {
    org: opt.org("the exchange", { positional: 0 }),
    people: opt.people("investigators of that exchange", { positional: 1, optional: true }),
  },
  async run(ctx: CommandContext, o: { org: string; people: string[] | undefined }) {
    const org = await findOrg(ctx.tx, o.org);
    const what = "level-2 contacts (team leads)";
    if (!o.people || o.people.length === 0) {
      const current = org.kind === "EXCHANGE" ? await getRoster(ctx.tx, org.id, "lead") : [];
      return privateReply(para(rich`${org.code} ${what}: ${rosterLine(current, ctx.now)}`));
    }
    if (!isCoordinator(ctx.caller)) throw new UserError("forbidden", "only coordinators can set an exchange's leads", { denial: {} });
    const roster = await setRoster(ctx.tx, ctx.caller, org, "lead", await resolvePeople(ctx.tx, o.people), ctx.now);
    return privateReply(para(rich`${org.code} ${what} is now: ${rosterLine(roster, ctx.now)}`));
  },
});
