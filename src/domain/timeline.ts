import { createHash } from "node:crypto";
import type { Tx } from "../db/database.js";

/**
 * The case timeline (docs/contract.md §2, §6): append-only events, each storing the SHA-256 of its
 * canonical content together with its predecessor's hash. Changing, removing or
 * re-ordering any stored event breaks the chain at that event, and `verifyChain` says
 * which one.
 */

export const GENESIS_HASH = "0".repeat(64);

/** JSON with sorted keys and no insignificant whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("non-finite number in an event");
    return JSON.stringify(value ?? null);
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export interface EventContent {
  ref: string;
  seq: number;
  at: Date;
  actorId: number | null;
  type: string;
  /** Canonical JSON of the event's data. */
  data: string;
  prevHash: string;
}

/** The hash of an event: SHA-256 over the canonical form of everything it records. */
export function eventHash(e: EventContent): string {
  const canonical = canonicalJson({
    v: 1,
    ref: e.ref,
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actorId,
    type: e.type,
    data: JSON.parse(e.data) as unknown,
    prev: e.prevHash,
  });
  return createHash("sha256").update(canonical).digest("hex");
}

export interface CaseHead {
  id: number;
  ref: string;
  eventCount: number;
  headHash: string;
}

export interface AppendedEvent {
  seq: number;
  hash: string;
  at: Date;
  type: string;
}

/**
 * Appends an event. The caller holds the case row's lock (see `loadCase`), so the head it
 * read is still the head; the unique (case, seq) index is the backstop.
 */
export async function appendEvent(
  tx: Tx,
  head: CaseHead,
  event: { at: Date; actorId: number | null; type: string; data: Record<string, unknown> },
): Promise<AppendedEvent> {
  const seq = head.eventCount + 1;
  const data = canonicalJson(event.data);
  const hash = eventHash({ ref: head.ref, seq, at: event.at, actorId: event.actorId, type: event.type, data, prevHash: head.headHash });
  await tx.caseEvent.create({
    data: { caseId: head.id, seq, at: event.at, actorId: event.actorId, type: event.type, data, prevHash: head.headHash, hash },
  });
  await tx.case.update({ where: { id: head.id }, data: { eventCount: seq, headHash: hash } });
  head.eventCount = seq;
  head.headHash = hash;
  return { seq, hash, at: event.at, type: event.type };
}

export type Verification =
  | { intact: true; events: number; headHash: string; erased?: { events: number; at: Date } }
  | { intact: false; events: number; seq: number; problem: string };

/** Recomputes the chain from the stored events and compares it with the case's head. */
export async function verifyChain(tx: Tx, head: CaseHead): Promise<Verification> {
  const events = await tx.caseEvent.findMany({ where: { caseId: head.id }, orderBy: { seq: "asc" } });
  // Events erased by retention are taken on their link only if the case was erased then, and
  // they come before the erasure's own event (which keeps its content and is checked in full).
  const caseErasedAt = (await tx.case.findUnique({ where: { id: head.id }, select: { erasedAt: true } }))?.erasedAt ?? null;
  const erasure = [...events].reverse().find((e) => e.type === "erased" && !e.erasedAt);
  let prev = GENESIS_HASH;
  let erased: { events: number; at: Date } | undefined;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) {
      return { intact: false, events: events.length, seq: expectedSeq, problem: `event #${expectedSeq} is missing` };
    }
    if (e.prevHash !== prev) {
      return { intact: false, events: events.length, seq: e.seq, problem: `event #${e.seq} (${e.type}) does not follow event #${e.seq - 1}: its previous-hash differs` };
    }
    // Erased by retention: the data is gone, the hash and the link stay (and are checked).
    if (e.erasedAt) {
      const genuine = caseErasedAt && e.erasedAt.getTime() === caseErasedAt.getTime() && e.data === "{}" && erasure && e.seq < erasure.seq;
      if (!genuine) return { intact: false, events: events.length, seq: e.seq, problem: `event #${e.seq} (${e.type}) is marked erased, but the case's erasure does not account for it: it was changed after it was written` };
      erased = { events: (erased?.events ?? 0) + 1, at: e.erasedAt };
      prev = e.hash;
      continue;
    }
    let recomputed: string;
    try {
      recomputed = eventHash({ ref: head.ref, seq: e.seq, at: e.at, actorId: e.actorId, type: e.type, data: e.data, prevHash: e.prevHash });
    } catch {
      recomputed = "";
    }
    if (recomputed !== e.hash) {
      return { intact: false, events: events.length, seq: e.seq, problem: `event #${e.seq} (${e.type}, ${e.at.toISOString()}) does not match its hash: it was changed after it was written` };
    }
    prev = e.hash;
  }
  if (events.length !== head.eventCount || prev !== head.headHash) {
    const seq = Math.min(events.length, head.eventCount) + 1;
    return { intact: false, events: events.length, seq, problem: `the timeline ends at event #${events.length} but the case records ${head.eventCount} events: events were removed` };
  }
  return { intact: true, events: events.length, headHash: prev, ...(erased ? { erased } : {}) };
}
