import type { Tx } from "../db/database.js";
import { cancelShiftTimers, coversOf, layerPeople, upsertShiftTimer } from "../db/sql/rotations.js";
import { UserError } from "../model/errors.js";
import { quote } from "../model/text.js";
import { recordAudit } from "./audit.js";
import { accountKey, standingOf, type Caller, type MemberView } from "./members.js";
import type { Organisation } from "./orgs.js";
import { ALL_DAYS, shiftChanges, type Cover, type Layer, type LayerSpec } from "./rotation.js";

/**
 * An organisation's on-call as stored: its rotation layers and covers (docs/contract.md §8),
 * the changes people make to them, and the durable timer of its next shift change. Who is
 * on call is computed from these by src/domain/rotation.ts.
 */

export interface OnCall {
  layers: Layer[];
  covers: Cover[];
}

/** Layers and the covers not yet over (at `now`) of these organisations, two statements in all. */
export async function loadOnCall(tx: Tx, orgIds: readonly number[], now: Date): Promise<Map<number, OnCall>> {
  const out = new Map<number, OnCall>(orgIds.map((id) => [id, { layers: [], covers: [] }]));
  if (orgIds.length === 0) return out;
  const ids = [...new Set(orgIds)];
  for (const r of await tx.sql.all(layerPeople, { orgIds: ids })) {
    const layers = out.get(r.orgId)!.layers;
    let layer = layers.at(-1);
    if (layer?.id !== r.id) {
      const { member: _member, orgId: _org, ...spec } = r;
      layer = { ...spec, people: [] };
      layers.push(layer);
    }
    layer.people.push(r.member);
  }
  for (const r of await tx.sql.all(coversOf, { orgIds: ids, after: now })) {
    out.get(r.orgId)!.covers.push({ id: r.id, member: r.member, forMemberId: r.forMemberId, from: r.from, to: r.to });
  }
  return out;
}

/**
 * The layers as paging sees them: whose turn it is still counts everyone listed, but only a
 * vetted person of the organisation's rotation role is on call (someone suspended, expired or
 * moved elsewhere leaves their turn empty: a coverage gap, not a shuffle of the rotation). A
 * cover by someone no longer eligible does not apply.
 */
export function vettedOnly(onCall: OnCall, now: Date, orgId: number): OnCall {
  // An exchange's people are its investigators, an agency's its liaisons: the role follows the organisation.
  const eligible = (m: MemberView) => standingOf(m, now) === "vetted" && m.org?.id === orgId && (m.role === "investigator" || m.role === "liaison");
  return {
    layers: onCall.layers.map((l) => ({ ...l, eligible })),
    covers: onCall.covers.filter((c) => eligible(c.member)),
  };
}

/** The role whose people an organisation's layers list: an exchange's investigators, an agency's liaisons. */
export const rotationRole = (org: Organisation) => (org.kind === "EXCHANGE" ? "investigator" : "liaison");

export function checkRotationPeople(org: Organisation, people: readonly MemberView[], now: Date): void {
  const role = rotationRole(org);
  for (const person of people) {
    if (person.org?.id !== org.id || person.role !== role) {
      throw UserError.about("people", "invalid_option", `${person.name} is not ${role === "investigator" ? "an investigator" : "a liaison"} of ${org.code}`);
    }
    const standing = standingOf(person, now);
    if (standing !== "vetted") throw UserError.about("people", "invalid_option", `${person.name} is not vetted (${standing})`);
  }
}

const audit = (tx: Tx, actor: Caller, now: Date, action: string, org: Organisation, detail: Record<string, unknown>) =>
  recordAudit(tx, { at: now, actorId: actor.member?.id ?? null, account: accountKey(actor.account), action, target: `org:${org.code}`, detail });

async function createLayer(tx: Tx, org: Organisation, spec: LayerSpec, people: readonly MemberView[], actor: Caller, now: Date) {
  await tx.rotationLayer.create({
    data: {
      orgId: org.id,
      name: spec.name,
      days: spec.days,
      shiftStart: spec.shiftStart,
      shiftEnd: spec.shiftEnd,
      everyMinutes: spec.everyMinutes,
      timeZone: spec.zone,
      startDate: spec.startDate,
      createdById: actor.member?.id ?? null,
      createdAt: now,
      updatedAt: now,
      people: { create: people.map((p, position) => ({ memberId: p.id, position })) },
    },
  });
}

export async function addLayer(tx: Tx, actor: Caller, org: Organisation, spec: LayerSpec, people: readonly MemberView[], now: Date): Promise<void> {
  checkRotationPeople(org, people, now);
  const existing = await tx.rotationLayer.findUnique({ where: { orgId_name: { orgId: org.id, name: spec.name } } });
  if (existing) {
    throw UserError.about("name", "invalid_option", `name: ${org.code} already has a layer named ${quote(spec.name)}; remove it first (/ppp rotation remove ${org.code} name:${spec.name}) or choose another name`);
  }
  await createLayer(tx, org, spec, people, actor, now);
  await audit(tx, actor, now, "rotation.added", org, { layer: spec.name, members: people.map((p) => p.id), days: spec.days, shift: [spec.shiftStart, spec.shiftEnd], every: spec.everyMinutes, tz: spec.zone, start: spec.startDate });
  await scheduleShiftChange(tx, org, now);
}

export async function removeLayer(tx: Tx, actor: Caller, org: Organisation, name: string, now: Date): Promise<void> {
  const layers = await tx.rotationLayer.findMany({ where: { orgId: org.id }, select: { id: true, name: true }, orderBy: { id: "asc" } });
  const layer = layers.find((l) => l.name === name);
  if (!layer) {
    const names = layers.map((l) => l.name);
    throw UserError.about("name", "not_found", `name: ${org.code} has no layer named ${quote(name)}${names.length ? ` (its layers: ${names.join(", ")})` : " (it has no layers)"}`);
  }
  await tx.rotationLayer.delete({ where: { id: layer.id } });
  await audit(tx, actor, now, "rotation.removed", org, { layer: name });
  await scheduleShiftChange(tx, org, now);
}

/** `/ppp oncall <org> @a @b`: the always-on `default` layer, everyone on call at once (replaced, not added to). */
export async function setDefaultLayer(tx: Tx, actor: Caller, org: Organisation, people: readonly MemberView[], now: Date): Promise<void> {
  checkRotationPeople(org, people, now);
  await tx.rotationLayer.deleteMany({ where: { orgId: org.id, name: "default" } });
  const unique = [...new Map(people.map((p) => [p.id, p])).values()];
  if (unique.length > 0) {
    await createLayer(tx, org, { name: "default", days: ALL_DAYS, shiftStart: null, shiftEnd: null, everyMinutes: null, zone: org.timeZone, startDate: now.toISOString().slice(0, 10) }, unique, actor, now);
  }
  await audit(tx, actor, now, "org.oncall_set", org, { members: unique.map((p) => p.id) });
  await scheduleShiftChange(tx, org, now);
}

export async function addCover(tx: Tx, actor: Caller, org: Organisation, cover: { member: MemberView; forMember: MemberView; from: Date; to: Date }, now: Date): Promise<void> {
  await tx.rotationCover.create({
    data: { orgId: org.id, memberId: cover.member.id, forMemberId: cover.forMember.id, fromAt: cover.from, toAt: cover.to, createdById: actor.member?.id ?? cover.member.id, createdAt: now },
  });
  await audit(tx, actor, now, "rotation.cover", org, { member: cover.member.id, for: cover.forMember.id, from: cover.from.toISOString(), to: cover.to.toISOString() });
  await scheduleShiftChange(tx, org, now);
}

/** How far ahead the next shift change is looked for; a rotation quieter than this is looked at again then. */
/** A layer's name ("default" is the one `/ppp oncall <org> @a @b` sets; it may be removed like any other). */
export const SHIFT_HORIZON_MS = 62 * 86_400_000;

export const shiftKeyPrefix = (orgId: number) => `org:${orgId}:shift:`;

/**
 * Sets the organisation's one shift-change timer: at its next change, with who was on call
 * just before (what the firing compares with). A rotation with no change within the horizon
 * is looked at again at the horizon; layers that never change (only `default`) need none.
 */
export async function scheduleShiftChange(tx: Tx, org: Pick<Organisation, "id">, now: Date): Promise<void> {
  const prefix = shiftKeyPrefix(org.id);
  const onCall = vettedOnly((await loadOnCall(tx, [org.id], now)).get(org.id)!, now, org.id);
  const rotates = onCall.layers.some((l) => l.everyMinutes !== null || l.shiftStart !== null || l.days !== ALL_DAYS) || onCall.covers.length > 0;
  if (!rotates) {
    await tx.sql.run(cancelShiftTimers, { prefix: `${prefix}%`, keep: "", now });
    return;
  }
  const horizon = new Date(now.getTime() + SHIFT_HORIZON_MS);
  const [next] = shiftChanges(onCall.layers, onCall.covers, now, horizon);
  const at = next?.at ?? horizon;
  const key = `${prefix}${at.getTime()}`;
  await tx.sql.run(cancelShiftTimers, { prefix: `${prefix}%`, keep: key, now });
  await tx.sql.run(upsertShiftTimer, { key, dueAt: at, payload: JSON.stringify({ org: org.id, before: next ? next.before.map((p) => p.id) : null }), now });
}
