// What the 4G receivers' side of dispatch reads and writes: the media a signed URL opens, the
// broadcasts to announce or withdraw, and the rows receipts settle. The moves themselves go
// through moveBroadcast (compare-and-set), so a receipt handled twice changes nothing.
import { z } from 'zod';
import { type BroadcastPlan, dueSelect } from './broadcasts.ts';
import type { Db } from './db.ts';

/** The rendition file of item `item` of a broadcast's plan (relative to the media dir). */
export async function mediaOfBroadcast(
  db: Db,
  broadcastId: string,
  item: number,
): Promise<{ path: string; profileId: string } | null> {
  const row = await db.broadcast.findUnique({
    where: { id: broadcastId },
    select: { plan: true, profileId: true },
  });
  const planned = (row?.plan as BroadcastPlan | undefined)?.items[item];
  return row && planned ? { path: planned.path, profileId: row.profileId } : null;
}

const receiptSelect = {
  id: true,
  clusterId: true,
  driverKind: true,
  status: true,
  scheduledAt: true,
  durationSec: true,
  firstAudioAt: true,
  secondsAired: true,
  reasonCode: true,
  reason: true,
  receipt: true,
} as const;

export type ReceiverBroadcast = NonNullable<Awaited<ReturnType<typeof receiverBroadcast>>>;

/**
 * Broadcast ids are uuids: any other id a receiver sends names no broadcast (asked of the database,
 * it would fail, and the receipt, never acknowledged, would be re-sent forever).
 */
const isBroadcastId = (id: string) => z.uuid().safeParse(id).success;

export async function receiverBroadcast(db: Db, id: string) {
  if (!isBroadcastId(id)) return null;
  return db.broadcast.findUnique({ where: { id }, select: receiptSelect });
}

/** MQTT broadcasts still to air within [from, to): what the announce job sends ahead. */
export async function broadcastsToAnnounce(db: Db, window: { from: Date; to: Date }) {
  return db.broadcast.findMany({
    where: {
      driverKind: 'MQTT',
      status: { in: ['PLANNED', 'STARTING'] },
      scheduledAt: { gte: window.from, lt: window.to },
      cluster: { enabled: true },
    },
    select: dueSelect,
    orderBy: { scheduledAt: 'asc' },
    take: 10_000,
  });
}

/** The statuses of these broadcasts (absent: deleted, e.g. re-planned away). */
export async function statusesOf(db: Db, ids: string[]): Promise<Map<string, string>> {
  const uuids = ids.filter((id) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id),
  );
  const rows = await db.broadcast.findMany({
    where: { id: { in: uuids } },
    select: { id: true, status: true },
  });
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** MQTT clusters and their driver configs: the broker's logins. */
export async function receiverClusters(db: Db) {
  return db.cluster.findMany({
    where: { driverKind: 'MQTT', enabled: true },
    select: { id: true, driverConfig: true },
    orderBy: { id: 'asc' },
  });
}

/** A receiver's progress on its own cluster's airing broadcast (heartbeats). */
export async function recordReceiverProgress(
  db: Db,
  clusterId: string,
  id: string,
  secondsAired: number,
): Promise<void> {
  if (!isBroadcastId(id)) return;
  // Progress beyond the programme is not believed: the final receipt (or the sweep) would record it.
  await db.broadcast.updateMany({
    where: { id, clusterId, status: 'AIRING', durationSec: { gte: secondsAired } },
    data: { secondsAired },
  });
}

/**
 * MQTT broadcasts not yet settled that were due before `before`: the receiver plays them by
 * itself, so only receipts (or the receipt deadline) end them, never a missing worker.
 */
export async function unsettledReceiverAirings(db: Db, before: Date) {
  return db.broadcast.findMany({
    where: {
      driverKind: 'MQTT',
      status: { in: ['PLANNED', 'STARTING', 'AIRING'] },
      scheduledAt: { lt: before },
    },
    select: {
      id: true,
      status: true,
      priority: true,
      scheduledAt: true,
      startedAt: true,
      durationSec: true,
      secondsAired: true,
    },
    orderBy: { scheduledAt: 'asc' },
    take: 1000,
  });
}
