/**
 * Market rules: the public JSON format (API, database and CLI share it) and their expansion into
 * market dates. A rule only says which civil dates carry a market; exceptions and Tết live in the
 * market calendar (market-calendar.ts).
 */
import rrulePkg from 'rrule';
import { z } from 'zod';
import { BRANCHES, branchIndexOfJdn } from './can-chi.ts';
import {
  civilFromJdn,
  daysInGregorianMonth,
  type IsoDate,
  isIsoDate,
  isoFromJdn,
  jdnFromCivil,
  jdnFromIso,
  parseDateRange,
  WEEKDAY_CODES,
  weekdayOfJdn,
} from './civil-date.ts';
import {
  FIRST_SUPPORTED_DATE,
  findLunarMonth,
  LAST_SUPPORTED_DATE,
  type LunarMonth,
  lunarFromJdn,
  lunarMonthsBetween,
} from './lunar.ts';

const { RRule } = rrulePkg;

/** One expansion covers at most a century; the API and CLI never need more. */
export const MAX_EXPANSION_DAYS = 36_525;

export class MarketRuleError extends Error {
  override readonly name = 'MarketRuleError';
}

const nfc = (value: unknown) => (typeof value === 'string' ? value.normalize('NFC').trim() : value);
const isoDate = z.string().refine(isIsoDate, { message: 'expected a real date YYYY-MM-DD' });
const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;
const distinctItems = { message: 'values must not repeat' };

/**
 * What a lunar-day rule does when the day it names (30) does not exist in a 29-day month:
 * `skip` (default, like RFC 7529 SKIP=OMIT) or `day29` (hold it on the last day instead).
 */
export const ShortMonthPolicySchema = z.enum(['skip', 'day29']);
export type ShortMonthPolicy = z.infer<typeof ShortMonthPolicySchema>;

export const WeekdaysRuleSchema = z.strictObject({
  kind: z.literal('weekdays'),
  days: z.array(z.enum(WEEKDAY_CODES)).min(1).refine(distinct, distinctItems),
});

export const BranchRuleSchema = z.strictObject({
  kind: z.literal('branch'),
  /** Earthly branches of the day, e.g. ["Tý","Ngọ"] = every 6 days (a "chợ lùi"). */
  branches: z
    .array(z.preprocess((v) => (nfc(v) === 'Mẹo' ? 'Mão' : nfc(v)), z.enum(BRANCHES)))
    .min(1)
    .refine(distinct, distinctItems),
});

export const CycleRuleSchema = z.strictObject({
  kind: z.literal('cycle'),
  every: z.int().min(1).max(366),
  /** A known market day; the cycle runs both before and after it. */
  anchor: isoDate,
});

export const LunarDaysRuleSchema = z.strictObject({
  kind: z.literal('lunar-days'),
  /** Lunar days of every lunar month, leap months included. */
  days: z.array(z.int().min(1).max(30)).min(1).refine(distinct, distinctItems),
  day30: ShortMonthPolicySchema.default('skip'),
});

export const SolarDaysRuleSchema = z.strictObject({
  kind: z.literal('solar-days'),
  /** Gregorian days of the month; a day a month lacks (31 in April) is skipped. */
  days: z.array(z.int().min(1).max(31)).min(1).refine(distinct, distinctItems),
});

export const LunarYearlyRuleSchema = z.strictObject({
  kind: z.literal('lunar-yearly'),
  /** A regular (non-leap) lunar month: festivals keep the first month when it has a leap twin. */
  month: z.int().min(1).max(12),
  day: z.int().min(1).max(30),
  /** Also hold the market this many days before (Khâu Vai gathers from the eve: 1). */
  eveDays: z.int().min(0).max(7).default(0),
  day30: ShortMonthPolicySchema.default('skip'),
});

export const RRuleRuleSchema = z.strictObject({
  kind: z.literal('rrule'),
  /** RFC 5545 RRULE, optionally preceded by a `DTSTART;VALUE=DATE:YYYYMMDD` line. */
  rrule: z.string().min(1).max(2000),
});

export const MarketRuleSchema = z
  .discriminatedUnion('kind', [
    WeekdaysRuleSchema,
    BranchRuleSchema,
    CycleRuleSchema,
    LunarDaysRuleSchema,
    SolarDaysRuleSchema,
    LunarYearlyRuleSchema,
    RRuleRuleSchema,
  ])
  .superRefine((rule, ctx) => {
    if (rule.kind !== 'rrule') return;
    try {
      parseRecurrence(rule.rrule);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['rrule'], message: (error as Error).message });
    }
  });

export type MarketRule = z.infer<typeof MarketRuleSchema>;
/** The rule as written by a client, before defaults are filled in. */
export type MarketRuleInput = z.input<typeof MarketRuleSchema>;

/** One line naming every problem, for CLI stderr and problem+json `detail`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}

/** Validates untrusted rule JSON (already parsed) and fills defaults. */
export function parseMarketRule(input: unknown): MarketRule {
  const result = MarketRuleSchema.safeParse(input);
  if (!result.success) {
    throw new MarketRuleError(
      `quy tắc chợ không hợp lệ / invalid market rule: ${describeZodError(result.error)}`,
    );
  }
  return result.data;
}

interface JdnRange {
  fromJdn: number;
  toJdn: number;
}

/** Checks an inclusive date range for expansion: ordered, inside the lunar range, at most a century. */
export function parseExpansionRange(from: IsoDate, to: IsoDate): JdnRange {
  const range = parseDateRange(from, to);
  if (from < FIRST_SUPPORTED_DATE || to > LAST_SUPPORTED_DATE) {
    throw new MarketRuleError(
      `khoảng ngày ngoài phạm vi / range outside ${FIRST_SUPPORTED_DATE}..${LAST_SUPPORTED_DATE}: ${from}..${to}`,
    );
  }
  if (range.toJdn - range.fromJdn + 1 > MAX_EXPANSION_DAYS) {
    throw new MarketRuleError(
      `khoảng ngày quá dài / range longer than ${MAX_EXPANSION_DAYS} days: ${from}..${to}`,
    );
  }
  return range;
}

/** Market dates of one rule in the inclusive range [from, to], sorted, as `YYYY-MM-DD`. */
export function expandRule(rule: MarketRule, from: IsoDate, to: IsoDate): IsoDate[] {
  const range = parseExpansionRange(from, to);
  const jdns = expandRuleJdns(rule, range).filter((jdn) => jdn >= range.fromJdn && jdn <= range.toJdn);
  return [...new Set(jdns)].sort((a, b) => a - b).map(isoFromJdn);
}

function expandRuleJdns(rule: MarketRule, range: JdnRange): number[] {
  switch (rule.kind) {
    case 'weekdays':
      return everyDay(range).filter((jdn) => rule.days.includes(weekdayOfJdn(jdn)));
    case 'branch': {
      const wanted = new Set(rule.branches.map((b) => BRANCHES.indexOf(b)));
      return everyDay(range).filter((jdn) => wanted.has(branchIndexOfJdn(jdn)));
    }
    case 'cycle':
      return cycleDays(jdnFromIso(rule.anchor), rule.every, range);
    case 'lunar-days':
      return lunarMonthsBetween(range.fromJdn, range.toJdn).flatMap((month) =>
        rule.days.flatMap((day) => lunarDayInMonth(month, day, rule.day30)),
      );
    case 'solar-days':
      return solarMonthDays(rule.days, range);
    case 'lunar-yearly':
      return lunarYearlyDays(rule, range);
    case 'rrule':
      return recurrenceDays(rule.rrule, range);
  }
}

function everyDay({ fromJdn, toJdn }: JdnRange): number[] {
  return Array.from({ length: toJdn - fromJdn + 1 }, (_, i) => fromJdn + i);
}

function cycleDays(anchorJdn: number, every: number, { fromJdn, toJdn }: JdnRange): number[] {
  const offset = (((anchorJdn - fromJdn) % every) + every) % every;
  const days: number[] = [];
  for (let jdn = fromJdn + offset; jdn <= toJdn; jdn += every) days.push(jdn);
  return days;
}

/** JDN of lunar `day` in `month`, applying the short-month policy; [] when the day is skipped. */
function lunarDayInMonth(month: LunarMonth, day: number, policy: ShortMonthPolicy): number[] {
  if (day <= month.length) return [month.startJdn + day - 1];
  return policy === 'day29' ? [month.startJdn + month.length - 1] : [];
}

function solarMonthDays(days: readonly number[], { fromJdn, toJdn }: JdnRange): number[] {
  const result: number[] = [];
  let { year, month } = civilFromJdn(fromJdn);
  while (jdnFromCivil({ year, month, day: 1 }) <= toJdn) {
    for (const day of days) {
      if (day <= daysInGregorianMonth(year, month)) result.push(jdnFromCivil({ year, month, day }));
    }
    month = (month % 12) + 1;
    if (month === 1) year++;
  }
  return result;
}

function lunarYearlyDays(
  rule: Extract<MarketRule, { kind: 'lunar-yearly' }>,
  { fromJdn, toJdn }: JdnRange,
): number[] {
  const result: number[] = [];
  // The eve days may fall in the range while the festival itself is just after it.
  const lastYear = lunarFromJdn(Math.min(toJdn + rule.eveDays, jdnFromIso(LAST_SUPPORTED_DATE))).year;
  for (let year = lunarFromJdn(fromJdn).year; year <= lastYear; year++) {
    const month = findLunarMonth(year, rule.month, false);
    if (!month) continue;
    for (const festival of lunarDayInMonth(month, rule.day, rule.day30)) {
      for (let before = rule.eveDays; before >= 0; before--) result.push(festival - before);
    }
  }
  return result;
}

/** A parsed RRULE: rrule.js options plus the anchor date, if the text gave one. */
interface Recurrence {
  options: Partial<rrulePkg.Options>;
  dtstart: IsoDate | null;
}

const DTSTART_LINE = /^DTSTART(?:;VALUE=DATE)?:(\d{4})(\d{2})(\d{2})(?:T\d{6}Z?)?$/i;
const SUB_DAILY = new Set([RRule.HOURLY, RRule.MINUTELY, RRule.SECONDLY]);

/**
 * Parses the text of an `rrule` rule. We read DTSTART ourselves because rrule.js silently drops
 * `DTSTART;VALUE=DATE` and reads floating times in the host zone; market rules are date-level.
 */
export function parseRecurrence(text: string): Recurrence {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  let dtstart: IsoDate | null = null;
  const ruleLines: string[] = [];
  for (const line of lines) {
    const start = DTSTART_LINE.exec(line);
    if (start) dtstart = `${start[1]}-${start[2]}-${start[3]}`;
    else if (/^DTSTART/i.test(line))
      throw new MarketRuleError(`unsupported DTSTART (use DTSTART;VALUE=DATE:YYYYMMDD)`);
    else ruleLines.push(line.replace(/^RRULE:/i, ''));
  }
  if (dtstart && !isIsoDate(dtstart)) throw new MarketRuleError(`invalid DTSTART date ${dtstart}`);
  if (ruleLines.length !== 1) throw new MarketRuleError('expected exactly one RRULE');
  checkRRuleGrammar(ruleLines[0] as string);
  let options: Partial<rrulePkg.Options>;
  try {
    options = RRule.parseString(ruleLines[0] as string);
  } catch (error) {
    throw new MarketRuleError(`invalid RRULE: ${(error as Error).message}`);
  }
  if (options.freq === undefined || options.freq === null) throw new MarketRuleError('RRULE needs FREQ');
  if (SUB_DAILY.has(options.freq)) throw new MarketRuleError('RRULE FREQ must be DAILY or longer');
  if (options.tzid) throw new MarketRuleError('RRULE must not carry TZID: market rules are calendar dates');
  if (!dtstart && dependsOnStart(options)) {
    throw new MarketRuleError(
      'RRULE needs DTSTART;VALUE=DATE:YYYYMMDD (its dates depend on the start: INTERVAL>1, COUNT, or no BYDAY/BYMONTHDAY)',
    );
  }
  return { options, dtstart };
}

const DAY = '(?:MO|TU|WE|TH|FR|SA|SU)';
const list = (item: string) => new RegExp(`^${item}(?:,${item})*$`);
const signed = (max: string) => `[+-]?(?:${max})`;
/** RFC 5545 recur parts that make sense for whole days; rrule.js alone accepts e.g. BYDAY=XX silently. */
const RRULE_PARTS: Record<string, RegExp> = {
  FREQ: /^(?:DAILY|WEEKLY|MONTHLY|YEARLY|HOURLY|MINUTELY|SECONDLY)$/,
  INTERVAL: /^[1-9]\d{0,3}$/,
  COUNT: /^[1-9]\d{0,4}$/,
  UNTIL: /^\d{8}(?:T\d{6}Z?)?$/,
  WKST: new RegExp(`^${DAY}$`),
  BYDAY: list(`(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?${DAY}`),
  BYMONTHDAY: list(signed('[1-9]|[12]\\d|3[01]')),
  BYMONTH: list('(?:[1-9]|1[0-2])'),
  BYYEARDAY: list(signed('[1-9]\\d{0,1}|[12]\\d{2}|3[0-5]\\d|36[0-6]')),
  BYWEEKNO: list(signed('[1-9]|[1-4]\\d|5[0-3]')),
  BYSETPOS: list(signed('[1-9]\\d{0,1}|[12]\\d{2}|3[0-5]\\d|36[0-6]')),
};

function checkRRuleGrammar(line: string): void {
  const seen = new Set<string>();
  for (const part of line.split(';')) {
    const [name = '', value = '', ...rest] = part.split('=');
    const key = name.toUpperCase();
    const pattern = RRULE_PARTS[key];
    if (!pattern) throw new MarketRuleError(`invalid RRULE: unsupported part "${part}"`);
    if (rest.length || !pattern.test(value.toUpperCase()))
      throw new MarketRuleError(`invalid RRULE: bad ${key} "${value}"`);
    if (seen.has(key)) throw new MarketRuleError(`invalid RRULE: ${key} given twice`);
    seen.add(key);
  }
  if (seen.has('COUNT') && seen.has('UNTIL'))
    throw new MarketRuleError('invalid RRULE: COUNT and UNTIL together');
}

/**
 * Whether the dates a rule yields depend on DTSTART. Without BYxxx parts, rrule.js takes the
 * weekday / day / month from DTSTART; INTERVAL and COUNT count from it. Such a rule without
 * DTSTART would give different markets for different query ranges, so we refuse it.
 */
function dependsOnStart(options: Partial<rrulePkg.Options>): boolean {
  if ((options.interval ?? 1) > 1 || options.count !== undefined) return true;
  if (options.freq === RRule.DAILY) return false;
  const hasDayParts = [options.byweekday, options.bymonthday, options.byyearday, options.byweekno].some(
    (part) => part !== undefined && part !== null,
  );
  return !hasDayParts;
}

function utcMidnight(jdn: number): Date {
  const { year, month, day } = civilFromJdn(jdn);
  return new Date(Date.UTC(year, month - 1, day));
}

/** Expands an RRULE in rrule.js's "floating UTC" convention: each result's UTC date is the civil date. */
function recurrenceDays(text: string, range: JdnRange): number[] {
  const { options, dtstart } = parseRecurrence(text);
  // Without DTSTART the rule is anchor-free (e.g. FREQ=WEEKLY;BYDAY=SU), so starting at the range is exact.
  const startJdn = dtstart ? jdnFromIso(dtstart) : range.fromJdn;
  const rule = new RRule({ ...options, dtstart: utcMidnight(startJdn), tzid: null });
  return rule
    .between(utcMidnight(range.fromJdn), utcMidnight(range.toJdn), true)
    .map((date) =>
      jdnFromCivil({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }),
    );
}
