/**
 * The Vietnamese lunisolar calendar (âm lịch), computed from astronomy at UTC+7.
 *
 * Rules (Decision 121-CP, 1967; the traditional rule set evaluated on the 105°E meridian):
 *  1. A lunar month starts on the civil day (UTC+7) that contains a new moon.
 *  2. The month containing the December (winter) solstice is month 11.
 *  3. If 13 new moons start between one month 11 and the next, the first of those months that
 *     contains no principal solar term (trung khí: sun longitude a multiple of 30°) is the leap
 *     month; it repeats the number of the month before it.
 *  4. Months 11 and 12 (and a leap 11 or 12) belong to the lunar year that began with the
 *     previous Tết; month 1 starts a new lunar year.
 *
 * New moons come from Astronomy.SearchMoonPhase and solar terms from Astronomy.SearchSunLongitude
 * (astronomy-engine, MIT). We deliberately use no Chinese-calendar tooling (ICU, Temporal,
 * lunar-javascript): those compute at UTC+8 and give other dates (Tết 1985: 21 Jan in Vietnam,
 * 20 Feb in China). Results are cached per solstice year, so conversions after the first one in
 * a year cost only a few array look-ups.
 *
 * Known limit: a few months (e.g. 2054-05, 2077-11, 2085-10) start with a new moon within a minute
 * of Hanoi midnight. Their first day depends on ΔT (Earth rotation), unknowable decades ahead, so
 * the result there is the best astronomical estimate, not a guarantee.
 */
import { SearchMoonPhase, SearchSunLongitude } from 'astronomy-engine';
import {
  type CivilDate,
  civilFromJdn,
  InvalidDateError,
  type IsoDate,
  isoFromJdn,
  jdnFromCivil,
  parseIsoDate,
} from './civil-date.ts';

/** Hours east of UTC at which Vietnam reckons the lunar calendar (legal time since 1967). */
export const VIETNAM_UTC_OFFSET_HOURS = 7;

/** Gregorian range we vouch for: UTC+7 reckoning starts in 1968; far beyond 2199 ΔT is a guess. */
export const FIRST_SUPPORTED_DATE: IsoDate = '1968-01-01';
export const LAST_SUPPORTED_DATE: IsoDate = '2199-12-31';
const FIRST_SUPPORTED_JDN = jdnFromCivil({ year: 1968, month: 1, day: 1 });
const LAST_SUPPORTED_JDN = jdnFromCivil({ year: 2199, month: 12, day: 31 });

export interface LunarDate {
  /** The lunar year, named after the Gregorian year in which its Tết falls. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** True inside a leap month (tháng nhuận), which repeats the previous month's number. */
  readonly leap: boolean;
}

export interface LunarMonth {
  readonly year: number;
  readonly month: number;
  readonly leap: boolean;
  /** JDN of day 1 of the month. */
  readonly startJdn: number;
  /** 29 or 30. */
  readonly length: number;
}

export interface LunarYear {
  readonly year: number;
  /** In calendar order: 1, 2, …, 12, with a leap month (if any) right after its namesake. */
  readonly months: readonly LunarMonth[];
  /** Number of the leap month, or null in a 12-month year. */
  readonly leapMonth: number | null;
  readonly tet: IsoDate;
}

export class LunarRangeError extends RangeError {
  override readonly name = 'LunarRangeError';
}

const J2000_JD = 2451545.0;
const MAX_LUNATION_DAYS = 31;

/** Civil day at UTC+7 of an astronomy-engine time (given in UT days since J2000). */
function vietnamJdnOf(ut: number): number {
  return Math.floor(ut + J2000_JD + 0.5 + VIETNAM_UTC_OFFSET_HOURS / 24);
}

function nextNewMoonUt(afterUt: number): number {
  const found = SearchMoonPhase(0, afterUt, MAX_LUNATION_DAYS + 10);
  if (!found) throw new Error(`no new moon found after ut=${afterUt}`);
  return found.ut;
}

function sunLongitudeUt(longitude: number, searchFromUt: number): number {
  const found = SearchSunLongitude(longitude, searchFromUt, 40);
  if (!found) throw new Error(`sun longitude ${longitude}° not reached after ut=${searchFromUt}`);
  return found.ut;
}

function utOfJdn(jdn: number): number {
  return jdn - 0.5 - J2000_JD;
}

/** Start (JDN) of month 11 of `year`: the month whose first day is on or before the solstice day. */
function month11StartUt(year: number): { solsticeUt: number; newMoonUt: number } {
  const solsticeUt = sunLongitudeUt(270, utOfJdn(jdnFromCivil({ year, month: 12, day: 10 })));
  const solsticeJdn = vietnamJdnOf(solsticeUt);
  // Walk forward from ~35 days before the solstice; keep the last new moon not after its day.
  let newMoonUt = nextNewMoonUt(solsticeUt - 35);
  for (;;) {
    const following = nextNewMoonUt(newMoonUt + 1);
    if (vietnamJdnOf(following) > solsticeJdn) break;
    newMoonUt = following;
  }
  return { solsticeUt, newMoonUt };
}

/**
 * Months of one "solstice year" (tuế): from month 11 of `year - 1` up to, not including, month 11
 * of `year`. Month numbers and lunar-year labels are assigned here.
 */
function computeSolsticeYear(year: number): LunarMonth[] {
  const opening = month11StartUt(year - 1);
  const closing = month11StartUt(year);
  const closingJdn = vietnamJdnOf(closing.newMoonUt);

  const starts: number[] = [];
  let newMoonUt = opening.newMoonUt;
  while (vietnamJdnOf(newMoonUt) < closingJdn) {
    starts.push(vietnamJdnOf(newMoonUt));
    newMoonUt = nextNewMoonUt(newMoonUt + 1);
  }
  starts.push(closingJdn);
  const monthCount = starts.length - 1;
  if (monthCount !== 12 && monthCount !== 13) {
    throw new Error(`solstice year ${year} has ${monthCount} lunations`);
  }

  const leapIndex = monthCount === 13 ? firstMonthWithoutPrincipalTerm(starts, opening.solsticeUt) : -1;
  const months: LunarMonth[] = [];
  let month = 11;
  let lunarYear = year - 1;
  for (let i = 0; i < monthCount; i++) {
    const leap = i === leapIndex;
    if (!leap && i > 0) month = (month % 12) + 1;
    if (!leap && month === 1) lunarYear = year;
    const startJdn = starts[i] as number;
    const length = (starts[i + 1] as number) - startJdn;
    months.push({ year: lunarYear, month, leap, startJdn, length });
  }
  return months;
}

/** Index (≥ 1) of the first month, counted from month 11, whose days contain no principal term. */
function firstMonthWithoutPrincipalTerm(starts: readonly number[], solsticeUt: number): number {
  // Civil days (UTC+7) of the 12 principal terms after the opening solstice: 300°, 330°, 0°, … 270°.
  const termDays: number[] = [];
  let searchFrom = solsticeUt + 1;
  for (let k = 1; k <= 12; k++) {
    const termUt = sunLongitudeUt((270 + 30 * k) % 360, searchFrom);
    termDays.push(vietnamJdnOf(termUt));
    searchFrom = termUt + 20;
  }
  for (let i = 1; i < starts.length - 1; i++) {
    const start = starts[i] as number;
    const end = starts[i + 1] as number;
    if (!termDays.some((day) => day >= start && day < end)) return i;
  }
  throw new Error('13-month year without a month lacking a principal term');
}

const solsticeYearCache = new Map<number, LunarMonth[]>();

function solsticeYear(year: number): LunarMonth[] {
  let months = solsticeYearCache.get(year);
  if (!months) {
    months = computeSolsticeYear(year);
    solsticeYearCache.set(year, months);
  }
  return months;
}

const lunarYearCache = new Map<number, LunarYear>();

function assertLunarYearSupported(year: number): void {
  if (!Number.isInteger(year) || year < 1967 || year > 2199) {
    throw new LunarRangeError(
      `năm âm lịch ngoài phạm vi / lunar year out of range: ${year} (supported ${FIRST_SUPPORTED_DATE}..${LAST_SUPPORTED_DATE})`,
    );
  }
}

/**
 * All months of a lunar year (Tết to the day before the next Tết). Year 1967 is accepted because
 * 1968-01-01 falls in its 12th month; its earlier months are the UTC+7 reckoning, not the
 * historical (partly UTC+8) calendar, and conversions refuse dates before 1968.
 */
export function lunarYear(year: number): LunarYear {
  assertLunarYearSupported(year);
  const cached = lunarYearCache.get(year);
  if (cached) return cached;
  const months = [...solsticeYear(year), ...solsticeYear(year + 1)].filter((m) => m.year === year);
  const first = months[0];
  if (!first) throw new Error(`lunar year ${year} has no months`);
  const leapMonth = months.find((m) => m.leap)?.month ?? null;
  const result: LunarYear = { year, months, leapMonth, tet: isoFromJdn(first.startJdn) };
  lunarYearCache.set(year, result);
  return result;
}

function assertJdnSupported(jdn: number): void {
  if (jdn < FIRST_SUPPORTED_JDN || jdn > LAST_SUPPORTED_JDN) {
    throw new LunarRangeError(
      `ngày ngoài phạm vi lịch âm / date out of lunar range: ${isoFromJdn(jdn)} (supported ${FIRST_SUPPORTED_DATE}..${LAST_SUPPORTED_DATE})`,
    );
  }
}

/** The lunar month containing a civil day (given as JDN). */
export function lunarMonthOfJdn(jdn: number): LunarMonth {
  assertJdnSupported(jdn);
  const { year } = civilFromJdn(jdn);
  // The solstice year `year + 1` starts at month 11 (late Nov/Dec) of `year`.
  const candidates = [...solsticeYear(year), ...solsticeYear(year + 1)];
  for (let i = candidates.length - 1; i >= 0; i--) {
    const month = candidates[i] as LunarMonth;
    if (month.startJdn <= jdn) return month;
  }
  throw new Error(`no lunar month found for JDN ${jdn}`);
}

export function lunarFromJdn(jdn: number): LunarDate {
  const month = lunarMonthOfJdn(jdn);
  return { year: month.year, month: month.month, day: jdn - month.startJdn + 1, leap: month.leap };
}

/** Solar (Gregorian) date → Vietnamese lunar date. */
export function solarToLunar(date: IsoDate | CivilDate): LunarDate {
  const civil = typeof date === 'string' ? parseIsoDate(date) : date;
  return lunarFromJdn(jdnFromCivil(civil));
}

/** The month `month` (leap or regular) of lunar year `year`, or null if it does not exist. */
export function findLunarMonth(year: number, month: number, leap = false): LunarMonth | null {
  return lunarYear(year).months.find((m) => m.month === month && m.leap === leap) ?? null;
}

/** Lunar date → JDN; throws for dates that do not exist (no such leap month, day 30 of a 29-day month). */
export function jdnFromLunar(date: LunarDate): number {
  const { year, month, day, leap } = date;
  if (!Number.isInteger(month) || month < 1 || month > 12 || !Number.isInteger(day) || day < 1 || day > 30) {
    throw new InvalidDateError(
      `ngày âm lịch không hợp lệ / invalid lunar date: ${day}/${month}${leap ? ' nhuận' : ''}/${year}`,
    );
  }
  const found = findLunarMonth(year, month, leap);
  if (!found) {
    throw new InvalidDateError(
      leap
        ? `năm ${year} không có tháng ${month} nhuận / lunar year ${year} has no leap month ${month}`
        : `không có tháng ${month} năm ${year} / no month ${month} in lunar year ${year}`,
    );
  }
  if (day > found.length) {
    throw new InvalidDateError(
      `tháng ${month}${leap ? ' nhuận' : ''} năm ${year} chỉ có ${found.length} ngày / lunar month has only ${found.length} days`,
    );
  }
  const jdn = found.startJdn + day - 1;
  assertJdnSupported(jdn);
  return jdn;
}

/** Vietnamese lunar date → solar (Gregorian) ISO date. */
export function lunarToSolar(date: LunarDate): IsoDate {
  return isoFromJdn(jdnFromLunar(date));
}

/** Lunar months overlapping an inclusive JDN range, in order. */
export function lunarMonthsBetween(fromJdn: number, toJdn: number): LunarMonth[] {
  const months: LunarMonth[] = [];
  let month = lunarMonthOfJdn(fromJdn);
  for (;;) {
    months.push(month);
    const nextStart = month.startJdn + month.length;
    if (nextStart > toJdn || nextStart > LAST_SUPPORTED_JDN) return months;
    month = lunarMonthOfJdn(nextStart);
  }
}
