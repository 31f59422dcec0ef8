import { UserError } from "../../model/errors.js";
import { mention, para, rich, type Block } from "../../model/message.js";
import { formatAge, formatDuration } from "../durations.js";
import { personRef, type MemberView } from "../members.js";
import { formatTime } from "./card.js";
import type { Acting, CaseEnv } from "./context.js";
import { isClosed, type CaseRecord } from "./model.js";
import { notifyPeople, notifyThreads } from "./notify.js";

/**
 * Requests as the law shapes them (docs/contract.md §9): a preservation holds the records
 * for a period from the page and lapses unless extended (up to a maximum); a freeze is held
 * for a period from the resolution, extendable; the legal process is recorded; a resolution
 * has a result from the taxonomy. The clocks are durable timers, like the escalation ones.
 */

export const RESULTS = ["frozen", "seized", "disclosed", "preserved", "declined", "no-match", "funds-moved", "other"] as const;
export type Result = (typeof RESULTS)[number];
export const PROCESS_KINDS = ["court-order", "police-order", "mlat", "subpoena", "other"] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

type Clock = "preservation" | "freeze_hold";
const WHAT: Record<Clock, string> = { preservation: "preservation", freeze_hold: "freeze hold" };

/** The reminders before `until` and the end itself, keyed by the end they belong to (an extension makes new ones). */
function scheduleClock(env: CaseEnv, c: CaseRecord, kind: Clock, until: Date): void {
  const warn = kind === "preservation" ? env.services.policy.preservation.warn : env.services.policy.freezeHold.warn;
  const base = `case:${c.id}:${kind}:${until.getTime()}`;
  for (const w of warn) {
    const due = new Date(until.getTime() - w);
    if (due.getTime() <= env.now.getTime()) continue;
    env.change.schedule({ kind, key: `${base}:warn:${w}`, dueAt: due, caseId: c.id, payload: { until: until.toISOString(), step: "warn", before: w } });
  }
  env.change.schedule({ kind, key: `${base}:end`, dueAt: until, caseId: c.id, payload: { until: until.toISOString(), step: "end" } });
}

/** A preservation case starts its clock when the exchange is paged. */
export function startPreservation(env: CaseEnv, c: CaseRecord): void {
  if (c.type !== "preservation" || c.pagedAt === null || c.preservedUntil) return;
  c.preservedUntil = new Date(c.pagedAt.getTime() + env.services.policy.preservation.period);
  env.change.touch(c);
  scheduleClock(env, c, "preservation", c.preservedUntil);
}

/** Resolving with funds frozen starts the freeze hold. */
export function startFreezeHold(env: CaseEnv, c: CaseRecord): void {
  const until = new Date(env.now.getTime() + env.services.policy.freezeHold.period);
  // Resolved again after a reopen: a hold already running (perhaps extended) is never cut short.
  if (c.freezeUntil && c.freezeUntil.getTime() >= until.getTime()) return;
  c.freezeUntil = until;
  env.change.touch(c);
  scheduleClock(env, c, "freeze_hold", c.freezeUntil);
}

/** The agency's people to remind: its on-call who may see the case, and the opener. */
function agencySide(env: CaseEnv, c: CaseRecord): MemberView[] {
  const people = new Map<number, MemberView>([[c.openedBy.id, c.openedBy]]);
  for (const m of env.context.roster(c.agency.id, "oncall")) people.set(m.id, m);
  return [...people.values()];
}

function exchangeSide(c: CaseRecord): MemberView[] {
  const people = new Map<number, MemberView>();
  if (c.assignee) people.set(c.assignee.id, c.assignee);
  const acked = c.participants.find((p) => p.member.id === c.ackById)?.member;
  if (acked) people.set(acked.id, acked);
  return [...people.values()];
}

/** A clock's reminder or end, as a due timer: nothing if the clock moved (extended) or the case is closed. */
export function fireClock(env: CaseEnv, c: CaseRecord, kind: Clock, payload: { until: string; step: "warn" | "end"; before?: number }): void {
  const until = kind === "preservation" ? c.preservedUntil : c.freezeUntil;
  // A closed case keeps its preservation or freeze hold: the law's clock, not the case's.
  if (!until || until.toISOString() !== payload.until) return;
  const what = WHAT[kind];
  if (payload.step === "warn") {
    const event = env.change.event(c, { at: env.now, actorId: null, type: `${kind}_expiring`, data: { until: payload.until, in: formatDuration(payload.before ?? 0) } });
    const blocks: Block[] = [para(rich`The ${what} of ${c.ref} ends in ${formatAge(until.getTime() - env.now.getTime())} (${formatTime(until)}). To keep it, extend it: /case extend ${c.ref} ${kind === "freeze_hold" ? "by:30d " : ""}basis:"…"`)];
    notifyPeople(env, c, event.seq, kind === "preservation" ? agencySide(env, c) : [...agencySide(env, c), ...exchangeSide(c)], blocks, `${kind}-warn-${payload.before ?? 0}`);
    return;
  }
  const event = env.change.event(c, { at: env.now, actorId: null, type: kind === "preservation" ? "preservation_lapsed" : "freeze_hold_ended", data: { until: payload.until } });
  const told = rich`The ${what} of ${c.ref} ${kind === "preservation" ? "lapsed" : "ended"} at ${formatTime(until)}; it was not extended.`;
  notifyThreads(env, c, event.seq, { post: [para(told)], updateCard: true });
  notifyPeople(env, c, event.seq, [...agencySide(env, c), ...exchangeSide(c)], [para(told)], `${kind}-end`);
}

/**
 * `/case extend`: the freeze hold if there is one, else the preservation, by `by` (a
 * preservation: by default its period again, never past its maximum from the page).
 */
export function extend(env: CaseEnv, { c, me }: Acting, o: { by: number | undefined; basis: string }): { what: string; until: Date } {
  const policy = env.services.policy;
  const ended = c.freezeUntil ?? (c.type === "preservation" ? c.preservedUntil : null);
  if (ended && ended.getTime() <= env.now.getTime()) {
    throw new UserError("invalid_state", `the ${c.freezeUntil ? "freeze hold" : "preservation"} of ${c.ref} already ended at ${formatTime(ended)}; it cannot be extended after the fact (a new request starts a new one)`);
  }
  let kind: Clock;
  let from: Date;
  let to: Date;
  if (c.freezeUntil) {
    if (o.by === undefined) throw UserError.about("by", "missing_option", "missing by (how much longer the freeze is held, e.g. by:30d)");
    kind = "freeze_hold";
    from = c.freezeUntil;
    to = new Date(from.getTime() + o.by);
    c.freezeUntil = to;
  } else if (c.type === "preservation" && c.preservedUntil && c.pagedAt) {
    kind = "preservation";
    from = c.preservedUntil;
    to = new Date(from.getTime() + (o.by ?? policy.preservation.period));
    const cap = new Date(c.pagedAt.getTime() + policy.preservation.max);
    if (to.getTime() > cap.getTime()) {
      const left = cap.getTime() - from.getTime();
      throw UserError.about(
        "by",
        "invalid_option",
        `by: a preservation is held at most ${formatDuration(policy.preservation.max)} from the page, until ${formatTime(cap)}; ${left > 0 ? `it can be extended by ${formatAge(left)} more` : "it cannot be extended further"}`,
      );
    }
    c.preservedUntil = to;
  } else {
    throw new UserError("invalid_state", `${c.ref} has no preservation or freeze hold to extend (a preservation case holds from its page; resolving with frozen: starts a freeze hold)`);
  }
  Object.assign(c, { lastActivityAt: env.now });
  env.change.touch(c);
  scheduleClock(env, c, kind, to);
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "extended", data: { what: kind, from: from.toISOString(), to: to.toISOString(), basis: o.basis } });
  notifyThreads(env, c, event.seq, { post: [para(rich`${mention(personRef(me))} extended the ${WHAT[kind]} of ${c.ref} to ${formatTime(to)}: ${o.basis}`)], updateCard: true });
  return { what: WHAT[kind], until: to };
}

/** `/case process`: the legal basis, on the timeline (its row is written beside the change). */
export function recordProcess(env: CaseEnv, { c, me }: Acting, p: { kind: ProcessKind; number: string; authority: string; date: string | null }): void {
  if (isClosed(c)) throw new UserError("invalid_state", `${c.ref} is closed; reopen it to record more`);
  c.processes.push({ ...p, at: env.now });
  Object.assign(c, { lastActivityAt: env.now });
  env.change.touch(c);
  const event = env.change.event(c, { at: env.now, actorId: me.id, type: "legal_process", data: p });
  notifyThreads(env, c, event.seq, {
    post: [para(rich`${mention(personRef(me))} recorded the legal basis: ${p.kind} ${p.number}, ${p.authority}${p.date ? `, dated ${p.date}` : ""}.`)],
    updateCard: true,
  });
}

/** The result a resolution records, checked against what the law asks before it. */
export function resultOf(c: CaseRecord, r: { result: Result | undefined; outcome: string; frozen: unknown[] }): Result {
  const result = r.result ?? (r.frozen.length > 0 ? "frozen" : "other");
  if (result === "disclosed" && (c.type === "disclosure" || c.type === "mlat") && c.processes.length === 0) {
    throw UserError.about(
      "result",
      "invalid_state",
      `result: a ${c.type} case is disclosed only under a legal process; record the order first with /case process ${c.ref} kind:court-order number:… authority:…`,
    );
  }
  if (result === "declined") {
    const reason = r.outcome.trim().replace(/[.!]+$/, "").toLowerCase();
    if (reason.length < 8 || reason === "declined" || reason === "refused") {
      throw UserError.about("outcome", "invalid_option", 'outcome: a declined request needs the reason, e.g. outcome:"no account matches the address"');
    }
  }
  return result;
}
