import { randomUUID } from "node:crypto";
import { defineCommand, type CommandContext } from "../../src/core/command.js";
import { UserError } from "../../src/model/errors.js";
import { channelReply, code, para, privateReply, rich, strong } from "../../src/model/message.js";
import { opt } from "../../src/core/options.js";
import { bind, findBinding, setDigestSchedule, unbind } from "../../src/domain/bindings.js";
import { formatTime } from "../../src/domain/cases/card.js";
import { buildDigest, digestMessages, nextTick, tickInterval } from "../../src/domain/digest.js";
import { formatDuration } from "../../src/domain/durations.js";
import { enqueue } from "../../src/domain/outbox.js";
import { isCoordinator } from "../../src/domain/members.js";
import { normaliseTimeZone } from "../../src/domain/validate.js";

/** `/ppp bind`, `/ppp unbind`, `/ppp digest …`: liaison channels and their digests (docs/contract.md §4, §5). */

export const bindCommand = defineCommand({
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

export const unbindCommand = defineCommand({
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

async function boundChannel(ctx: CommandContext) {
  const binding = await findBinding(ctx.tx, ctx.channel);
  if (!binding) throw new UserError("not_found", "this channel is not bound to any organisation (/ppp bind orgs:…)");
  return binding;
}

export const digestNow = defineCommand({
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
    await enqueue(ctx.tx, ctx.now, digestMessages(binding, `digest:${binding.id}:now:${randomUUID()}`, await buildDigest(ctx.tx, binding, ctx.now, ctx.services.policy)));
    return privateReply(para(rich`The digest is on its way to this channel.`));
  },
});

export const digestSchedule = defineCommand({
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
