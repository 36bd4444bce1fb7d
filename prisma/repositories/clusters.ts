// The only code that reads and writes cluster rows. The driver's configuration is stored as
// given (secrets included); callers decide what of it to show.
import type { Actor, CommuneRef } from '../../domain/access.ts';
import type { DriverKind } from '../../domain/driver-config.ts';
import type { Prisma } from '../generated/client.ts';
import { COMMUNE_REF } from './commune-ref.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';

export interface StoredCluster {
  id: string;
  communeId: string;
  name: string;
  location: string;
  latitude: number | null;
  longitude: number | null;
  driverKind: DriverKind;
  driverConfig: unknown;
  enabled: boolean;
}

export interface ClusterFields {
  name: string;
  location: string;
  latitude?: number | null;
  longitude?: number | null;
  driverKind: DriverKind;
  driverConfig: Record<string, unknown>;
  enabled: boolean;
}

const select = {
  id: true,
  communeId: true,
  name: true,
  location: true,
  latitude: true,
  longitude: true,
  driverKind: true,
  driverConfig: true,
  enabled: true,
} as const;

const toColumns = <T extends Partial<ClusterFields>>(fields: T) => ({
  ...fields,
  driverConfig: fields.driverConfig as Prisma.InputJsonValue | undefined,
});

export const clusterRepository = {
  /** The clusters of the communes the actor reaches, optionally of one commune only. */
  listReachedBy(db: Db, actor: Actor | null, filter: { communeId?: string } = {}): Promise<StoredCluster[]> {
    return db.cluster.findMany({
      where: { commune: communeWhere(actor), ...(filter.communeId ? { communeId: filter.communeId } : {}) },
      select,
      orderBy: [{ communeId: 'asc' }, { name: 'asc' }],
    });
  },

  /** The cluster, or the database's not-found error (answered as 404). */
  get(db: Db, id: string): Promise<StoredCluster> {
    return db.cluster.findUniqueOrThrow({ where: { id }, select });
  },

  create(db: Db, cluster: ClusterFields & { communeId: string }): Promise<StoredCluster> {
    return db.cluster.create({ data: toColumns(cluster), select });
  },

  update(db: Db, id: string, change: Partial<ClusterFields>): Promise<StoredCluster> {
    return db.cluster.update({ where: { id }, data: toColumns(change), select });
  },

  /** The commune (id, province) a cluster belongs to, for access checks. */
  async communeOf(db: Db, id: string): Promise<CommuneRef | null> {
    const row = await db.cluster.findUnique({ where: { id }, select: { commune: { select: COMMUNE_REF } } });
    return row?.commune ?? null;
  },
};
