import { describe, expect, it } from 'vitest';
import { parseMarketCalendar } from '../../../domain/calendar/index.ts';
import {
  type PlannableBulletin,
  type PlannableCluster,
  type PlannableSlot,
  planSlot,
} from '../../../domain/dispatch/materialise.ts';

const rendition = (profile: string, durationSec: number) => ({
  renditionId: `r-${profile}`,
  path: `renditions/b/1/${profile}`,
  sha256: 'a'.repeat(64),
  bytes: 1000,
  durationSec,
  segments: [{ kind: 'language' as const, language: 'vie', startSec: 0, durationSec }],
});

const bulletin = (id: string, extra: Partial<PlannableBulletin> = {}): PlannableBulletin => ({
  id,
  airable: true,
  validFrom: null,
  validUntil: null,
  renditions: new Map([
    ['wav-l16', rendition('wav-l16', 30)],
    ['pcmu-8k', rendition('pcmu-8k', 30)],
  ]),
  ...extra,
});

const cluster = (id: string, extra: Partial<PlannableCluster> = {}): PlannableCluster => ({
  id,
  communeId: 'c1',
  enabled: true,
  driverKind: 'RECORDER',
  profileId: 'wav-l16',
  ...extra,
});

// Sundays in Asia/Ho_Chi_Minh (UTC+7): 07:30 local = 00:30 UTC.
const slot: PlannableSlot = {
  id: 's1',
  communeId: 'c1',
  calendar: parseMarketCalendar({ name: 'Chợ Bắc Hà', rules: [{ kind: 'weekdays', days: ['SU'] }] }),
  timeOfDay: '07:30',
  priority: 'NORMAL',
  repeat: 2,
  repeatGapSec: 5,
  enabled: true,
  clusterIds: ['k1', 'k2'],
  playlist: ['b1'],
};

const window = { from: new Date('2026-12-05T00:00:00Z'), to: new Date('2026-12-07T00:00:00Z') };

describe('planning broadcasts', () => {
  it('makes one broadcast per occurrence and cluster, at the local time as a UTC instant', () => {
    const { planned, unplanned } = planSlot(
      slot,
      window,
      new Map([['b1', bulletin('b1')]]),
      new Map([
        ['k1', cluster('k1')],
        ['k2', cluster('k2', { profileId: 'pcmu-8k', driverKind: 'RTP' })],
      ]),
    );
    expect(unplanned).toEqual([]);
    expect(planned.map((p) => [p.clusterId, p.scheduledAt.toISOString(), p.marketDay, p.profileId])).toEqual([
      ['k1', '2026-12-06T00:30:00.000Z', '2026-12-06', 'wav-l16'],
      ['k2', '2026-12-06T00:30:00.000Z', '2026-12-06', 'pcmu-8k'],
    ]);
    // Two passes of a 30 s bulletin with 5 s between them.
    expect(planned[0]?.durationSec).toBe(65);
    expect(planned[0]?.items.map((i) => i.gapBeforeSec ?? 0)).toEqual([0, 5]);
  });

  it('leaves out instants outside the window, whatever the zone', () => {
    const narrow = { from: new Date('2026-12-06T00:31:00Z'), to: new Date('2026-12-13T00:30:00Z') };
    const { planned } = planSlot(
      slot,
      narrow,
      new Map([['b1', bulletin('b1')]]),
      new Map([['k1', cluster('k1')]]),
    );
    expect(planned).toEqual([]);
  });

  it('says why a cluster gets nothing: disabled, no rendition for its profile, nothing airable', () => {
    const clusters = new Map([
      ['k1', cluster('k1', { enabled: false })],
      ['k2', cluster('k2', { profileId: 'opus-24k' })],
    ]);
    const reasons = (b: PlannableBulletin) =>
      planSlot(slot, window, new Map([['b1', b]]), clusters).unplanned.map((u) => u.reason);
    expect(reasons(bulletin('b1'))).toEqual(['cluster-disabled', 'no-rendition-for-profile']);
    const expired = bulletin('b1', { validUntil: new Date('2026-12-06T00:30:00Z') });
    expect(reasons(expired)).toEqual(['cluster-disabled', 'no-airable-bulletin']);
    expect(reasons(bulletin('b1', { airable: false }))).toEqual(['cluster-disabled', 'no-airable-bulletin']);
  });

  it('plans nothing for a disabled slot or an empty playlist', () => {
    const args = [window, new Map([['b1', bulletin('b1')]]), new Map([['k1', cluster('k1')]])] as const;
    expect(planSlot({ ...slot, enabled: false }, ...args).planned).toEqual([]);
    expect(planSlot({ ...slot, playlist: [] }, ...args).planned).toEqual([]);
  });
});
