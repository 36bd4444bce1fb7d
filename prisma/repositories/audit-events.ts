// Reading the audit trail (writing it is recordAudit, in audit.ts). Newest first, paged
// backwards by id. Each event comes with the name its record has now (or, once the record is
// gone, the name the event kept of it) and the actor's display name, for a reader.
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

export interface NamedAuditEvent extends StoredAuditEvent {
  /** The actor's display name, when the actor is a user that still exists. */
  actorDisplayName: string | null;
  /** The record's name (a bulletin's title, a slot's name or time, a user's display name). */
  recordName: string | null;
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

type NameLookup = (db: Db, ids: string[]) => Promise<{ id: string; name: string }[]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How to name each type of record the trail holds, a page of ids at a time. */
const NAMES: Record<string, NameLookup> = {
  user: async (db, ids) =>
    (await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } })).map(
      (u) => ({ id: u.id, name: u.displayName }),
    ),
  'api-token': (db, ids) =>
    db.apiToken.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
  commune: (db, ids) => db.commune.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
  cluster: (db, ids) => db.cluster.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
  'market-calendar': (db, ids) =>
    db.marketCalendar.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
  bulletin: async (db, ids) =>
    (await db.bulletin.findMany({ where: { id: { in: ids } }, select: { id: true, title: true } })).map(
      (b) => ({ id: b.id, name: b.title }),
    ),
  slot: async (db, ids) =>
    (
      await db.slot.findMany({
        where: { id: { in: ids } },
        select: { id: true, name: true, timeOfDay: true },
      })
    ).map((s) => ({ id: s.id, name: s.name || s.timeOfDay })),
};

/** The name an event kept of its record (a deleted slot, calendar), when it kept one. */
function keptName(event: StoredAuditEvent): string | null {
  for (const state of [event.after, event.before]) {
    if (state && typeof state === 'object') {
      const { name, title, displayName, username, time } = state as Record<string, unknown>;
      for (const value of [title, name, displayName, username, time])
        if (typeof value === 'string' && value !== '') return value;
    }
  }
  return null;
}

async function namesOf(db: Db, events: StoredAuditEvent[]): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.entityId || !UUID.test(e.entityId)) continue;
    const ids = wanted.get(e.entityType) ?? new Set<string>();
    ids.add(e.entityId);
    wanted.set(e.entityType, ids);
  }
  const found = new Map<string, string>();
  for (const [type, ids] of wanted) {
    const lookup = NAMES[type];
    if (!lookup) continue;
    for (const row of await lookup(db, [...ids])) found.set(`${type}:${row.id}`, row.name);
  }
  return found;
}

export const auditEventRepository = {
  async list(db: Db, filter: AuditFilter): Promise<NamedAuditEvent[]> {
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
    const events: StoredAuditEvent[] = rows.map((r) => ({ ...r, id: r.id.toString() }));
    const records = await namesOf(db, events);
    const actorIds = [...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : [])))];
    const actors = new Map(
      (
        await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, displayName: true } })
      ).map((u) => [u.id, u.displayName]),
    );
    return events.map((e) => ({
      ...e,
      actorDisplayName: (e.actorId && actors.get(e.actorId)) || null,
      recordName: records.get(`${e.entityType}:${e.entityId}`) ?? keptName(e),
    }));
  },
};
