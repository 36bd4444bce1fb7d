/**
 * A commune's market calendar ("Chợ phiên Dào San"): rules, exceptions and a Tết policy, and the
 * market days it yields in a range, each labelled with its lunar date and day can-chi so an
 * officer recognises it ("phiên chợ ngày Tý, 14 tháng Giêng").
 *
 * Order of application, so that explicit human decisions always win over generated dates:
 *   1. union of the rules' dates, plus daily sessions in the run-up to Tết (if asked);
 *   2. minus the Tết closure (lunar 1/1 through 1/closedThroughDay);
 *   3. minus cancelled dates and the `from` side of moved dates;
 *   4. plus the `to` side of moved dates and added dates (even inside the Tết closure).
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { type Branch, dayCanChi, lunarDayLabel } from './can-chi.ts';
import {
  type IsoDate,
  isIsoDate,
  isoFromJdn,
  jdnFromIso,
  type WeekdayCode,
  weekdayOfJdn,
} from './civil-date.ts';
import { findLunarMonth, type LunarDate, lunarFromJdn } from './lunar.ts';
import {
  describeZodError,
  expandRule,
  MarketRuleError,
  MarketRuleSchema,
  parseExpansionRange,
} from './market-rule.ts';

export const DEFAULT_ZONE = 'Asia/Ho_Chi_Minh';

const knownZones = new Set<string>();

/**
 * Whether `zone` names an IANA zone. luxon's check builds an Intl.DateTimeFormat on every call
 * (~0.2 ms), which materialising 100,000 clusters paid once per slot and day; the answer never
 * changes within a process, and the zones in use are few.
 */
export function isKnownZone(zone: string): boolean {
  if (knownZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  knownZones.add(zone);
  return true;
}

const isoDate = z.string().refine(isIsoDate, { message: 'expected a real date YYYY-MM-DD' });

export const TetPolicySchema = z.strictObject({
  /** No market from lunar 1/1 through 1/closedThroughDay (Kinh custom: 3); 0 keeps markets open. */
  closedThroughDay: z.int().min(0).max(15).default(3),
  /** A daily market on this many days up to and including Tết eve (Minh Tân runs daily before Tết). */
  dailyBeforeTet: z.int().min(0).max(30).default(0),
});

export const MovedDateSchema = z.strictObject({ from: isoDate, to: isoDate });

export const MarketExceptionsSchema = z.strictObject({
  cancelled: z.array(isoDate).default([]),
  added: z.array(isoDate).default([]),
  moved: z.array(MovedDateSchema).default([]),
});

export const MarketCalendarSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  /** IANA zone of the commune; slots' times of day are read in it. */
  zone: z.string().refine(isKnownZone, { message: 'unknown IANA time zone' }).default(DEFAULT_ZONE),
  rules: z.array(MarketRuleSchema).min(1).max(20),
  exceptions: MarketExceptionsSchema.default({ cancelled: [], added: [], moved: [] }),
  tet: TetPolicySchema.default({ closedThroughDay: 3, dailyBeforeTet: 0 }),
});

export type MarketCalendar = z.infer<typeof MarketCalendarSchema>;
export type MarketCalendarInput = z.input<typeof MarketCalendarSchema>;
export type TetPolicy = z.infer<typeof TetPolicySchema>;

export function parseMarketCalendar(input: unknown): MarketCalendar {
  const result = MarketCalendarSchema.safeParse(input);
  if (!result.success) {
    throw new MarketRuleError(
      `lịch chợ không hợp lệ / invalid market calendar: ${describeZodError(result.error)}`,
    );
  }
  return result.data;
}

export type MarketDaySource = 'rule' | 'tet-run-up' | 'added' | 'moved';

export interface MarketDay {
  readonly date: IsoDate;
  readonly weekday: WeekdayCode;
  readonly lunar: LunarDate;
  /** Can-chi of the day, e.g. "Giáp Tý". */
  readonly dayCanChi: string;
  readonly branch: Branch;
  /** "phiên chợ ngày Tý, 14 tháng Giêng" */
  readonly label: string;
  readonly source: MarketDaySource;
  /** For a moved session: the date it was moved from. */
  readonly movedFrom?: IsoDate;
}

/** Describes a civil day the way an officer says it: branch of the day, then the lunar date. */
export function describeMarketDay(
  date: IsoDate,
  source: MarketDaySource = 'rule',
  movedFrom?: IsoDate,
): MarketDay {
  const jdn = jdnFromIso(date);
  const lunar = lunarFromJdn(jdn);
  const canChi = dayCanChi(jdn);
  return {
    date,
    weekday: weekdayOfJdn(jdn),
    lunar,
    dayCanChi: canChi.name,
    branch: canChi.branch,
    label: `phiên chợ ngày ${canChi.branch}, ${lunarDayLabel(lunar)}`,
    source,
    ...(movedFrom ? { movedFrom } : {}),
  };
}

/** Market days of a calendar in the inclusive range [from, to], in date order. */
export function marketDays(calendar: MarketCalendar, from: IsoDate, to: IsoDate): MarketDay[] {
  const { fromJdn, toJdn } = parseExpansionRange(from, to);
  const inRange = (date: IsoDate) => date >= from && date <= to;
  const days = new Map<IsoDate, { source: MarketDaySource; movedFrom?: IsoDate }>();

  for (const rule of calendar.rules) {
    for (const date of expandRule(rule, from, to)) days.set(date, { source: 'rule' });
  }
  for (const date of tetRunUpDates(calendar.tet, fromJdn, toJdn)) {
    if (!days.has(date)) days.set(date, { source: 'tet-run-up' });
  }
  for (const date of tetClosedDates(calendar.tet, fromJdn, toJdn)) days.delete(date);

  const { cancelled, moved, added } = calendar.exceptions;
  for (const date of cancelled) days.delete(date);
  for (const move of moved) days.delete(move.from);
  for (const move of moved)
    if (inRange(move.to)) days.set(move.to, { source: 'moved', movedFrom: move.from });
  for (const date of added) if (inRange(date) && !days.has(date)) days.set(date, { source: 'added' });

  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, { source, movedFrom }]) => describeMarketDay(date, source, movedFrom));
}

/** Lunar years whose Tết window may touch the JDN range (Tết is at most ~50 days into a year). */
function lunarYearsAround(fromJdn: number, toJdn: number): number[] {
  const first = lunarFromJdn(fromJdn).year;
  const last = lunarFromJdn(toJdn).year;
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

function tetClosedDates(policy: TetPolicy, fromJdn: number, toJdn: number): IsoDate[] {
  if (policy.closedThroughDay === 0) return [];
  return lunarYearsAround(fromJdn, toJdn).flatMap((year) => {
    const firstMonth = findLunarMonth(year, 1, false);
    if (!firstMonth) return [];
    return Array.from({ length: policy.closedThroughDay }, (_, i) => firstMonth.startJdn + i)
      .filter((jdn) => jdn >= fromJdn && jdn <= toJdn)
      .map(isoFromJdn);
  });
}

function tetRunUpDates(policy: TetPolicy, fromJdn: number, toJdn: number): IsoDate[] {
  if (policy.dailyBeforeTet === 0) return [];
  // The run-up before Tết of year Y ends on the last day of lunar year Y-1 (29 or 30 tháng Chạp).
  const years = lunarYearsAround(fromJdn, toJdn).map((year) => year + 1);
  return years.flatMap((year) => {
    const firstMonth = year <= 2199 ? findLunarMonth(year, 1, false) : null;
    if (!firstMonth) return [];
    return Array.from({ length: policy.dailyBeforeTet }, (_, i) => firstMonth.startJdn - 1 - i)
      .filter((jdn) => jdn >= fromJdn && jdn <= toJdn)
      .map(isoFromJdn);
  });
}
