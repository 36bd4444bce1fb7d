// The audit trail, read-only: admins and auditors, each within their scope. Events about no
// commune (users, tokens, sign-ins) are for global admins and auditors only.
import { z } from 'zod';
import { type Actor, hasGlobalRole } from '../../../domain/access.ts';
import { auditEventRepository } from '../../../prisma/repositories/audit-events.ts';
import { communeRepository } from '../../../prisma/repositories/communes.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { Uuid } from '../../http/schemas.ts';

const READERS = ['ADMIN', 'AUDITOR'] as const;

const AuditEventOut = z
  .object({
    id: z.string(),
    at: z.date(),
    actorId: z.string().nullable(),
    /** The username as recorded at the time. */
    actorName: z.string(),
    /** The actor's display name now, when the actor is a user that still exists. */
    actorDisplayName: z.string().nullable(),
    via: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    /** The record's name: a bulletin's title, a slot's name (or time), a user's display name… */
    recordName: z.string().nullable(),
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

/** The communes whose events the actor may read; undefined for all (events about no commune too). */
async function readableCommunes(db: DbClient, actor: Actor): Promise<string[] | undefined> {
  if (hasGlobalRole(actor, READERS)) return undefined;
  return communeRepository.idsReachedBy(db, actor, READERS);
}

export function auditRoutes(db: DbClient): RouteDefinition[] {
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
        return auditEventRepository.list(db, { ...query, withinCommunes: await readableCommunes(db, actor) });
      },
    }),
  ];
}
