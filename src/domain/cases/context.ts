import { scheduleImpact } from "./impact.js";
import type { DomainServices } from "../services.js";
import type { Tx } from "../../db/database.js";
import type { BindingRow } from "../../db/sql/context.js";
import { bindingsOfOrgs, liaisonsOf } from "../../db/sql/context.js";
import { coordinatorMembers, rosterMembers } from "../../db/sql/members.js";
import { loadMembers, standingOf, type MemberView } from "../members.js";
import { loadOnCall, vettedOnly, type OnCall } from "../oncall.js";
import { onCall, onCallByLayer, type LayerOnCall } from "../rotation.js";
import type { Organisation } from "../orgs.js";
import { Change } from "./change.js";
import type { CaseRecord } from "./model.js";
import type { Side } from "./access.js";

/**
 * Everything deciding a change may read, loaded before it is decided: the rosters of the
 * organisations involved, the coordinators, the channels bound to them, an agency's
 * liaisons, people by id. Each is one statement for the whole batch. Deciding reads only
 * this — asking for something that was not loaded is a mistake in the code, and says so.
 */

export type Binding = BindingRow;
export type RosterKind = "oncall" | "lead";

export interface Needs {
  /** On-call (rotation layers and covers) and leads of the cases' organisations (paging, escalation, agency reminders). */
  rosters?: boolean;
  /** More organisations' rosters (a handoff's receiving exchange). */
  rosterOrgs?: number[];
  coordinators?: boolean;
  /** Channels bound to the cases' organisations (new cards, TLP changes, moves). */
  bindings?: boolean;
  bindingOrgs?: number[];
  /** The liaisons of the cases' agencies (who may confirm an emergency). */
  liaisons?: boolean;
  people?: number[];
}

export class CaseContext {
  readonly #rosters = new Map<string, MemberView[]>();
  readonly #onCall = new Map<number, OnCall>();
  #coordinators: MemberView[] | undefined;
  #bindings: Binding[] | undefined;
  readonly #liaisons = new Map<number, MemberView[]>();
  readonly #people = new Map<number, MemberView>();
  /** Organisations named by code in the command (a handoff target, a new case's parties). */
  readonly orgs = new Map<string, Organisation>();
  /** Other cases the change touches (deconfliction), locked and loaded. */
  readonly others = new Map<number, CaseRecord>();

  constructor(readonly now: Date) {}

  /** The vetted people on call now (kind "oncall": in any rotation layer, covers applied) or the leads. */
  roster(orgId: number, kind: RosterKind): MemberView[] {
    if (kind === "oncall") {
      const s = this.#schedule(orgId);
      return onCall(s.layers, s.covers, this.now);
    }
    const list = this.#rosters.get(`${orgId}:${kind}`);
    if (!list) throw new Error(`the ${kind} roster of organisation ${orgId} was not loaded`);
    return list;
  }

  /** Each rotation layer of the organisation with who is on call in it now (for the timeline). */
  layersNow(orgId: number): LayerOnCall[] {
    const s = this.#schedule(orgId);
    return onCallByLayer(s.layers, s.covers, this.now);
  }

  #schedule(orgId: number): OnCall {
    const s = this.#onCall.get(orgId);
    if (!s) throw new Error(`the on-call of organisation ${orgId} was not loaded`);
    return s;
  }

  /** Vetted coordinators. */
  coordinators(): MemberView[] {
    if (!this.#coordinators) throw new Error("the coordinators were not loaded");
    return this.#coordinators;
  }

  bindings(): Binding[] {
    if (!this.#bindings) throw new Error("the bindings were not loaded");
    return this.#bindings;
  }

  liaisons(agencyId: number): MemberView[] {
    const list = this.#liaisons.get(agencyId);
    if (!list) throw new Error(`the liaisons of organisation ${agencyId} were not loaded`);
    return list;
  }

  person(id: number): MemberView {
    const m = this.#people.get(id);
    if (!m) throw new Error(`member ${id} was not loaded`);
    return m;
  }

  /** Loads what `needs` asks for, for these cases. */
  static async load(tx: Tx, now: Date, cases: readonly CaseRecord[], needs: Needs): Promise<CaseContext> {
    const ctx = new CaseContext(now);
    const parties = new Set(cases.flatMap((c) => [c.exchange.id, c.agency.id]));
    if (needs.rosters || needs.rosterOrgs) {
      const orgIds = [...new Set([...(needs.rosters ? parties : []), ...(needs.rosterOrgs ?? [])])];
      for (const id of orgIds) ctx.#rosters.set(`${id}:lead`, []);
      if (orgIds.length > 0) {
        for (const r of await tx.sql.all(rosterMembers, { orgIds })) ctx.#rosters.get(`${r.orgId}:${r.kind}`)?.push(r.member);
        for (const [id, s] of await loadOnCall(tx, orgIds, now)) ctx.#onCall.set(id, vettedOnly(s, now, id));
      }
    }
    if (needs.coordinators) ctx.#coordinators = (await tx.sql.all(coordinatorMembers, {})).filter((m) => standingOf(m, now) === "vetted");
    if (needs.bindings || needs.bindingOrgs) {
      const orgIds = [...new Set([...cases.flatMap((c) => [c.agency.id, c.exchange.id]), ...(needs.bindingOrgs ?? [])])];
      ctx.#bindings = orgIds.length > 0 ? await tx.sql.all(bindingsOfOrgs, { orgIds }) : [];
    }
    if (needs.liaisons) {
      const agencies = [...new Set(cases.map((c) => c.agency.id))];
      for (const id of agencies) ctx.#liaisons.set(id, []);
      for (const m of await tx.sql.all(liaisonsOf, { orgIds: agencies })) ctx.#liaisons.get(m.org!.id)!.push(m);
    }
    if (needs.people?.length) for (const [id, m] of await loadMembers(tx, needs.people)) ctx.#people.set(id, m);
    return ctx;
  }
}

/** Who changes a case: the case (loaded, locked), the side they act on, and the member. */
export interface Acting {
  c: CaseRecord;
  side: Side;
  me: MemberView;
}

/** What deciding a change works with: the time, the settings, what was loaded, and the change it builds. */
export interface CaseEnv {
  now: Date;
  services: Pick<DomainServices, "policy" | "platforms">;
  context: CaseContext;
  change: Change;
}

export function caseEnv(now: Date, services: CaseEnv["services"], context: CaseContext): CaseEnv {
  const change = new Change(now);
  change.onFinal = (c) => scheduleImpact(change, c, services.policy, now);
  return { now, services, context, change };
}
