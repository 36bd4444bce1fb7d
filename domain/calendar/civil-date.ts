/**
 * Civil (calendar) dates as plain numbers, with no time of day and no time zone.
 *
 * Market days are civil dates: "Sunday 2026-02-22" means the same day wherever the server runs.
 * We therefore never go through `Date` in local time; every conversion uses the Julian Day Number
 * (JDN, integer day count), which is also what the can-chi day cycle is defined on.
 */

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** ISO 8601 calendar date `YYYY-MM-DD`, e.g. `2026-02-17`. */
export type IsoDate = string;

export class InvalidDateError extends RangeError {
  override readonly name = 'InvalidDateError';
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapGregorianYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInGregorianMonth(year: number, month: number): number {
  if (month === 2) return isLeapGregorianYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidCivilDate(date: CivilDate): boolean {
  const { year, month, day } = date;
  if (![year, month, day].every(Number.isInteger)) return false;
  if (year < 1 || year > 9999 || month < 1 || month > 12) return false;
  return day >= 1 && day <= daysInGregorianMonth(year, month);
}

/** Parses a strict `YYYY-MM-DD` string; rejects impossible dates such as 2026-02-30. */
export function parseIsoDate(text: string): CivilDate {
  const match = ISO_DATE.exec(text);
  const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : null;
  if (!date || !isValidCivilDate(date)) {
    throw new InvalidDateError(`ngày không hợp lệ / invalid date: "${text}" (expected YYYY-MM-DD)`);
  }
  return date;
}

export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  return (
    !!match && isValidCivilDate({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) })
  );
}

export function formatIsoDate(date: CivilDate): IsoDate {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Gregorian date → Julian Day Number (the day that begins at noon UT of that date). */
export function jdnFromCivil(date: CivilDate): number {
  // Standard integer algorithm (Fliegel & Van Flandern form): shift the year to start in March
  // so the leap day is the last day of the shifted year.
  const a = Math.floor((14 - date.month) / 12);
  const y = date.year + 4800 - a;
  const m = date.month + 12 * a - 3;
  return (
    date.day +
    Math.floor((153 * m + 2) / 5) +
    365 * y +
    Math.floor(y / 4) -
    Math.floor(y / 100) +
    Math.floor(y / 400) -
    32045
  );
}

/** Julian Day Number → Gregorian date (inverse of {@link jdnFromCivil}). */
export function civilFromJdn(jdn: number): CivilDate {
  const a = jdn + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: 100 * b + d - 4800 + Math.floor(m / 10),
  };
}

export function jdnFromIso(text: string): number {
  return jdnFromCivil(parseIsoDate(text));
}

export function isoFromJdn(jdn: number): IsoDate {
  return formatIsoDate(civilFromJdn(jdn));
}

/** RFC 5545 weekday codes, Monday first (JDN mod 7 = 0 is a Monday). */
export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];

export function weekdayOfJdn(jdn: number): WeekdayCode {
  return WEEKDAY_CODES[jdn % 7] as WeekdayCode;
}

/** Iterates every JDN of an inclusive range of ISO dates, after checking the range. */
export function parseDateRange(from: string, to: string): { fromJdn: number; toJdn: number } {
  const fromJdn = jdnFromIso(from);
  const toJdn = jdnFromIso(to);
  if (toJdn < fromJdn) {
    throw new InvalidDateError(`khoảng ngày ngược / range ends before it starts: ${from} > ${to}`);
  }
  return { fromJdn, toJdn };
}
