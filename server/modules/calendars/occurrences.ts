// Market days of one calendar or of a whole commune over a bounded range, and the commune's
// iCalendar feed. Pure functions over stored calendars; "today" is read in the calendar's zone.
import { DateTime } from 'luxon';
import {
  FIRST_SUPPORTED_DATE,
  type IsoDate,
  isoFromJdn,
  jdnFromIso,
  LAST_SUPPORTED_DATE,
  type MarketDay,
  marketDays,
  marketFeedToICalendar,
} from '../../../domain/calendar/index.ts';
import type { StoredCalendar } from '../../../prisma/repositories/calendars.ts';
import { ValidationError } from '../../http/errors.ts';
import { MAX_RANGE_DAYS } from './schemas.ts';

export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}

export type CalendarMarketDay = MarketDay & { calendarId: string; calendarName: string };

/** The civil date it is now in `zone` (never the host's zone). */
export function todayIn(zone: string, now = new Date()): IsoDate {
  return DateTime.fromJSDate(now, { zone }).toFormat('yyyy-MM-dd');
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return isoFromJdn(jdnFromIso(date) + days);
}

/**
 * The inclusive range a query asks for: `from` defaults to today in `zone`, `to` to
 * `defaultDays - 1` days after `from`. Refused (400 naming the field) when reversed, longer
 * than MAX_RANGE_DAYS or outside the years the lunar calendar is computed for.
 */
export function resolveRange(
  query: { from?: IsoDate; to?: IsoDate },
  zone: string,
  defaultDays: number,
): DateRange {
  const from = query.from ?? todayIn(zone);
  const to = query.to ?? addDays(from, defaultDays - 1);
  const issue = (field: 'from' | 'to', message: string) =>
    new ValidationError([{ field: `query.${field}`, message }]);
  if (from < FIRST_SUPPORTED_DATE) throw issue('from', `must be on or after ${FIRST_SUPPORTED_DATE}`);
  if (to > LAST_SUPPORTED_DATE) throw issue('to', `must be on or before ${LAST_SUPPORTED_DATE}`);
  if (to < from) throw issue('to', 'must not be before from');
  if (jdnFromIso(to) - jdnFromIso(from) + 1 > MAX_RANGE_DAYS) {
    throw issue('to', `the range may cover at most ${MAX_RANGE_DAYS} days`);
  }
  return { from, to };
}

export function calendarMarketDays(calendar: StoredCalendar, { from, to }: DateRange): CalendarMarketDay[] {
  return marketDays(calendar, from, to).map((day) => ({
    ...day,
    calendarId: calendar.id,
    calendarName: calendar.name,
  }));
}

/** Every calendar's market days, by date then calendar name. */
export function communeMarketDays(
  calendars: readonly StoredCalendar[],
  range: DateRange,
): CalendarMarketDay[] {
  return calendars
    .flatMap((calendar) => calendarMarketDays(calendar, range))
    .sort((a, b) => a.date.localeCompare(b.date) || a.calendarName.localeCompare(b.calendarName, 'vi'));
}

const CRLF = '\r\n';

/**
 * The commune's feed: one VCALENDAR holding every calendar's market days as explicit all-day
 * events (the domain writes each calendar's events; their UIDs carry the calendar id, so two
 * calendars never clash).
 */
export function communeFeed(
  feedName: string,
  calendars: readonly StoredCalendar[],
  range: DateRange,
  options: { zone: string; generatedAt: Date; uidDomain?: string },
): string {
  const header = marketFeedToICalendar({
    calendarId: 'commune',
    name: feedName,
    days: [],
    generatedAt: options.generatedAt,
    zone: options.zone,
    uidDomain: options.uidDomain,
  })
    .split(CRLF)
    .filter((line) => line !== '' && line !== 'END:VCALENDAR');
  const events = calendars.flatMap((calendar) => {
    const lines = marketFeedToICalendar({
      calendarId: calendar.id,
      name: calendar.name,
      days: marketDays(calendar, range.from, range.to),
      generatedAt: options.generatedAt,
      zone: calendar.zone,
      uidDomain: options.uidDomain,
    }).split(CRLF);
    const first = lines.indexOf('BEGIN:VEVENT');
    return first < 0 ? [] : lines.slice(first, lines.lastIndexOf('END:VCALENDAR'));
  });
  return [...header, ...events, 'END:VCALENDAR'].join(CRLF) + CRLF;
}
