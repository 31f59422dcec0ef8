import type { Tx } from "../../db/database.js";
import { para, rich } from "../../model/message.js";
import { channelVerdict } from "../audience.js";
import { enqueue } from "../outbox.js";
import { audienceOf, loadCases } from "./model.js";

/**
 * When a channel's binding changes, the case threads it carries follow: unbinding retires
 * them all; binding it to other organisations retires those whose case it may no longer
 * carry (TLP:AMBER in a channel of more than the two parties, a party no longer bound),
 * each with a farewell that names only the reference.
 */
export async function followBinding(tx: Tx, now: Date, bindingId: number, channelName: string, orgIds: number[] | null): Promise<number> {
  const threads = await tx.caseThread.findMany({ where: { bindingId, active: true }, orderBy: { id: "asc" } });
  if (threads.length === 0) return 0;
  let leaving = threads;
  if (orgIds !== null) {
    const cases = new Map((await loadCases(tx, [...new Set(threads.map((t) => t.caseId))])).map((c) => [c.id, c]));
    leaving = threads.filter((t) => {
      const c = cases.get(t.caseId);
      return !c || !channelVerdict(audienceOf(c), orgIds, channelName).ok;
    });
    const refs = new Map([...cases.values()].map((c) => [c.id, c.ref]));
    await enqueue(
      tx,
      now,
      leaving.map((t) => ({
        key: `binding:${bindingId}:${now.getTime()}:retire:${t.id}`,
        platform: t.platform as "console",
        kind: "thread" as const,
        channelId: t.channelId,
        caseThreadId: t.id,
        caseId: t.caseId,
        audience: "notice" as const,
        orderKey: `thread:${t.id}`,
        payload: { blocks: [para(rich`This channel's organisations changed, so ${refs.get(t.caseId) ?? "this case"} is no longer followed here.`)], ref: refs.get(t.caseId) },
      })),
    );
  }
  if (leaving.length > 0) await tx.caseThread.updateMany({ where: { id: { in: leaving.map((t) => t.id) } }, data: { active: false } });
  return leaving.length;
}
