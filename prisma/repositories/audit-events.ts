// Reading the audit trail (writing it is recordAudit, in audit.ts). Newest first, paged
// backwards by id.
import type { Db } from './db.ts';

export interface StoredAuditEvent {
  id: string;
  at: Date;
  actorId: string | null;
  actorName: string;
  via: string;
  tokenId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  communeId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  ip: string;
  userAgent: string;
}

export interface AuditFilter {
  /** Only events about these communes (events about no commune are left out); all when absent. */
  withinCommunes?: string[];
  communeId?: string;
  entityType?: string;
  entityId?: string;
  /** Events with an id below this one. */
  before?: bigint;
  limit: number;
}

export const auditEventRepository = {
  async list(db: Db, filter: AuditFilter): Promise<StoredAuditEvent[]> {
    const rows = await db.auditEvent.findMany({
      where: {
        AND: [
          filter.withinCommunes ? { communeId: { in: filter.withinCommunes } } : {},
          filter.communeId ? { communeId: filter.communeId } : {},
          filter.entityType ? { entityType: filter.entityType } : {},
          filter.entityId ? { entityId: filter.entityId } : {},
          filter.before ? { id: { lt: filter.before } } : {},
        ],
      },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
    return rows.map((r) => ({ ...r, id: r.id.toString() }));
  },
};
