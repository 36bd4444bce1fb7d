// What people read of broadcasts: the airings of a day, one airing, and the live board (what
// each cluster airs now and next, its health, the day's missed airings). Read-only; the rows are
// written by prisma/repositories/broadcasts.ts (dispatch) and emergencies.ts (requests).
import type { Actor, CommuneRef } from '../../domain/access.ts';
import type { ClusterHealthState, DriverKind, Prisma } from '../generated/client.ts';
import { COMMUNE_REF } from './commune-ref.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';

const viewSelect = {
  id: true,
  kind: true,
  communeId: true,
  clusterId: true,
  slotId: true,
  requestId: true,
  scheduledAt: true,
  marketDay: true,
  priority: true,
  status: true,
  reasonCode: true,
  reason: true,
  plan: true,
  profileId: true,
  driverKind: true,
  durationSec: true,
  startedAt: true,
  firstAudioAt: true,
  endedAt: true,
  skewMs: true,
  spreadMs: true,
  secondsAired: true,
  triggerReason: true,
  preemptedById: true,
  cluster: { select: { name: true } },
} as const;

type ViewRow = Prisma.BroadcastGetPayload<{ select: typeof viewSelect }>;

export interface BroadcastPlanItemView {
  bulletinId: string;
  renditionId: string;
  durationSec: number;
  gapBeforeSec?: number;
}

export interface BroadcastView extends Omit<ViewRow, 'cluster' | 'plan'> {
  clusterName: string;
  items: BroadcastPlanItemView[];
  /** Bulletin titles of the plan's items, in order (empty for a test tone). */
  titles: string[];
}

async function withTitles(db: Db, rows: ViewRow[]): Promise<BroadcastView[]> {
  const items = rows.map((r) =>
    ((r.plan as { items?: BroadcastPlanItemView[] } | null)?.items ?? []).map(
      ({ bulletinId, renditionId, durationSec, gapBeforeSec }) => ({
        bulletinId,
        renditionId,
        durationSec,
        ...(gapBeforeSec ? { gapBeforeSec } : {}),
      }),
    ),
  );
  const ids = [...new Set(items.flat().map((i) => i.bulletinId))];
  const bulletins = ids.length
    ? await db.bulletin.findMany({
        // Test tones carry no bulletin (the nil UUID): nothing to find.
        where: { id: { in: ids } },
        select: { id: true, title: true },
      })
    : [];
  const titleOf = new Map(bulletins.map((b) => [b.id, b.title]));
  return rows.map(({ cluster, plan: _plan, ...row }, i) => {
    const planItems = items[i] ?? [];
    return {
      ...row,
      clusterName: cluster.name,
      items: planItems,
      titles: planItems.flatMap((item) => {
        const title = titleOf.get(item.bulletinId);
        return title ? [title] : [];
      }),
    };
  });
}

export interface DayFilter {
  from: Date;
  to: Date;
  communeId?: string;
  clusterId?: string;
}

/** The broadcasts scheduled in [from, to) of the communes the actor reaches, in airing order. */
export async function broadcastsOfDay(
  db: Db,
  actor: Actor | null,
  filter: DayFilter,
): Promise<BroadcastView[]> {
  const rows = await db.broadcast.findMany({
    where: {
      scheduledAt: { gte: filter.from, lt: filter.to },
      cluster: { commune: communeWhere(actor) },
      ...(filter.communeId ? { communeId: filter.communeId } : {}),
      ...(filter.clusterId ? { clusterId: filter.clusterId } : {}),
    },
    select: viewSelect,
    orderBy: [{ scheduledAt: 'asc' }, { clusterId: 'asc' }],
    take: 5000,
  });
  return withTitles(db, rows);
}

export async function broadcastView(db: Db, id: string): Promise<BroadcastView | null> {
  const row = await db.broadcast.findUnique({ where: { id }, select: viewSelect });
  return row ? ((await withTitles(db, [row]))[0] ?? null) : null;
}

export async function broadcastViews(db: Db, ids: string[]): Promise<BroadcastView[]> {
  const rows = await db.broadcast.findMany({
    where: { id: { in: ids } },
    select: viewSelect,
    orderBy: [{ scheduledAt: 'asc' }, { clusterId: 'asc' }],
  });
  return withTitles(db, rows);
}

/** The commune (id, province) of a broadcast's cluster, for access checks. */
export async function communeOfBroadcast(db: Db, id: string): Promise<CommuneRef | null> {
  const row = await db.broadcast.findUnique({
    where: { id },
    select: { cluster: { select: { commune: { select: COMMUNE_REF } } } },
  });
  return row?.cluster.commune ?? null;
}

/** What a recording is looked up by: who aired it and in which profile. */
export async function recordingOf(db: Db, id: string) {
  return db.broadcast.findUnique({
    where: { id },
    select: { id: true, driverKind: true, profileId: true, status: true, firstAudioAt: true },
  });
}

export interface BoardCluster {
  id: string;
  communeId: string;
  communeName: string;
  name: string;
  driverKind: DriverKind;
  enabled: boolean;
  health: { state: ClusterHealthState; lastSeenAt: Date | null; detail: string | null };
  now: BroadcastView | null;
  next: BroadcastView | null;
  /** The day's missed airings on this cluster, latest first. */
  missed: BroadcastView[];
}

/**
 * The live board of the clusters the actor reaches: for each, what airs now (starting or
 * airing), what airs next (the soonest planned), its health and the day's missed airings.
 */
export async function liveBoard(
  db: Db,
  actor: Actor | null,
  options: { now: Date; day: { from: Date; to: Date }; communeId?: string },
): Promise<BoardCluster[]> {
  const clusters = await db.cluster.findMany({
    where: {
      commune: communeWhere(actor),
      ...(options.communeId ? { communeId: options.communeId } : {}),
    },
    select: {
      id: true,
      communeId: true,
      name: true,
      driverKind: true,
      enabled: true,
      commune: { select: { name: true } },
      health: { select: { state: true, lastSeenAt: true, detail: true } },
    },
    orderBy: [{ communeId: 'asc' }, { name: 'asc' }],
    take: 2000,
  });
  const clusterIds = clusters.map((c) => c.id);
  if (clusterIds.length === 0) return [];
  const [running, upcoming, missed] = await Promise.all([
    db.broadcast.findMany({
      where: { clusterId: { in: clusterIds }, status: { in: ['STARTING', 'AIRING'] } },
      select: viewSelect,
      orderBy: [{ priority: 'desc' }, { scheduledAt: 'desc' }],
    }),
    db.broadcast.findMany({
      where: { clusterId: { in: clusterIds }, status: 'PLANNED' },
      select: viewSelect,
      orderBy: [{ clusterId: 'asc' }, { scheduledAt: 'asc' }],
      distinct: ['clusterId'],
    }),
    db.broadcast.findMany({
      where: {
        clusterId: { in: clusterIds },
        status: 'MISSED',
        scheduledAt: { gte: options.day.from, lt: options.day.to },
      },
      select: viewSelect,
      orderBy: { scheduledAt: 'desc' },
      take: 500,
    }),
  ]);
  const views = await withTitles(db, [...running, ...upcoming, ...missed]);
  const byId = new Map(views.map((v) => [v.id, v]));
  const first = new Map<string, BroadcastView>();
  for (const row of running)
    if (!first.has(row.clusterId)) first.set(row.clusterId, byId.get(row.id) as BroadcastView);
  const next = new Map(upcoming.map((row) => [row.clusterId, byId.get(row.id) as BroadcastView]));
  const missedOf = new Map<string, BroadcastView[]>();
  for (const row of missed) {
    const list = missedOf.get(row.clusterId) ?? [];
    list.push(byId.get(row.id) as BroadcastView);
    missedOf.set(row.clusterId, list);
  }
  return clusters.map((c) => ({
    id: c.id,
    communeId: c.communeId,
    communeName: c.commune.name,
    name: c.name,
    driverKind: c.driverKind,
    enabled: c.enabled,
    health: c.health ?? { state: 'UNKNOWN', lastSeenAt: null, detail: null },
    now: first.get(c.id) ?? null,
    next: next.get(c.id) ?? null,
    missed: missedOf.get(c.id) ?? [],
  }));
}

/**
 * A cheap fingerprint of everything the board shows (broadcasts around now, cluster health and
 * the clusters themselves): the board's event stream re-reads a board only when it changes.
 */
export async function boardStamp(db: Db, window: { from: Date; to: Date }): Promise<string> {
  const [broadcasts, health, clusters, planned] = await Promise.all([
    db.broadcast.aggregate({
      where: { scheduledAt: { gte: window.from, lt: window.to } },
      _max: { updatedAt: true },
      _count: { _all: true },
    }),
    db.clusterHealth.aggregate({ _max: { updatedAt: true }, _count: { _all: true } }),
    db.cluster.aggregate({ _max: { updatedAt: true }, _count: { _all: true } }),
    // Running airings outside the window (a long one that began yesterday) still show.
    db.broadcast.aggregate({
      where: { status: { in: ['STARTING', 'AIRING'] } },
      _max: { updatedAt: true },
      _count: { _all: true },
    }),
  ]);
  return JSON.stringify([
    broadcasts._max.updatedAt,
    broadcasts._count._all,
    health._max.updatedAt,
    health._count._all,
    clusters._max.updatedAt,
    clusters._count._all,
    planned._max.updatedAt,
    planned._count._all,
  ]);
}
