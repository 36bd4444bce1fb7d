import { describe, expect, it } from 'vitest';
import { localDateTimeOf, SlotTimeError, slotStartUtc } from '../../../domain/calendar/index.ts';

describe('slot times', () => {
  it('runs with a host zone far from Vietnam (vitest config sets TZ=America/New_York)', () => {
    expect(process.env.TZ).toBe('America/New_York');
    expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(300);
  });

  it('reads a time of day in Asia/Ho_Chi_Minh by default (UTC+7, whatever the host zone)', () => {
    expect(slotStartUtc('2026-02-22', '06:30').toISOString()).toBe('2026-02-21T23:30:00.000Z');
    expect(slotStartUtc('2026-02-22', '07:00').toISOString()).toBe('2026-02-22T00:00:00.000Z');
    expect(slotStartUtc('2026-02-22', '23:59', 'Asia/Ho_Chi_Minh').toISOString()).toBe(
      '2026-02-22T16:59:00.000Z',
    );
  });

  it('keeps UTC+7 on the host zone DST-change days (8 March and 1 November 2026 in New York)', () => {
    expect(slotStartUtc('2026-03-08', '02:30').toISOString()).toBe('2026-03-07T19:30:00.000Z');
    expect(slotStartUtc('2026-11-01', '01:30').toISOString()).toBe('2026-10-31T18:30:00.000Z');
  });

  it('moves a non-existent local time forward by the DST jump', () => {
    // 02:30 does not exist in New York on 2026-03-08; it airs at 03:30 EDT.
    expect(slotStartUtc('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
  });

  it('takes the first occurrence of a repeated local time', () => {
    // 01:30 happens twice in New York on 2026-11-01 (EDT, then EST): the EDT one comes first.
    expect(slotStartUtc('2026-11-01', '01:30', 'America/New_York').toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    expect(slotStartUtc('2026-10-25', '01:30', 'Europe/London').toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('converts stored instants back to the local market date and time', () => {
    expect(localDateTimeOf(new Date('2026-02-16T23:30:00Z'))).toEqual({ date: '2026-02-17', time: '06:30' });
  });

  it.each([
    ['2026-02-22', '7:00', undefined, /invalid time of day/],
    ['2026-02-22', '24:00', undefined, /invalid time of day/],
    ['2026-02-22', '06:60', undefined, /invalid time of day/],
    ['2026-02-30', '06:00', undefined, /invalid date/],
    ['2026-02-22', '06:00', 'Asia/Hanoi_Typo', /unknown time zone/],
  ])('rejects %s %s %s', (date, time, zone, message) => {
    expect(() => slotStartUtc(date, time, zone)).toThrow(message);
  });

  it('raises a SlotTimeError for bad times and zones', () => {
    expect(() => slotStartUtc('2026-02-22', '25:00')).toThrow(SlotTimeError);
    expect(() => slotStartUtc('2026-02-22', '06:00', 'Mars/Olympus')).toThrow(SlotTimeError);
  });
});
