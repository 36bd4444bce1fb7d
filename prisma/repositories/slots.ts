// The only code that reads and writes slot, slot_cluster and slot_bulletin rows.

import type { Actor, CommuneRef } from '../../domain/access.ts';
import type { Priority } from '../../domain/priority.ts';
import type { Prisma } from '../generated/client.ts';
import { COMMUNE_REF } from './commune-ref.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';

const select = {
  id: true,
  calendarId: true,
  name: true,
  timeOfDay: true,
  durationSec: true,
  durationGiven: true,
  priority: true,
  repeat: true,
  repeatGapSec: true,
  enabled: true,
  order: true,
  createdAt: true,
  updatedAt: true,
  calendar: { select: { communeId: true } },
  clusters: { select: { clusterId: true }, orderBy: { clusterId: 'asc' } },
  playlist: { select: { bulletinId: true }, orderBy: { position: 'asc' } },
} as const;

type Row = Prisma.SlotGetPayload<{ select: typeof select }>;

export interface StoredSlot {
  id: string;
  calendarId: string;
  communeId: string;
  name: string;
  time: string;
  durationSec: number;
  durationGiven: boolean;
  priority: Priority;
  repeat: number;
  repeatGapSec: number;
  enabled: boolean;
  order: number | null;
  clusterIds: string[];
  bulletinIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** What a save writes (everything but ids and timestamps). */
export type SlotData = Omit<StoredSlot, 'id' | 'communeId' | 'createdAt' | 'updatedAt'>;

function toSlot(row: Row): StoredSlot {
  return {
    id: row.id,
    calendarId: row.calendarId,
    communeId: row.calendar.communeId,
    name: row.name,
    time: row.timeOfDay,
    durationSec: row.durationSec,
    durationGiven: row.durationGiven,
    priority: row.priority,
    repeat: row.repeat,
    repeatGapSec: row.repeatGapSec,
    enabled: row.enabled,
    order: row.order,
    clusterIds: row.clusters.map((c) => c.clusterId),
    bulletinIds: row.playlist.map((p) => p.bulletinId),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function columns(data: SlotData) {
  return {
    calendarId: data.calendarId,
    name: data.name,
    timeOfDay: data.time,
    durationSec: data.durationSec,
    durationGiven: data.durationGiven,
    priority: data.priority,
    repeat: data.repeat,
    repeatGapSec: data.repeatGapSec,
    enabled: data.enabled,
    order: data.order,
  };
}

function joins(data: SlotData) {
  return {
    clusters: { create: data.clusterIds.map((clusterId) => ({ clusterId })) },
    playlist: { create: data.bulletinIds.map((bulletinId, position) => ({ bulletinId, position })) },
  };
}

export const slotRepository = {
  async find(db: Db, id: string): Promise<StoredSlot | null> {
    const row = await db.slot.findUnique({ where: { id }, select });
    return row ? toSlot(row) : null;
  },

  /** The slots of the communes the actor reaches, optionally of one commune or calendar only. */
  listReachedBy(
    db: Db,
    actor: Actor | null,
    filter: { communeId?: string; calendarId?: string } = {},
  ): Promise<StoredSlot[]> {
    return list(db, {
      calendar: {
        commune: communeWhere(actor),
        ...(filter.communeId ? { communeId: filter.communeId } : {}),
      },
      ...(filter.calendarId ? { calendarId: filter.calendarId } : {}),
    });
  },

  /** The enabled slots of a calendar. */
  enabledOfCalendar(db: Db, calendarId: string): Promise<StoredSlot[]> {
    return list(db, { calendarId, enabled: true });
  },

  /** Enabled slots airing on any of `clusterIds`, except `exceptId`. */
  async onClusters(db: Db, clusterIds: readonly string[], exceptId?: string): Promise<StoredSlot[]> {
    return list(db, {
      enabled: true,
      clusters: { some: { clusterId: { in: [...clusterIds] } } },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    });
  },

  async create(db: Db, id: string, data: SlotData): Promise<StoredSlot> {
    return toSlot(await db.slot.create({ data: { id, ...columns(data), ...joins(data) }, select }));
  },

  async update(db: Db, id: string, data: SlotData): Promise<StoredSlot> {
    await db.slotCluster.deleteMany({ where: { slotId: id } });
    await db.slotBulletin.deleteMany({ where: { slotId: id } });
    return toSlot(
      await db.slot.update({ where: { id }, data: { ...columns(data), ...joins(data) }, select }),
    );
  },

  async remove(db: Db, id: string): Promise<void> {
    await db.slot.delete({ where: { id } });
  },

  async communeOf(db: Db, id: string): Promise<CommuneRef | null> {
    const row = await db.slot.findUnique({
      where: { id },
      select: { calendar: { select: { commune: { select: COMMUNE_REF } } } },
    });
    return row?.calendar.commune ?? null;
  },

  /**
   * Serialises slot saves within a commune (row lock on the commune until the transaction
   * ends), so two schedulers cannot both pass the conflict check with colliding slots.
   */
  async lockCommune(tx: Db, communeId: string): Promise<void> {
    await tx.$queryRaw`SELECT id FROM "commune" WHERE id = ${communeId}::uuid FOR UPDATE`;
  },

  /** Those of `clusterIds` that are clusters of the commune (a slot airs only on its own). */
  async clustersOfCommune(db: Db, communeId: string, clusterIds: readonly string[]): Promise<Set<string>> {
    const rows = await db.cluster.findMany({
      where: { id: { in: [...clusterIds] }, communeId },
      select: { id: true },
    });
    return new Set(rows.map((c) => c.id));
  },

  /** The names of clusters, to name them in a conflict. */
  async clusterNames(db: Db, clusterIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await db.cluster.findMany({
      where: { id: { in: [...clusterIds] } },
      select: { id: true, name: true },
    });
    return new Map(rows.map((c) => [c.id, c.name]));
  },
};

async function list(db: Db, where: Prisma.SlotWhereInput): Promise<StoredSlot[]> {
  const rows = await db.slot.findMany({
    where,
    select,
    orderBy: [{ calendarId: 'asc' }, { timeOfDay: 'asc' }, { createdAt: 'asc' }],
  });
  return rows.map(toSlot);
}
