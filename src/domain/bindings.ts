import type { Tx } from "../db/database.js";
import type { ChannelRef } from "../model/platform.js";
import { UserError } from "../model/errors.js";
import { recordAudit } from "./audit.js";
import { accountKey, type Caller } from "./members.js";
import type { Binding, Organisation } from "../db/rows.js";
import { findOrg, orgInclude, toOrganisation } from "./orgs.js";
import { scheduleDigest } from "./digest.js";
import { cancelBindingTimers } from "./timers.js";
import { followBinding } from "./cases/threads.js";

/** Liaison channels: a channel bound to the organisations whose cases it may carry. */

export type { Binding } from "../db/rows.js";

export const bindingInclude = { orgs: { include: { org: { include: orgInclude } } } } as const;

type BindingRow = {
  id: number;
  platform: string;
  channelId: string;
  channelName: string;
  digestCron: string;
  timeZone: string;
  orgs: { org: Parameters<typeof toOrganisation>[0] }[];
};

export function toBinding(row: BindingRow): Binding {
  return {
    id: row.id,
    platform: row.platform,
    channelId: row.channelId,
    channelName: row.channelName,
    digestCron: row.digestCron,
    timeZone: row.timeZone,
    orgs: row.orgs.map((o) => toOrganisation(o.org)).sort((a, b) => a.code.localeCompare(b.code)),
  };
}

export async function findBinding(tx: Tx, channel: Pick<ChannelRef, "platform" | "id">): Promise<Binding | null> {
  const row = await tx.binding.findUnique({
    where: { platform_channelId: { platform: channel.platform, channelId: channel.id } },
    include: bindingInclude,
  });
  return row ? toBinding(row) : null;
}

export async function bind(
  tx: Tx,
  actor: Caller,
  channel: ChannelRef,
  codes: string[],
  timeZone: string | undefined,
  now: Date,
): Promise<Binding> {
  if (channel.direct) throw new UserError("invalid_state", "bind a shared channel, not a direct message");
  const orgs: Organisation[] = [];
  for (const code of new Set(codes)) orgs.push(await findOrg(tx, code));
  const zone = timeZone ?? orgs[0]!.timeZone;
  const existing = await findBinding(tx, channel);
  let id: number;
  if (existing) {
    await tx.bindingOrg.deleteMany({ where: { bindingId: existing.id } });
    await tx.binding.update({
      where: { id: existing.id },
      data: { channelName: channel.name, timeZone: timeZone ?? existing.timeZone, updatedAt: now },
    });
    id = existing.id;
  } else {
    const row = await tx.binding.create({
      data: {
        platform: channel.platform,
        channelId: channel.id,
        channelName: channel.name,
        timeZone: zone,
        createdById: actor.member!.id,
        createdAt: now,
        updatedAt: now,
      },
    });
    id = row.id;
  }
  await tx.bindingOrg.createMany({ data: orgs.map((o) => ({ bindingId: id, orgId: o.id })) });
  const saved = toBinding(await tx.binding.findUniqueOrThrow({ where: { id }, include: bindingInclude }));
  // Case threads the channel may no longer carry under its new organisations are let go.
  const retired = existing ? await followBinding(tx, now, id, channel.name, orgs.map((o) => o.id)) : 0;
  // A new time zone means a new schedule; the old tick (if any) is cancelled.
  await cancelBindingTimers(tx, id, now);
  await scheduleDigest(tx, now, saved);
  await recordAudit(tx, {
    at: now,
    actorId: actor.member!.id,
    account: accountKey(actor.account),
    action: existing ? "binding.changed" : "binding.created",
    target: `channel:${channel.platform}:${channel.id}`,
    detail: { orgs: orgs.map((o) => o.code), ...(existing ? { threadsRetired: retired } : {}) },
  });
  return saved;
}

/** Changes when a channel's digest comes (`/ppp digest schedule`). */
export async function setDigestSchedule(tx: Tx, actor: Caller, binding: Binding, cron: string, timeZone: string, now: Date): Promise<Binding> {
  await tx.binding.update({ where: { id: binding.id }, data: { digestCron: cron, timeZone, updatedAt: now } });
  const saved = { ...binding, digestCron: cron, timeZone };
  await cancelBindingTimers(tx, binding.id, now);
  await scheduleDigest(tx, now, saved);
  await recordAudit(tx, {
    at: now,
    actorId: actor.member!.id,
    account: accountKey(actor.account),
    action: "binding.digest_schedule",
    target: `channel:${binding.platform}:${binding.channelId}`,
    detail: { cron, timeZone },
  });
  return saved;
}

export async function unbind(tx: Tx, actor: Caller, channel: ChannelRef, now: Date): Promise<Binding> {
  const existing = await findBinding(tx, channel);
  if (!existing) throw new UserError("not_found", "this channel is not bound to any organisation");
  await cancelBindingTimers(tx, existing.id, now);
  // Nothing more is posted here: every case thread in the channel is let go, silently.
  const retired = await followBinding(tx, now, existing.id, channel.name, null);
  await tx.binding.delete({ where: { id: existing.id } });
  await recordAudit(tx, {
    at: now,
    actorId: actor.member!.id,
    account: accountKey(actor.account),
    action: "binding.removed",
    target: `channel:${channel.platform}:${channel.id}`,
    detail: { orgs: existing.orgs.map((o) => o.code), threadsRetired: retired },
  });
  return existing;
}
