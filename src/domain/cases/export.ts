import type { Tx } from "../../db/database.js";
import { buildPack, type Signer } from "../evidence.js";
import { GENESIS_HASH, verifyChain, type Verification } from "../timeline.js";
import { formatAmounts, formatTime, statusLabel, whoseMoveLabel, whoseMoveOf } from "./card.js";
import type { CaseRecord } from "./model.js";
import { describeEvent, nameMap, timeline, timelineFor } from "./queries.js";

/**
 * `/case export`: the timeline as JSON and Markdown, with every event's hash and its
 * predecessor's, so a third party can recompute the chain (ACPO principle 3).
 */

export interface CaseExport {
  json: string;
  markdown: string;
  verification: Verification;
}

const mdEscape = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/([*_`[\]<>#])/g, "\\$1");

/** The evidence pack of a case (docs/contract.md §10): its export and documents, signed. */
export async function evidencePack(tx: Tx, c: CaseRecord, out: CaseExport, exportedBy: string, now: Date, signer: Signer): Promise<{ zip: Uint8Array; filename: string; documents: number }> {
  const docs = await tx.caseDocument.findMany({ where: { caseId: c.id }, orderBy: { position: "asc" }, include: { blob: true } });
  const files = [
    { path: "timeline.json", content: new TextEncoder().encode(out.json) },
    { path: "timeline.md", content: new TextEncoder().encode(out.markdown) },
    ...docs.map((d) => ({ path: `documents/${d.position}-${d.filename}`, content: new Uint8Array(d.blob.content) })),
  ];
  const zip = buildPack({ ref: c.ref, chain: { events: c.eventCount, head: c.headHash }, exportedAt: now, exportedBy, files, signer });
  return { zip, filename: `${c.ref}-evidence.zip`, documents: docs.length };
}

export async function exportCase(tx: Tx, c: CaseRecord, exportedBy: string, now: Date, side = "coordinator"): Promise<CaseExport> {
  const entries = timelineFor(await timeline(tx, c), side);
  const names = await nameMap(tx, entries);
  const verification = await verifyChain(tx, c);
  const document = {
    format: "liaison-case-export/1",
    exportedAt: now.toISOString(),
    exportedBy,
    tlp: c.tlp.toUpperCase(),
    hashAlgorithm: "SHA-256 over canonical JSON {v,ref,seq,at,actor,type,data,prev}; first prev is 64 zeros",
    verification,
    case: {
      ref: c.ref,
      title: c.title,
      summary: c.summary,
      agency: c.agency.code,
      exchange: c.exchange.code,
      severity: c.severity,
      type: c.type,
      status: c.status,
      whoseMove: whoseMoveOf(c),
      openedBy: c.openedBy.name,
      assignee: c.assignee?.name ?? null,
      externalRef: c.externalRef,
      deadline: c.deadline?.toISOString() ?? null,
      createdAt: c.createdAt.toISOString(),
      pagedAt: c.pagedAt?.toISOString() ?? null,
      acknowledgedAt: c.ackAt?.toISOString() ?? null,
      resolvedAt: c.resolvedAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      outcome: c.outcome,
      subjects: c.subjects.map((s) => ({ kind: s.kind, chain: s.chain, value: s.display })),
      amounts: c.amounts,
    },
    events: entries.map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      actor: e.actor,
      type: e.type,
      data: e.data,
      prevHash: e.prevHash,
      hash: e.hash,
      ...(e.withheld ? { withheld: true } : {}),
      ...(e.erased ? { erased: true } : {}),
    })),
  };

  const md: string[] = [
    `# ${c.ref} — ${mdEscape(c.title)}`,
    "",
    `**TLP:${c.tlp.toUpperCase()}** · exported ${formatTime(now)} by ${mdEscape(exportedBy)}`,
    "",
    `- Parties: ${c.agency.code} → ${c.exchange.code}`,
    `- Severity / type: ${c.severity} / ${c.type}`,
    `- Status: ${statusLabel(c)}`,
    `- Whose move: ${whoseMoveLabel(c)}`,
    `- Opened by: ${mdEscape(c.openedBy.name)} at ${formatTime(c.createdAt)}`,
    ...(c.summary ? [`- Summary: ${mdEscape(c.summary)}`] : []),
    ...(c.externalRef ? [`- Agency reference: ${mdEscape(c.externalRef)}`] : []),
    ...(c.subjects.length > 0 ? [`- Subjects: ${c.subjects.map((s) => `\`${s.display}\` (${s.chain} ${s.kind})`).join(", ")}`] : []),
    ...(c.amounts.length > 0 ? [`- Amounts: ${mdEscape(formatAmounts(c.amounts))}`] : []),
    ...(c.outcome ? [`- Outcome: ${mdEscape(c.outcome)}`] : []),
    "",
    `## Timeline (${entries.length} events, chain ${verification.intact ? "intact" : `BROKEN at event #${verification.seq}`})`,
    "",
    "| # | time (UTC) | who | what | previous hash | hash |",
    "|---|---|---|---|---|---|",
    ...entries.map(
      (e) =>
        `| ${e.seq} | ${e.at.toISOString()} | ${mdEscape(e.actor?.name ?? "Liaison")} | ${mdEscape(describeEvent(e, names))} | \`${e.prevHash === GENESIS_HASH ? "0…0" : e.prevHash}\` | \`${e.hash}\` |`,
    ),
    "",
  ];
  return { json: JSON.stringify(document, null, 2) + "\n", markdown: md.join("\n"), verification };
}
