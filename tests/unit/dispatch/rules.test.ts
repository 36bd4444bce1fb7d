import { describe, expect, it } from 'vitest';
import { canMove, isTerminal, movableFrom } from '../../../domain/dispatch/broadcast-status.ts';
import { tooLate } from '../../../domain/dispatch/lateness.ts';
import { settleAiring } from '../../../domain/dispatch/outcome.ts';

describe('broadcast states', () => {
  it('moves only forward, and terminal states never move', () => {
    expect(canMove('PLANNED', 'STARTING')).toBe(true);
    expect(canMove('AIRING', 'AIRED')).toBe(true);
    expect(canMove('AIRED', 'AIRING')).toBe(false);
    expect(canMove('PLANNED', 'AIRED')).toBe(false);
    expect(isTerminal('MISSED')).toBe(true);
    expect(isTerminal('AIRING')).toBe(false);
    expect(movableFrom('CANCELLED')).toEqual(['PLANNED', 'STARTING']);
    expect(movableFrom('PREEMPTED')).toEqual(['STARTING', 'AIRING']);
  });
});

describe('lateness (Thông tư 39 levels)', () => {
  const at = Date.UTC(2026, 11, 6, 0, 30);
  it('lets normal and priority bulletins start up to the limit, then misses them with the reason', () => {
    expect(tooLate('NORMAL', at, at + 60_000, { maxLateMs: 60_000 })).toBeNull();
    expect(tooLate('PRIORITY', at, at + 60_001, { maxLateMs: 60_000 })).toEqual({
      code: 'late',
      message: 'trễ 60 giây, quá giới hạn 60 giây / 60 s late, over the 60 s limit',
    });
  });
  it('airs an emergency however late', () => {
    expect(tooLate('EMERGENCY', at, at + 3_600_000, { maxLateMs: 60_000 })).toBeNull();
  });
});

describe('what an airing amounts to', () => {
  it('aired when the whole programme went out', () => {
    expect(settleAiring({ durationSec: 30, secondsAired: 29.95 }).status).toBe('AIRED');
  });
  it('partial with some audio, failed with none, each with its reason', () => {
    const dropped = { code: 'connection-dropped', message: 'x' };
    expect(settleAiring({ durationSec: 30, secondsAired: 12, error: dropped })).toEqual({
      status: 'PARTIAL',
      reason: dropped,
    });
    expect(settleAiring({ durationSec: 30, secondsAired: 0, error: dropped }).status).toBe('FAILED');
  });
  it('preempted whatever aired', () => {
    const preempted = { code: 'preempted', message: 'emergency' };
    expect(settleAiring({ durationSec: 30, secondsAired: 30, preempted }).status).toBe('PREEMPTED');
  });
});
