import type { CaseStateRow, NewCaseIdentity, TimerOp, Writes } from "../../db/writes.js";
import { emptyWrites } from "../../db/writes.js";
import type { Block } from "../../model/message.js";
import type { AuditInput } from "../audit.js";
import type { MemberView } from "../members.js";
import { DELIVERY_DEADLINE_MS, type Outgoing } from "../outbox.js";
import { canonicalJson, eventHash } from "../timeline.js";
import type { NewTimer, TimerKind } from "../timers.js";
import type { CaseRecord, HandoffView } from "./model.js";

/**
 * What a batch of case changes decides, before anything is written: the new state of each
 * case (kept on the case records themselves), the events appended to their timelines — hash
 * chained here, in memory — and the participants, handoffs, threads, outbox messages, timers
 * and audit entries that go with them. `writes()` turns it into rows for one multi-row write
 * per table (src/db/writes.ts). Deciding reads nothing from the database.
 */

export interface EventInput {
  at: Date;
  actorId: number | null;
  type: string;
  data: Record<string, unknown>;
}

export interface AppendedEvent {
  seq: number;
  hash: string;
  at: Date;
  type: string;
}

let standIns = 0;

export class Change {
  readonly #writes: Writes;
  /** Cases whose state changed, written whole from memory. */
  readonly #touched = new Map<number, CaseRecord>();
  readonly #created = new Map<number, { c: CaseRecord; row: NewCaseIdentity }>();
  /** One row per participant: their latest paged_at, however often this change names them. */
  readonly #participants = new Map<string, Writes["participants"][number]>();

  constructor(readonly now: Date) {
    this.#writes = emptyWrites(now);
  }

  /**
   * The case's state changed (in memory): it is written as it stands at the end. Every write
   * to a case's parts touches the case too, so a locked read can tell that the parts it read
   * are older than the row (see src/db/sql/cases.ts).
   */
  touch(c: CaseRecord): void {
    if (!this.#created.has(c.id)) this.#touched.set(c.id, c);
  }

  /** A case made by this change; it is inserted whole, with its final state. */
  create(c: CaseRecord, row: NewCaseIdentity): void {
    this.#created.set(c.id, { c, row });
  }

  /** Appends an event to the case's timeline: the next sequence number, chained to the head. */
  event(c: CaseRecord, e: EventInput): AppendedEvent {
    const seq = c.eventCount + 1;
    const data = canonicalJson(e.data);
    const hash = eventHash({ ref: c.ref, seq, at: e.at, actorId: e.actorId, type: e.type, data, prevHash: c.headHash });
    this.#writes.events.push([c.id, seq, e.at, e.actorId, e.type, data, c.headHash, hash]);
    c.eventCount = seq;
    c.headHash = hash;
    this.touch(c);
    return { seq, hash, at: e.at, type: e.type };
  }

  /** Names someone on the case (once); `pagedAt` marks their first page. */
  participant(c: CaseRecord, member: MemberView, reason: string, pagedAt: Date | null = null): void {
    const existing = c.participants.find((p) => p.member.id === member.id);
    if (existing) {
      if (existing.pagedAt || !pagedAt) return;
      existing.pagedAt = pagedAt;
    } else {
      c.participants.push({ member, reason, pagedAt });
    }
    this.touch(c);
    const key = `${c.id}:${member.id}`;
    const row = this.#participants.get(key);
    if (row) row[3] = row[3] ?? pagedAt;
    else this.#participants.set(key, [c.id, member.id, existing?.reason ?? reason, pagedAt, this.now]);
  }

  subject(c: CaseRecord, position: number, s: { kind: string; chain: string; value: string; display: string }): void {
    this.#writes.subjects.push([c.id, position, s.kind, s.chain, s.value, s.display]);
  }

  amount(c: CaseRecord, position: number, a: { kind: string; asset: string; amount: string; usd: string | null }): void {
    this.#writes.amounts.push([c.id, position, a.kind, a.asset, a.amount, a.usd]);
  }

  link(caseId: number, linkedCaseId: number): void {
    this.#writes.links.push([caseId, linkedCaseId, this.now]);
  }

  /** A new handoff offer (its id was taken beforehand). */
  offer(c: CaseRecord, h: HandoffView): void {
    this.touch(c);
    this.#writes.handoffs.push({ id: h.id, caseId: c.id, fromId: h.fromId, toMemberId: h.toMember?.id ?? null, toOrgId: h.toOrg?.id ?? null, note: h.note, state: "offered", offeredAt: h.offeredAt });
  }

  /** A handoff's decision or progress: the row as it should now read. */
  decideOffer(c: CaseRecord, u: Writes["handoffUpdates"][number]): void {
    this.touch(c);
    const w = this.#writes.handoffUpdates;
    const i = w.findIndex((x) => x.id === u.id);
    if (i >= 0) w[i] = u;
    else w.push(u);
  }

  /** A case thread made in this change; the returned stand-in id is what its messages name. */
  thread(c: CaseRecord, t: { platform: string; channelId: string; bindingId: number | null; memberId: number | null }): number {
    this.touch(c);
    const stand = -(++standIns);
    this.#writes.threads.push({ stand, caseId: c.id, active: true, ...t });
    return stand;
  }

  /** A thread's row as it should now read (retired, reactivated). */
  threadState(c: CaseRecord, u: Writes["threadUpdates"][number]): void {
    this.touch(c);
    const made = this.#writes.threads.find((t) => t.stand === u.id);
    if (made) {
      made.active = u.active;
      return;
    }
    const w = this.#writes.threadUpdates;
    const i = w.findIndex((x) => x.id === u.id);
    if (i >= 0) w[i] = u;
    else w.push(u);
  }

  /** Messages to queue, in order. A thread's message names its thread; its order key follows from it. */
  outbox(messages: Outgoing[]): void {
    for (const m of messages) {
      this.#writes.outbox.push({
        key: m.key,
        platform: m.platform,
        kind: m.kind,
        channelId: m.channelId,
        caseThreadId: m.caseThreadId ?? null,
        caseId: m.caseId ?? null,
        audience: m.audience,
        memberId: m.memberId ?? null,
        bindingId: m.bindingId ?? null,
        // A thread's messages keep its order: `thread:<id>`, known once the thread is written.
        orderKey: m.caseThreadId !== undefined ? null : m.orderKey,
        payload: JSON.stringify(m.payload),
        nextAttemptAt: this.now,
        deadlineAt: new Date(this.now.getTime() + DELIVERY_DEADLINE_MS),
        createdAt: this.now,
      });
    }
  }

  schedule(t: NewTimer): void {
    this.#writes.timers.push({
      op: "schedule",
      kind: t.kind,
      key: t.key,
      dueAt: t.dueAt,
      caseId: t.caseId ?? null,
      memberId: t.memberId ?? null,
      bindingId: t.bindingId ?? null,
      payload: JSON.stringify(t.payload ?? {}),
    });
  }

  cancelTimers(caseId: number, kinds: readonly TimerKind[] | "all"): void {
    this.#writes.timers.push({ op: "cancel", caseId, kinds: kinds === "all" ? [] : [...kinds] });
  }

  pauseTimers(caseId: number, kinds: readonly TimerKind[]): void {
    this.#writes.timers.push({ op: "pause", caseId, kinds: [...kinds] });
  }

  resumeTimers(caseId: number, waitedMs: number): void {
    this.#writes.timers.push({ op: "resume", caseId, waitedMs } satisfies TimerOp);
  }

  audit(entry: AuditInput): void {
    this.#writes.audits.push([entry.at, entry.actorId, entry.account, entry.action, entry.target ?? null, entry.detail ? JSON.stringify(entry.detail) : null]);
  }

  /** Called with each changed case's final state before its rows are written (the next impact timer). */
  onFinal: ((c: CaseRecord) => void) | undefined;

  /** The rows to write, with every touched case's final state. */
  writes(): Writes {
    if (this.onFinal) for (const c of [...this.#created.values()].map((x) => x.c).concat([...this.#touched.values()])) this.onFinal(c);
    const w = this.#writes;
    w.participants = [...this.#participants.values()];
    w.newCases = [...this.#created.values()].map(({ c, row }) => ({ ...row, ...stateRow(c, this.now) }));
    w.cases = [...this.#touched.values()].map((c) => stateRow(c, this.now));
    return w;
  }

  /** Messages written so far (the blocks of each), for tests and the golden record. */
  get messages(): readonly { kind: string; channelId: string; payload: { blocks?: Block[] } }[] {
    return this.#writes.outbox.map((o) => ({ kind: o.kind, channelId: o.channelId, payload: JSON.parse(o.payload) as { blocks?: Block[] } }));
  }
}

function stateRow(c: CaseRecord, now: Date): CaseStateRow {
  return {
    id: c.id,
    title: c.title,
    summary: c.summary,
    tlp: c.tlp,
    status: c.status,
    whose_move: c.whoseMove,
    exchange_id: c.exchange.id,
    assignee_id: c.assignee?.id ?? null,
    confirmed_by_id: c.confirmedById ?? null,
    confirmed_at: c.confirmedAt,
    paged_at: c.pagedAt,
    ack_at: c.ackAt,
    ack_by_id: c.ackById,
    resolved_at: c.resolvedAt,
    outcome: c.outcome,
    result: c.result,
    preserved_until: c.preservedUntil,
    freeze_until: c.freezeUntil,
    held_at: c.heldAt,
    hold_reason: c.holdReason,
    erased_at: c.erasedAt,
    closed_at: c.closedAt,
    waiting_since: c.waitingSince,
    agency_wait_seconds: c.agencyWaitSeconds,
    escalation_level: c.escalationLevel,
    last_activity_at: c.lastActivityAt,
    event_count: c.eventCount,
    head_hash: c.headHash,
    updated_at: now,
  };
}
