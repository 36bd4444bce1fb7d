// The audit trail, read-only: admins and auditors, each within their scope. Events about no
// commune (users, tokens, sign-ins) are for global admins and auditors only.
import { z } from 'zod';
import { type Actor, hasGlobalRole } from '../../../domain/access.ts';
import type { PrismaClient } from '../../../prisma/generated/client.ts';
import { communeWhere } from '../../../prisma/repositories/scope.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Uuid } from '../../http/schemas.ts';

const READERS = ['ADMIN', 'AUDITOR'] as const;

const AuditEventOut = z
  .object({
    id: z.string(),
    at: z.date(),
    actorId: z.string().nullable(),
    actorName: z.string(),
    via: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    communeId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    reason: z.string().nullable(),
    ip: z.string(),
    userAgent: z.string(),
  })
  .meta({ id: 'AuditEvent' });

const AuditQuery = z.strictObject({
  communeId: Uuid.optional(),
  entityType: z.string().max(40).optional(),
  entityId: z.string().max(80).optional(),
  /** Page backwards: events with an id below this one. */
  before: z.coerce.bigint().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

async function visibleCommuneFilter(prisma: PrismaClient, actor: Actor) {
  if (hasGlobalRole(actor, READERS)) return {};
  const communes = await prisma.commune.findMany({
    where: communeWhere(actor, READERS),
    select: { id: true },
  });
  return { communeId: { in: communes.map((c) => c.id) } };
}

export function auditRoutes(prisma: PrismaClient): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit',
      summary: 'Audit trail of user actions, newest first',
      tags: ['audit'],
      access: { kind: 'scoped', roles: [...READERS] },
      request: { query: AuditQuery },
      response: { description: 'Events', schema: z.array(AuditEventOut) },
      problems: [401, 403],
      handler: async ({ query }, { actor }) => {
        if (!actor) return [];
        const rows = await prisma.auditEvent.findMany({
          where: {
            AND: [
              await visibleCommuneFilter(prisma, actor),
              query.communeId ? { communeId: query.communeId } : {},
              query.entityType ? { entityType: query.entityType } : {},
              query.entityId ? { entityId: query.entityId } : {},
              query.before ? { id: { lt: query.before } } : {},
            ],
          },
          orderBy: { id: 'desc' },
          take: query.limit,
        });
        return rows.map((r) => ({ ...r, id: r.id.toString() }));
      },
    }),
  ];
}
