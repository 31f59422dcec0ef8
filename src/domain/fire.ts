import type { DomainServices } from "./services.js";
import type { Clock } from "../clock.js";
import type { Tx } from "../db/database.js";
import { para, rich } from "../model/message.js";
import { bindingInclude, toBinding } from "./bindings.js";
import type { TimerRow } from "./cases/escalation.js";
import { fireCaseTimers } from "./cases/run.js";
import { buildDigest, digestMessages, scheduleDigest } from "./digest.js";
import { loadMember, standingOf } from "./members.js";
import { directMessages, enqueue } from "./outbox.js";
import { fireShiftChange } from "./shift.js";
import { fireRetention } from "./cases/retention.js";

/**
 * What a due timer does, by kind. Runs inside the scheduler's firing transaction, with no
 * network call: it writes events, outbox rows and the next timer, nothing else.
 */

interface TimerEnv {
  tx: Tx;
  now: Date;
  services: DomainServices;
}

async function vettingNotice(env: TimerEnv, t: TimerRow) {
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

async function digestTick(env: TimerEnv, t: TimerRow) {
  const row = await env.tx.binding.findUnique({ where: { id: t.bindingId! }, include: bindingInclude });
  const p = JSON.parse(t.payload) as { cron: string; tz: string };
  // Unbound, or rescheduled (the new schedule has its own timer): nothing to do.
  if (!row || row.digestCron !== p.cron || row.timeZone !== p.tz) return;
  const binding = toBinding(row);
  await enqueue(env.tx, env.now, digestMessages(binding, `timer:${t.id}:digest`, await buildDigest(env.tx, binding, env.now, env.services.policy)));
  // After downtime, one digest for the missed ticks: the next is the first after now.
  await scheduleDigest(env.tx, env.now, binding);
}

const CASE_KINDS = new Set(["reminder", "level2", "level3", "handoff", "stale", "agency_remind", "preservation", "freeze_hold", "impact"]);

/**
 * Fires timers in the caller's transaction, in order (the one way a timer fires). Case timers
 * next to each other fire together (see fireCaseTimers); the others — vetting notices,
 * digests — one by one, between them, so what each writes keeps the order they fell due in.
 * With `skipLocked`, case timers whose case another transaction holds are left unfired and
 * returned (`skipped`, by timer id).
 */
export async function fireTimers(
  run: { tx: Tx; clock: Clock; services: DomainServices },
  timers: readonly TimerRow[],
  options: { skipLocked?: boolean } = {},
): Promise<{ skipped: Set<number> }> {
  const skipped = new Set<number>();
  let together: TimerRow[] = [];
  const flush = async () => {
    if (together.length > 0) for (const t of await fireCaseTimers(run, together, options)) skipped.add(t.id);
    together = [];
  };
  for (const t of timers) {
    if (CASE_KINDS.has(t.kind)) {
      together.push(t);
      continue;
    }
    await flush();
    const env = { tx: run.tx, now: run.clock.now(), services: run.services };
    if (t.kind === "vetting_expiry") await vettingNotice(env, t);
    else if (t.kind === "digest") await digestTick(env, t);
    else if (t.kind === "shift") await fireShiftChange(run, t);
    else if (t.kind === "retention") await fireRetention(run, t);
  }
  await flush();
  return { skipped };
}
