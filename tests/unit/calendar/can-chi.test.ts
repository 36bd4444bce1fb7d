import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayCanChi,
  jdnFromIso,
  lunarDayLabel,
  lunarMonthName,
  monthCanChi,
  parseBranch,
  solarToLunar,
  yearCanChi,
} from '../../../domain/calendar/index.ts';

describe('can chi', () => {
  it.each([
    ['1900-01-01', 'Giáp Tuất'],
    ['2000-01-01', 'Mậu Ngọ'],
    ['2024-02-10', 'Giáp Thìn'], // Tết Giáp Thìn
    ['2025-01-29', 'Mậu Tuất'], // Tết Ất Tỵ
    ['2026-01-02', 'Bính Tý'], // Phó Bảng anchor (a Tý day)
  ])('names the day %s %s', (date, name) => {
    expect(dayCanChi(jdnFromIso(date)).name).toBe(name);
  });

  it('cycles days through all 60 names, stem and branch of the same parity', () => {
    // Invariant: stems and branches advance together, so only 60 of the 120 pairs occur,
    // those with stem index ≡ branch index (mod 2); the cycle repeats every 60 days.
    fc.assert(
      fc.property(fc.integer({ min: jdnFromIso('1968-01-01'), max: jdnFromIso('2100-12-31') }), (jdn) => {
        expect(dayCanChi(jdn + 60)).toEqual(dayCanChi(jdn));
        const names = new Set(Array.from({ length: 60 }, (_, i) => dayCanChi(jdn + i).name));
        expect(names.size).toBe(60);
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    [1984, 'Giáp Tý'],
    [2024, 'Giáp Thìn'],
    [2025, 'Ất Tỵ'],
    [2026, 'Bính Ngọ'],
    [1985, 'Ất Sửu'],
    [1968, 'Mậu Thân'],
  ])('names the lunar year %i %s', (year, name) => {
    expect(yearCanChi(year).name).toBe(name);
  });

  it('names lunar months by the year stem (Giáp Kỷ chi niên Bính Dần thủ)', () => {
    expect(monthCanChi(2024, 1).name).toBe('Bính Dần'); // Giáp year
    expect(monthCanChi(2025, 1).name).toBe('Mậu Dần'); // Ất year
    expect(monthCanChi(2026, 1).name).toBe('Canh Dần'); // Bính year
    expect(monthCanChi(2027, 1).name).toBe('Nhâm Dần'); // Đinh year
    expect(monthCanChi(2028, 1).name).toBe('Giáp Dần'); // Mậu year
    expect(monthCanChi(2025, 12).name).toBe('Kỷ Sửu');
    expect(monthCanChi(2025, 11).name).toBe('Mậu Tý');
  });

  it('labels lunar dates the Vietnamese way', () => {
    expect(lunarMonthName(1, false)).toBe('tháng Giêng');
    expect(lunarMonthName(12, false)).toBe('tháng Chạp');
    expect(lunarMonthName(6, true)).toBe('tháng Sáu nhuận');
    expect(lunarDayLabel(solarToLunar('2026-03-03'))).toBe('15 tháng Giêng');
    expect(() => lunarMonthName(13, false)).toThrow(RangeError);
  });

  it('parses branch names in NFC or NFD and the variant Mẹo', () => {
    expect(parseBranch('Ngọ'.normalize('NFD'))).toBe('Ngọ');
    expect(parseBranch(' Mẹo ')).toBe('Mão');
    expect(parseBranch('Rồng')).toBeNull();
  });
});
