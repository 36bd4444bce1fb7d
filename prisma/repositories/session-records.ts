// The broadcast log (session records): written only here, by the broadcast's moves (see
// moveBroadcast), read by `loa log verify`, the verification route and the reports. A record
// copies in everything an auditor needs (names, programme, approver, the market day's lunar
// date…), so it stands on its own after the cluster or bulletin is renamed or archived.
import { solarToLunar } from '../../domain/calendar/index.ts';
import type { PlanItem } from '../../domain/dispatch/materialise.ts';
import { GENESIS_HASH, type RecordBodySource, recordBody } from '../../domain/session-log/canonical.ts';
import type { ChainHead } from '../../domain/session-log/heads.ts';
import { languageSeconds, minLanguageShare } from '../../domain/session-log/language-seconds.ts';
import type { ChainedRecord } from '../../domain/session-log/verify.ts';
import type { Db } from './db.ts';

interface EndedFacts {
  id: string;
  kind: string;
  communeId: string;
  clusterId: string;
  slotId: string | null;
  requestId: string | null;
  scheduledAt: Date;
  marketDay: string | null;
  priority: string;
  status: string;
  reasonCode: string | null;
  reason: string | null;
  plan: { items: PlanItem[] };
  profileId: string;
  driverKind: string;
  durationSec: number;
  attempts: number;
  startedAt: Date | null;
  firstAudioAt: Date | null;
  endedAt: Date | null;
  skewMs: number | null;
  spreadMs: number | null;
  secondsAired: number | null;
  receipt: unknown;
  triggeredById: string | null;
  triggerReason: string | null;
  preemptedById: string | null;
  communeCode: string;
  communeName: string;
  province: string;
  clusterName: string;
  clusterLocation: string;
  slotName: string | null;
  slotTimeOfDay: string | null;
  calendarName: string | null;
  triggeredBy: string | null;
  bulletinRows: BulletinRow[];
}

interface BulletinRow {
  id: string;
  title: string;
  programme: string;
  approvedById: string | null;
  approvedBy: string | null;
  /** Epoch ms: a timestamp inside JSON would be written in the session's zone. */
  approvedAtMs: number | null;
}

/** One query: the broadcast as it ended, with the names and approvals an auditor needs. */
async function endedFacts(db: Db, broadcastId: string): Promise<EndedFacts | undefined> {
  const rows = await db.$queryRaw<EndedFacts[]>`
    SELECT b.id, b.kind::text AS kind, b."communeId", b."clusterId", b."slotId", b."requestId", b."scheduledAt",
           b."marketDay", b.priority::text AS priority, b.status::text AS status, b."reasonCode", b.reason, b.plan,
           b."profileId", b."driverKind"::text AS "driverKind", b."durationSec", b.attempts, b."startedAt",
           b."firstAudioAt", b."endedAt", b."skewMs", b."spreadMs", b."secondsAired", b.receipt, b."triggeredById",
           b."triggerReason", b."preemptedById",
           cm.code AS "communeCode", cm.name AS "communeName", cm.province,
           c.name AS "clusterName", c.location AS "clusterLocation",
           s.name AS "slotName", s."timeOfDay" AS "slotTimeOfDay", mc.name AS "calendarName",
           tu."displayName" AS "triggeredBy",
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                     'id', bu.id, 'title', bu.title, 'programme', bu.programme,
                     'approvedById', bu."approvedById", 'approvedBy', au."displayName",
                     'approvedAtMs', (extract(epoch FROM bu."approvedAt") * 1000)::float8)), '[]'::jsonb)
              FROM bulletin bu LEFT JOIN "user" au ON au.id = bu."approvedById"
             WHERE bu.id IN (SELECT (i->>'bulletinId')::uuid FROM jsonb_array_elements(b.plan->'items') i)
           ) AS "bulletinRows"
      FROM broadcast b
      JOIN cluster c ON c.id = b."clusterId"
      JOIN commune cm ON cm.id = b."communeId"
      LEFT JOIN slot s ON s.id = b."slotId"
      LEFT JOIN market_calendar mc ON mc.id = s."calendarId"
      LEFT JOIN "user" tu ON tu.id = b."triggeredById"
     WHERE b.id = ${broadcastId}::uuid`;
  return rows[0];
}

/** The record of a broadcast that has just reached its terminal state (same transaction). */
export function endedRecord(f: EndedFacts, recordedAt: Date): RecordBodySource {
  const items = f.plan.items;
  const rows = new Map(f.bulletinRows.map((r) => [r.id, r]));
  const aired = f.secondsAired ?? 0;
  const perLanguage = languageSeconds(items, aired);
  const bulletins = items.map((item) => {
    const row = rows.get(item.bulletinId);
    return {
      id: item.bulletinId,
      title: row?.title ?? null,
      programme: row?.programme ?? null,
      renditionId: item.renditionId,
      sha256: item.sha256,
      approvedById: row?.approvedById ?? null,
      approvedBy: row?.approvedBy ?? null,
      approvedAt: row?.approvedAtMs == null ? null : new Date(row.approvedAtMs).toISOString(),
    };
  });
  return {
    communeId: f.communeId,
    kind: 'ENDED',
    broadcastId: f.id,
    broadcastKind: f.kind,
    recordedAt,
    communeCode: f.communeCode,
    communeName: f.communeName,
    province: f.province,
    clusterId: f.clusterId,
    clusterName: f.clusterName,
    clusterLocation: f.clusterLocation,
    slotId: f.slotId,
    slotName: f.slotName,
    slotTimeOfDay: f.slotTimeOfDay,
    calendarName: f.calendarName,
    requestId: f.requestId,
    occurrenceKey: f.slotId ? `slot:${f.slotId}:${f.marketDay}` : `request:${f.requestId ?? f.id}`,
    marketDay: f.marketDay,
    lunarDate: f.marketDay ? lunarOf(f.marketDay) : null,
    priority: f.priority,
    bulletins,
    bulletinIds: unique(items.map((i) => i.bulletinId)),
    programmes: unique(bulletins.map((b) => b.programme).filter((p): p is string => !!p)),
    renditionSha256: items.map((i) => i.sha256),
    languages: perLanguage.map((l) => l.language),
    languageSeconds: perLanguage,
    minLanguageShare: minLanguageShare(perLanguage),
    durationSec: f.durationSec,
    secondsAired: aired,
    scheduledAt: f.scheduledAt,
    claimedAt: f.startedAt,
    firstAudioAt: f.firstAudioAt,
    endedAt: f.endedAt ?? recordedAt,
    skewMs: f.skewMs,
    spreadMs: f.spreadMs,
    attempts: f.attempts,
    status: f.status,
    reasonCode: f.reasonCode,
    reason: f.reason,
    driverKind: f.driverKind,
    profileId: f.profileId,
    receipt: f.receipt ?? null,
    triggeredById: f.triggeredById,
    triggeredBy: f.triggeredBy,
    triggerReason: f.triggerReason,
    preemptedById: f.preemptedById,
  };
}

function lunarOf(day: string) {
  try {
    const { year, month, day: d, leap } = solarToLunar(day);
    return { year, month, day: d, leap };
  } catch {
    return null; // outside the range the lunar calendar vouches for
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/**
 * Appends the ENDED record of a broadcast that has just moved to its terminal state, in the
 * caller's transaction. The append (lock, head, insert) is one statement, so the commune's chain
 * lock is held only from it to the commit. A second record of the same broadcast fails on
 * (broadcastId, kind).
 */
export async function recordEnded(tx: Db, broadcastId: string, now = new Date()): Promise<void> {
  const facts = await endedFacts(tx, broadcastId);
  if (!facts) throw new Error(`broadcast ${broadcastId} not found for its session record`);
  const record = endedRecord(facts, now);
  await tx.$queryRaw`SELECT session_record_append(${JSON.stringify(record)}::jsonb, ${recordBody(record)})`;
}

/** The start marker of a broadcast that has just moved to AIRING (its first audio has left). */
export async function recordStarted(tx: Db, broadcastId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO session_start ("broadcastId", "communeId", "clusterId", "scheduledAt", "firstAudioAt", "skewMs")
    SELECT id, "communeId", "clusterId", "scheduledAt", "firstAudioAt", "skewMs"
      FROM broadcast WHERE id = ${broadcastId}::uuid AND "firstAudioAt" IS NOT NULL
    ON CONFLICT DO NOTHING`;
}

export interface ChainOwner {
  communeId: string;
  code: string;
  name: string;
}

/** The communes that have a chain (or the one with `code`), by code. */
export async function chainOwners(db: Db, filter: { code?: string; communeIds?: string[] } = {}) {
  const communes = await db.commune.findMany({
    where: {
      ...(filter.code ? { code: filter.code } : {}),
      ...(filter.communeIds ? { id: { in: filter.communeIds } } : {}),
    },
    select: { id: true, code: true, name: true },
    orderBy: { code: 'asc' },
  });
  return communes.map((c): ChainOwner => ({ communeId: c.id, code: c.code, name: c.name }));
}

/**
 * A commune's records in chain order after `afterSeq`, a page at a time (a million records never
 * sit in memory).
 */
export async function* chainRecords(
  db: Db,
  communeId: string,
  afterSeq = 0,
  pageSize = 2_000,
): AsyncGenerator<ChainedRecord> {
  let after = afterSeq;
  for (;;) {
    const page = await db.sessionRecord.findMany({
      where: { communeId, seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    for (const record of page) yield record;
    if (page.length < pageSize) return;
    after = page[page.length - 1]?.seq ?? after;
  }
}

/**
 * The heads an export made now prints (domain/session-log/heads.ts): each commune's last record
 * as stored, without recomputing (an export must not take a full verification); a commune with
 * no record yet has seq 0 and the genesis hash. One index probe per commune.
 */
export async function currentChainHeads(db: Db, communeIds: string[]): Promise<ChainHead[]> {
  const owners = await chainOwners(db, { communeIds });
  if (owners.length === 0) return [];
  const rows = await db.$queryRaw<{ communeId: string; seq: number; hash: string }[]>`
    SELECT c.id AS "communeId", h.seq, h.hash
      FROM unnest(${owners.map((o) => o.communeId)}::uuid[]) AS c(id)
      JOIN LATERAL (SELECT seq, hash FROM session_record r WHERE r."communeId" = c.id
                     ORDER BY seq DESC LIMIT 1) h ON true`;
  const byId = new Map(rows.map((r) => [r.communeId, r]));
  return owners.map((o) => ({
    commune: o.code,
    seq: byId.get(o.communeId)?.seq ?? 0,
    hash: byId.get(o.communeId)?.hash ?? GENESIS_HASH,
  }));
}
