import { z } from 'zod';
import { EXPORT_FORMATS, EXPORT_STATES } from '../../../domain/reports/export.ts';
import {
  Cursor,
  DIMENSIONS,
  GroupBy,
  OUTCOMES,
  PeriodInput,
  ReportFilters,
} from '../../../domain/reports/query.ts';
import { ChainHead } from '../../../domain/session-log/heads.ts';
import { Uuid } from '../../http/schemas.ts';

const Limit = z.coerce.number().int().min(1).max(500).default(50);
const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const CountsQuery = z.strictObject({
  ...PeriodInput.shape,
  ...ReportFilters.shape,
  /** One or two of province, commune, cluster, language, programme, marketDay, month, quarter. */
  groupBy: GroupBy.default(['commune']),
});

export const RecordsQuery = z.strictObject({
  ...PeriodInput.shape,
  ...ReportFilters.shape,
  /** Which records: those of one outcome, or every record with an outcome ("planned"). */
  outcome: z.enum([...OUTCOMES.filter((o) => o !== 'pending'), 'planned']).default('planned'),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const PlannedQuery = z.strictObject({
  ...PeriodInput.shape,
  province: ReportFilters.shape.province,
  communeId: Uuid.optional(),
  clusterId: Uuid.optional(),
  /** Only what was not held (default), or every planned occurrence. */
  exceptionsOnly: Flag.default(true),
  cursor: Cursor.optional(),
  limit: Limit,
});

export const ExportIn = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  ...PeriodInput.shape,
  filters: ReportFilters.default({}),
  groupBy: z.array(z.enum(DIMENSIONS)).min(1).max(2).default(['commune']),
});

export const ExportParams = z.strictObject({ exportId: Uuid });

const PeriodOut = z.object({ from: z.string(), to: z.string() });
const RuleOut = z.object({ minLanguageShare: z.number(), vi: z.string(), en: z.string() });

const CountRowOut = z.object({
  keys: z.array(z.string().nullable()),
  labels: z.array(z.string().nullable()),
  planned: z.number(),
  held: z.number(),
  partial: z.number(),
  failed: z.number(),
  missed: z.number(),
  preempted: z.number(),
  cancelled: z.number(),
  minutesAired: z.number(),
  successRate: z.number().nullable(),
  avgSkewMs: z.number().nullable(),
  maxSkewMs: z.number().nullable(),
});

export const CountsOut = z
  .object({
    period: PeriodOut,
    rule: RuleOut,
    groupBy: z.array(z.string()),
    rows: z.array(CountRowOut),
    total: CountRowOut,
    /** The log positions these figures were read from (`loa log verify --against`). */
    chainHeads: z.array(ChainHead),
  })
  .meta({ id: 'SessionCounts' });

export const RecordOut = z
  .object({
    communeId: z.string(),
    seq: z.number(),
    hash: z.string(),
    broadcastId: z.string(),
    broadcastKind: z.string(),
    communeCode: z.string(),
    communeName: z.string(),
    province: z.string(),
    clusterId: z.string(),
    clusterName: z.string(),
    slotName: z.string().nullable(),
    slotTimeOfDay: z.string().nullable(),
    marketDay: z.string().nullable(),
    lunarDate: z.unknown(),
    programmes: z.array(z.string()),
    bulletins: z.unknown(),
    languages: z.array(z.string()),
    languageSeconds: z.unknown(),
    minLanguageShare: z.number().nullable(),
    durationSec: z.number(),
    secondsAired: z.number(),
    scheduledAt: z.date(),
    firstAudioAt: z.date().nullable(),
    endedAt: z.date(),
    skewMs: z.number().nullable(),
    status: z.string(),
    outcome: z.string(),
    reasonCode: z.string().nullable(),
    reason: z.string().nullable(),
    driverKind: z.string(),
    /** What the device confirmed, where the driver has receipts. */
    receipt: z.unknown(),
    triggeredBy: z.string().nullable(),
    triggerReason: z.string().nullable(),
    /** GET it for what the recorder captured (recorder clusters only). */
    recordingUrl: z.string().nullable(),
  })
  .meta({ id: 'SessionRecord' });

export const RecordsOut = z.object({ records: z.array(RecordOut), next: z.string().nullable() });

const OutcomeCounts = z.object(
  Object.fromEntries(OUTCOMES.map((o) => [o, z.number()])) as Record<(typeof OUTCOMES)[number], z.ZodNumber>,
);

export const PlannedOut = z
  .object({
    period: PeriodOut,
    outcomes: OutcomeCounts,
    reasons: z.array(
      z.object({ outcome: z.enum(OUTCOMES), reasonCode: z.string().nullable(), count: z.number() }),
    ),
    rows: z.array(
      z.object({
        broadcastId: z.string(),
        kind: z.string(),
        scheduledAt: z.date(),
        communeId: z.string(),
        communeName: z.string(),
        clusterId: z.string(),
        clusterName: z.string(),
        slotName: z.string().nullable(),
        marketDay: z.string().nullable(),
        lunarDate: z.unknown(),
        programmes: z.array(z.string()),
        status: z.string(),
        outcome: z.enum(OUTCOMES),
        reasonCode: z.string().nullable(),
        reason: z.string().nullable(),
        durationSec: z.number(),
        secondsAired: z.number().nullable(),
        minLanguageShare: z.number().nullable(),
        skewMs: z.number().nullable(),
        seq: z.number().nullable(),
      }),
    ),
    next: z.string().nullable(),
  })
  .meta({ id: 'PlannedVersusAired' });

export const ExportOut = z
  .object({
    id: z.string(),
    state: z.enum(EXPORT_STATES),
    progress: z.number(),
    rows: z.number(),
    error: z.string().nullable(),
    fileName: z.string(),
    format: z.enum(EXPORT_FORMATS),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    /** GET it once `state` is done. */
    fileUrl: z.string(),
  })
  .meta({ id: 'ReportExport' });
