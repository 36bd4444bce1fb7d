// Airings asked for now (an emergency, a test tone): one broadcast row per cluster of the
// request, all sharing its requestId, created together; the air-now job then airs them.
import type { CommuneRef } from '../../domain/access.ts';
import type { PlanItem } from '../../domain/dispatch/materialise.ts';
import type { Priority } from '../../domain/priority.ts';
import type { DriverKind, Prisma } from '../generated/client.ts';
import { COMMUNE_REF } from './commune-ref.ts';
import type { Db } from './db.ts';

export interface TargetCluster {
  id: string;
  name: string;
  enabled: boolean;
  commune: CommuneRef;
}

/** The clusters named, and the enabled clusters of the communes named, with their communes. */
export async function targetClusters(
  db: Db,
  target: { clusterIds: string[]; communeIds: string[] },
): Promise<{ clusters: TargetCluster[]; missingClusterIds: string[]; missingCommuneIds: string[] }> {
  const [named, ofCommunes, communes] = await Promise.all([
    target.clusterIds.length
      ? db.cluster.findMany({
          where: { id: { in: target.clusterIds } },
          select: { id: true, name: true, enabled: true, commune: { select: COMMUNE_REF } },
        })
      : [],
    target.communeIds.length
      ? db.cluster.findMany({
          where: { communeId: { in: target.communeIds }, enabled: true },
          select: { id: true, name: true, enabled: true, commune: { select: COMMUNE_REF } },
          orderBy: { name: 'asc' },
        })
      : [],
    target.communeIds.length
      ? db.commune.findMany({ where: { id: { in: target.communeIds } }, select: { id: true } })
      : [],
  ]);
  const byId = new Map([...named, ...ofCommunes].map((c) => [c.id, c]));
  const found = new Set(named.map((c) => c.id));
  const foundCommunes = new Set(communes.map((c) => c.id));
  return {
    clusters: [...byId.values()],
    missingClusterIds: target.clusterIds.filter((id) => !found.has(id)),
    missingCommuneIds: target.communeIds.filter((id) => !foundCommunes.has(id)),
  };
}

/** What decides whether a bulletin may air as an emergency. */
export function bulletinFacts(db: Db, id: string) {
  return db.bulletin.findUnique({
    where: { id },
    select: {
      id: true,
      communeId: true,
      title: true,
      priority: true,
      status: true,
      approvedAt: true,
      validFrom: true,
      validUntil: true,
    },
  });
}

export interface NowRow {
  kind: 'EMERGENCY' | 'TEST';
  communeId: string;
  clusterId: string;
  priority: Priority;
  profileId: string;
  driverKind: string;
  items: PlanItem[];
  triggeredById: string | null;
  triggerReason: string | null;
}

/** Creates the rows of one request, due now; returns their ids in the order given. */
export async function createNowRequest(
  db: Db,
  requestId: string,
  at: Date,
  rows: NowRow[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const row of rows) {
    const created = await db.broadcast.create({
      data: {
        kind: row.kind,
        communeId: row.communeId,
        clusterId: row.clusterId,
        requestId,
        scheduledAt: at,
        priority: row.priority,
        profileId: row.profileId,
        driverKind: row.driverKind as DriverKind,
        durationSec: row.items.reduce((sum, item) => sum + (item.gapBeforeSec ?? 0) + item.durationSec, 0),
        plan: { items: row.items } as unknown as Prisma.InputJsonValue,
        triggeredById: row.triggeredById,
        triggerReason: row.triggerReason,
      },
      select: { id: true },
    });
    ids.push(created.id);
  }
  return ids;
}
