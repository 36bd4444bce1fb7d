// Dates of market calendars as officers read them: dd/MM/yyyy, the lunar date "14/1 âm", the
// day's earthly branch, today in Vietnam whatever the browser's zone.
import type { TFunction } from 'i18next';
import type { MarketDay, MarketRule, WeekdayCode } from '../api-shapes.ts';

export const VIETNAM_ZONE = 'Asia/Ho_Chi_Minh';

/** Today as YYYY-MM-DD in a zone (Vietnam by default). */
export function todayIn(zone = VIETNAM_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

/** "2026-03-05" → "05/03/2026". */
export function formatIsoDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** "14/1 âm" (or "14/2 nhuận âm"). */
export function lunarShort(t: TFunction, day: MarketDay): string {
  return t('calendars.lunarShort', {
    day: day.lunar.day,
    month: day.lunar.month,
    leap: day.lunar.leap ? t('calendars.leapMark') : '',
  });
}

/** "14/1 âm · ngày Tý". */
export function marketDayLabel(t: TFunction, day: MarketDay): string {
  return `${lunarShort(t, day)} · ${t('calendars.branchDay', { branch: day.branch })}`;
}

export function weekdayName(t: TFunction, code: WeekdayCode): string {
  return t(`calendars.weekdays.${code}`);
}

/** One line per rule, for the calendar list. */
export function describeRule(t: TFunction, rule: MarketRule): string {
  switch (rule.kind) {
    case 'weekdays':
      return t('calendars.describe.weekdays', { days: rule.days.map((d) => weekdayName(t, d)).join(', ') });
    case 'branch':
      return t('calendars.describe.branch', { branches: rule.branches.join(', ') });
    case 'cycle':
      return t('calendars.describe.cycle', { every: rule.every, anchor: formatIsoDate(rule.anchor) });
    case 'lunar-days':
      return t('calendars.describe.lunarDays', { days: rule.days.join(', ') });
    case 'solar-days':
      return t('calendars.describe.solarDays', { days: rule.days.join(', ') });
    case 'lunar-yearly':
      return t('calendars.describe.lunarYearly', { day: rule.day, month: rule.month });
    case 'rrule':
      return t('calendars.describe.rrule', { rrule: rule.rrule });
  }
}

/** Field errors under a prefix ("rules.0" → every "rules.0.*" message), once each. */
export function errorsUnder(fields: Record<string, string>, prefix: string): string[] {
  return [
    ...new Set(
      Object.entries(fields)
        .filter(([key]) => key === prefix || key.startsWith(`${prefix}.`))
        .map(([, message]) => message),
    ),
  ];
}
