import { randomUUID } from "node:crypto";
import { commandName, defineCommand, FAMILIES, type CommandContext } from "../src/core/command.js";
import { UserError } from "../src/model/errors.js";
import { channelReply, code, joinRich, list, mention, para, privateReply, rich, strong, type Rich } from "../src/model/message.js";
import { opt } from "../src/core/options.js";
import { usage } from "../src/core/registry.js";
import { recordAudit } from "../src/domain/audit.js";
import { bind, findBinding, setDigestSchedule, unbind } from "../src/domain/bindings.js";
import { formatTime } from "../src/domain/cases/card.js";
import { buildDigest, nextTick, tickInterval } from "../src/domain/digest.js";
import { formatDuration } from "../src/domain/durations.js";
import { DELIVERY_DEADLINE_MS, enqueue } from "../src/domain/outbox.js";
import { accountKey, isCoordinator, personRef, resolvePerson, standingOf, type MemberView } from "../src/domain/members.js";
import { addOrg, editOrg, findOrg, getRoster, listOrgs, setRoster, type Organisation, type RosterKind } from "../src/domain/orgs.js";
import { countryName, normaliseTimeZone } from "../src/domain/validate.js";
import { findVisible } from "../src/domain/cases/queries.js";
import { describePolicy } from "../src/domain/policy.js";
import { verifyChain } from "../src/domain/timeline.js";

/** `/ppp`: administration of the partnership (SPEC §5). */

function orgLine(o: Organisation): Rich {
  return rich`${strong(o.code)} — ${o.name} (${o.kind === "AGENCY" ? "agency" : "exchange"}, ${o.jurisdiction}, ${o.timeZone}); domains ${o.domains.join(", ")}`;
}

const orgAdd = defineCommand({
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

const orgEdit = defineCommand({
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

const orgList = defineCommand({
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

function rosterCommand(kind: RosterKind) {
  const what = kind === "oncall" ? "on-call rotation" : "level-2 contacts (team leads)";
  return defineCommand({
    family: "ppp",
    path: [kind === "oncall" ? "oncall" : "leads"],
    summary: `show or set an exchange's ${what}`,
    access: "vetted",
    options: {
      org: opt.org("the exchange", { positional: 0 }),
      people: opt.people("investigators of that exchange", { positional: 1, optional: true }),
    },
    async run(ctx: CommandContext, o: { org: string; people: string[] | undefined }) {
      const org = await findOrg(ctx.tx, o.org);
      if (!o.people || o.people.length === 0) {
        const current = org.kind === "EXCHANGE" ? await getRoster(ctx.tx, org.id, kind) : [];
        return privateReply(para(rich`${org.code} ${what}: ${rosterLine(current, ctx.now)}`));
      }
      await checkRosterEditor(ctx, org, kind);
      const people: MemberView[] = [];
      for (const key of o.people) people.push(await resolvePerson(ctx.tx, key));
      const roster = await setRoster(ctx.tx, ctx.caller, org, kind, people, ctx.now);
      return privateReply(para(rich`${org.code} ${what} is now: ${rosterLine(roster, ctx.now)}`));
    },
  });
}

/** Coordinators set rotations and leads; an exchange's leads may also set its rotation. */
async function checkRosterEditor(ctx: CommandContext, org: Organisation, kind: RosterKind) {
  if (isCoordinator(ctx.caller)) return;
  if (kind === "oncall") {
    const leads = await getRoster(ctx.tx, org.id, "lead");
    if (leads.some((l) => l.id === ctx.caller.member?.id)) return;
    throw new UserError("forbidden", `only coordinators and ${org.code}'s leads can set its on-call rotation`, { denial: {} });
  }
  throw new UserError("forbidden", "only coordinators can set an exchange's leads", { denial: {} });
}

const bindCommand = defineCommand({
  family: "ppp",
  path: ["bind"],
  summary: "make this channel a liaison channel for the given organisations (coordinators)",
  access: "coordinator",
  options: {
    orgs: opt.orgs("organisation codes, comma-separated"),
    tz: opt.timezone("time zone for the weekly digest (default: the first organisation's)", { optional: true }),
  },
  async run(ctx, o) {
    const binding = await bind(ctx.tx, ctx.caller, ctx.channel, o.orgs, o.tz, ctx.now);
    return channelReply(
      para(
        rich`This channel is now a liaison channel for ${strong(binding.orgs.map((x) => x.code).join(", "))}. Cases between them are posted here; the weekly digest comes ${binding.digestCron === "0 9 * * 1" ? "on Mondays at 09:00" : `on schedule ${binding.digestCron}`} (${binding.timeZone}).`,
      ),
    );
  },
});

const unbindCommand = defineCommand({
  family: "ppp",
  path: ["unbind"],
  summary: "stop using this channel as a liaison channel (coordinators)",
  access: "coordinator",
  options: {},
  async run(ctx) {
    const binding = await unbind(ctx.tx, ctx.caller, ctx.channel, ctx.now);
    return channelReply(
      para(rich`This channel is no longer a liaison channel for ${binding.orgs.map((x) => x.code).join(", ")}. Nothing more will be posted here.`),
    );
  },
});

const auditVerify = defineCommand({
  family: "ppp",
  path: ["audit", "verify"],
  summary: "check a case timeline's hash chain",
  access: "vetted",
  options: { ref: opt.ref() },
  async run(ctx, o) {
    const c = await findVisible(ctx.tx, ctx.caller, o.ref);
    const result = await verifyChain(ctx.tx, c);
    if (result.intact) {
      return privateReply(para(rich`${c.ref}: intact — ${result.events} events, head ${code(result.headHash)}.`));
    }
    return privateReply(para(rich`${c.ref}: NOT intact — ${result.problem}.`));
  },
});

const policyShow = defineCommand({
  family: "ppp",
  path: ["policy", "show"],
  summary: "the escalation policy in force",
  access: "vetted",
  options: {},
  async run(ctx) {
    return privateReply(para(rich`Escalation policy (times count from the page):`), list(describePolicy(ctx.services.policy).map((l) => rich`${l}`)));
  },
});

async function boundChannel(ctx: CommandContext) {
  const binding = await findBinding(ctx.tx, ctx.channel);
  if (!binding) throw new UserError("not_found", "this channel is not bound to any organisation (/ppp bind orgs:…)");
  return binding;
}

const digestNow = defineCommand({
  family: "ppp",
  path: ["digest", "now"],
  summary: "post this channel's digest now",
  access: "vetted",
  options: {},
  async run(ctx) {
    const binding = await boundChannel(ctx);
    const member = ctx.caller.member!;
    if (!isCoordinator(ctx.caller) && !binding.orgs.some((o) => o.id === member.org?.id)) {
      throw new UserError("forbidden", "only coordinators and members of this channel's organisations can ask for its digest", { denial: {} });
    }
    const { blocks, covers } = await buildDigest(ctx.tx, binding, ctx.now, ctx.services.policy);
    await enqueue(ctx.tx, ctx.now, [
      {
        key: `digest:${binding.id}:now:${randomUUID()}`,
        platform: binding.platform as never,
        kind: "channel",
        channelId: binding.channelId,
        audience: "channel",
        bindingId: binding.id,
        orderKey: `channel:${binding.platform}:${binding.channelId}`,
        payload: { blocks, covers },
      },
    ]);
    return privateReply(para(rich`The digest is on its way to this channel.`));
  },
});

const digestSchedule = defineCommand({
  family: "ppp",
  path: ["digest", "schedule"],
  summary: "change when this channel's weekly digest comes (cron, time zone) (coordinators)",
  access: "coordinator",
  options: {
    cron: opt.text('cron expression, e.g. "0 9 * * 1" for Mondays 09:00, optionally followed by a time zone', { positional: 0, rest: true, max: 120 }),
    tz: opt.timezone(undefined, { optional: true }),
  },
  async run(ctx, o) {
    const binding = await boundChannel(ctx);
    let cron = o.cron;
    let tz = o.tz;
    const words = cron.split(/\s+/);
    const last = words[words.length - 1]!;
    if (!tz && words.length > 1 && /[A-Za-z]/.test(last) && normaliseTimeZone(last)) {
      tz = normaliseTimeZone(last);
      cron = words.slice(0, -1).join(" ");
    }
    const zone = tz ?? binding.timeZone;
    const tick = nextTick(cron, zone, ctx.now);
    if (!tick.ok) throw UserError.about("cron", "invalid_option", `cron: ${tick.problem}`);
    const next = tick.value;
    const every = tickInterval(cron, zone, ctx.now);
    if (every.ok && every.value < 3_600_000) {
      throw UserError.about("cron", "invalid_option", `cron: "${cron}" would post a digest every ${formatDuration(every.value)}; a digest comes at most once an hour`);
    }
    await setDigestSchedule(ctx.tx, ctx.caller, binding, cron, zone, ctx.now);
    return privateReply(para(rich`The digest for this channel now follows ${code(cron)} in ${zone}; the next one is at ${formatTime(next)}.`));
  },
});

const outboxCommand = defineCommand({
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

const helpCommand = defineCommand({
  family: "ppp",
  path: ["help"],
  summary: "this list",
  access: "anyone",
  options: {},
  async run(ctx) {
    const blocks = FAMILIES.flatMap((family) => {
      const commands = ctx.services.registry.family(family);
      return [para(rich`${strong(`/${family}`)}`), list(commands.map((c) => rich`${code(usage(c))} — ${c.summary}`))];
    });
    const standing = ctx.caller.standing;
    const note =
      standing === "vetted"
        ? rich`Options are key:value; quote values with spaces ("like this"); lists are comma-separated.`
        : rich`You are not vetted yet, so only ${code(commandName({ family: "liaison", path: ["register"] }))}, ${code("/liaison whoami")} and ${code("/ppp help")} work for you.`;
    return privateReply(...blocks, para(note));
  },
});

export const pppCommands = [
  orgAdd,
  orgEdit,
  orgList,
  rosterCommand("oncall"),
  rosterCommand("lead"),
  bindCommand,
  unbindCommand,
  policyShow,
  auditVerify,
  digestNow,
  digestSchedule,
  outboxCommand,
  helpCommand,
];
