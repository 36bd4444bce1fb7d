// What Loa last observed of each cluster: online when it took audio or answered a probe,
// offline when it refused; unknown until then.
import type { Db } from './db.ts';

export async function markClusterSeen(
  db: Db,
  clusterId: string,
  online: boolean,
  detail?: string,
): Promise<void> {
  const state = online ? 'ONLINE' : 'OFFLINE';
  const data = { state, detail: detail ?? null, ...(online ? { lastSeenAt: new Date() } : {}) } as const;
  await db.clusterHealth.upsert({ where: { clusterId }, create: { clusterId, ...data }, update: data });
}

/** Enabled clusters with their driver settings, a page at a time (for the health probe). */
export async function enabledClusters(db: Db, after: string | null, size: number) {
  return db.cluster.findMany({
    where: { enabled: true },
    orderBy: { id: 'asc' },
    take: size,
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    select: { id: true, driverKind: true, driverConfig: true },
  });
}
