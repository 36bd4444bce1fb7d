import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayCanChi,
  expandRule,
  isoFromJdn,
  jdnFromIso,
  lunarToSolar,
  MarketRuleError,
  type MarketRuleInput,
  parseMarketRule,
  solarToLunar,
} from '../../../domain/calendar/index.ts';

const expand = (rule: MarketRuleInput, from: string, to: string) =>
  expandRule(parseMarketRule(rule), from, to);

/** Day of week from the UTC calendar, computed independently of our JDN arithmetic (0 = Sunday). */
const utcWeekday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();

const gaps = (dates: string[]) =>
  dates.slice(1).map((date, i) => jdnFromIso(date) - jdnFromIso(dates[i] as string));

describe('weekdays rule', () => {
  it('gives Bắc Hà its Sunday market: every Sunday of 2026 and nothing else', () => {
    const dates = expand({ kind: 'weekdays', days: ['SU'] }, '2026-01-01', '2026-12-31');
    expect(dates).toHaveLength(52);
    expect(dates[0]).toBe('2026-01-04');
    expect(dates.at(-1)).toBe('2026-12-27');
    expect(dates.every((date) => utcWeekday(date) === 0)).toBe(true);
    expect(new Set(gaps(dates))).toEqual(new Set([7]));
  });

  it('gives Dào San its Thursday and Sunday markets', () => {
    expect(expand({ kind: 'weekdays', days: ['TH', 'SU'] }, '2026-03-01', '2026-03-15')).toEqual([
      '2026-03-01',
      '2026-03-05',
      '2026-03-08',
      '2026-03-12',
      '2026-03-15',
    ]);
  });

  it('includes both ends of the range', () => {
    expect(expand({ kind: 'weekdays', days: ['SU'] }, '2026-01-04', '2026-01-11')).toEqual([
      '2026-01-04',
      '2026-01-11',
    ]);
    expect(expand({ kind: 'weekdays', days: ['SU'] }, '2026-01-04', '2026-01-04')).toEqual(['2026-01-04']);
    expect(expand({ kind: 'weekdays', days: ['SU'] }, '2026-01-05', '2026-01-10')).toEqual([]);
  });
});

describe('branch rule (chợ lùi)', () => {
  const phoBang: MarketRuleInput = { kind: 'branch', branches: ['Tý', 'Ngọ'] };

  it('gives Phó Bảng its Tý and Ngọ days around Tết 2026', () => {
    expect(expand(phoBang, '2026-01-21', '2026-03-10')).toEqual([
      '2026-01-26',
      '2026-02-01',
      '2026-02-07',
      '2026-02-13',
      '2026-02-19',
      '2026-02-25',
      '2026-03-03',
      '2026-03-09',
    ]);
    // 19 Feb 2026 is mùng 3 Tết: the rule itself knows nothing of Tết (the calendar's policy does).
    expect(solarToLunar('2026-02-19')).toEqual({ year: 2026, month: 1, day: 3, leap: false });
  });

  it('is a strict 6-day cycle whose days all carry a Tý or Ngọ branch, across years and leap months', () => {
    const dates = expand(phoBang, '2023-01-01', '2034-12-31');
    expect(new Set(gaps(dates))).toEqual(new Set([6]));
    expect(new Set(dates.map((date) => dayCanChi(jdnFromIso(date)).branch))).toEqual(new Set(['Tý', 'Ngọ']));
  });

  it('equals the equivalent cycle and RRULE rules (anchored on a known Tý day)', () => {
    const cycle = expand({ kind: 'cycle', every: 6, anchor: '2026-01-02' }, '2025-06-01', '2027-06-01');
    const rrule = expand(
      { kind: 'rrule', rrule: 'DTSTART;VALUE=DATE:20260102\nRRULE:FREQ=DAILY;INTERVAL=6' },
      '2026-01-02',
      '2027-06-01',
    );
    const branch = expand(phoBang, '2025-06-01', '2027-06-01');
    expect(cycle).toEqual(branch);
    expect(rrule).toEqual(branch.filter((date) => date >= '2026-01-02'));
  });

  it('a single branch is a 12-day cycle; NFD input and the variant "Mẹo" are accepted', () => {
    const dates = expand({ kind: 'branch', branches: ['Tý'.normalize('NFD')] }, '2026-01-01', '2026-03-01');
    expect(new Set(gaps(dates))).toEqual(new Set([12]));
    expect(parseMarketRule({ kind: 'branch', branches: ['Mẹo'] })).toEqual({
      kind: 'branch',
      branches: ['Mão'],
    });
  });

  it('matches the can-chi branch for any pair of branches (fast-check)', () => {
    const branchNames = ['Tý', 'Sửu', 'Dần', 'Mão', 'Thìn', 'Tỵ', 'Ngọ', 'Mùi', 'Thân', 'Dậu', 'Tuất', 'Hợi'];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...branchNames), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: jdnFromIso('1968-01-01'), max: jdnFromIso('2100-01-01') }),
        (branches, startJdn) => {
          const from = isoFromJdn(startJdn);
          const to = isoFromJdn(startJdn + 60);
          const dates = new Set(expand({ kind: 'branch', branches }, from, to));
          for (let jdn = startJdn; jdn <= startJdn + 60; jdn++) {
            expect(dates.has(isoFromJdn(jdn))).toBe(branches.includes(dayCanChi(jdn).branch));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('cycle rule', () => {
  it('runs every N days both before and after its anchor', () => {
    expect(expand({ kind: 'cycle', every: 5, anchor: '2026-03-10' }, '2026-03-01', '2026-03-20')).toEqual([
      '2026-03-05',
      '2026-03-10',
      '2026-03-15',
      '2026-03-20',
    ]);
  });
});

describe('lunar-days rule', () => {
  const khauVai: MarketRuleInput = { kind: 'lunar-days', days: [2, 7, 12, 17, 22, 27] };

  it('gives Khâu Vai its market across Tết 2026 (month Chạp has 29 days)', () => {
    expect(expand(khauVai, '2026-01-19', '2026-02-25')).toEqual([
      '2026-01-20', // 2/12
      '2026-01-25', // 7/12
      '2026-01-30', // 12/12
      '2026-02-04', // 17/12
      '2026-02-09', // 22/12
      '2026-02-14', // 27/12
      '2026-02-18', // 2/1 (a 4-day gap across the month boundary)
      '2026-02-23', // 7/1
    ]);
  });

  it('keeps running through the leap 6th month of 2025', () => {
    const dates = expand(khauVai, '2025-07-20', '2025-08-25');
    expect(dates).toEqual([
      '2025-07-21', // 27/6
      '2025-07-26', // 2/6 nhuận
      '2025-07-31',
      '2025-08-05',
      '2025-08-10',
      '2025-08-15',
      '2025-08-20', // 27/6 nhuận
      '2025-08-24', // 2/7
    ]);
    expect(solarToLunar('2025-07-26')).toEqual({ year: 2025, month: 6, day: 2, leap: true });
    expect(solarToLunar('2025-08-20')).toEqual({ year: 2025, month: 6, day: 27, leap: true });
  });

  it('holds exactly six sessions in every lunar month, leap or not, on the named lunar days', () => {
    const dates = expand(khauVai, '2023-01-22', '2034-02-18'); // Tết 2023 .. eve of Tết 2034
    const byMonth = new Map<string, number[]>();
    for (const date of dates) {
      const lunar = solarToLunar(date);
      const key = `${lunar.year}-${lunar.month}${lunar.leap ? 'L' : ''}`;
      byMonth.set(key, [...(byMonth.get(key) ?? []), lunar.day]);
    }
    expect(byMonth.size).toBe(11 * 12 + 5); // 11 lunar years, leap months 2023, 2025, 2028, 2031, 2033
    for (const days of byMonth.values()) expect(days).toEqual([2, 7, 12, 17, 22, 27]);
  });

  describe('day 30 in 29-day months (Cao Bằng "đuôi 5 và 0" market)', () => {
    const fiveAndZero = [5, 10, 15, 20, 25, 30];

    it('skips day 30 by default: after 25/12 Ất Tỵ (12 Feb 2026) comes 5/1 (21 Feb)', () => {
      const dates = expand({ kind: 'lunar-days', days: fiveAndZero }, '2026-02-10', '2026-02-25');
      expect(dates).toEqual(['2026-02-12', '2026-02-21']);
    });

    it('holds the session on day 29 when the rule says day30: "day29"', () => {
      const dates = expand(
        { kind: 'lunar-days', days: fiveAndZero, day30: 'day29' },
        '2026-02-10',
        '2026-02-25',
      );
      expect(dates).toEqual(['2026-02-12', '2026-02-16', '2026-02-21']);
      expect(solarToLunar('2026-02-16')).toEqual({ year: 2025, month: 12, day: 29, leap: false });
    });

    it('does not double a session when the rule names both 29 and 30', () => {
      const dates = expand(
        { kind: 'lunar-days', days: [29, 30], day30: 'day29' },
        '2026-01-19',
        '2026-02-16',
      );
      expect(dates).toEqual(['2026-02-16']);
    });

    it('keeps day 30 in 30-day months (month Chạp of Nhâm Tý 2032 has 30 days)', () => {
      const eve = lunarToSolar({ year: 2032, month: 12, day: 30, leap: false });
      expect(expand({ kind: 'lunar-days', days: [30] }, eve, eve)).toEqual([eve]);
    });
  });
});

describe('solar-days rule', () => {
  it('gives A Pa Chải its 3/13/23 market', () => {
    expect(expand({ kind: 'solar-days', days: [3, 13, 23] }, '2026-02-01', '2026-03-31')).toEqual([
      '2026-02-03',
      '2026-02-13',
      '2026-02-23',
      '2026-03-03',
      '2026-03-13',
      '2026-03-23',
    ]);
  });

  it('skips days a month does not have', () => {
    expect(expand({ kind: 'solar-days', days: [29, 31] }, '2026-02-01', '2026-04-30')).toEqual([
      '2026-03-29',
      '2026-03-31',
      '2026-04-29',
    ]);
    expect(expand({ kind: 'solar-days', days: [29] }, '2028-02-01', '2028-02-29')).toEqual(['2028-02-29']);
  });
});

describe('lunar-yearly rule', () => {
  const loveMarket: MarketRuleInput = { kind: 'lunar-yearly', month: 3, day: 27 };

  it('gives the Khâu Vai love market 27/3 every year', () => {
    expect(expand(loveMarket, '2013-01-01', '2030-12-31')).toEqual(
      Array.from({ length: 18 }, (_, i) => lunarToSolar({ year: 2013 + i, month: 3, day: 27, leap: false })),
    );
    expect(expand(loveMarket, '2026-01-01', '2030-12-31')).toEqual([
      '2026-05-13',
      '2027-05-03',
      '2028-04-21',
      '2029-05-10',
      '2030-04-29',
    ]);
  });

  it('gathers from the eve when eveDays = 1', () => {
    expect(expand({ ...loveMarket, eveDays: 1 }, '2026-01-01', '2026-12-31')).toEqual([
      '2026-05-12',
      '2026-05-13',
    ]);
    // The eve alone is inside the range: it is still a market day.
    expect(expand({ ...loveMarket, eveDays: 1 }, '2026-05-01', '2026-05-12')).toEqual(['2026-05-12']);
  });

  it('uses the regular 3rd month, not its leap twin, in 2031', () => {
    const dates = expand(loveMarket, '2031-01-01', '2031-12-31');
    expect(dates).toEqual(['2031-04-18']);
    expect(solarToLunar('2031-04-18')).toEqual({ year: 2031, month: 3, day: 27, leap: false });
    expect(dates).not.toContain(lunarToSolar({ year: 2031, month: 3, day: 27, leap: true }));
  });

  it('applies the day-30 policy to a festival on the 30th', () => {
    // Lunar year 2025 ends on 29 tháng Chạp: "30 Tết" does not exist.
    const rule = { kind: 'lunar-yearly', month: 12, day: 30 } as const;
    expect(expand(rule, '2026-01-01', '2026-03-01')).toEqual([]);
    expect(expand({ ...rule, day30: 'day29' }, '2026-01-01', '2026-03-01')).toEqual(['2026-02-16']);
  });
});

describe('rrule rule', () => {
  it('expands a weekly RRULE without DTSTART like the weekdays rule', () => {
    expect(expand({ kind: 'rrule', rrule: 'FREQ=WEEKLY;BYDAY=SU' }, '2026-01-01', '2026-12-31')).toEqual(
      expand({ kind: 'weekdays', days: ['SU'] }, '2026-01-01', '2026-12-31'),
    );
  });

  it('expands a monthly RRULE like the solar-days rule, with the RRULE: prefix accepted', () => {
    expect(
      expand({ kind: 'rrule', rrule: 'RRULE:FREQ=MONTHLY;BYMONTHDAY=3,13,23' }, '2026-01-01', '2026-12-31'),
    ).toEqual(expand({ kind: 'solar-days', days: [3, 13, 23] }, '2026-01-01', '2026-12-31'));
  });

  it('expands nth-weekday RRULEs (a market on the first Sunday of each month)', () => {
    expect(expand({ kind: 'rrule', rrule: 'FREQ=MONTHLY;BYDAY=1SU' }, '2026-01-01', '2026-04-30')).toEqual([
      '2026-01-04',
      '2026-02-01',
      '2026-03-01',
      '2026-04-05',
    ]);
  });

  it('honours UNTIL and COUNT from DTSTART', () => {
    expect(
      expand(
        { kind: 'rrule', rrule: 'DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=WEEKLY;BYDAY=SU;COUNT=3' },
        '2026-01-01',
        '2026-12-31',
      ),
    ).toEqual(['2026-01-04', '2026-01-11', '2026-01-18']);
    expect(expand({ kind: 'rrule', rrule: 'FREQ=DAILY;UNTIL=20260103' }, '2026-01-01', '2026-01-31')).toEqual(
      ['2026-01-01', '2026-01-02', '2026-01-03'],
    );
  });

  it.each([
    ['FREQ=DAILY;INTERVAL=6', /DTSTART/],
    ['FREQ=YEARLY', /DTSTART/],
    ['FREQ=HOURLY', /DAILY or longer/],
    ['FREQ=WEEKLY;BYDAY=XX', /invalid RRULE/],
    ['FREQ=MONTHLY;BYMONTHDAY=40', /invalid RRULE/],
    ['FREQ=DAILY;INTERVAL=0', /invalid RRULE/],
    ['FREQ=DAILY;BYHOUR=7', /invalid RRULE/],
    ['FREQ=DAILY;FREQ=WEEKLY', /given twice/],
    ['BYDAY=SU', /FREQ/],
    ['DTSTART;TZID=Asia/Ho_Chi_Minh:20260101T070000\nRRULE:FREQ=DAILY', /DTSTART/],
    ['FREQ=DAILY\nRRULE:FREQ=WEEKLY', /exactly one RRULE/],
    ['DTSTART;VALUE=DATE:20260230\nRRULE:FREQ=DAILY', /DTSTART/],
  ])('rejects %j', (rrule, message) => {
    expect(() => parseMarketRule({ kind: 'rrule', rrule })).toThrow(MarketRuleError);
    expect(() => parseMarketRule({ kind: 'rrule', rrule })).toThrow(message);
  });
});

describe('rule validation and ranges', () => {
  it.each([
    [{ kind: 'monthly', days: [1] }],
    [{ kind: 'weekdays', days: [] }],
    [{ kind: 'weekdays', days: ['SUN'] }],
    [{ kind: 'weekdays', days: ['SU', 'SU'] }],
    [{ kind: 'weekdays', days: ['SU'], extra: true }],
    [{ kind: 'branch', branches: ['Rồng'] }],
    [{ kind: 'cycle', every: 0, anchor: '2026-01-02' }],
    [{ kind: 'cycle', every: 6, anchor: '2026-13-02' }],
    [{ kind: 'lunar-days', days: [31] }],
    [{ kind: 'lunar-days', days: [2.5] }],
    [{ kind: 'lunar-days', days: [30], day30: 'backward' }],
    [{ kind: 'solar-days', days: [0] }],
    [{ kind: 'lunar-yearly', month: 13, day: 1 }],
    [{ kind: 'lunar-yearly', month: 3, day: 27, leap: true }],
    [null],
    ['FREQ=DAILY'],
  ])('rejects %j with a one-line message', (input) => {
    expect(() => parseMarketRule(input)).toThrow(MarketRuleError);
    try {
      parseMarketRule(input);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('rejects reversed, malformed, out-of-range and over-long ranges', () => {
    const sunday = parseMarketRule({ kind: 'weekdays', days: ['SU'] });
    expect(() => expandRule(sunday, '2026-12-31', '2026-01-01')).toThrow(/range ends before it starts/);
    expect(() => expandRule(sunday, '2026-02-30', '2026-03-01')).toThrow(/invalid date/);
    expect(() => expandRule(sunday, '1960-01-01', '1968-12-31')).toThrow(/range outside/);
    expect(() => expandRule(sunday, '1968-01-01', '2199-12-31')).toThrow(/range longer/);
  });
});
