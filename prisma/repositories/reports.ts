// The auditors' reports, read from the broadcast log (session_record) and, for what has no
// outcome yet, the broadcasts still pending. Every figure is one statement over the indexed
// (communeId | province | clusterId, scheduledAt) ranges of the log; the counting rule is the one
// of domain/session-log/counting.ts, written once here in SQL (`outcomeSql`) and checked against
// the TypeScript rule by the simulated-quarter test.
import type { Actor } from '../../domain/access.ts';
import type { Dimension, Outcome, Period, ReportFilters } from '../../domain/reports/query.ts';
import type { ChainHead } from '../../domain/session-log/heads.ts';
import { Prisma } from '../generated/client.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';
import { currentChainHeads } from './session-records.ts';

/** Who reads reports: auditors, and admins (who run the system and answer for it). */
export const REPORT_ROLES = ['AUDITOR', 'ADMIN'] as const;

/** The communes a report may cover: null for every commune (a global role). */
export type ReportScope = { communeIds: string[] | null };

export async function reportScope(db: Db, actor: Actor | null): Promise<ReportScope> {
  const where = communeWhere(actor, REPORT_ROLES);
  if (Object.keys(where).length === 0) return { communeIds: null };
  const rows = await db.commune.findMany({ where, select: { id: true } });
  return { communeIds: rows.map((r) => r.id) };
}

export function inScope(scope: ReportScope, communeId: string): boolean {
  return scope.communeIds === null || scope.communeIds.includes(communeId);
}

export interface ReportRequest {
  period: Period;
  filters: ReportFilters;
  /** LOA_SESSION_MIN_LANGUAGE_SHARE. */
  share: number;
  scope: ReportScope;
}

// Vietnam's civil time as a fixed offset: PGlite and PostgreSQL agree without a zone database.
const LOCAL = Prisma.sql`((r."scheduledAt" AT TIME ZONE 'UTC') + interval '7 hours')`;
const MONTH = Prisma.sql`to_char(${LOCAL}, 'YYYY-MM')`;
const QUARTER = Prisma.sql`to_char(${LOCAL}, 'YYYY-"Q"Q')`;

/** The counting rule in SQL: held | partial | failed | missed | preempted | cancelled. */
function outcomeSql(share: number) {
  return Prisma.sql`(CASE
    WHEN r.status IN ('AIRED', 'PARTIAL')
         AND (r."minLanguageShare" >= ${share}::float8
              OR (r."minLanguageShare" IS NULL AND r.status = 'AIRED')) THEN 'held'
    WHEN r.status IN ('AIRED', 'PARTIAL') THEN 'partial'
    ELSE lower(r.status::text) END)`;
}

const OCCURRENCE = Prisma.sql`(r."clusterId"::text || '|' || r."occurrenceKey")`;

/** The WHERE of every query on the log: period, scope, filters (test tones are never sessions). */
function whereSql(req: ReportRequest, joined: { language: boolean; programme: boolean }) {
  const f = req.filters;
  const parts = [
    Prisma.sql`r."scheduledAt" >= ${req.period.start} AND r."scheduledAt" < ${req.period.end}`,
    Prisma.sql`r."broadcastKind" <> 'TEST'`,
  ];
  if (req.scope.communeIds) parts.push(Prisma.sql`r."communeId" = ANY(${req.scope.communeIds}::uuid[])`);
  if (f.province) parts.push(Prisma.sql`r.province = ${f.province}`);
  if (f.communeId) parts.push(Prisma.sql`r."communeId" = ${f.communeId}::uuid`);
  if (f.clusterId) parts.push(Prisma.sql`r."clusterId" = ${f.clusterId}::uuid`);
  if (f.marketDay) parts.push(Prisma.sql`r."marketDay" = ${f.marketDay}`);
  if (f.month) parts.push(Prisma.sql`${MONTH} = ${f.month}`);
  if (f.quarter) parts.push(Prisma.sql`${QUARTER} = ${f.quarter}`);
  if (f.language)
    parts.push(
      joined.language
        ? Prisma.sql`ls.value->>'language' = ${f.language}`
        : Prisma.sql`${f.language} = ANY(r.languages)`,
    );
  if (f.programme)
    parts.push(
      joined.programme
        ? Prisma.sql`p.programme = ${f.programme}`
        : Prisma.sql`${f.programme} = ANY(r.programmes)`,
    );
  return Prisma.join(parts, ' AND ');
}

const DIMENSION_SQL: Record<Dimension, { key: Prisma.Sql; label: Prisma.Sql }> = {
  province: { key: Prisma.sql`r.province`, label: Prisma.sql`max(r.province)` },
  commune: {
    key: Prisma.sql`r."communeId"::text`,
    label: Prisma.sql`max(r."communeName" || ' (' || r."communeCode" || ')')`,
  },
  cluster: {
    key: Prisma.sql`r."clusterId"::text`,
    label: Prisma.sql`max(r."clusterName" || ' · ' || r."communeName")`,
  },
  language: { key: Prisma.sql`ls.value->>'language'`, label: Prisma.sql`max(ls.value->>'language')` },
  programme: { key: Prisma.sql`p.programme`, label: Prisma.sql`max(p.programme)` },
  marketDay: { key: Prisma.sql`r."marketDay"`, label: Prisma.sql`max(r."marketDay")` },
  month: { key: MONTH, label: Prisma.sql`max(${MONTH})` },
  quarter: { key: QUARTER, label: Prisma.sql`max(${QUARTER})` },
};

export interface CountRow {
  /** One key per dimension asked (null: the record has none, e.g. an emergency's market day). */
  keys: (string | null)[];
  labels: (string | null)[];
  /** Distinct cluster × occurrence with an outcome. */
  planned: number;
  held: number;
  partial: number;
  failed: number;
  missed: number;
  preempted: number;
  cancelled: number;
  /** Minutes that aired (of that language, when grouped by language), held or not. */
  minutesAired: number;
  /** held / planned (null with nothing planned). */
  successRate: number | null;
  avgSkewMs: number | null;
  maxSkewMs: number | null;
}

export interface CountReport {
  groupBy: Dimension[];
  rows: CountRow[];
  /** The whole period and filters, every record once. */
  total: CountRow;
}

interface RawCount {
  k0: string | null;
  k1: string | null;
  l0: string | null;
  l1: string | null;
  grand: number;
  planned: number;
  held: number;
  partial: number;
  failed: number;
  missed: number;
  preempted: number;
  cancelled: number;
  seconds: number;
  avg_skew: number | null;
  max_skew: number | null;
}

/** Sessions held (and what else became of the planned ones) grouped by one or two dimensions. */
export async function countSessions(db: Db, req: ReportRequest, groupBy: Dimension[]): Promise<CountReport> {
  const joined = {
    language: groupBy.includes('language') || !!req.filters.language,
    programme: groupBy.includes('programme') || !!req.filters.programme,
  };
  const dims = groupBy.map((d) => DIMENSION_SQL[d]);
  const none = Prisma.sql`NULL::text`;
  const key = (i: number) => dims[i]?.key ?? none;
  const label = (i: number) => dims[i]?.label ?? none;
  const outcome = outcomeSql(req.share);
  const seconds = joined.language
    ? Prisma.sql`coalesce((ls.value->>'airedSec')::float8, 0)`
    : Prisma.sql`r."secondsAired"`;
  const joins = Prisma.sql`
    ${joined.language ? Prisma.sql`LEFT JOIN LATERAL jsonb_array_elements(r."languageSeconds") ls(value) ON true` : Prisma.empty}
    ${joined.programme ? Prisma.sql`LEFT JOIN LATERAL unnest(r.programmes) p(programme) ON true` : Prisma.empty}`;
  const groupKeys = Prisma.join(
    dims.map((d) => d.key),
    ', ',
  );
  // Outcomes count broadcasts (distinct, as a language or programme join repeats a record);
  // planned and held count cluster × occurrence, the counting rule's unit.
  const rows = await db.$queryRaw<RawCount[]>`
    SELECT ${key(0)} AS k0, ${key(1)} AS k1, ${label(0)} AS l0, ${label(1)} AS l1,
           grouping(${groupKeys})::int AS grand,
           count(DISTINCT ${OCCURRENCE})::int AS planned,
           count(DISTINCT ${OCCURRENCE}) FILTER (WHERE ${outcome} = 'held')::int AS held,
           count(DISTINCT r."broadcastId") FILTER (WHERE ${outcome} = 'partial')::int AS partial,
           count(DISTINCT r."broadcastId") FILTER (WHERE r.status = 'FAILED')::int AS failed,
           count(DISTINCT r."broadcastId") FILTER (WHERE r.status = 'MISSED')::int AS missed,
           count(DISTINCT r."broadcastId") FILTER (WHERE r.status = 'PREEMPTED')::int AS preempted,
           count(DISTINCT r."broadcastId") FILTER (WHERE r.status = 'CANCELLED')::int AS cancelled,
           coalesce(sum(${seconds}), 0)::float8 AS seconds,
           avg(r."skewMs")::float8 AS avg_skew, max(r."skewMs")::float8 AS max_skew
      FROM session_record r ${joins}
     WHERE ${whereSql(req, joined)}
     GROUP BY GROUPING SETS ((${groupKeys}), ())
     ORDER BY 5 DESC, 1, 2`;
  const toRow = (raw: RawCount): CountRow => ({
    keys: groupBy.map((_, i) => (i === 0 ? raw.k0 : raw.k1)),
    labels: groupBy.map((_, i) => (i === 0 ? raw.l0 : raw.l1)),
    planned: raw.planned,
    held: raw.held,
    partial: raw.partial,
    failed: raw.failed,
    missed: raw.missed,
    preempted: raw.preempted,
    cancelled: raw.cancelled,
    minutesAired: Math.round((raw.seconds / 60) * 100) / 100,
    successRate: raw.planned > 0 ? raw.held / raw.planned : null,
    avgSkewMs: raw.avg_skew,
    maxSkewMs: raw.max_skew,
  });
  const grand = rows.find((r) => r.grand !== 0);
  const empty: CountRow = {
    ...toRow({
      planned: 0,
      held: 0,
      partial: 0,
      failed: 0,
      missed: 0,
      preempted: 0,
      cancelled: 0,
      seconds: 0,
    } as RawCount),
    keys: [],
    labels: [],
  };
  return {
    groupBy,
    rows: rows.filter((r) => r.grand === 0).map(toRow),
    total: grand ? { ...toRow(grand), keys: [], labels: [] } : empty,
  };
}

export interface RecordRow {
  communeId: string;
  seq: number;
  hash: string;
  broadcastId: string;
  broadcastKind: string;
  communeCode: string;
  communeName: string;
  province: string;
  clusterId: string;
  clusterName: string;
  slotName: string | null;
  slotTimeOfDay: string | null;
  marketDay: string | null;
  lunarDate: unknown;
  programmes: string[];
  bulletins: unknown;
  languages: string[];
  languageSeconds: unknown;
  minLanguageShare: number | null;
  durationSec: number;
  secondsAired: number;
  scheduledAt: Date;
  firstAudioAt: Date | null;
  endedAt: Date;
  skewMs: number | null;
  status: string;
  outcome: string;
  reasonCode: string | null;
  reason: string | null;
  driverKind: string;
  receipt: unknown;
  triggeredBy: string | null;
  triggerReason: string | null;
}

export interface RecordPage {
  records: RecordRow[];
  /** Give it back as `cursor` for the next page; null on the last. */
  next: string | null;
}

/** The records behind a number: the same filters, an outcome, in time order, a page at a time. */
export async function sessionRecords(
  db: Db,
  req: ReportRequest,
  page: { outcome?: Outcome | 'planned'; cursor?: string; limit: number },
): Promise<RecordPage> {
  const outcome = outcomeSql(req.share);
  const parts = [whereSql(req, { language: false, programme: false })];
  if (page.outcome && page.outcome !== 'planned') parts.push(Prisma.sql`${outcome} = ${page.outcome}`);
  if (page.cursor) {
    const [ms, communeId, seq] = page.cursor.split('.');
    parts.push(
      Prisma.sql`(r."scheduledAt", r."communeId", r.seq) >
                 ('epoch'::timestamptz + ${Number(ms)} * interval '1 millisecond', ${communeId}::uuid, ${Number(seq)}::int)`,
    );
  }
  const rows = await db.$queryRaw<RecordRow[]>`
    SELECT r."communeId", r.seq, r.hash, r."broadcastId", r."broadcastKind"::text AS "broadcastKind",
           r."communeCode", r."communeName", r.province, r."clusterId", r."clusterName", r."slotName",
           r."slotTimeOfDay", r."marketDay", r."lunarDate", coalesce(r.programmes, '{}') AS programmes,
           r.bulletins, coalesce(r.languages, '{}') AS languages, r."languageSeconds", r."minLanguageShare",
           r."durationSec", r."secondsAired", r."scheduledAt", r."firstAudioAt", r."endedAt", r."skewMs",
           r.status::text AS status, ${outcome} AS outcome, r."reasonCode", r.reason,
           r."driverKind"::text AS "driverKind", r.receipt, r."triggeredBy", r."triggerReason"
      FROM session_record r
     WHERE ${Prisma.join(parts, ' AND ')}
     ORDER BY r."scheduledAt", r."communeId", r.seq
     LIMIT ${page.limit + 1}`;
  const more = rows.length > page.limit;
  const records = more ? rows.slice(0, page.limit) : rows;
  const last = records[records.length - 1];
  return {
    records,
    next: more && last ? `${last.scheduledAt.getTime()}.${last.communeId}.${last.seq}` : null,
  };
}

export interface PlannedRow {
  broadcastId: string;
  kind: string;
  scheduledAt: Date;
  communeId: string;
  communeName: string;
  clusterId: string;
  clusterName: string;
  slotName: string | null;
  marketDay: string | null;
  lunarDate: unknown;
  programmes: string[];
  status: string;
  outcome: Outcome;
  reasonCode: string | null;
  reason: string | null;
  durationSec: number;
  secondsAired: number | null;
  minLanguageShare: number | null;
  skewMs: number | null;
  /** The record in the log (null: no outcome yet). */
  seq: number | null;
}

export interface PlannedReport {
  /** Every planned occurrence on a cluster by what became of it (pending: no outcome yet). */
  outcomes: Record<Outcome, number>;
  /** The exceptions (everything but held) by outcome and reason code. */
  reasons: { outcome: Outcome; reasonCode: string | null; count: number }[];
  rows: PlannedRow[];
  next: string | null;
}

/** The planned-vs-aired filters: where and when (a pending broadcast has no language yet). */
function plannedWhere(req: ReportRequest, alias: 'r' | 'b') {
  const f = req.filters;
  const col = (name: string) => Prisma.raw(`${alias}."${name}"`);
  const parts = [
    Prisma.sql`${col('scheduledAt')} >= ${req.period.start} AND ${col('scheduledAt')} < ${req.period.end}`,
  ];
  if (req.scope.communeIds)
    parts.push(Prisma.sql`${col('communeId')} = ANY(${req.scope.communeIds}::uuid[])`);
  if (f.communeId) parts.push(Prisma.sql`${col('communeId')} = ${f.communeId}::uuid`);
  if (f.clusterId) parts.push(Prisma.sql`${col('clusterId')} = ${f.clusterId}::uuid`);
  return Prisma.join(parts, ' AND ');
}

/** Every planned occurrence (broadcast) of the period and what became of it; the exceptions with reasons. */
export async function plannedVersusAired(
  db: Db,
  req: ReportRequest,
  page: { exceptionsOnly: boolean; cursor?: string; limit: number },
): Promise<PlannedReport> {
  const outcome = outcomeSql(req.share);
  const province = req.filters.province;
  const recordWhere = Prisma.sql`${plannedWhere(req, 'r')} AND r."broadcastKind" <> 'TEST'
    ${province ? Prisma.sql`AND r.province = ${province}` : Prisma.empty}`;
  const pendingWhere = Prisma.sql`${plannedWhere(req, 'b')} AND b.kind <> 'TEST'
    AND b.status IN ('PLANNED', 'STARTING', 'AIRING')
    ${province ? Prisma.sql`AND cm.province = ${province}` : Prisma.empty}`;
  const union = Prisma.sql`
    SELECT r."broadcastId", r."broadcastKind"::text AS kind, r."scheduledAt", r."communeId", r."communeName",
           r."clusterId", r."clusterName", r."slotName", r."marketDay", r."lunarDate",
           coalesce(r.programmes, '{}') AS programmes, r.status::text AS status, ${outcome} AS outcome,
           r."reasonCode", r.reason, r."durationSec", r."secondsAired", r."minLanguageShare", r."skewMs", r.seq
      FROM session_record r WHERE ${recordWhere}
    UNION ALL
    SELECT b.id, b.kind::text, b."scheduledAt", b."communeId", cm.name, b."clusterId", c.name, s.name,
           b."marketDay", NULL, '{}'::text[], b.status::text, 'pending', b."reasonCode", b.reason,
           b."durationSec", b."secondsAired", NULL, b."skewMs", NULL
      FROM broadcast b JOIN cluster c ON c.id = b."clusterId" JOIN commune cm ON cm.id = b."communeId"
      LEFT JOIN slot s ON s.id = b."slotId"
     WHERE ${pendingWhere}`;
  const filters = [Prisma.sql`true`];
  if (page.exceptionsOnly) filters.push(Prisma.sql`x.outcome <> 'held'`);
  if (page.cursor) {
    const [ms, id] = page.cursor.split('.');
    filters.push(
      Prisma.sql`(x."scheduledAt", x."broadcastId") > ('epoch'::timestamptz + ${Number(ms)} * interval '1 millisecond', ${id}::uuid)`,
    );
  }
  const [rows, summary] = await Promise.all([
    db.$queryRaw<PlannedRow[]>`
      SELECT * FROM (${union}) x WHERE ${Prisma.join(filters, ' AND ')}
       ORDER BY x."scheduledAt", x."broadcastId" LIMIT ${page.limit + 1}`,
    db.$queryRaw<{ outcome: Outcome; reasonCode: string | null; count: number }[]>`
      SELECT x.outcome, x."reasonCode", count(*)::int AS count FROM (${union}) x
       GROUP BY 1, 2 ORDER BY 1, 2`,
  ]);
  const outcomes = { held: 0, partial: 0, failed: 0, missed: 0, preempted: 0, cancelled: 0, pending: 0 };
  for (const s of summary) outcomes[s.outcome] += s.count;
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const last = shown[shown.length - 1];
  return {
    outcomes,
    reasons: summary.filter((s) => s.outcome !== 'held'),
    rows: shown,
    next: more && last ? `${last.scheduledAt.getTime()}.${last.broadcastId}` : null,
  };
}

/** The chain heads of the communes a report covers (what `loa log verify --against` checks). */
export async function reportChainHeads(db: Db, req: ReportRequest): Promise<ChainHead[]> {
  const f = req.filters;
  const communes = await db.commune.findMany({
    where: {
      ...(req.scope.communeIds ? { id: { in: req.scope.communeIds } } : {}),
      ...(f.communeId ? { id: { in: [f.communeId].filter((id) => inScope(req.scope, id)) } } : {}),
      ...(f.province ? { province: f.province } : {}),
    },
    select: { id: true },
  });
  return currentChainHeads(
    db,
    communes.map((c) => c.id),
  );
}
