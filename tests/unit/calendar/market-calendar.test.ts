import { describe, expect, it } from 'vitest';
import {
  describeMarketDay,
  type MarketCalendarInput,
  MarketRuleError,
  marketDays,
  parseMarketCalendar,
} from '../../../domain/calendar/index.ts';

const calendar = (input: Partial<MarketCalendarInput>) =>
  parseMarketCalendar({ name: 'Chợ phiên thử', rules: [{ kind: 'weekdays', days: ['SU'] }], ...input });
const dates = (input: Partial<MarketCalendarInput>, from: string, to: string) =>
  marketDays(calendar(input), from, to).map((day) => day.date);

describe('market day labels', () => {
  it('labels a market day with its branch and lunar date, as an officer says it', () => {
    // 2026-03-03 is 15 tháng Giêng Bính Ngọ; its day is a Tý day (Phó Bảng market).
    const day = describeMarketDay('2026-03-03');
    expect(day).toMatchObject({
      date: '2026-03-03',
      weekday: 'TU',
      lunar: { year: 2026, month: 1, day: 15, leap: false },
      branch: 'Tý',
      label: 'phiên chợ ngày Tý, 15 tháng Giêng',
      source: 'rule',
    });
    expect(day.dayCanChi).toMatch(/ Tý$/);
  });

  it('names leap months and the 12th month (Chạp)', () => {
    expect(describeMarketDay('2025-07-26').label).toMatch(/, 2 tháng Sáu nhuận$/);
    expect(describeMarketDay('2026-02-16').label).toMatch(/, 29 tháng Chạp$/);
  });
});

describe('market calendar', () => {
  it('fills defaults: Asia/Ho_Chi_Minh, no exceptions, closed lunar 1/1–1/3', () => {
    expect(calendar({})).toMatchObject({
      zone: 'Asia/Ho_Chi_Minh',
      exceptions: { cancelled: [], added: [], moved: [] },
      tet: { closedThroughDay: 3, dailyBeforeTet: 0 },
    });
  });

  it('combines several rules without doubling a day (Dào San Thursday + Sunday, plus 27/3 festival)', () => {
    const days = dates(
      {
        rules: [
          { kind: 'weekdays', days: ['TH'] },
          { kind: 'weekdays', days: ['SU'] },
          { kind: 'lunar-yearly', month: 3, day: 27 },
        ],
      },
      '2026-05-07',
      '2026-05-17',
    );
    expect(days).toEqual(['2026-05-07', '2026-05-10', '2026-05-13', '2026-05-14', '2026-05-17']);
  });

  it('closes Phó Bảng on mùng 3 Tết 2026 under the default Tết policy', () => {
    const phoBang = { rules: [{ kind: 'branch' as const, branches: ['Tý', 'Ngọ'] }] };
    expect(dates(phoBang, '2026-02-10', '2026-02-26')).toEqual(['2026-02-13', '2026-02-25']);
    expect(dates({ ...phoBang, tet: { closedThroughDay: 0 } }, '2026-02-10', '2026-02-26')).toEqual([
      '2026-02-13',
      '2026-02-19',
      '2026-02-25',
    ]);
  });

  it('closes Khâu Vai lunar 2/1 but keeps 7/1 (Tết closure through 1/3)', () => {
    const khauVai = { rules: [{ kind: 'lunar-days' as const, days: [2, 7, 12, 17, 22, 27] }] };
    expect(dates(khauVai, '2026-02-10', '2026-02-25')).toEqual(['2026-02-14', '2026-02-23']);
  });

  it('adds a daily market in the run-up to Tết, ending on Tết eve (29 tháng Chạp in 2026)', () => {
    const minhTan = {
      rules: [{ kind: 'weekdays' as const, days: ['FR' as const] }],
      tet: { dailyBeforeTet: 5 },
    };
    const days = marketDays(calendar(minhTan), '2026-02-01', '2026-02-28');
    expect(days.map((day) => [day.date, day.source])).toEqual([
      ['2026-02-06', 'rule'],
      ['2026-02-12', 'tet-run-up'],
      ['2026-02-13', 'rule'],
      ['2026-02-14', 'tet-run-up'],
      ['2026-02-15', 'tet-run-up'],
      ['2026-02-16', 'tet-run-up'],
      // 17–19 Feb: Tết 1/1–1/3, closed
      ['2026-02-20', 'rule'],
      ['2026-02-27', 'rule'],
    ]);
  });

  it('applies cancelled, added and moved dates; explicit dates win over the Tết closure', () => {
    const days = marketDays(
      calendar({
        exceptions: {
          cancelled: ['2026-02-01'],
          added: ['2026-02-18', '2026-02-08'],
          moved: [
            { from: '2026-02-15', to: '2026-02-14' },
            { from: '2026-01-25', to: '2026-02-03' },
          ],
        },
      }),
      '2026-02-01',
      '2026-02-28',
    );
    expect(days.map((day) => [day.date, day.source, day.movedFrom])).toEqual([
      ['2026-02-03', 'moved', '2026-01-25'], // moved in from outside the range
      ['2026-02-08', 'rule', undefined], // added but already a market day
      ['2026-02-14', 'moved', '2026-02-15'],
      ['2026-02-18', 'added', undefined], // mùng 2 Tết, added explicitly
      ['2026-02-22', 'rule', undefined],
    ]);
  });

  it('rejects invalid calendars with a one-line message', () => {
    const bad: unknown[] = [
      { name: '', rules: [{ kind: 'weekdays', days: ['SU'] }] },
      { name: 'X', rules: [] },
      { name: 'X', rules: [{ kind: 'weekdays', days: ['SU'] }], zone: 'Asia/Hanoi_Typo' },
      { name: 'X', rules: [{ kind: 'weekdays', days: ['SU'] }], exceptions: { cancelled: ['2026-02-30'] } },
      { name: 'X', rules: [{ kind: 'weekdays', days: ['SU'] }], tet: { closedThroughDay: -1 } },
    ];
    for (const input of bad) {
      expect(() => parseMarketCalendar(input)).toThrow(MarketRuleError);
      expect(() => parseMarketCalendar(input)).toThrow(/^[^\n]+$/);
    }
  });
});
