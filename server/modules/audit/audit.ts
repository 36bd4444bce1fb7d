// Records who did what to which record, before and after, when and from where. Called inside
// the same transaction as the change it describes, so the trail and the data never disagree.
import type { Request } from 'express';
import type { Actor } from '../../../domain/access.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';

type AuditWriter = { auditEvent: { create(args: { data: Prisma.AuditEventUncheckedCreateInput }): unknown } };

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

export function requestOrigin(req: Request): { ip: string; userAgent: string } {
  return { ip: req.ip ?? '', userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300) };
}

export async function recordAudit(
  db: AuditWriter,
  who: { actor: Actor | null; username?: string; req: Request },
  entry: AuditEntry,
): Promise<void> {
  const { actor, req } = who;
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
      ...requestOrigin(req),
    },
  });
}
