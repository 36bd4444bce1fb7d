// Loudspeaker clusters (cụm loa) of a commune and the driver that reaches each.

import { z } from 'zod';
import { ROLES } from '../../../domain/access.ts';
import {
  DRIVER_KINDS,
  DriverConfigByKind,
  type DriverKind,
  publicDriverConfig,
  secretsOf,
} from '../../../domain/driver-config.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { clusterRepository, type StoredCluster } from '../../../prisma/repositories/clusters.ts';
import { communeRef } from '../../../prisma/repositories/commune-ref.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Name, Uuid } from '../../http/schemas.ts';
import { toFieldIssues } from '../../http/validate.ts';

const ClusterOut = z
  .object({
    id: z.string(),
    communeId: z.string(),
    name: z.string(),
    location: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    driverKind: z.enum(DRIVER_KINDS as [DriverKind, ...DriverKind[]]),
    driverConfig: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
  })
  .meta({ id: 'Cluster' });

const clusterFields = {
  name: Name(120),
  location: z.string().trim().max(200, 'at most 200 characters'),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  driverKind: z.enum(DRIVER_KINDS as [DriverKind, ...DriverKind[]]),
  driverConfig: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
};
const ClusterIn = z.strictObject({
  ...clusterFields,
  communeId: Uuid,
  location: clusterFields.location.default(''),
  latitude: clusterFields.latitude.optional(),
  longitude: clusterFields.longitude.optional(),
  driverKind: clusterFields.driverKind.default('RECORDER'),
  driverConfig: clusterFields.driverConfig.default({}),
  enabled: z.boolean().default(true),
});
const ClusterUpdate = z.strictObject(clusterFields).partial();
const ClusterParams = z.strictObject({ clusterId: Uuid });
const ClusterQuery = z.strictObject({ communeId: Uuid.optional() });

function parseDriverConfig(kind: DriverKind, config: unknown) {
  const parsed = DriverConfigByKind[kind].safeParse(config);
  if (parsed.success) return parsed.data;
  throw new ValidationError(toFieldIssues('body.driverConfig', parsed.error));
}

/** Secrets in the driver's configuration are write-only. */
const toOut = (c: StoredCluster) => ({ ...c, driverConfig: publicDriverConfig(c.driverConfig) });

export function clusterRoutes(db: DbClient): RouteDefinition[] {
  const communeOfCluster = ({ params }: { params: { clusterId: string } }) =>
    clusterRepository.communeOf(db, params.clusterId);
  const communeById = ({ body }: { body: { communeId: string } }) => communeRef(db, body.communeId);

  return [
    defineRoute({
      method: 'get',
      path: '/api/clusters',
      summary: 'Clusters of the communes within your scope',
      tags: ['clusters'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: ClusterQuery },
      response: { description: 'Clusters', schema: z.array(ClusterOut) },
      problems: [401, 403],
      handler: async ({ query }, { actor }) =>
        (await clusterRepository.listReachedBy(db, actor, query)).map(toOut),
    }),
    defineRoute({
      method: 'get',
      path: '/api/clusters/:clusterId',
      summary: 'One cluster',
      tags: ['clusters'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfCluster },
      request: { params: ClusterParams },
      response: { description: 'Cluster', schema: ClusterOut },
      problems: [401, 403, 404],
      handler: async ({ params }) => toOut(await clusterRepository.get(db, params.clusterId)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/clusters',
      summary: 'Add a cluster to a commune',
      tags: ['clusters'],
      access: { kind: 'commune', roles: ['ADMIN'], commune: communeById },
      request: { body: ClusterIn },
      response: { status: 201, description: 'Created', schema: ClusterOut },
      problems: [401, 403, 404, 409],
      handler: async ({ body }, { actor, origin }) => {
        const driverConfig = parseDriverConfig(body.driverKind, body.driverConfig);
        return inTransaction(db, async (tx) => {
          const cluster = toOut(await clusterRepository.create(tx, { ...body, driverConfig }));
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'cluster.create',
              entityType: 'cluster',
              entityId: cluster.id,
              communeId: cluster.communeId,
              after: cluster,
            },
          );
          return cluster;
        });
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/clusters/:clusterId',
      summary: 'Change a cluster (name, location, driver, enabled)',
      tags: ['clusters'],
      access: { kind: 'commune', roles: ['ADMIN'], commune: communeOfCluster },
      request: { params: ClusterParams, body: ClusterUpdate },
      response: { description: 'Updated', schema: ClusterOut },
      problems: [401, 403, 404, 409],
      handler: async ({ params, body }, { actor, origin }) =>
        inTransaction(db, async (tx) => {
          const before = await clusterRepository.get(tx, params.clusterId);
          const kind = body.driverKind ?? before.driverKind;
          // Secrets are never sent back, so a form cannot resend them: keep the stored ones.
          const kept = kind === before.driverKind ? secretsOf(before.driverConfig) : {};
          const driverConfig =
            body.driverConfig || body.driverKind
              ? parseDriverConfig(kind, {
                  ...kept,
                  ...((body.driverConfig ?? before.driverConfig) as object),
                })
              : undefined;
          const after = toOut(
            await clusterRepository.update(tx, params.clusterId, { ...body, driverConfig }),
          );
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'cluster.update',
              entityType: 'cluster',
              entityId: after.id,
              communeId: after.communeId,
              before: toOut(before),
              after,
            },
          );
          return after;
        }),
    }),
  ];
}
