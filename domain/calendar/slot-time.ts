/**
 * Slot times: "07:30 on market day 2026-02-17 in the commune's zone" → the UTC instant to store.
 *
 * Everything goes through luxon with an explicit IANA zone, never the host's zone, so the result
 * is the same on a laptop in Hanoi and a CI runner in New York.
 *
 * Daylight-saving choice (Asia/Ho_Chi_Minh has had no DST since 1975, but a calendar may name
 * another zone):
 *  - a time that does not exist (clocks jump forward) is moved forward by the jump, e.g. 02:30 on
 *    a spring-forward night in New York airs at 03:30 local: the bulletin still plays, late;
 *  - a time that exists twice (clocks fall back) means its first occurrence, so a slot airs once,
 *    at the earlier instant.
 */
import { DateTime } from 'luxon';
import { type IsoDate, parseIsoDate } from './civil-date.ts';
import { DEFAULT_ZONE, isKnownZone } from './market-calendar.ts';

/** A local time of day, `HH:mm`, 00:00–23:59. */
export type TimeOfDay = string;

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

export class SlotTimeError extends RangeError {
  override readonly name = 'SlotTimeError';
}

export function parseTimeOfDay(text: TimeOfDay): { hour: number; minute: number } {
  const match = TIME_OF_DAY.exec(text);
  if (!match) throw new SlotTimeError(`giờ không hợp lệ / invalid time of day: "${text}" (expected HH:mm)`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export function isTimeOfDay(text: string): boolean {
  return TIME_OF_DAY.test(text);
}

/** The UTC instant at which `time` (HH:mm) occurs on civil `date` in `zone`. */
export function slotStartUtc(date: IsoDate, time: TimeOfDay, zone: string = DEFAULT_ZONE): Date {
  if (!isKnownZone(zone)) throw new SlotTimeError(`múi giờ không hợp lệ / unknown time zone: "${zone}"`);
  const { year, month, day } = parseIsoDate(date);
  const local = DateTime.fromObject({ year, month, day, ...parseTimeOfDay(time) }, { zone });
  // luxon already shifts a non-existent time forward; for a repeated time it may pick either
  // occurrence, so take the earliest of the possible offsets explicitly.
  const earliest = local
    .getPossibleOffsets()
    .filter((candidate) => candidate.hour === local.hour && candidate.minute === local.minute)
    .reduce((best, candidate) => (candidate.toMillis() < best.toMillis() ? candidate : best), local);
  return earliest.toUTC().toJSDate();
}

/** The civil date and time of day of a UTC instant in `zone` (for showing stored slots). */
export function localDateTimeOf(
  instant: Date,
  zone: string = DEFAULT_ZONE,
): { date: IsoDate; time: TimeOfDay } {
  if (!isKnownZone(zone)) throw new SlotTimeError(`múi giờ không hợp lệ / unknown time zone: "${zone}"`);
  const local = DateTime.fromJSDate(instant, { zone });
  return { date: local.toFormat('yyyy-MM-dd'), time: local.toFormat('HH:mm') };
}
