import type { Tx } from "../db/database.js";
import type { OutboxPayload } from "../model/delivery.js";
import { channelVerdict, coordinatorVerdict, recipientVerdict, selfVerdict, type Verdict } from "./audience.js";
import { audienceOf, loadCases, type CaseRecord } from "./cases/model.js";
import { memberInclude, toMemberView, type MemberView } from "./members.js";

/**
 * The audience rule, once more, at delivery: a queued message whose audience no longer
 * qualifies — its person suspended or expired or off the case's organisations, its channel
 * unbound or bound wider, its thread retired, its case now TLP:RED — is withheld. It is
 * never sent; it stays in the outbox with its reason (shown by /ppp outbox), is counted in
 * /metrics, and leaves an audit entry. Whatever changed who may see a case therefore takes
 * effect on the very next message, including those queued before the change.
 */

export interface QueuedMessage {
  id: number;
  kind: string;
  platform: string;
  channelId: string;
  audience: string;
  caseId: number | null;
  memberId: number | null;
  bindingId: number | null;
  caseThreadId: number | null;
  payload: string;
}

interface Loaded {
  cases: Map<number, CaseRecord>;
  members: Map<number, MemberView>;
  threads: Map<number, { active: boolean; memberId: number | null; bindingId: number | null; channelId: string; cardMessageId: string | null }>;
  bindings: Map<number, { orgIds: number[]; name: string }>;
  /** Members by platform account, and bindings by channel, for rows written before audiences were recorded. */
  accounts: Map<string, MemberView>;
  bindingByChannel: Map<string, number>;
}

const accountKeyOf = (platform: string, id: string) => `${platform}:${id}`;

async function load(tx: Tx, rows: QueuedMessage[]): Promise<Loaded> {
  const caseIds = new Set<number>();
  const memberIds = new Set<number>();
  const threadIds = new Set<number>();
  const bindingIds = new Set<number>();
  const legacyAccounts: { platform: string; externalId: string }[] = [];
  for (const r of rows) {
    if (r.caseId !== null) caseIds.add(r.caseId);
    if (r.memberId !== null) memberIds.add(r.memberId);
    if (r.caseThreadId !== null) threadIds.add(r.caseThreadId);
    if (r.bindingId !== null) bindingIds.add(r.bindingId);
    if (r.audience === "channel") for (const id of coversOf(r)?.cases ?? []) caseIds.add(id);
    if (r.audience === "legacy" && r.kind === "dm") legacyAccounts.push({ platform: r.platform, externalId: r.channelId });
  }
  const threads = threadIds.size === 0 ? [] : await tx.caseThread.findMany({ where: { id: { in: [...threadIds] } } });
  for (const t of threads) {
    if (t.memberId !== null) memberIds.add(t.memberId);
    if (t.bindingId !== null) bindingIds.add(t.bindingId);
  }
  const legacyChannels = rows.filter((r) => r.audience === "legacy" && r.kind === "channel");
  const bindingRows = await tx.binding.findMany({
    where: { OR: [{ id: { in: [...bindingIds] } }, ...legacyChannels.map((r) => ({ platform: r.platform, channelId: r.channelId }))] },
    include: { orgs: true },
  });
  const members = memberIds.size === 0 ? [] : await tx.member.findMany({ where: { id: { in: [...memberIds] } }, include: memberInclude });
  const accountRows =
    legacyAccounts.length === 0
      ? []
      : await tx.account.findMany({ where: { OR: legacyAccounts }, include: { member: { include: memberInclude } } });
  return {
    cases: new Map((caseIds.size === 0 ? [] : await loadCases(tx, [...caseIds])).map((c) => [c.id, c])),
    members: new Map(members.map((m) => [m.id, toMemberView(m)])),
    threads: new Map(threads.map((t) => [t.id, t])),
    bindings: new Map(bindingRows.map((b) => [b.id, { orgIds: b.orgs.map((o) => o.orgId), name: b.channelName }])),
    accounts: new Map(accountRows.map((a) => [accountKeyOf(a.platform, a.externalId), toMemberView(a.member)])),
    bindingByChannel: new Map(bindingRows.map((b) => [accountKeyOf(b.platform, b.channelId), b.id])),
  };
}

function coversOf(r: QueuedMessage): OutboxPayload["covers"] {
  try {
    return (JSON.parse(r.payload) as OutboxPayload).covers;
  } catch {
    return undefined;
  }
}

const OK: Verdict = { ok: true, side: null };
const gone = (what: string): Verdict => ({ ok: false, code: "recipient_not_party", reason: what });

function caseVerdict(r: QueuedMessage, l: Loaded, now: Date, memberId: number | null): Verdict {
  const c = r.caseId === null ? undefined : l.cases.get(r.caseId);
  if (!c) return gone("the case no longer exists");
  const audience = audienceOf(c);
  const thread = r.caseThreadId === null ? undefined : l.threads.get(r.caseThreadId);
  if (r.caseThreadId !== null && (!thread || !thread.active)) {
    return { ok: false, code: "thread_retired", reason: `the case thread in ${thread?.channelId ?? "that place"} was retired: ${c.ref} is no longer followed there` };
  }
  const person = memberId ?? thread?.memberId ?? null;
  if (person !== null) {
    const m = l.members.get(person);
    return m ? recipientVerdict(audience, m, now) : gone("the recipient no longer exists");
  }
  if (thread) {
    const binding = thread.bindingId === null ? undefined : l.bindings.get(thread.bindingId);
    return channelVerdict(audience, binding ? binding.orgIds : null, binding?.name ?? thread.channelId);
  }
  return OK;
}

function digestVerdict(r: QueuedMessage, l: Loaded): Verdict {
  const id = r.bindingId ?? l.bindingByChannel.get(accountKeyOf(r.platform, r.channelId)) ?? null;
  const binding = id === null ? undefined : l.bindings.get(id);
  if (!binding) return { ok: false, code: "channel_unbound", reason: `${r.channelId} is no longer a liaison channel` };
  const covers = coversOf(r);
  if (!covers) return OK;
  const now = [...binding.orgIds].sort((a, b) => a - b);
  if (now.length !== covers.orgs.length || now.some((o, i) => o !== covers.orgs[i])) {
    return { ok: false, code: "digest_stale", reason: `${binding.name} is bound to other organisations than when the digest was written; /ppp digest now posts a fresh one` };
  }
  for (const caseId of covers.cases) {
    const c = l.cases.get(caseId);
    if (c && !channelVerdict(audienceOf(c), binding.orgIds, binding.name).ok) {
      return { ok: false, code: "digest_stale", reason: `the digest names ${c.ref}, which ${binding.name} may no longer see; /ppp digest now posts a fresh one` };
    }
  }
  return OK;
}

function verdictFor(r: QueuedMessage, l: Loaded, now: Date): Verdict {
  const member = r.memberId === null ? undefined : l.members.get(r.memberId);
  switch (r.audience) {
    case "notice": {
      // A farewell to a place that never got the case's card would only tell it the case exists.
      const thread = r.caseThreadId === null ? undefined : l.threads.get(r.caseThreadId);
      if (thread && thread.cardMessageId === null) return { ok: false, code: "thread_retired", reason: `the case's card never reached ${thread.channelId}, so there is nobody to tell` };
      // Unbound since: "nothing more will be posted here" holds for farewells too.
      if (thread && thread.bindingId !== null && !l.bindings.has(thread.bindingId)) return { ok: false, code: "channel_unbound", reason: `${thread.channelId} is no longer a liaison channel` };
      return OK;
    }
    case "case":
      return caseVerdict(r, l, now, r.memberId);
    case "coordinators":
      return member ? coordinatorVerdict(member, now) : gone("the recipient no longer exists");
    case "member":
      return member ? selfVerdict(member, now) : gone("the recipient no longer exists");
    case "channel":
      return digestVerdict(r, l);
    default: {
      // Written before audiences were recorded: judged by what the row itself says.
      if (r.kind === "channel") return digestVerdict(r, l);
      if (r.caseId === null && r.kind === "dm") {
        // A notice to a person (a registration to check, their own vetting): only while they are vetted.
        const m = l.accounts.get(accountKeyOf(r.platform, r.channelId));
        return m ? selfVerdict(m, now) : gone("the recipient's account is no longer known");
      }
      if (r.caseId === null) return OK;
      if (r.kind === "dm") {
        const m = l.accounts.get(accountKeyOf(r.platform, r.channelId));
        return m ? caseVerdict(r, l, now, m.id) : gone("the recipient's account is no longer known");
      }
      return caseVerdict(r, l, now, null);
    }
  }
}

/**
 * Decides, just before sending, which of these claimed messages may still go. The others are
 * marked withheld — only while the claim (`token`) is still ours — and audited. Returns their
 * ids with the reason.
 */
export async function withholdUnqualified(tx: Tx, rows: QueuedMessage[], token: string, now: Date): Promise<Map<number, string>> {
  const withheld = new Map<number, string>();
  if (rows.length === 0) return withheld;
  const loaded = await load(tx, rows);
  const audits: { at: Date; actorId: null; account: string; action: string; target: string; detail: string }[] = [];
  for (const r of rows) {
    const verdict = verdictFor(r, loaded, now);
    if (verdict.ok) continue;
    const marked = await tx.outbox.updateMany({
      where: { id: r.id, leaseToken: token },
      data: { state: "withheld", lastError: verdict.reason, leaseOwner: null, leaseToken: null, leaseExpiresAt: null },
    });
    if (marked.count === 0) continue;
    withheld.set(r.id, verdict.reason);
    const ref = r.caseId === null ? null : (loaded.cases.get(r.caseId)?.ref ?? null);
    audits.push({
      at: now,
      actorId: null,
      account: "system:outbox",
      action: "outbox.withheld",
      target: `outbox:${r.id}`,
      detail: JSON.stringify({ code: verdict.code, kind: r.kind, case: ref }),
    });
  }
  if (audits.length > 0) await tx.auditEntry.createMany({ data: audits });
  return withheld;
}
