/**
 * The shapes the typed statements read, as the rest of the code uses them. They say what
 * the tables hold; the domain works on these directly.
 */

export type Role = "coordinator" | "liaison" | "investigator";
export type OrgKind = "AGENCY" | "EXCHANGE";
export type MemberStatus = "unregistered" | "pending" | "vetted" | "suspended";
export type AccountPlatform = "console" | "slack" | "discord";

export interface OrgRef {
  id: number;
  code: string;
  kind: OrgKind;
  name: string;
  timeZone: string;
}

export interface Organisation extends OrgRef {
  jurisdiction: string;
  domains: string[];
}

/** A liaison channel: a channel bound to the organisations whose cases it may carry. */
export interface Binding {
  id: number;
  platform: string;
  channelId: string;
  channelName: string;
  digestCron: string;
  timeZone: string;
  orgs: Organisation[];
}

export interface AccountView {
  platform: AccountPlatform;
  externalId: string;
  handle: string;
}

export interface MemberView {
  id: number;
  name: string;
  role: Role | null;
  status: MemberStatus;
  email: string | null;
  org: OrgRef | null;
  vettedAt: Date | null;
  vettedUntil: Date | null;
  suspendedReason: string | null;
  accounts: AccountView[];
}

export type Severity = "critical" | "high" | "medium" | "low";
export type CaseType = "freeze" | "disclosure" | "preservation" | "emergency" | "mlat" | "intel" | "other";
export type Tlp = "red" | "amber" | "green" | "clear";
export type CaseStatus = "OPEN" | "ACKNOWLEDGED" | "IN_PROGRESS" | "RESOLVED" | "CLOSED" | "REOPENED";
export type WhoseMove = "exchange" | "agency";
export type Chain = "BTC" | "EVM" | "TRON" | "SOL" | "BTC/TRON";
export type AmountKind = "involved" | "frozen" | "seized";

export interface SubjectRow {
  kind: "address" | "tx";
  chain: Chain;
  value: string;
  display: string;
}

export interface AmountRow {
  kind: AmountKind;
  asset: string;
  amount: string;
  usd: string | null;
}

export interface ParticipantRow {
  memberId: number;
  reason: string;
  pagedAt: Date | null;
}

export interface HandoffRow {
  id: number;
  fromId: number;
  toMemberId: number | null;
  toOrg: Organisation | null;
  note: string;
  offeredAt: Date;
  acceptedById: number | null;
  acceptedAt: Date | null;
  consentedById: number | null;
  consentedAt: Date | null;
}

/** Where a case's card lives: a bound channel, or a person's DMs for TLP:RED. */
export interface ThreadRow {
  id: number;
  platform: AccountPlatform;
  channelId: string;
  bindingId: number | null;
  memberId: number | null;
  active: boolean;
  cardMessageId: string | null;
  threadId: string | null;
}

/** A case with everything it owns, as one statement reads it. */
export interface CaseRow {
  /** Read under a lock another transaction had just released: its parts must be read again. */
  stale?: true;
  id: number;
  ref: string;
  title: string;
  summary: string | null;
  severity: Severity;
  type: CaseType;
  tlp: Tlp;
  status: CaseStatus;
  whoseMove: WhoseMove;
  agency: Organisation;
  exchange: Organisation;
  openedById: number;
  assigneeId: number | null;
  externalRef: string | null;
  deadline: Date | null;
  confirmedById: number | null;
  confirmedAt: Date | null;
  pagedAt: Date | null;
  ackAt: Date | null;
  ackById: number | null;
  resolvedAt: Date | null;
  outcome: string | null;
  /** The outcome taxonomy of docs/contract.md §9 (frozen, seized, disclosed, …). */
  result: string | null;
  preservedUntil: Date | null;
  freezeUntil: Date | null;
  heldAt: Date | null;
  holdReason: string | null;
  erasedAt: Date | null;
  /** Legal process recorded (`/case process`), oldest first. */
  processes: LegalProcessRow[];
  closedAt: Date | null;
  waitingSince: Date | null;
  agencyWaitSeconds: number;
  escalationLevel: number;
  lastActivityAt: Date;
  createdAt: Date;
  eventCount: number;
  headHash: string;
  subjects: SubjectRow[];
  amounts: AmountRow[];
  participants: ParticipantRow[];
  pendingHandoff: HandoffRow | null;
  threads: ThreadRow[];
}

/** A rotation layer's window and rotation (docs/contract.md §8; read by src/domain/rotation.ts). */
export interface LayerSpec {
  name: string;
  /** Bit i set: weekday i (0 = Monday) is in the window. */
  days: number;
  /** Minutes after local midnight; both null: all day. */
  shiftStart: number | null;
  shiftEnd: number | null;
  /** Minutes; null: everyone at once, always (the default layer). */
  everyMinutes: number | null;
  zone: string;
  /** Local date (YYYY-MM-DD, in `zone`) the rotation counts from. */
  startDate: string;
}

/** A legal process recorded on a case: a court or police order, an MLAT request, a subpoena. */
export interface LegalProcessRow {
  kind: string;
  number: string;
  authority: string;
  date: string | null;
  at: Date;
}
