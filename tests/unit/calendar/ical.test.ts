import { describe, expect, it } from 'vitest';
import {
  escapeText,
  foldLine,
  marketDays,
  marketFeedToICalendar,
  parseMarketCalendar,
} from '../../../domain/calendar/index.ts';

const encoder = new TextEncoder();
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

/** Reads the unfolded content lines back into events, undoing TEXT escaping. */
function events(text: string): Record<string, string>[] {
  const result: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of unfold(text).split('\r\n')) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      result.push(current);
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line
        .slice(colon + 1)
        .replace(/\\(.)/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
    }
  }
  return result;
}

const phoBang = parseMarketCalendar({
  name: 'Chợ phiên Phó Bảng; xã biên giới, Hà Giang',
  rules: [{ kind: 'branch', branches: ['Tý', 'Ngọ'] }],
  exceptions: { moved: [{ from: '2026-02-25', to: '2026-02-24' }] },
});
const feed = marketFeedToICalendar({
  calendarId: 'pho-bang',
  name: phoBang.name,
  days: marketDays(phoBang, '2026-02-10', '2026-03-10'),
  generatedAt: new Date('2026-02-01T03:04:05.678Z'),
});

describe('iCalendar feed', () => {
  it('is a VCALENDAR with CRLF line endings and no physical line over 75 octets', () => {
    expect(feed.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(feed.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(feed.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of feed.split('\r\n')) expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
  });

  it('lists each market day as an all-day event with a stable UID (Tết closure and the move applied)', () => {
    const list = events(feed);
    expect(list.map((e) => e['DTSTART;VALUE=DATE'])).toEqual([
      '20260213',
      '20260224',
      '20260303',
      '20260309',
    ]);
    expect(list[0]).toMatchObject({
      UID: 'pho-bang-20260213@loa',
      DTSTAMP: '20260201T030405Z',
      'DTEND;VALUE=DATE': '20260214',
    });
  });

  it('round-trips Vietnamese text with commas and semicolons through escaping and folding', () => {
    const [first, moved] = events(feed);
    expect(first?.SUMMARY).toBe(
      'Chợ phiên Phó Bảng; xã biên giới, Hà Giang – phiên chợ ngày Ngọ, 26 tháng Chạp',
    );
    expect(first?.DESCRIPTION).toBe('Âm lịch: 26 tháng Chạp năm Ất Tỵ\nNgày Mậu Ngọ');
    expect(moved?.DESCRIPTION).toContain('Phiên dời từ ngày 2026-02-25');
    expect(unfold(feed)).toContain('X-WR-CALNAME:Chợ phiên Phó Bảng\\; xã biên giới\\, Hà Giang\r\n');
  });

  it('escapes TEXT per RFC 5545', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });

  it('folds at 75 octets without splitting a multi-byte letter', () => {
    const line = `SUMMARY:${'Chợ phiên Đồng Văn '.repeat(12)}`;
    const folded = foldLine(line);
    const physical = folded.split('\r\n');
    expect(physical.length).toBeGreaterThan(3);
    for (const part of physical) expect(encoder.encode(part).length).toBeLessThanOrEqual(75);
    expect(physical.slice(1).every((part) => part.startsWith(' '))).toBe(true);
    expect(unfold(folded)).toBe(line);
    expect(folded).not.toContain('\uFFFD');
  });
});
