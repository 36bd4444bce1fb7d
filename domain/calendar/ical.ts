/**
 * An RFC 5545 iCalendar feed of a commune's market days, so officers can subscribe on their phones.
 *
 * Every market day is an explicit all-day VEVENT (DTSTART;VALUE=DATE). Lunar, branch and cycle
 * rules have no standard RRULE form for the Vietnamese calendar (RFC 7529 RSCALE has no
 * Vietnamese calendar, and RSCALE=CHINESE is wrong for Vietnam on some dates), so we never emit
 * rules, only dates. The text is written here rather than with a library because it is small:
 * the parts that matter are TEXT escaping (§3.3.11) and folding at 75 octets (§3.1).
 */

import { yearCanChi } from './can-chi.ts';
import { type IsoDate, isoFromJdn, jdnFromIso } from './civil-date.ts';
import { DEFAULT_ZONE, type MarketDay } from './market-calendar.ts';

export interface MarketFeed {
  /** Stable id of the market calendar; with the date it makes each event's UID. */
  readonly calendarId: string;
  /** "Chợ phiên Dào San" */
  readonly name: string;
  readonly days: readonly MarketDay[];
  /** DTSTAMP: when the feed was generated (passed in, so this module reads no clock). */
  readonly generatedAt: Date;
  readonly zone?: string;
  /** Right-hand side of UIDs, e.g. the server's host name. */
  readonly uidDomain?: string;
}

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;
const encoder = new TextEncoder();

/** Escapes a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
export function escapeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\p{Cc}/gu, '');
}

/**
 * Folds a content line into physical lines of at most 75 octets (UTF-8), continuation lines
 * starting with one space. Splits only between code points, so Vietnamese letters stay whole.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

function basicDate(date: IsoDate): string {
  return date.replaceAll('-', '');
}

function basicUtcDateTime(instant: Date): string {
  return `${instant.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

function describe(day: MarketDay): string {
  const lines = [
    `Âm lịch: ${day.label.replace(/^phiên chợ ngày [^,]+, /, '')} năm ${yearCanChi(day.lunar.year).name}`,
    `Ngày ${day.dayCanChi}`,
  ];
  if (day.source === 'moved' && day.movedFrom) lines.push(`Phiên dời từ ngày ${day.movedFrom}`);
  if (day.source === 'added') lines.push('Phiên chợ thêm');
  return lines.join('\n');
}

function marketEvent(feed: MarketFeed, day: MarketDay, stamp: string): string[] {
  const nextDay = isoFromJdn(jdnFromIso(day.date) + 1);
  return [
    'BEGIN:VEVENT',
    `UID:${escapeText(`${feed.calendarId}-${basicDate(day.date)}@${feed.uidDomain ?? 'loa'}`)}`,
    `DTSTAMP:${stamp}`,
    `DTSTART;VALUE=DATE:${basicDate(day.date)}`,
    `DTEND;VALUE=DATE:${basicDate(nextDay)}`,
    `SUMMARY:${escapeText(`${feed.name} – ${day.label}`)}`,
    `DESCRIPTION:${escapeText(describe(day))}`,
    'TRANSP:TRANSPARENT',
    'END:VEVENT',
  ];
}

/** The feed as text, lines ending in CRLF, ready to serve as `text/calendar; charset=utf-8`. */
export function marketFeedToICalendar(feed: MarketFeed): string {
  const stamp = basicUtcDateTime(feed.generatedAt);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Loa//Lich phien cho//VI',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(feed.name)}`,
    `X-WR-TIMEZONE:${escapeText(feed.zone ?? DEFAULT_ZONE)}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT12H',
    'X-PUBLISHED-TTL:PT12H',
    ...feed.days.flatMap((day) => marketEvent(feed, day, stamp)),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
