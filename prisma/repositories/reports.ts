// The auditors' reports, read from the broadcast log (session_record) and, for what has no
// outcome yet, the broadcasts still pending. The counts read the rollup the log's append maintains
// (session_rollup, see prisma/repositories/session-rollup.ts) when it was built with the configured
// counting rule, and fold the raw records otherwise; the other figures are one statement over the
// indexed (communeId | province | clusterId, scheduledAt) ranges of the log. The counting rule is
// the one of domain/session-log/counting.ts, written here in SQL (`outcomeSql`, and
// session_outcome in the rollup's migration) and checked against the TypeScript rule by the
// simulated-quarter test.
import type { Actor } from '../../domain/access.ts';
import type { Dimension, Outcome, Period, ReportFilters } from '../../domain/reports/query.ts';
import type { ChainHead } from '../../domain/session-log/heads.ts';
import { Prisma } from '../generated/client.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';
import { currentChainHeads } from './session-records.ts';
import { rollupShare } from './session-rollup.ts';

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

/**
 * Runs one report statement without JIT compilation or parallel workers: a report reads at most a
 * period's index range (tens of thousands of rows), where the fixed costs of compiling the plan
 * (tens of ms) and starting workers (up to hundreds of ms on a busy host) outweighed the work —
 * measured by the `reports` bench on PostgreSQL. PGlite accepts the same settings.
 */
function reportQuery<T>(db: Db, sql: Prisma.Sql): Promise<T> {
  const settings = [
    Prisma.sql`SELECT set_config('jit', 'off', true)`,
    Prisma.sql`SELECT set_config('max_parallel_workers_per_gather', '0', true)`,
    // The fold per cluster × occurrence hashes a quarter's records at once: in memory, not in batches on disk.
    Prisma.sql`SELECT set_config('work_mem', '64MB', true)`,
  ];
  if ('$transaction' in db) {
    return db
      .$transaction([...settings.map((s) => db.$queryRaw(s)), db.$queryRaw<T>(sql)])
      .then((results) => results[results.length - 1] as T);
  }
  // Inside the caller's transaction already: the settings hold until it ends.
  const tx = db as Prisma.TransactionClient;
  return settings
    .reduce<Promise<unknown>>((p, s) => p.then(() => tx.$queryRaw(s)), Promise.resolve())
    .then(() => tx.$queryRaw<T>(sql));
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
  province: { key: Prisma.sql`r.province`, label: Prisma.sql`r.province` },
  commune: { key: Prisma.sql`r."communeId"`, label: Prisma.sql`r."communeName"` },
  cluster: { key: Prisma.sql`r."clusterId"`, label: Prisma.sql`r."clusterName"` },
  language: { key: Prisma.sql`ls.value->>'language'`, label: Prisma.sql`ls.value->>'language'` },
  programme: { key: Prisma.sql`p.programme`, label: Prisma.sql`p.programme` },
  marketDay: { key: Prisma.sql`r."marketDay"`, label: Prisma.sql`r."marketDay"` },
  month: { key: MONTH, label: MONTH },
  quarter: { key: QUARTER, label: QUARTER },
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

/** Where the counts come from: `raw` folds the records; `auto` takes the rollup when it applies. */
export type CountSource = 'auto' | 'raw';

/**
 * Whether the rollup answers this request exactly: built with the same share, and a period of
 * whole local days (the rollup's rows are days; resolvePeriod always gives whole days).
 */
export async function rollupApplies(db: Db, req: ReportRequest): Promise<boolean> {
  const days = localDays(req.period);
  if (!days) return false;
  return (await rollupShare(db)) === req.share;
}

function localDays(period: Period): { from: string; to: string } | null {
  const midnight = (day: string) => Date.parse(`${day}T00:00:00Z`) - 7 * 3600_000;
  const whole =
    period.start.getTime() === midnight(period.from) &&
    period.end.getTime() === midnight(period.to) + 24 * 3600_000;
  return whole ? { from: period.from, to: period.to } : null;
}

/** Sessions held (and what else became of the planned ones) grouped by one or two dimensions. */
export async function countSessions(
  db: Db,
  req: ReportRequest,
  groupBy: Dimension[],
  source: CountSource = 'auto',
): Promise<CountReport> {
  const toRow = (raw: RawCount, keys: number): CountRow => ({
    keys: [raw.k0, raw.k1].slice(0, keys),
    labels: [raw.l0, raw.l1].slice(0, keys),
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
  // The total counts every record once: no language or programme join beyond what a filter needs
  // (a filter keeps one language or programme per record, so nothing repeats).
  const rollup = source === 'auto' && (await rollupApplies(db, req));
  const counts = (dims: Dimension[]) =>
    !rollup ? groupedCounts : monthly(req, dims) ? monthlyCounts : rolledUpCounts;
  const [rows, totals] = await Promise.all([counts(groupBy)(db, req, groupBy), counts([])(db, req, [])]);
  const total = totals[0];
  return {
    groupBy,
    rows: rows.map((r) => toRow(r, groupBy.length)),
    total: total ? toRow(total, 0) : toRow({ ...EMPTY_COUNT }, 0),
  };
}

const EMPTY_COUNT: RawCount = {
  k0: null,
  k1: null,
  l0: null,
  l1: null,
  planned: 0,
  held: 0,
  partial: 0,
  failed: 0,
  missed: 0,
  preempted: 0,
  cancelled: 0,
  seconds: 0,
  avg_skew: null,
  max_skew: null,
};

/**
 * Two steps, no DISTINCT aggregate: the records of each group are first folded per cluster ×
 * occurrence (held if any of them was), then the occurrences are counted per group. Within one
 * group a record appears once (a record has each of its languages and programmes once), so the
 * outcome counts need no de-duplication either. Measured on a million records, this is what keeps
 * the national quarterly count fast (eight DISTINCT aggregates over grouping sets took seconds).
 */
async function groupedCounts(db: Db, req: ReportRequest, groupBy: Dimension[]): Promise<RawCount[]> {
  const joined = {
    language: groupBy.includes('language') || !!req.filters.language,
    programme: groupBy.includes('programme') || !!req.filters.programme,
  };
  const dims = groupBy.map((d) => DIMENSION_SQL[d]);
  const none = Prisma.sql`NULL::text`;
  const seconds = joined.language
    ? Prisma.sql`coalesce((ls.value->>'airedSec')::float8, 0)`
    : Prisma.sql`r."secondsAired"`;
  const joins = Prisma.sql`
    ${joined.language ? Prisma.sql`LEFT JOIN LATERAL jsonb_array_elements(r."languageSeconds") ls(value) ON true` : Prisma.empty}
    ${joined.programme ? Prisma.sql`LEFT JOIN LATERAL unnest(r.programmes) p(programme) ON true` : Prisma.empty}`;
  return reportQuery<RawCount[]>(
    db,
    Prisma.sql`
    WITH base AS (
      SELECT ${dims[0]?.key ?? none} AS k0, ${dims[1]?.key ?? none} AS k1,
             ${dims[0]?.label ?? none} AS l0, ${dims[1]?.label ?? none} AS l1,
             r."clusterId", r."occurrenceKey", ${outcomeSql(req.share)} AS outcome,
             ${seconds} AS seconds, r."skewMs" AS skew
        FROM session_record r ${joins}
       WHERE ${whereSql(req, joined)}
    ), occurrence AS (
      SELECT k0, k1, max(l0) AS l0, max(l1) AS l1, bool_or(outcome = 'held') AS held,
             count(*) FILTER (WHERE outcome = 'partial') AS partial,
             count(*) FILTER (WHERE outcome = 'failed') AS failed,
             count(*) FILTER (WHERE outcome = 'missed') AS missed,
             count(*) FILTER (WHERE outcome = 'preempted') AS preempted,
             count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled,
             sum(seconds) AS seconds, sum(skew) AS skew_sum, count(skew) AS skew_n, max(skew) AS max_skew
        FROM base GROUP BY k0, k1, "clusterId", "occurrenceKey"
    )
    SELECT k0::text AS k0, k1::text AS k1, max(l0) AS l0, max(l1) AS l1, count(*)::int AS planned,
           count(*) FILTER (WHERE held)::int AS held, sum(partial)::int AS partial, sum(failed)::int AS failed,
           sum(missed)::int AS missed, sum(preempted)::int AS preempted, sum(cancelled)::int AS cancelled,
           coalesce(sum(seconds), 0)::float8 AS seconds,
           (sum(skew_sum) / nullif(sum(skew_n), 0))::float8 AS avg_skew, max(max_skew)::float8 AS max_skew
      FROM occurrence GROUP BY occurrence.k0, occurrence.k1 ORDER BY 1, 2`,
  );
}

const ROLLUP_DIMENSION_SQL: Record<Dimension, { key: Prisma.Sql; label: Prisma.Sql }> = {
  province: { key: Prisma.sql`u.province`, label: Prisma.sql`u.province` },
  commune: { key: Prisma.sql`u."communeId"`, label: Prisma.sql`u."communeName"` },
  cluster: { key: Prisma.sql`u."clusterId"`, label: Prisma.sql`u."clusterName"` },
  language: { key: Prisma.sql`ls.language`, label: Prisma.sql`ls.language` },
  programme: { key: Prisma.sql`p.programme`, label: Prisma.sql`p.programme` },
  marketDay: { key: Prisma.sql`nullif(u."marketDay", '')`, label: Prisma.sql`nullif(u."marketDay", '')` },
  month: { key: Prisma.sql`to_char(u.day, 'YYYY-MM')`, label: Prisma.sql`to_char(u.day, 'YYYY-MM')` },
  quarter: { key: Prisma.sql`to_char(u.day, 'YYYY-"Q"Q')`, label: Prisma.sql`to_char(u.day, 'YYYY-"Q"Q')` },
};

/** The WHERE of the rollup: the same filters as whereSql, on the rollup's columns. */
function rollupWhereSql(req: ReportRequest, days: { from: string; to: string }) {
  const f = req.filters;
  const parts = [Prisma.sql`u.day >= ${days.from}::date AND u.day <= ${days.to}::date`];
  if (req.scope.communeIds) parts.push(Prisma.sql`u."communeId" = ANY(${req.scope.communeIds}::uuid[])`);
  if (f.province) parts.push(Prisma.sql`u.province = ${f.province}`);
  if (f.communeId) parts.push(Prisma.sql`u."communeId" = ${f.communeId}::uuid`);
  if (f.clusterId) parts.push(Prisma.sql`u."clusterId" = ${f.clusterId}::uuid`);
  if (f.marketDay) parts.push(Prisma.sql`u."marketDay" = ${f.marketDay}`);
  if (f.month) parts.push(Prisma.sql`to_char(u.day, 'YYYY-MM') = ${f.month}`);
  if (f.quarter) parts.push(Prisma.sql`to_char(u.day, 'YYYY-"Q"Q') = ${f.quarter}`);
  if (f.language) parts.push(Prisma.sql`ls.language = ${f.language}`);
  if (f.programme) parts.push(Prisma.sql`p.programme = ${f.programme}`);
  return Prisma.join(parts, ' AND ');
}

/**
 * The counts of groupedCounts from the rollup: each row's occurrences, held occurrences, outcome
 * counts, seconds and skew add up across rows (an occurrence is counted in the one row holding all
 * its records), and a row stands for records that share their languages and programmes, so a
 * language or programme is an unnest of the row's own arrays, as it is of a record's. The few
 * occurrences whose records lie in several rows (session_rollup_span) are folded from their
 * records here, for planned and held only (their outcome counts, seconds and skew are in the rows).
 */
async function rolledUpCounts(db: Db, req: ReportRequest, groupBy: Dimension[]): Promise<RawCount[]> {
  const days = localDays(req.period);
  if (!days) throw new RangeError('the rollup answers whole days only');
  const joined = {
    language: groupBy.includes('language') || !!req.filters.language,
    programme: groupBy.includes('programme') || !!req.filters.programme,
  };
  const none = Prisma.sql`NULL::text`;
  const dims = groupBy.map((d) => ROLLUP_DIMENSION_SQL[d]);
  const rollupJoins = Prisma.sql`
    ${joined.language ? Prisma.sql`LEFT JOIN LATERAL unnest(u.languages, u."languageSeconds") ls(language, seconds) ON true` : Prisma.empty}
    ${joined.programme ? Prisma.sql`LEFT JOIN LATERAL unnest(u.programmes) p(programme) ON true` : Prisma.empty}`;
  const seconds = joined.language ? Prisma.sql`coalesce(ls.seconds, 0)` : Prisma.sql`u."secondsAired"`;
  const cells = Prisma.sql`
    SELECT ${dims[0]?.key ?? none}::text AS k0, ${dims[1]?.key ?? none}::text AS k1,
           ${dims[0]?.label ?? none}::text AS l0, ${dims[1]?.label ?? none}::text AS l1,
           u.occurrences AS planned, u.held, u.partial, u.failed, u.missed, u.preempted, u.cancelled,
           ${seconds} AS seconds, u."skewSum" AS skew_sum, u."skewCount" AS skew_n, u."skewMax" AS max_skew
      FROM session_rollup u ${rollupJoins}
     WHERE ${rollupWhereSql(req, days)}`;
  return reportQuery<RawCount[]>(db, summedCounts(cells, spanningCounts(req, groupBy, joined)));
}

/** Planned and held of the occurrences whose records lie in several day rows, folded from the records. */
function spanningCounts(
  req: ReportRequest,
  groupBy: Dimension[],
  joined: { language: boolean; programme: boolean },
): Prisma.Sql {
  const none = Prisma.sql`NULL::text`;
  const raw = groupBy.map((d) => DIMENSION_SQL[d]);
  const recordJoins = Prisma.sql`
    ${joined.language ? Prisma.sql`LEFT JOIN LATERAL jsonb_array_elements(r."languageSeconds") ls(value) ON true` : Prisma.empty}
    ${joined.programme ? Prisma.sql`LEFT JOIN LATERAL unnest(r.programmes) p(programme) ON true` : Prisma.empty}`;
  return Prisma.sql`
    SELECT k0, k1, max(l0), max(l1), 1, bool_or(outcome = 'held')::int, 0, 0, 0, 0, 0, 0, 0, 0, NULL
      FROM (SELECT ${raw[0]?.key ?? none}::text AS k0, ${raw[1]?.key ?? none}::text AS k1,
                   ${raw[0]?.label ?? none}::text AS l0, ${raw[1]?.label ?? none}::text AS l1,
                   r."clusterId", r."occurrenceKey", ${outcomeSql(req.share)} AS outcome
              FROM session_rollup_span sp
              JOIN session_record r ON r."clusterId" = sp."clusterId" AND r."occurrenceKey" = sp."occurrenceKey"
              ${recordJoins}
             WHERE ${whereSql(req, joined)}) spanning
     GROUP BY k0, k1, "clusterId", "occurrenceKey"`;
}

/** Rollup cells and spanning occurrences added up per group, in the shape groupedCounts returns. */
function summedCounts(cells: Prisma.Sql, spanning: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    WITH counted AS (${cells} UNION ALL ${spanning})
    SELECT k0, k1, max(l0) AS l0, max(l1) AS l1, sum(planned)::int AS planned, sum(held)::int AS held,
           sum(partial)::int AS partial, sum(failed)::int AS failed, sum(missed)::int AS missed,
           sum(preempted)::int AS preempted, sum(cancelled)::int AS cancelled,
           coalesce(sum(seconds), 0)::float8 AS seconds,
           (sum(skew_sum) / nullif(sum(skew_n), 0))::float8 AS avg_skew, max(max_skew)::float8 AS max_skew
      FROM counted GROUP BY k0, k1 ORDER BY 1, 2`;
}

/** What the monthly rollup holds: whole months, and no cluster or market day to group or filter by. */
const MONTHLY_DIMENSIONS: Dimension[] = ['province', 'commune', 'language', 'programme', 'month', 'quarter'];

function wholeMonths(period: Period): { from: string; to: string } | null {
  const days = localDays(period);
  if (!days || !days.from.endsWith('-01')) return null;
  const next = new Date(Date.parse(`${days.to}T00:00:00Z`) + 86_400_000).toISOString();
  return next.slice(8, 10) === '01' ? { from: days.from, to: `${days.to.slice(0, 7)}-01` } : null;
}

function monthly(req: ReportRequest, groupBy: Dimension[]): boolean {
  const f = req.filters;
  return (
    wholeMonths(req.period) !== null &&
    groupBy.every((d) => MONTHLY_DIMENSIONS.includes(d)) &&
    !f.clusterId &&
    !f.marketDay
  );
}

const MONTH_DIMENSION_SQL: Record<Dimension, { key: Prisma.Sql; label: Prisma.Sql } | null> = {
  province: { key: Prisma.sql`m.province`, label: Prisma.sql`m.province` },
  commune: { key: Prisma.sql`m."communeId"`, label: Prisma.sql`m."communeName"` },
  cluster: null,
  language: { key: Prisma.sql`nullif(m.language, '')`, label: Prisma.sql`nullif(m.language, '')` },
  programme: { key: Prisma.sql`nullif(m.programme, '')`, label: Prisma.sql`nullif(m.programme, '')` },
  marketDay: null,
  month: { key: Prisma.sql`to_char(m.month, 'YYYY-MM')`, label: Prisma.sql`to_char(m.month, 'YYYY-MM')` },
  quarter: {
    key: Prisma.sql`to_char(m.month, 'YYYY-"Q"Q')`,
    label: Prisma.sql`to_char(m.month, 'YYYY-"Q"Q')`,
  },
};

/**
 * The counts of rolledUpCounts from the monthly rollup (session_rollup_month: the day rows summed
 * per month × commune × language-or-all × programme-or-all cell, kept so by a trigger), for whole
 * months grouped and filtered by province, commune, language, programme, month or quarter: a
 * national quarter reads a few thousand cells. Spanning occurrences as in rolledUpCounts.
 */
async function monthlyCounts(db: Db, req: ReportRequest, groupBy: Dimension[]): Promise<RawCount[]> {
  const months = wholeMonths(req.period);
  if (!months) throw new RangeError('the monthly rollup answers whole months only');
  const f = req.filters;
  const joined = {
    language: groupBy.includes('language') || !!f.language,
    programme: groupBy.includes('programme') || !!f.programme,
  };
  const none = Prisma.sql`NULL::text`;
  const dims = groupBy.map((d) => MONTH_DIMENSION_SQL[d]);
  if (dims.some((d) => d === null)) throw new RangeError('not a dimension of the monthly rollup');
  const parts = [
    Prisma.sql`m.month >= ${months.from}::date AND m.month <= ${months.to}::date`,
    Prisma.sql`m."byLanguage" = ${joined.language} AND m."byProgramme" = ${joined.programme}`,
  ];
  if (req.scope.communeIds) parts.push(Prisma.sql`m."communeId" = ANY(${req.scope.communeIds}::uuid[])`);
  if (f.province) parts.push(Prisma.sql`m.province = ${f.province}`);
  if (f.communeId) parts.push(Prisma.sql`m."communeId" = ${f.communeId}::uuid`);
  if (f.month) parts.push(Prisma.sql`to_char(m.month, 'YYYY-MM') = ${f.month}`);
  if (f.quarter) parts.push(Prisma.sql`to_char(m.month, 'YYYY-"Q"Q') = ${f.quarter}`);
  if (f.language) parts.push(Prisma.sql`m.language = ${f.language}`);
  if (f.programme) parts.push(Prisma.sql`m.programme = ${f.programme}`);
  const cells = Prisma.sql`
    SELECT ${dims[0]?.key ?? none}::text AS k0, ${dims[1]?.key ?? none}::text AS k1,
           ${dims[0]?.label ?? none}::text AS l0, ${dims[1]?.label ?? none}::text AS l1,
           m.occurrences AS planned, m.held, m.partial, m.failed, m.missed, m.preempted, m.cancelled,
           m."secondsAired" AS seconds, m."skewSum" AS skew_sum, m."skewCount" AS skew_n, m."skewMax" AS max_skew
      FROM session_rollup_month m
     WHERE ${Prisma.join(parts, ' AND ')}`;
  return reportQuery<RawCount[]>(db, summedCounts(cells, spanningCounts(req, groupBy, joined)));
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
  const rows = await reportQuery<RecordRow[]>(
    db,
    Prisma.sql`
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
     LIMIT ${page.limit + 1}`,
  );
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
    reportQuery<PlannedRow[]>(
      db,
      Prisma.sql`
      SELECT * FROM (${union}) x WHERE ${Prisma.join(filters, ' AND ')}
       ORDER BY x."scheduledAt", x."broadcastId" LIMIT ${page.limit + 1}`,
    ),
    reportQuery<{ outcome: Outcome; reasonCode: string | null; count: number }[]>(
      db,
      Prisma.sql`
      SELECT x.outcome, x."reasonCode", count(*)::int AS count FROM (${union}) x
       GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
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
