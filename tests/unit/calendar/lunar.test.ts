import { readdirSync, readFileSync } from 'node:fs';
import { SearchSunLongitude } from 'astronomy-engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromJdn, jdnFromIso } from '../../../domain/calendar/civil-date.ts';
import {
  InvalidDateError,
  jdnFromLunar,
  LunarRangeError,
  lunarFromJdn,
  lunarToSolar,
  lunarYear,
  solarToLunar,
} from '../../../domain/calendar/index.ts';

const FIRST_JDN = jdnFromIso('1968-01-01');
const LAST_JDN = jdnFromIso('2100-12-31');

describe('Vietnamese lunar calendar: invariants over 1968–2100', () => {
  it('round-trips solar → lunar → solar for every day 1968-01-01..2100-12-31 (exhaustive)', () => {
    // Invariant: solarToLunar is injective and lunarToSolar is its inverse on the whole range.
    let previous = lunarFromJdn(FIRST_JDN);
    for (let jdn = FIRST_JDN; jdn <= LAST_JDN; jdn++) {
      const lunar = lunarFromJdn(jdn);
      if (jdnFromLunar(lunar) !== jdn) {
        throw new Error(`${isoFromJdn(jdn)} → ${JSON.stringify(lunar)} → ${isoFromJdn(jdnFromLunar(lunar))}`);
      }
      // Invariant: consecutive days either advance the lunar day by one, or start a new month at day 1.
      if (jdn > FIRST_JDN && lunar.day !== previous.day + 1 && lunar.day !== 1) {
        throw new Error(`day sequence broken at ${isoFromJdn(jdn)}`);
      }
      previous = lunar;
    }
  });

  it('round-trips for random days (fast-check, solar → lunar → solar)', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST_JDN, max: LAST_JDN }), (jdn) => {
        const iso = isoFromJdn(jdn);
        expect(lunarToSolar(solarToLunar(iso))).toBe(iso);
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips for random valid lunar dates (fast-check, lunar → solar → lunar)', () => {
    const lunarDates = fc
      .record({
        year: fc.integer({ min: 1968, max: 2100 }),
        index: fc.nat(12),
        day: fc.integer({ min: 1, max: 30 }),
      })
      .map(({ year, index, day }) => {
        const months = lunarYear(year).months;
        const month = months[index % months.length];
        if (!month) throw new Error('unreachable');
        return { year, month: month.month, leap: month.leap, day: Math.min(day, month.length) };
      });
    fc.assert(
      fc.property(lunarDates, (date) => {
        expect(solarToLunar(lunarToSolar(date))).toEqual(date);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives every lunar month 29 or 30 days, with months following each other without gaps', () => {
    // Invariant: a synodic month is 29.27–29.84 days, so a month of whole civil days has 29 or 30.
    let expectedStart: number | null = null;
    for (let year = 1968; year <= 2100; year++) {
      for (const month of lunarYear(year).months) {
        expect([29, 30]).toContain(month.length);
        if (expectedStart !== null) expect(month.startJdn).toBe(expectedStart);
        expectedStart = month.startJdn + month.length;
      }
    }
  });

  it('holds 12 or 13 months a year, at most one leap month repeating the number of the month before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1968, max: 2100 }), (year) => {
        const { months, leapMonth } = lunarYear(year);
        const leaps = months.filter((m) => m.leap);
        // Invariant: 12 regular months numbered 1..12 in order, plus at most one leap month.
        expect(months.filter((m) => !m.leap).map((m) => m.month)).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
        ]);
        expect(leaps.length).toBeLessThanOrEqual(1);
        expect(months.length).toBe(12 + leaps.length);
        // Invariant: the leap month directly follows the regular month with the same number.
        for (const [i, month] of months.entries()) {
          if (month.leap) expect(months[i - 1]?.month).toBe(month.month);
        }
        expect(leapMonth).toBe(leaps[0]?.month ?? null);
        // Invariant: a common lunar year has 353–355 days, a leap year 383–385.
        const days = months.reduce((sum, m) => sum + m.length, 0);
        expect(leaps.length ? [383, 384, 385] : [353, 354, 355]).toContain(days);
        // Invariant: Tết falls between 21 January and 20 February.
        const tet = lunarYear(year).tet;
        expect(tet >= `${year}-01-21` && tet <= `${year}-02-20`).toBe(true);
      }),
      { numRuns: 133 },
    );
  });

  it('puts the December solstice (UTC+7 day) in regular month 11, every year', () => {
    for (let year = 1968; year <= 2100; year += 1) {
      const solstice = SearchSunLongitude(270, new Date(Date.UTC(year, 11, 10)), 20);
      if (!solstice) throw new Error('no solstice');
      const jdn = Math.floor(solstice.ut + 2451545 + 0.5 + 7 / 24);
      const lunar = lunarFromJdn(jdn);
      expect({ month: lunar.month, leap: lunar.leap }).toEqual({ month: 11, leap: false });
    }
  });
});

describe('Vietnamese lunar calendar: known dates', () => {
  it.each([
    [1968, '1968-01-29'],
    [1969, '1969-02-16'],
    [1975, '1975-02-11'],
    [1985, '1985-01-21'],
    [1990, '1990-01-27'],
    [2000, '2000-02-05'],
    [2007, '2007-02-17'],
    [2010, '2010-02-14'],
    [2017, '2017-01-28'],
    [2020, '2020-01-25'],
    [2023, '2023-01-22'],
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2030, '2030-02-02'],
    [2053, '2053-02-18'],
  ])('Tết %i is %s', (year, date) => {
    expect(lunarYear(year).tet).toBe(date);
    expect(solarToLunar(date)).toEqual({ year, month: 1, day: 1, leap: false });
    expect(lunarToSolar({ year, month: 1, day: 1, leap: false })).toBe(date);
  });

  it.each([
    // Vietnamese Tết (UTC+7) one day — or in 1985 one month — before Chinese New Year (UTC+8).
    ['1968-01-29', '1968-01-30'],
    ['1969-02-16', '1969-02-17'],
    ['1985-01-21', '1985-02-20'],
    ['2007-02-17', '2007-02-18'],
    ['2030-02-02', '2030-02-03'],
    ['2053-02-18', '2053-02-19'],
  ])('Tết %s differs from Chinese New Year %s', (vietnam, china) => {
    expect(solarToLunar(vietnam)).toMatchObject({ month: 1, day: 1, leap: false });
    expect(solarToLunar(china)).not.toMatchObject({ month: 1, day: 1 });
  });

  it('places Tết 1985 a month before China because 1985 has a leap 2nd month in Vietnam', () => {
    expect(lunarYear(1984).leapMonth).toBeNull();
    expect(lunarYear(1985).leapMonth).toBe(2);
    // Chinese New Year 1985 is the first day of the Vietnamese 2nd month (month 1 has 30 days).
    expect(solarToLunar('1985-02-20')).toEqual({ year: 1985, month: 2, day: 1, leap: false });
  });

  it.each([
    [2001, 4, '2001-05-23'],
    [2004, 2, '2004-03-21'],
    [2006, 7, '2006-08-24'],
    [2009, 5, '2009-06-23'],
    [2012, 4, '2012-05-21'],
    [2014, 9, '2014-10-24'],
    [2017, 6, '2017-07-23'],
    [2020, 4, '2020-05-23'],
    [2023, 2, '2023-03-22'],
    [2025, 6, '2025-07-25'],
    [2028, 5, '2028-06-23'],
    [2031, 3, '2031-04-21'],
    [2033, 11, '2033-12-22'],
  ])('lunar year %i has leap month %i starting %s', (year, month, start) => {
    expect(lunarYear(year).leapMonth).toBe(month);
    expect(lunarToSolar({ year, month, day: 1, leap: true })).toBe(start);
    expect(solarToLunar(start)).toEqual({ year, month, day: 1, leap: true });
  });

  it.each([
    1987, 1968, 2036, 2039, 2042, 2044, 2047, 2050, 2052, 2055, 2058, 2061, 2063, 2066, 2069, 2071, 2074,
    2077, 2080, 2082, 2085, 2088, 2090, 2093, 2096, 2099,
  ])('lunar year %i has a leap month', (year) => {
    expect(lunarYear(year).leapMonth).not.toBeNull();
  });

  it.each([
    [1987, 7],
    [2036, 6],
    [2039, 5],
    [2042, 2],
    [2044, 7],
    [2047, 5],
    [2050, 3],
    [2052, 8],
    [2099, 2],
  ])('lunar year %i has leap month %i', (year, month) => {
    expect(lunarYear(year).leapMonth).toBe(month);
  });

  it('has no other leap months in 2000–2100 than the published list', () => {
    const published = new Set([
      2001, 2004, 2006, 2009, 2012, 2014, 2017, 2020, 2023, 2025, 2028, 2031, 2033, 2036, 2039, 2042, 2044,
      2047, 2050, 2052, 2055, 2058, 2061, 2063, 2066, 2069, 2071, 2074, 2077, 2080, 2082, 2085, 2088, 2090,
      2093, 2096, 2099,
    ]);
    for (let year = 2000; year <= 2100; year++) {
      expect(lunarYear(year).leapMonth !== null, String(year)).toBe(published.has(year));
    }
  });

  it.each([
    // Month starts where the new moon falls between 23:00 and 24:00 Hanoi time (a day before China).
    '2018-11-07',
    '2019-03-06',
    '2020-12-14',
    '2032-03-11',
    '2034-09-12',
    '2037-04-15',
    '2038-04-04',
    '2039-12-15',
  ])('starts a lunar month on %s (new moon just before Hanoi midnight)', (date) => {
    expect(solarToLunar(date).day).toBe(1);
  });

  it('starts month 6 of 2006 on 25 June (new moon 23:05 Vietnam time)', () => {
    expect(solarToLunar('2006-06-25')).toEqual({ year: 2006, month: 6, day: 1, leap: false });
  });

  it.each([
    [2013, '2013-05-06'],
    [2017, '2017-04-23'],
    [2021, '2021-05-08'],
    [2023, '2023-05-16'],
    [2026, '2026-05-13'],
    [2027, '2027-05-03'],
    [2028, '2028-04-21'],
    [2029, '2029-05-10'],
    [2030, '2030-04-29'],
  ])('Khâu Vai love market 27/3 of %i is %s', (year, date) => {
    expect(lunarToSolar({ year, month: 3, day: 27, leap: false })).toBe(date);
  });

  it('ends lunar years 2024–2031 on 29/12 and 2032–2035 on 30/12', () => {
    const lastMonthLength = (year: number) => lunarYear(year).months.at(-1)?.length;
    for (let year = 2024; year <= 2031; year++) expect(lastMonthLength(year)).toBe(29);
    for (let year = 2032; year <= 2035; year++) expect(lastMonthLength(year)).toBe(30);
  });

  it('maps the last day of lunar year 2025 (29 tháng Chạp) to the eve of Tết 2026', () => {
    expect(solarToLunar('2026-02-16')).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    expect(solarToLunar('2026-01-19')).toEqual({ year: 2025, month: 12, day: 1, leap: false });
  });
});

describe('Vietnamese lunar calendar: invalid input', () => {
  it('rejects day 30 of a 29-day month', () => {
    expect(() => lunarToSolar({ year: 2025, month: 12, day: 30, leap: false })).toThrow(InvalidDateError);
  });

  it('rejects a leap month the year does not have', () => {
    expect(() => lunarToSolar({ year: 2026, month: 1, day: 1, leap: true })).toThrow(
      /không có tháng 1 nhuận/,
    );
  });

  it('rejects out-of-range months, days and years', () => {
    expect(() => lunarToSolar({ year: 2026, month: 13, day: 1, leap: false })).toThrow(InvalidDateError);
    expect(() => lunarToSolar({ year: 2026, month: 1, day: 0, leap: false })).toThrow(InvalidDateError);
    expect(() => lunarToSolar({ year: 1900, month: 1, day: 1, leap: false })).toThrow(LunarRangeError);
    expect(() => solarToLunar('1967-12-31')).toThrow(LunarRangeError);
    expect(() => solarToLunar('2200-01-01')).toThrow(LunarRangeError);
  });

  it('rejects malformed solar dates', () => {
    for (const bad of ['2026-02-30', '2026-2-1', '17/02/2026', '', '2026-02-17T00:00']) {
      expect(() => solarToLunar(bad)).toThrow(InvalidDateError);
    }
  });
});

describe('clean-room guard', () => {
  it('uses no Chinese-calendar tooling (UTC+8) anywhere in the calendar domain', () => {
    const folder = new URL('../../../domain/calendar/', import.meta.url);
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      // Comments may name the tools we avoid; the code must not use them.
      const source = readFileSync(new URL(file, folder), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      expect(source, file).not.toMatch(
        /u-ca-chinese|calendar:\s*['"]chinese|lunar-javascript|Temporal\.|RSCALE=/,
      );
    }
  });
});
