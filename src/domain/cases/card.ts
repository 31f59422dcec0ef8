import { describeImpact } from "../impact.js";
import { caseImpact } from "./impact.js";
import { joinRich, mention, rich, type Card, type CardAction, type Field, type Rich } from "../../model/message.js";
import { formatAge } from "../durations.js";
import { personRef } from "../members.js";
import type { Policy } from "../policy.js";
import { shortenSubject } from "../subjects.js";
import { awaitingConfirmation, isActive, pagedNow, type CaseRecord } from "./model.js";

/**
 * The one case card (docs/contract.md §2), platform-neutral. In channels subjects are shortened; in
 * direct messages and private replies they are shown whole.
 */

export type Audience = "channel" | "direct";

export const formatTime = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

const STATUS_LABEL: Record<CaseRecord["status"], string> = {
  OPEN: "open",
  ACKNOWLEDGED: "acknowledged",
  IN_PROGRESS: "in progress",
  RESOLVED: "resolved",
  CLOSED: "closed",
  REOPENED: "reopened",
};

export function statusLabel(c: CaseRecord): string {
  if (awaitingConfirmation(c)) return "awaiting emergency confirmation";
  return STATUS_LABEL[c.status];
}

/** Whose move it is, as the card shows it: nobody's once closed, the agency's until an emergency is confirmed. */
export function whoseMoveOf(c: CaseRecord): "agency" | "exchange" | null {
  if (c.status === "CLOSED") return null;
  if (awaitingConfirmation(c)) return "agency";
  return c.whoseMove;
}

export function whoseMoveLabel(c: CaseRecord): string {
  const move = whoseMoveOf(c);
  if (move === null) return "nobody (closed)";
  if (awaitingConfirmation(c)) return `${c.agency.code} (confirmation)`;
  return move === "agency" ? `waiting on agency (${c.agency.code})` : `waiting on exchange (${c.exchange.code})`;
}

export function formatAmounts(amounts: CaseRecord["amounts"]): string {
  return amounts.map((a) => `${a.amount} ${a.asset}${a.usd ? ` (≈ ${a.usd} USD)` : ""}`).join(", ");
}

function timerLine(c: CaseRecord, policy: Policy, now: Date): string | undefined {
  if (awaitingConfirmation(c)) return "the exchange is paged once a second liaison or a coordinator confirms";
  if (!c.pagedAt) return undefined;
  const due = new Date(c.pagedAt.getTime() + policy.severities[c.severity].ack);
  if (c.ackAt) {
    const took = c.ackAt.getTime() - c.pagedAt.getTime();
    const late = c.ackAt.getTime() > due.getTime();
    return `acknowledged after ${formatAge(took)}${late ? " (ack SLA breached)" : ""}`;
  }
  if (!isActive(c)) return undefined;
  const left = due.getTime() - now.getTime();
  return left >= 0 ? `acknowledge by ${formatTime(due)} (${formatAge(left)} left)` : `acknowledgement overdue since ${formatTime(due)} (SLA breached)`;
}

function actionsFor(c: CaseRecord): CardAction[] {
  if (!isActive(c) && c.status !== "RESOLVED") return [];
  const cmd = (path: string, args: Record<string, string> = {}) => ({ family: "case", path: [path], args: { ref: c.ref, ...args } });
  const actions: CardAction[] = [];
  if (isActive(c) && (!c.ackAt || c.status === "REOPENED")) actions.push({ id: "case.ack", label: "Acknowledge", command: cmd("ack"), style: "primary" });
  if (isActive(c)) actions.push({ id: "case.take", label: "Take", command: cmd("take") });
  actions.push({ id: "case.note", label: "Add note", command: cmd("note"), form: ["text"] });
  if (isActive(c)) {
    actions.push({ id: "case.handoff", label: "Hand off", command: cmd("handoff"), form: ["to", "note"] });
    actions.push({ id: "case.escalate", label: "Escalate", command: cmd("escalate"), form: ["reason"], style: "danger" });
  }
  return actions;
}

export function caseCard(c: CaseRecord, audience: Audience, policy: Policy, now: Date): Card {
  const fields: Field[] = [
    { label: "severity", value: rich`${c.severity}`, short: true },
    { label: "type", value: rich`${c.type}`, short: true },
    { label: "status", value: rich`${statusLabel(c)}`, short: true },
    { label: "whose move", value: rich`${whoseMoveLabel(c)}`, short: true },
    { label: "assignee", value: c.assignee ? [mention(personRef(c.assignee))] : rich`nobody yet`, short: true },
    { label: "parties", value: rich`${c.agency.code} → ${c.exchange.code}`, short: true },
  ];
  const impact = caseImpact(c, policy, now);
  if (impact) fields.push({ label: "impact", value: rich`${describeImpact(impact)}` });
  if (c.subjects.length > 0) {
    const shown = c.subjects.map((s) => (audience === "channel" ? shortenSubject(s.display) : s.display));
    fields.push({ label: `subjects (${c.subjects.length})`, value: rich`${shown.join(", ")}` });
  }
  const involved = c.amounts.filter((a) => a.kind === "involved");
  if (involved.length > 0) fields.push({ label: "amounts", value: rich`${formatAmounts(involved)}` });
  const recovered = c.amounts.filter((a) => a.kind !== "involved");
  if (recovered.length > 0) fields.push({ label: "frozen / seized", value: rich`${formatAmounts(recovered)}` });
  if (c.deadline) fields.push({ label: "deadline", value: rich`${formatTime(c.deadline)}`, short: true });
  if (c.externalRef) fields.push({ label: "agency reference", value: rich`${c.externalRef}`, short: true });
  if (c.pendingHandoff) {
    const to = c.pendingHandoff.toMember ? [mention(personRef(c.pendingHandoff.toMember))] : rich`${c.pendingHandoff.toOrg!.code}`;
    fields.push({ label: "handoff offered to", value: to, short: true });
  }
  if (c.processes.length > 0) {
    const last = c.processes.at(-1)!;
    const more = c.processes.length > 1 ? ` (+${c.processes.length - 1} more)` : "";
    fields.push({ label: "legal basis", value: rich`${last.kind} ${last.number}, ${last.authority}${last.date ? `, ${last.date}` : ""}${more}` });
  }
  if (c.preservedUntil) fields.push({ label: "preserved until", value: rich`${formatTime(c.preservedUntil)}${c.preservedUntil.getTime() <= now.getTime() ? " (lapsed)" : ""}`, short: true });
  if (c.freezeUntil) fields.push({ label: "freeze held until", value: rich`${formatTime(c.freezeUntil)}${c.freezeUntil.getTime() <= now.getTime() ? " (ended)" : ""}`, short: true });
  if (c.outcome) fields.push({ label: "outcome", value: rich`${c.result ? `${c.result}: ` : ""}${c.outcome}` });
  const timers = timerLine(c, policy, now);
  if (timers) fields.push({ label: "timers", value: rich`${timers}` });

  const paged = pagedNow(c, now).map((p) => [mention(personRef(p))]);
  const sections: Rich[] = [];
  if (c.summary && audience === "direct") sections.push(rich`${c.summary}`);
  return {
    key: c.ref,
    title: `${c.ref} · ${c.title}`,
    badge: { label: `TLP:${c.tlp.toUpperCase()}`, tone: c.tlp },
    subtitle: rich`opened by ${mention(personRef(c.openedBy))} (${c.agency.code}) at ${formatTime(c.createdAt)}`,
    fields,
    sections,
    actions: actionsFor(c),
    footer: paged.length > 0 ? rich`paged: ${joinRich(paged)}` : undefined,
  };
}
