import type { Database } from "../../src/db/database.js";
import { DAY, HOUR, MINUTE } from "../helpers/clock.js";
import { Harness, SEED, type Provider } from "../helpers/harness.js";

/**
 * One long, deterministic story through every kind of case change — commands and timers —
 * on an injected clock. What it leaves behind (each case's timeline with its hashes, every
 * outbox message's kind, destination and payload, in order) is the record that the data
 * path must keep producing exactly, whatever changes underneath.
 */

const BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
const EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

/** Each step: console lines, or a clock move that fires what falls due on the way. */
export const STORY: (string | { advance: number })[] = [
  SEED,
  "root: /ppp oncall EXB @eve",
  // 1 — a critical freeze nobody acknowledges: reminders, level 2, level 3.
  `alice@hk-exa: /case open title:"Ransom <!here> wallet" exchange:EXA severity:critical type:freeze subjects:${BTC},${EVM} amounts:"12.5 BTC = 1100000 USD, 30000 USDT" reference:CSTCB/118 deadline:48h summary:"Victim paid on 2026-11-20"`,
  { advance: 31 * MINUTE },
  "lee: /case ack HKPF-CSTCB-2026-0001",
  "lee: /case take HKPF-CSTCB-2026-0001",
  "lee: /case note HKPF-CSTCB-2026-0001 KYC found; need a court order waiting:agency",
  { advance: 2 * HOUR },
  "alice: /case note HKPF-CSTCB-2026-0001 Order attached",
  "lee: /case handoff HKPF-CSTCB-2026-0001 to:@dave note:\"end of shift\"",
  "dave: /case accept HKPF-CSTCB-2026-0001",
  "dave: /case resolve HKPF-CSTCB-2026-0001 outcome:\"funds frozen\" frozen:\"12.5 BTC\"",
  "alice: /case reopen HKPF-CSTCB-2026-0001 reason:\"more wallets\"",
  { advance: 20 * MINUTE },
  "bob: /case ack HKPF-CSTCB-2026-0001",
  "alice: /case close HKPF-CSTCB-2026-0001",
  // 2 — a RED case: DMs to named people only, a TLP change, an unaccepted handoff.
  `alice: /case open title:"Insider" exchange:EXA severity:high type:disclosure tlp:red subjects:${EVM}`,
  "bob: /case ack HKPF-CSTCB-2026-0002",
  "bob: /case escalate HKPF-CSTCB-2026-0002 reason:\"needs a lead\"",
  "bob: /case handoff HKPF-CSTCB-2026-0002 to:@dave note:\"please take\"",
  { advance: 2 * HOUR + MINUTE },
  "alice: /case tlp HKPF-CSTCB-2026-0002 amber reason:\"cleared\"",
  // 3 — an emergency, confirmed; a move to another exchange with the agency's consent.
  'alice@hk-exa: /case open title:"Threat to life" exchange:EXA severity:critical type:emergency',
  "carol: /case confirm HKPF-CSTCB-2026-0003",
  "bob: /case handoff HKPF-CSTCB-2026-0003 to:EXB note:\"their customer\"",
  "eve: /case accept HKPF-CSTCB-2026-0003",
  "alice: /case accept HKPF-CSTCB-2026-0003",
  // 4 — deconfliction, a stale nudge, a digest.
  `sam: /case open title:"Same funds" exchange:EXA severity:low type:intel subjects:${BTC}`,
  "bob: /case ack SGPF-2026-0001",
  { advance: 8 * DAY },
  "root@hk-exa: /ppp digest now",
];

export interface Recorded {
  events: { ref: string; seq: number; at: string; actor: number | null; type: string; data: unknown; prevHash: string; hash: string }[];
  outbox: { kind: string; platform: string; channel: string; audience: string; case: string | null; payload: unknown; state: string }[];
}

/** Runs the story on a fresh database of the given kind and returns what it left. */
export async function runStory(provider: Provider): Promise<Recorded> {
  const h = await Harness.open(provider);
  try {
    for (const step of STORY) {
      if (typeof step === "string") {
        const out = await h.say(step);
        const error = out.find((l) => / error: /.test(l));
        if (error) throw new Error(`the story broke at ${step.split("\n")[0]}: ${error}`);
      } else {
        await h.advance(step.advance, MINUTE);
      }
    }
    return await record(h.db);
  } finally {
    await h.close();
  }
}

async function record(db: Database): Promise<Recorded> {
  const cases = new Map((await db.client.case.findMany({ select: { id: true, ref: true } })).map((c) => [c.id, c.ref]));
  const events = await db.client.caseEvent.findMany({ orderBy: [{ caseId: "asc" }, { seq: "asc" }] });
  // In the order a recipient sees them: per destination, by id.
  const outbox = await db.client.outbox.findMany({ orderBy: { id: "asc" } });
  return {
    events: events.map((e) => ({
      ref: cases.get(e.caseId)!,
      seq: e.seq,
      at: e.at.toISOString(),
      actor: e.actorId,
      type: e.type,
      data: JSON.parse(e.data) as unknown,
      prevHash: e.prevHash,
      hash: e.hash,
    })),
    outbox: outbox.map((o) => ({
      kind: o.kind,
      platform: o.platform,
      channel: o.channelId,
      audience: o.audience,
      case: o.caseId === null ? null : (cases.get(o.caseId) ?? null),
      payload: JSON.parse(o.payload) as unknown,
      state: o.state,
    })),
  };
}
