import type { Block } from "../../model/message.js";
import type { ThreadRow } from "../../db/rows.js";
import { channelVerdict, recipientVerdict } from "../audience.js";
import type { MemberView } from "../members.js";
import { directMessages, type Outgoing } from "../outbox.js";
import { caseCard } from "./card.js";
import type { Binding, CaseEnv } from "./context.js";
import { audienceOf, type CaseRecord } from "./model.js";

/**
 * Where a case's messages go: the audience rule (audience.ts) applied when a message is
 * addressed. Channels carry a case only as its TLP allows; TLP:RED goes to each named person
 * by direct message instead. Messages are added to the change, in order; the outbox applies
 * the rule once more when it delivers them.
 */

export type { CaseEnv } from "./context.js";

/** Channels allowed to carry this case now. */
export function channelsFor(env: CaseEnv, c: CaseRecord): Binding[] {
  if (c.tlp === "red") return [];
  const audience = audienceOf(c);
  return env.context
    .bindings()
    .filter((b) => b.orgs.some((o) => o.id === c.agency.id) && b.orgs.some((o) => o.id === c.exchange.id))
    .filter((b) => channelVerdict(audience, b.orgs.map((o) => o.id), b.channelName).ok);
}

/** The people of a case a direct message may name, by id: whoever is on it. */
function peopleOn(c: CaseRecord): Map<number, MemberView> {
  const people = new Map<number, MemberView>([[c.openedBy.id, c.openedBy]]);
  for (const p of c.participants) people.set(p.member.id, p.member);
  if (c.assignee) people.set(c.assignee.id, c.assignee);
  if (c.pendingHandoff?.toMember) people.set(c.pendingHandoff.toMember.id, c.pendingHandoff.toMember);
  return people;
}

/** The fields every message in a thread shares. */
function inThread(c: CaseRecord, t: ThreadRow) {
  return {
    platform: t.platform as Outgoing["platform"],
    channelId: t.channelId,
    caseThreadId: t.id,
    caseId: c.id,
    audience: "case" as const,
    ...(t.memberId !== null ? { memberId: t.memberId } : {}),
    orderKey: "",
  };
}

/** `case:<ref>:e<seq>:<what>:<platform>:<channel>`: the idempotency key of a thread's message. */
/** `seq`: the event a message belongs to; a string names what else caused it (`impact@<ms>`). */
const threadKey = (c: CaseRecord, seq: number | string, what: string, t: Pick<ThreadRow, "platform" | "channelId">) =>
  `case:${c.ref}:${typeof seq === "number" ? `e${seq}` : seq}:${what}:${t.platform}:${t.channelId}`;

/**
 * Makes sure every place the case should be has a card: channel threads for the channels
 * that may carry it, DM threads for the named people of a RED case. New places — and places
 * that qualify again after they were retired — get the card now.
 */
export function ensureThreads(env: CaseEnv, c: CaseRecord, seq: number): void {
  const { now, services, change } = env;
  const wanted: { platform: string; channelId: string; bindingId: number | null; memberId: number | null; direct: boolean }[] = [];
  for (const b of channelsFor(env, c)) {
    wanted.push({ platform: b.platform, channelId: b.channelId, bindingId: b.id, memberId: null, direct: false });
  }
  if (c.tlp === "red") {
    const audience = audienceOf(c);
    for (const m of peopleOn(c).values()) {
      if (!recipientVerdict(audience, m, now).ok) continue;
      for (const a of m.accounts.filter((x) => services.platforms.includes(x.platform))) {
        wanted.push({ platform: a.platform, channelId: a.externalId, bindingId: null, memberId: m.id, direct: true });
      }
    }
  }
  const rows: Outgoing[] = [];
  for (const w of wanted) {
    let thread = c.threads.find((e) => e.platform === w.platform && e.channelId === w.channelId);
    if (thread?.active) continue;
    if (thread) {
      // Back after it was retired: a fresh card, and its own thread from there on.
      Object.assign(thread, { active: true, bindingId: w.bindingId, memberId: w.memberId, cardMessageId: null, threadId: null });
      change.threadState(c, { id: thread.id, active: true, bindingId: w.bindingId, memberId: w.memberId, cardMessageId: null, threadId: null });
    } else {
      const id = change.thread(c, { platform: w.platform, channelId: w.channelId, bindingId: w.bindingId, memberId: w.memberId });
      thread = { id, platform: w.platform as ThreadRow["platform"], channelId: w.channelId, bindingId: w.bindingId, memberId: w.memberId, active: true, cardMessageId: null, threadId: null };
      c.threads.push(thread);
    }
    rows.push({
      ...inThread(c, thread),
      key: threadKey(c, seq, "card", thread),
      kind: "card",
      payload: { card: caseCard(c, w.direct ? "direct" : "channel", services.policy, now), ref: c.ref },
    });
  }
  change.outbox(rows);
}

/** Posts in the case's threads and/or refreshes its cards, for one timeline event. */
export function notifyThreads(env: CaseEnv, c: CaseRecord, seq: number | string, what: { post?: Block[]; updateCard?: boolean }): void {
  const { now, services, change } = env;
  const audience = audienceOf(c);
  const people = peopleOn(c);
  const rows: Outgoing[] = [];
  for (const t of c.threads) {
    if (!t.active) continue;
    if (t.memberId !== null) {
      // A RED case's DM thread: only while its person may still see the case.
      const person = people.get(t.memberId);
      if (!person || !recipientVerdict(audience, person, now).ok) continue;
    }
    if (what.post) rows.push({ ...inThread(c, t), key: threadKey(c, seq, "post", t), kind: "thread", payload: { blocks: what.post, ref: c.ref } });
    if (what.updateCard) {
      const card = caseCard(c, t.memberId ? "direct" : "channel", services.policy, now);
      rows.push({ ...inThread(c, t), key: threadKey(c, seq, "update", t), kind: "card_update", payload: { card, ref: c.ref } });
    }
  }
  change.outbox(rows);
}

/** Direct messages about a case to each person who may receive them, on every platform this deployment serves. */
export function notifyPeople(env: CaseEnv, c: CaseRecord, seq: number, people: MemberView[], blocks: Block[], tag = "dm"): void {
  const audience = audienceOf(c);
  env.change.outbox(
    people
      .filter((m) => recipientVerdict(audience, m, env.now).ok)
      .flatMap((m) => directMessages(m, env.services.platforms, `case:${c.ref}:e${seq}:${tag}:${m.id}`, { blocks, ref: c.ref }, { caseId: c.id })),
  );
}

/**
 * Stops following the case where it may no longer go: channel threads whose channel may no
 * longer carry it, DM threads of people who may no longer see it (a move, a TLP change).
 * Channels that are let go get `notice` (no case content) when one is given.
 */
export function retireThreads(env: CaseEnv, c: CaseRecord, seq: number, notice?: Block[]): number {
  const active = c.threads.filter((t) => t.active);
  if (active.length === 0) return 0;
  const keep = new Set(channelsFor(env, c).map((b) => b.id));
  const audience = audienceOf(c);
  const people = peopleOn(c);
  const leaving = active.filter((t) => {
    if (t.memberId !== null) {
      const person = people.get(t.memberId);
      return c.tlp !== "red" || !person || !recipientVerdict(audience, person, env.now).ok;
    }
    return t.bindingId === null || !keep.has(t.bindingId);
  });
  if (notice) {
    env.change.outbox(
      leaving
        .filter((t) => t.memberId === null)
        .map((t) => ({ ...inThread(c, t), key: threadKey(c, seq, "retire", t), kind: "thread" as const, audience: "notice" as const, payload: { blocks: notice, ref: c.ref } })),
    );
  }
  for (const t of leaving) {
    t.active = false;
    env.change.threadState(c, { id: t.id, active: false, bindingId: t.bindingId, memberId: t.memberId, cardMessageId: t.cardMessageId, threadId: t.threadId });
  }
  return leaving.length;
}
