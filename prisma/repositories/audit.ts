// Records who did what (a user over HTTP, or a worker or the CLI acting for one) to which record, before and after, when and from where. Called inside
// the same transaction as the change it describes, so the trail and the data never disagree.
import type { Who } from '../../domain/access.ts';
import type { Prisma } from '../generated/client.ts';
import type { Db } from './db.ts';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  communeId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

/** Secrets never enter the trail, whatever a caller passes. */
const HIDDEN = new Set(['passwordHash', 'tokenHash', 'password', 'token']);

function redact(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value, (key, v) => (HIDDEN.has(key) ? undefined : v)));
}

export async function recordAudit(db: Db, who: Who, entry: AuditEntry): Promise<void> {
  const { actor, origin } = who;
  await db.auditEvent.create({
    data: {
      actorId: actor?.userId ?? null,
      actorName: actor?.username ?? who.username ?? '(anonymous)',
      via: actor?.via ?? 'session',
      tokenId: actor?.tokenId ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      communeId: entry.communeId ?? null,
      before: redact(entry.before),
      after: redact(entry.after),
      reason: entry.reason ?? null,
      ip: origin.ip,
      userAgent: origin.userAgent.slice(0, 300),
    },
  });
}
