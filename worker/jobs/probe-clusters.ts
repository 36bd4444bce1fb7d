// probe-clusters: every minute, each enabled cluster whose driver can tell is asked whether it is
// there, so the board shows a cluster offline before a market morning rather than during it.
import type { Logger } from '../../platform/logger.ts';
import { enabledClusters, markClusterSeen } from '../../prisma/repositories/cluster-health.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import type { Driver } from '../drivers/driver.ts';

const PAGE = 200;
const AT_ONCE = 20;

export async function probeClusters(
  db: DbClient,
  drivers: ReadonlyMap<string, Driver>,
  logger: Logger,
  signal: AbortSignal,
): Promise<{ online: number; offline: number }> {
  const counts = { online: 0, offline: 0 };
  let after: string | null = null;
  do {
    const page = await enabledClusters(db, after, PAGE);
    for (let i = 0; i < page.length; i += AT_ONCE) {
      await Promise.all(
        page.slice(i, i + AT_ONCE).map(async (cluster) => {
          const driver = drivers.get(cluster.driverKind);
          if (!driver?.probe) return;
          try {
            const probe = await driver.probe(driver.parseConfig(cluster.driverConfig), signal);
            if (!probe) return;
            await markClusterSeen(db, cluster.id, probe.online, probe.detail);
            counts[probe.online ? 'online' : 'offline']++;
          } catch (err) {
            logger.warn(
              { module: 'probe', clusterId: cluster.id, err: (err as Error).message },
              'probe failed',
            );
          }
        }),
      );
    }
    after = page.length === PAGE ? (page.at(-1)?.id ?? null) : null;
  } while (after);
  return counts;
}
