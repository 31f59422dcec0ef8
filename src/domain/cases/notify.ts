import type { Services } from "../../core/command.js";
import type { Block } from "../../model/message.js";
import type { Tx } from "../../db/database.js";
import { channelVerdict, recipientVerdict } from "../audience.js";
import { bindingInclude, toBinding, type Binding } from "../bindings.js";
import type { MemberView } from "../members.js";
import { directMessages, enqueue, type Outgoing } from "../outbox.js";
import { caseCard } from "./card.js";
import { audienceOf, type CaseRecord } from "./model.js";

/**
 * Where a case's messages go: the audience rule (audience.ts) applied when a message is
 * addressed. Channels carry a case only as its TLP allows; TLP:RED goes to each named
 * person by direct message instead. Every message is an outbox row written in the caller's
 * transaction, and the outbox applies the rule once more when it delivers.
 */

export interface CaseEnv {
  tx: Tx;
  now: Date;
  services: Services;
  /** Reads that cannot change within this transaction, shared by the timers fired in it. */
  memo?: Map<string, unknown>;
  /**
   * Cases already locked and loaded in this transaction (timers fired together). The code
   * that changes a case keeps its record current, so later timers read what earlier ones wrote.
   */
  cases?: Map<number, CaseRecord>;
}

/** Channels allowed to carry this case now. */
export async function channelsFor(tx: Tx, c: CaseRecord): Promise<Binding[]> {
  if (c.tlp === "red") return [];
  const rows = await tx.binding.findMany({
    where: { AND: [{ orgs: { some: { orgId: c.agency.id } } }, { orgs: { some: { orgId: c.exchange.id } } }] },
    include: bindingInclude,
    orderBy: { id: "asc" },
  });
  const audience = audienceOf(c);
  return rows.map(toBinding).filter((b) => channelVerdict(audience, b.orgs.map((o) => o.id), b.channelName).ok);
}

const threadKey = (threadId: number) => `thread:${threadId}`;

/** The people of a case a direct message may name, by id: whoever is on it. */
function peopleOn(c: CaseRecord): Map<number, MemberView> {
  const people = new Map<number, MemberView>([[c.openedBy.id, c.openedBy]]);
  for (const p of c.participants) people.set(p.member.id, p.member);
  if (c.assignee) people.set(c.assignee.id, c.assignee);
  if (c.pendingHandoff?.toMember) people.set(c.pendingHandoff.toMember.id, c.pendingHandoff.toMember);
  return people;
}

/**
 * Makes sure every place the case should be has a card: channel threads for the channels
 * that may carry it, DM threads for the named people of a RED case. New places — and
 * places that qualify again after they were retired — get the card now.
 */
export async function ensureThreads(env: CaseEnv, c: CaseRecord, seq: number): Promise<void> {
  const { tx, now, services } = env;
  const wanted: { platform: string; channelId: string; bindingId: number | null; memberId: number | null; direct: boolean }[] = [];
  for (const b of await channelsFor(tx, c)) {
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
  const existing = await tx.caseThread.findMany({ where: { caseId: c.id } });
  const rows: Outgoing[] = [];
  for (const w of wanted) {
    const known = existing.find((e) => e.platform === w.platform && e.channelId === w.channelId);
    if (known?.active) continue;
    const thread = known
      ? await tx.caseThread.update({
          where: { id: known.id },
          data: { active: true, bindingId: w.bindingId, memberId: w.memberId, cardMessageId: null, threadId: null },
        })
      : await tx.caseThread.create({
          data: { caseId: c.id, platform: w.platform, channelId: w.channelId, bindingId: w.bindingId, memberId: w.memberId, createdAt: now },
        });
    rows.push({
      key: `case:${c.id}:e${seq}:card:${thread.id}`,
      platform: w.platform as Outgoing["platform"],
      kind: "card",
      channelId: w.channelId,
      caseThreadId: thread.id,
      caseId: c.id,
      audience: "case",
      ...(w.memberId !== null ? { memberId: w.memberId } : {}),
      orderKey: threadKey(thread.id),
      payload: { card: caseCard(c, w.direct ? "direct" : "channel", services.policy, now), ref: c.ref },
    });
  }
  await enqueue(tx, now, rows);
}

/** Posts in the case's threads and/or refreshes its cards, for one timeline event. */
export async function notifyThreads(env: CaseEnv, c: CaseRecord, seq: number, what: { post?: Block[]; updateCard?: boolean }): Promise<void> {
  const { tx, now, services } = env;
  const threads = await tx.caseThread.findMany({ where: { caseId: c.id, active: true }, orderBy: { id: "asc" } });
  const audience = audienceOf(c);
  const people = peopleOn(c);
  const rows: Outgoing[] = [];
  for (const t of threads) {
    if (t.memberId !== null) {
      // A RED case's DM thread: only while its person may still see the case.
      const person = people.get(t.memberId);
      if (!person || !recipientVerdict(audience, person, now).ok) continue;
    }
    const base = {
      platform: t.platform as Outgoing["platform"],
      channelId: t.channelId,
      caseThreadId: t.id,
      caseId: c.id,
      audience: "case" as const,
      ...(t.memberId !== null ? { memberId: t.memberId } : {}),
      orderKey: threadKey(t.id),
    };
    if (what.post) {
      rows.push({ ...base, key: `case:${c.id}:e${seq}:post:${t.id}`, kind: "thread", payload: { blocks: what.post, ref: c.ref } });
    }
    if (what.updateCard) {
      const card = caseCard(c, t.memberId ? "direct" : "channel", services.policy, now);
      rows.push({ ...base, key: `case:${c.id}:e${seq}:update:${t.id}`, kind: "card_update", payload: { card, ref: c.ref } });
    }
  }
  await enqueue(tx, now, rows);
}

/** Direct messages about a case to each person who may receive them, on every platform this deployment serves. */
export async function notifyPeople(env: CaseEnv, c: CaseRecord, seq: number, people: MemberView[], blocks: Block[], tag = "dm"): Promise<void> {
  const audience = audienceOf(c);
  const rows = people
    .filter((m) => recipientVerdict(audience, m, env.now).ok)
    .flatMap((m) => directMessages(m, env.services.platforms, `case:${c.id}:e${seq}:${tag}:${m.id}`, { blocks, ref: c.ref }, { caseId: c.id }));
  await enqueue(env.tx, env.now, rows);
}

/**
 * Stops following the case where it may no longer go: channel threads whose channel may no
 * longer carry it, DM threads of people who may no longer see it (a move, a TLP change).
 * Channels that are let go get `notice` (no case content) when one is given.
 */
export async function retireThreads(env: CaseEnv, c: CaseRecord, seq: number, notice?: Block[]): Promise<number> {
  const threads = await env.tx.caseThread.findMany({ where: { caseId: c.id, active: true } });
  if (threads.length === 0) return 0;
  const keep = new Set((await channelsFor(env.tx, c)).map((b) => b.id));
  const audience = audienceOf(c);
  const people = peopleOn(c);
  const leaving = threads.filter((t) => {
    if (t.memberId !== null) {
      const person = people.get(t.memberId);
      return c.tlp !== "red" || !person || !recipientVerdict(audience, person, env.now).ok;
    }
    return t.bindingId === null || !keep.has(t.bindingId);
  });
  if (leaving.length === 0) return 0;
  if (notice) {
    await enqueue(
      env.tx,
      env.now,
      leaving
        .filter((t) => t.memberId === null)
        .map((t) => ({
          key: `case:${c.id}:e${seq}:retire:${t.id}`,
          platform: t.platform as Outgoing["platform"],
          kind: "thread" as const,
          channelId: t.channelId,
          caseThreadId: t.id,
          caseId: c.id,
          audience: "notice" as const,
          orderKey: threadKey(t.id),
          payload: { blocks: notice, ref: c.ref },
        })),
    );
  }
  await env.tx.caseThread.updateMany({ where: { id: { in: leaving.map((t) => t.id) } }, data: { active: false } });
  return leaving.length;
}
