// What an auditor asks of the broadcast log: a period (days in Vietnam's time), filters, and one
// or two dimensions to group the counts by. Pure: the API, the export job and `loa report` parse
// the same shapes, and the repository turns them into SQL.
import { z } from 'zod';

/** Reports speak Vietnam's civil time (UTC+7 all year since 1975, no daylight saving). */
export const REPORT_ZONE = 'Asia/Ho_Chi_Minh';
const ZONE_OFFSET_MS = 7 * 3600_000;

export const DIMENSIONS = [
  'province',
  'commune',
  'cluster',
  'language',
  'programme',
  'marketDay',
  'month',
  'quarter',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** What became of a planned occurrence on a cluster (see domain/session-log/counting.ts). */
export const OUTCOMES = ['held', 'partial', 'failed', 'missed', 'preempted', 'cancelled', 'pending'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a calendar date');
const Quarter = z.string().regex(/^\d{4}-Q[1-4]$/, 'a quarter YYYY-Qn');
const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');

/** Filters every report takes (and the keys a drill-down adds, one per dimension). */
export const ReportFilters = z.strictObject({
  province: z.string().min(1).max(80).optional(),
  communeId: z.uuid().optional(),
  clusterId: z.uuid().optional(),
  language: z
    .string()
    .regex(/^[a-z]{3}$/, 'an ISO 639-3 code')
    .optional(),
  programme: z.string().min(1).max(200).optional(),
  marketDay: Day.optional(),
  month: Month.optional(),
  quarter: Quarter.optional(),
});
export type ReportFilters = z.infer<typeof ReportFilters>;

/** The period: `from`/`to` (inclusive days), or a whole quarter (`period=2026-Q3`). */
export const PeriodInput = z.strictObject({
  period: Quarter.optional(),
  from: Day.optional(),
  to: Day.optional(),
});

export interface Period {
  /** First day, inclusive (YYYY-MM-DD in Vietnam). */
  from: string;
  /** Last day, inclusive. */
  to: string;
  /** The instants: [start, end). */
  start: Date;
  end: Date;
}

export class PeriodError extends RangeError {
  override readonly name = 'PeriodError';
}

/** The days of a quarter ("2026-Q3" → 2026-07-01 … 2026-09-30). */
export function quarterDays(quarter: string): { from: string; to: string } {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(6));
  const first = new Date(Date.UTC(year, (q - 1) * 3, 1));
  const last = new Date(Date.UTC(year, q * 3, 0));
  return { from: isoDay(first), to: isoDay(last) };
}

/** The quarter an instant falls in, in Vietnam ("2026-Q3"). */
export function quarterOf(at: Date): string {
  const local = new Date(at.getTime() + ZONE_OFFSET_MS);
  return `${local.getUTCFullYear()}-Q${Math.floor(local.getUTCMonth() / 3) + 1}`;
}

export function resolvePeriod(input: z.infer<typeof PeriodInput>, now = new Date()): Period {
  const days = input.period
    ? quarterDays(input.period)
    : input.from && input.to
      ? { from: input.from, to: input.to }
      : input.from || input.to
        ? null
        : quarterDays(quarterOf(now));
  if (!days) throw new PeriodError('cần cả from và to / give both from and to (or period=YYYY-Qn)');
  if (input.period && (input.from || input.to))
    throw new PeriodError('period hoặc from/to, không cả hai / give period or from/to, not both');
  if (days.from > days.to) throw new PeriodError('from phải trước to / from must not be after to');
  const start = localMidnight(days.from);
  const end = new Date(localMidnight(days.to).getTime() + 24 * 3600_000);
  if (end.getTime() - start.getTime() > 11 * 366 * 24 * 3600_000)
    throw new PeriodError('khoảng thời gian quá 10 năm / the period is longer than 10 years');
  return { ...days, start, end };
}

/** One or two dimensions, comma-separated ("commune,language"). */
export const GroupBy = z
  .string()
  .transform((text) => text.split(',').map((d) => d.trim()))
  .pipe(
    z
      .array(z.enum(DIMENSIONS))
      .min(1)
      .max(2, 'one or two dimensions')
      .refine((d) => new Set(d).size === d.length, 'a dimension given twice'),
  );

function localMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - ZONE_OFFSET_MS);
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Whether a drill-down cursor is well-formed: "<epoch ms>.<communeId>.<seq>". */
export const Cursor = z
  .string()
  .regex(/^\d{1,15}\.[0-9a-f-]{36}(\.\d{1,10})?$/, 'a cursor from a previous page');
