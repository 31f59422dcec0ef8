import type { Services } from "../../core/command.js";
import type { Block } from "../../model/message.js";
import type { Tx } from "../../db/database.js";
import { bindingInclude, toBinding, type Binding } from "../bindings.js";
import type { MemberView } from "../members.js";
import { directMessages, enqueue, type Outgoing } from "../outbox.js";
import { caseCard } from "./card.js";
import type { CaseRecord } from "./model.js";

/**
 * Where a case's messages go (SPEC §6). TLP:AMBER cards go to channels bound to exactly
 * the case's two organisations; GREEN and CLEAR to any channel bound to both; RED never to
 * a channel — each named person gets the card in a direct message instead. Every message
 * is an outbox row written in the caller's transaction.
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

/** Channels allowed to carry this case. */
export async function channelsFor(tx: Tx, c: CaseRecord): Promise<Binding[]> {
  if (c.tlp === "red") return [];
  const rows = await tx.binding.findMany({
    where: { AND: [{ orgs: { some: { orgId: c.agency.id } } }, { orgs: { some: { orgId: c.exchange.id } } }] },
    include: bindingInclude,
    orderBy: { id: "asc" },
  });
  const bindings = rows.map(toBinding);
  if (c.tlp !== "amber") return bindings;
  const parties = new Set([c.agency.id, c.exchange.id]);
  return bindings.filter((b) => b.orgs.every((o) => parties.has(o.id)));
}

const threadKey = (threadId: number) => `thread:${threadId}`;

/**
 * Makes sure every place the case should be has a card: channel threads for bound
 * channels, DM threads for the named people of a RED case. New places get the card now.
 */
export async function ensureThreads(env: CaseEnv, c: CaseRecord, seq: number): Promise<void> {
  const { tx, now, services } = env;
  const wanted: { platform: string; channelId: string; bindingId: number | null; memberId: number | null; direct: boolean }[] = [];
  for (const b of await channelsFor(tx, c)) {
    wanted.push({ platform: b.platform, channelId: b.channelId, bindingId: b.id, memberId: null, direct: false });
  }
  if (c.tlp === "red") {
    const named = new Map<number, MemberView>();
    for (const p of c.participants) named.set(p.member.id, p.member);
    if (c.assignee) named.set(c.assignee.id, c.assignee);
    for (const m of named.values()) {
      for (const a of m.accounts.filter((x) => services.platforms.includes(x.platform))) {
        wanted.push({ platform: a.platform, channelId: a.externalId, bindingId: null, memberId: m.id, direct: true });
      }
    }
  }
  const existing = await tx.caseThread.findMany({ where: { caseId: c.id } });
  const rows: Outgoing[] = [];
  for (const w of wanted) {
    if (existing.some((e) => e.platform === w.platform && e.channelId === w.channelId)) continue;
    const thread = await tx.caseThread.create({
      data: { caseId: c.id, platform: w.platform, channelId: w.channelId, bindingId: w.bindingId, memberId: w.memberId, createdAt: now },
    });
    rows.push({
      key: `case:${c.id}:e${seq}:card:${thread.id}`,
      platform: w.platform as Outgoing["platform"],
      kind: "card",
      channelId: w.channelId,
      caseThreadId: thread.id,
      caseId: c.id,
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
  const rows: Outgoing[] = [];
  for (const t of threads) {
    const base = { platform: t.platform as Outgoing["platform"], channelId: t.channelId, caseThreadId: t.id, caseId: c.id, orderKey: threadKey(t.id) };
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

/** Direct messages about a case to each person, on every platform this deployment serves. */
export async function notifyPeople(env: CaseEnv, c: CaseRecord, seq: number, people: MemberView[], blocks: Block[], tag = "dm"): Promise<void> {
  const rows = people.flatMap((m) =>
    directMessages(m, env.services.platforms, `case:${c.id}:e${seq}:${tag}:${m.id}`, { blocks, ref: c.ref }, c.id),
  );
  await enqueue(env.tx, env.now, rows);
}

/** Stops posting to places that may no longer see the case (its exchange changed). */
export async function retireThreads(env: CaseEnv, c: CaseRecord, seq: number, keep: Binding[], notice: Block[]): Promise<void> {
  const threads = await env.tx.caseThread.findMany({ where: { caseId: c.id, active: true, bindingId: { not: null } } });
  const leaving = threads.filter((t) => !keep.some((b) => b.id === t.bindingId));
  const rows: Outgoing[] = leaving.map((t) => ({
    key: `case:${c.id}:e${seq}:retire:${t.id}`,
    platform: t.platform as Outgoing["platform"],
    kind: "thread",
    channelId: t.channelId,
    caseThreadId: t.id,
    caseId: c.id,
    orderKey: threadKey(t.id),
    payload: { blocks: notice, ref: c.ref },
  }));
  await enqueue(env.tx, env.now, rows);
  if (leaving.length > 0) await env.tx.caseThread.updateMany({ where: { id: { in: leaving.map((t) => t.id) } }, data: { active: false } });
}
