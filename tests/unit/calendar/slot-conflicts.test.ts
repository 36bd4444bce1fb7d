import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findSlotConflicts,
  type SlotOccurrence,
  type SlotPriority,
  slotAirtimeSeconds,
  slotOccurrences,
  summariseConflicts,
} from '../../../domain/calendar/index.ts';

const marketDays = ['2026-02-22', '2026-03-01', '2026-03-08'];

const slot = (
  id: string,
  time: string,
  minutes: number,
  priority: SlotPriority = 'normal',
  clusterIds: string[] = ['cum-1'],
) => slotOccurrences({ id, time, durationSeconds: minutes * 60, clusterIds, priority }, marketDays);

describe('slot airtime', () => {
  it('counts the playlist repeat times with gaps between repetitions', () => {
    expect(slotAirtimeSeconds({ itemSeconds: [120, 180], repeat: 3, gapSeconds: 60 })).toBe(3 * 300 + 2 * 60);
    expect(slotAirtimeSeconds({ itemSeconds: [90], repeat: 1, gapSeconds: 600 })).toBe(90);
    expect(() => slotAirtimeSeconds({ itemSeconds: [90], repeat: 0, gapSeconds: 0 })).toThrow(RangeError);
  });
});

describe('slot conflicts (Thông tư 39)', () => {
  it('places each occurrence at the slot time in Asia/Ho_Chi_Minh', () => {
    const [first] = slot('a', '06:30', 10);
    expect(first?.start.toISOString()).toBe('2026-02-21T23:30:00.000Z');
  });

  it('finds nothing when slots only touch end-to-start or target other clusters', () => {
    expect(findSlotConflicts(slot('new', '06:30', 30), slot('old', '07:00', 30))).toEqual([]);
    expect(
      findSlotConflicts(slot('new', '06:30', 60), slot('old', '07:00', 30, 'normal', ['cum-2'])),
    ).toEqual([]);
  });

  it('lets an emergency preempt a normal or priority slot, whichever side is saved', () => {
    const [conflict] = findSlotConflicts(slot('storm', '07:10', 5, 'emergency'), slot('news', '07:00', 30));
    expect(conflict).toMatchObject({
      clusterId: 'cum-1',
      resolution: 'emergency-preempts',
      winnerSlotId: 'storm',
      yieldingSlotId: 'news',
    });
    expect(conflict?.overlapStart.toISOString()).toBe('2026-02-22T00:10:00.000Z');
    expect(conflict?.overlapEnd.toISOString()).toBe('2026-02-22T00:15:00.000Z');
    const [reverse] = findSlotConflicts(
      slot('border', '07:00', 30, 'priority'),
      slot('storm', '07:10', 5, 'emergency'),
    );
    expect(reverse).toMatchObject({
      resolution: 'emergency-preempts',
      winnerSlotId: 'storm',
      yieldingSlotId: 'border',
    });
  });

  it('puts a priority bulletin first and makes the normal item give way', () => {
    const conflicts = findSlotConflicts(
      slot('market-news', '07:00', 20),
      slot('border-security', '07:15', 10, 'priority'),
    );
    expect(conflicts).toHaveLength(3);
    expect(
      conflicts.every((c) => c.resolution === 'priority-first' && c.winnerSlotId === 'border-security'),
    ).toBe(true);
    expect(conflicts.every((c) => c.yieldingSlotId === 'market-news')).toBe(true);
  });

  it('asks the scheduler to order two priority items of the commune, and two emergencies', () => {
    const [priority] = findSlotConflicts(
      slot('a', '07:00', 20, 'priority'),
      slot('b', '07:10', 20, 'priority'),
    );
    expect(priority).toMatchObject({
      resolution: 'scheduler-orders',
      winnerSlotId: null,
      yieldingSlotId: null,
    });
    const [emergency] = findSlotConflicts(
      slot('flood', '07:00', 5, 'emergency'),
      slot('fire', '07:02', 5, 'emergency'),
    );
    expect(emergency).toMatchObject({ resolution: 'scheduler-orders', winnerSlotId: null });
  });

  it('makes the normal slot being saved give way to a normal slot already scheduled', () => {
    const [conflict] = findSlotConflicts(slot('new', '07:00', 20), slot('old', '07:10', 20));
    expect(conflict).toMatchObject({
      resolution: 'normal-gives-way',
      winnerSlotId: 'old',
      yieldingSlotId: 'new',
    });
  });

  it('names the colliding slot, clusters and market dates in the summary', () => {
    const saved = slot('new', '07:00', 20, 'normal', ['cum-1', 'cum-2']);
    const scheduled = [
      ...slot('old', '07:10', 20, 'priority', ['cum-2', 'cum-3']),
      // Only on the second market day, on cluster 1.
      ...slotOccurrences(
        { id: 'once', time: '06:50', durationSeconds: 900, clusterIds: ['cum-1'], priority: 'normal' },
        ['2026-03-01'],
      ),
    ];
    expect(summariseConflicts(findSlotConflicts(saved, scheduled))).toEqual([
      {
        otherSlotId: 'old',
        resolution: 'priority-first',
        winnerSlotId: 'old',
        clusterIds: ['cum-2'],
        dates: marketDays,
      },
      {
        otherSlotId: 'once',
        resolution: 'normal-gives-way',
        winnerSlotId: 'once',
        clusterIds: ['cum-1'],
        dates: ['2026-03-01'],
      },
    ]);
  });

  it('ignores the old version of the slot being saved', () => {
    expect(findSlotConflicts(slot('same', '07:00', 20), slot('same', '07:05', 20))).toEqual([]);
  });

  it('rejects a non-positive duration', () => {
    expect(() => findSlotConflicts(slot('a', '07:00', 0), [])).toThrow(RangeError);
  });

  it('finds exactly the overlapping pairs a brute-force check finds (fast-check)', () => {
    const base = Date.UTC(2026, 1, 22, 0, 0);
    const occurrence = (slotId: string) =>
      fc
        .record({
          startMinute: fc.integer({ min: 0, max: 240 }),
          minutes: fc.integer({ min: 1, max: 90 }),
          clusterIds: fc.subarray(['c1', 'c2', 'c3'], { minLength: 1 }),
          priority: fc.constantFrom<SlotPriority>('normal', 'priority', 'emergency'),
        })
        .map(
          (o): SlotOccurrence => ({
            slotId,
            date: '2026-02-22',
            start: new Date(base + o.startMinute * 60_000),
            durationSeconds: o.minutes * 60,
            clusterIds: o.clusterIds,
            priority: o.priority,
          }),
        );
    const scheduled = fc
      .array(fc.tuple(fc.constantFrom('s1', 's2', 's3', 's4'), fc.nat()), { maxLength: 25 })
      .chain((ids) => fc.tuple(...ids.map(([id]) => occurrence(id))));
    fc.assert(
      fc.property(fc.array(occurrence('saved'), { maxLength: 5 }), scheduled, (saved, others) => {
        const expected: string[] = [];
        for (const a of saved) {
          for (const b of others) {
            for (const cluster of a.clusterIds.filter((c) => b.clusterIds.includes(c))) {
              const aEnd = a.start.getTime() + a.durationSeconds * 1000;
              const bEnd = b.start.getTime() + b.durationSeconds * 1000;
              if (a.start.getTime() < bEnd && b.start.getTime() < aEnd) {
                expected.push(
                  `${cluster}|${a.start.getTime()}|${b.slotId}|${b.start.getTime()}|${b.durationSeconds}`,
                );
              }
            }
          }
        }
        const found = findSlotConflicts(saved, others).map(
          (c) =>
            `${c.clusterId}|${c.occurrence.start.getTime()}|${c.other.slotId}|${c.other.start.getTime()}|${c.other.durationSeconds}`,
        );
        expect(found.sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });
});
