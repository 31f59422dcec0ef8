import { applyWrites } from "../db/writes.js";
import { openCasesOfOrg } from "../db/sql/rotations.js";
import { list, para, rich, type Block, type Rich } from "../model/message.js";
import { recipientVerdict } from "./audience.js";
import { caseEnv, CaseContext } from "./cases/context.js";
import type { TimerRow } from "./cases/escalation.js";
import { audienceOf, isActive, loadCases, type CaseRecord } from "./cases/model.js";
import { shiftHandoff } from "./cases/paging.js";
import type { Runner } from "./cases/run.js";
import type { MemberView } from "./members.js";
import { loadOnCall, scheduleShiftChange, SHIFT_HORIZON_MS, vettedOnly } from "./oncall.js";
import { orgInclude, toOrganisation, type Organisation } from "./orgs.js";
import { directMessages } from "./outbox.js";
import { formatLocal, onCall, onCallByLayer, shiftEnd } from "./rotation.js";

/**
 * A shift change (a durable timer, one per organisation, fired once across processes and once
 * after downtime): whoever came on call is paged for every case of the organisation still
 * waiting for an acknowledgement that they may see, the handoff is on each open case's
 * timeline, and both the people going off and coming on get a summary by DM. Then the next
 * change is scheduled.
 */

interface ShiftPayload {
  org: number;
  /** Who was on call just before the change; null: no change was due, only a look ahead. */
  before: number[] | null;
}

const waitsOn = (org: Organisation, c: CaseRecord) => (org.kind === "EXCHANGE" ? c.exchange.id === org.id && c.whoseMove === "exchange" : c.agency.id === org.id && c.whoseMove === "agency");
const unacknowledged = (org: Organisation, c: CaseRecord) => c.exchange.id === org.id && c.pagedAt !== null && (c.ackAt === null || c.status === "REOPENED");

function summary(org: Organisation, member: MemberView, incoming: boolean, others: MemberView[], cases: CaseRecord[], until: Date | null, now: Date): Block[] {
  const zone = member.org?.timeZone ?? org.timeZone;
  const seen = cases.filter((c) => isActive(c) && recipientVerdict(audienceOf(c), member, now).ok);
  const refs = (cs: CaseRecord[]): Rich => rich`${cs.length === 0 ? "none" : cs.map((c) => `${c.ref} (${c.severity})`).join(", ")}`;
  const waiting = seen.filter((c) => waitsOn(org, c));
  const unacked = seen.filter((c) => unacknowledged(org, c));
  const due = seen.filter((c) => c.deadline && c.deadline.getTime() >= now.getTime() && (!until || c.deadline.getTime() <= until.getTime()));
  const names = others.length ? others.map((p) => `@${p.name}`).join(", ") : "nobody";
  const head = incoming
    ? rich`Your on-call shift at ${org.code} has started${until ? ` (until ${formatLocal(until, zone)})` : ""}; you take over from ${names}.`
    : rich`Your on-call shift at ${org.code} has ended; ${names} ${others.length > 1 ? "take" : "takes"} over.`;
  return [
    para(head),
    list([
      rich`Open cases waiting on ${org.code}: ${refs(waiting)}`,
      rich`Pages not acknowledged: ${refs(unacked)}`,
      rich`Deadlines ${until ? "within the shift" : "ahead"}: ${due.length === 0 ? "none" : due.map((c) => `${c.ref} at ${formatLocal(c.deadline!, zone)}`).join(", ")}`,
    ]),
  ];
}

export async function fireShiftChange(run: Runner, t: TimerRow): Promise<void> {
  const { tx } = run;
  const payload = JSON.parse(t.payload) as ShiftPayload;
  const row = await tx.organisation.findUnique({ where: { id: payload.org }, include: orgInclude });
  if (!row) return;
  const org = toOrganisation(row);
  const now = run.clock.now();
  if (payload.before !== null) await handOver(run, org, payload.before, t, now);
  await scheduleShiftChange(tx, org, now);
}

async function handOver(run: Runner, org: Organisation, beforeIds: number[], t: TimerRow, now: Date): Promise<void> {
  const { tx } = run;
  const schedule = vettedOnly((await loadOnCall(tx, [org.id], now)).get(org.id)!, now, org.id);
  const after = onCall(schedule.layers, schedule.covers, now);
  const before = new Set(beforeIds);
  const incoming = after.filter((m) => !before.has(m.id));
  const stayed = new Set(after.map((m) => m.id));
  const outgoingIds = beforeIds.filter((id) => !stayed.has(id));
  if (incoming.length === 0 && outgoingIds.length === 0) return;

  const ids = (await tx.sql.all(openCasesOfOrg, { orgId: org.id })).map((r) => r.id);
  const cases = await loadCases(tx, ids, true);
  const context = await CaseContext.load(tx, now, cases, { rosters: true, coordinators: true, bindings: true, people: outgoingIds });
  const outgoing = outgoingIds.map((id) => context.person(id));
  const env = caseEnv(now, run.services, context);
  const layers = onCallByLayer(schedule.layers, schedule.covers, now)
    .filter((l) => l.people.some((p) => incoming.some((m) => m.id === p.id)))
    .map((l) => l.layer.name);
  for (const c of cases) shiftHandoff(env, c, { orgId: org.id, incoming, outgoing, layers });

  const horizon = new Date(now.getTime() + SHIFT_HORIZON_MS);
  for (const m of incoming) {
    const until = shiftEnd(schedule.layers, schedule.covers, m.id, now, horizon);
    env.change.outbox(directMessages(m, run.services.platforms, `timer:${t.id}:shift:on:${m.id}`, { blocks: summary(org, m, true, outgoing, cases, until, now) }, "member"));
  }
  for (const m of outgoing) {
    env.change.outbox(directMessages(m, run.services.platforms, `timer:${t.id}:shift:off:${m.id}`, { blocks: summary(org, m, false, incoming, cases, null, now) }, "member"));
  }
  await applyWrites(tx, env.change.writes());
}

