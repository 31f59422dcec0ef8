import { para, rich } from "../model/message.js";
import { bindingInclude, toBinding } from "./bindings.js";
import { fireCaseTimer, preloadCases, type TimerRow } from "./cases/escalation.js";
import type { CaseEnv } from "./cases/notify.js";
import { buildDigest, scheduleDigest } from "./digest.js";
import { loadMember, standingOf } from "./members.js";
import { directMessages, enqueue } from "./outbox.js";

/**
 * What a due timer does, by kind. Runs inside the scheduler's firing transaction, with no
 * network call: it writes events, outbox rows and the next timer, nothing else.
 */

async function vettingNotice(env: CaseEnv, t: TimerRow) {
  const member = await loadMember(env.tx, t.memberId!);
  const { until } = JSON.parse(t.payload) as { until: string };
  // Re-vetted or suspended since: this notice is no longer true.
  if (standingOf(member, env.now) !== "vetted" || member.vettedUntil?.toISOString() !== until) return;
  await enqueue(
    env.tx,
    env.now,
    directMessages(member, env.services.platforms, `timer:${t.id}:vetting`, {
      blocks: [para(rich`Your Liaison vetting expires on ${until.slice(0, 10)}. Ask a coordinator to vet you again (/liaison vet) before then, or your commands will be refused.`)],
    }, "member"),
  );
}

async function digestTick(env: CaseEnv, t: TimerRow) {
  const row = await env.tx.binding.findUnique({ where: { id: t.bindingId! }, include: bindingInclude });
  const p = JSON.parse(t.payload) as { cron: string; tz: string };
  // Unbound, or rescheduled (the new schedule has its own timer): nothing to do.
  if (!row || row.digestCron !== p.cron || row.timeZone !== p.tz) return;
  const binding = toBinding(row);
  const { blocks, covers } = await buildDigest(env.tx, binding, env.now, env.services.policy);
  await enqueue(env.tx, env.now, [
    {
      key: `timer:${t.id}:digest`,
      platform: binding.platform as never,
      kind: "channel",
      channelId: binding.channelId,
      audience: "channel",
      bindingId: binding.id,
      orderKey: `channel:${binding.platform}:${binding.channelId}`,
      payload: { blocks, covers },
    },
  ]);
  // After downtime, one digest for the missed ticks: the next is the first after now.
  await scheduleDigest(env.tx, env.now, binding);
}

export async function fireTimer(env: CaseEnv, t: TimerRow): Promise<void> {
  switch (t.kind) {
    case "vetting_expiry":
      return vettingNotice(env, t);
    case "digest":
      return digestTick(env, t);
    default:
      return fireCaseTimer(env, t);
  }
}

/**
 * Fires several timers in the caller's transaction, in order. Their cases are locked and
 * loaded once, up front, and reads that cannot change are shared: a flood of escalations
 * costs a handful of queries per timer instead of a full case load each.
 */
export async function fireTimers(env: CaseEnv, timers: TimerRow[]): Promise<void> {
  const batch: CaseEnv = { ...env, memo: env.memo ?? new Map(), cases: await preloadCases(env, timers) };
  for (const t of timers) await fireTimer(batch, t);
}
