/**
 * Conflicts between broadcast slots, found when a slot is saved (not at play time).
 *
 * Two slot occurrences conflict when their airtime overlaps on the same loudspeaker cluster: a
 * cluster plays one broadcast at a time. Airtime is the half-open interval [start, start +
 * duration), so a slot starting the second another ends does not conflict.
 *
 * Each conflict says how Thông tư 39/2020/TT-BTTTT resolves it:
 *  - emergency preempts everything that is not an emergency;
 *  - a priority bulletin goes first and normal items give way;
 *  - two priority items (the commune's own) or two emergencies: the scheduler must choose the order;
 *  - two normal items: the slot being saved gives way to the one already scheduled.
 */
import type { IsoDate } from './civil-date.ts';
import { slotStartUtc, type TimeOfDay } from './slot-time.ts';

export const SLOT_PRIORITIES = ['normal', 'priority', 'emergency'] as const;
export type SlotPriority = (typeof SLOT_PRIORITIES)[number];

/** One airing of a slot on one market day. */
export interface SlotOccurrence {
  readonly slotId: string;
  /** The market day (civil date in the calendar's zone) this airing belongs to. */
  readonly date: IsoDate;
  /** UTC instant the airing starts. */
  readonly start: Date;
  readonly durationSeconds: number;
  readonly clusterIds: readonly string[];
  readonly priority: SlotPriority;
}

export type ConflictResolution =
  /** One side is an emergency: it airs at once and interrupts the other. */
  | 'emergency-preempts'
  /** Priority against normal: the priority item airs first, the normal one gives way. */
  | 'priority-first'
  /** Normal against normal: the slot being saved gives way to the one already scheduled. */
  | 'normal-gives-way'
  /** Two priority items or two emergencies: the scheduler chooses which airs first. */
  | 'scheduler-orders';

export interface SlotConflict {
  readonly clusterId: string;
  /** The occurrence of the slot being saved. */
  readonly occurrence: SlotOccurrence;
  /** The already scheduled occurrence it collides with. */
  readonly other: SlotOccurrence;
  readonly overlapStart: Date;
  readonly overlapEnd: Date;
  readonly resolution: ConflictResolution;
  /** The slot that airs first, or null when the scheduler must choose. */
  readonly winnerSlotId: string | null;
  /** The slot that is interrupted, delayed or moved, or null when the scheduler must choose. */
  readonly yieldingSlotId: string | null;
}

/** Conflicts grouped by the other slot, for one message per colliding slot. */
export interface SlotConflictSummary {
  readonly otherSlotId: string;
  readonly resolution: ConflictResolution;
  readonly winnerSlotId: string | null;
  readonly clusterIds: readonly string[];
  /** Market days (of the slot being saved) on which the collision happens. */
  readonly dates: readonly IsoDate[];
}

const RANK: Record<SlotPriority, number> = { normal: 0, priority: 1, emergency: 2 };

/** Total airtime of a slot: its playlist `repeat` times, with `gapSeconds` between repetitions. */
export function slotAirtimeSeconds(slot: {
  itemSeconds: readonly number[];
  repeat: number;
  gapSeconds: number;
}): number {
  const { itemSeconds, repeat, gapSeconds } = slot;
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new RangeError(`repeat must be a positive integer: ${repeat}`);
  if (!(gapSeconds >= 0) || itemSeconds.some((s) => !(s >= 0))) throw new RangeError('durations must be ≥ 0');
  const playlist = itemSeconds.reduce((sum, seconds) => sum + seconds, 0);
  return repeat * playlist + (repeat - 1) * gapSeconds;
}

/** The airings of a slot (a time of day in the calendar's zone) on the given market days. */
export function slotOccurrences(
  slot: {
    id: string;
    time: TimeOfDay;
    durationSeconds: number;
    clusterIds: readonly string[];
    priority: SlotPriority;
  },
  marketDates: readonly IsoDate[],
  zone?: string,
): SlotOccurrence[] {
  return marketDates.map((date) => ({
    slotId: slot.id,
    date,
    start: slotStartUtc(date, slot.time, zone),
    durationSeconds: slot.durationSeconds,
    clusterIds: slot.clusterIds,
    priority: slot.priority,
  }));
}

/** When an airing ends, in epoch milliseconds. */
export function endOf(occurrence: SlotOccurrence): number {
  return occurrence.start.getTime() + occurrence.durationSeconds * 1000;
}

function checkOccurrence(occurrence: SlotOccurrence): void {
  if (Number.isNaN(occurrence.start.getTime()))
    throw new RangeError(`slot ${occurrence.slotId}: invalid start`);
  if (!(occurrence.durationSeconds > 0) || !Number.isFinite(occurrence.durationSeconds)) {
    throw new RangeError(`slot ${occurrence.slotId}: duration must be a positive number of seconds`);
  }
  if (!SLOT_PRIORITIES.includes(occurrence.priority)) {
    throw new RangeError(`slot ${occurrence.slotId}: unknown priority ${occurrence.priority}`);
  }
}

/** How Thông tư 39 settles a collision between the slot being saved and one already scheduled. */
export function resolveCollision(
  saved: Pick<SlotOccurrence, 'slotId' | 'priority'>,
  scheduled: Pick<SlotOccurrence, 'slotId' | 'priority'>,
): Pick<SlotConflict, 'resolution' | 'winnerSlotId' | 'yieldingSlotId'> {
  if (saved.priority === scheduled.priority) {
    if (saved.priority === 'normal') {
      return { resolution: 'normal-gives-way', winnerSlotId: scheduled.slotId, yieldingSlotId: saved.slotId };
    }
    return { resolution: 'scheduler-orders', winnerSlotId: null, yieldingSlotId: null };
  }
  const [high, low] =
    RANK[saved.priority] > RANK[scheduled.priority] ? [saved, scheduled] : [scheduled, saved];
  return {
    resolution: high.priority === 'emergency' ? 'emergency-preempts' : 'priority-first',
    winnerSlotId: high.slotId,
    yieldingSlotId: low.slotId,
  };
}

interface ClusterTimeline {
  /** Sorted by start. */
  readonly occurrences: SlotOccurrence[];
  /** Longest airtime on the cluster, to bound the backward scan. */
  readonly longestMs: number;
}

function timelinesByCluster(occurrences: readonly SlotOccurrence[]): Map<string, ClusterTimeline> {
  const grouped = new Map<string, SlotOccurrence[]>();
  for (const occurrence of occurrences) {
    for (const clusterId of new Set(occurrence.clusterIds)) {
      grouped.set(clusterId, [...(grouped.get(clusterId) ?? []), occurrence]);
    }
  }
  const timelines = new Map<string, ClusterTimeline>();
  for (const [clusterId, list] of grouped) {
    list.sort((a, b) => a.start.getTime() - b.start.getTime());
    const longestMs = Math.max(...list.map((o) => o.durationSeconds * 1000));
    timelines.set(clusterId, { occurrences: list, longestMs });
  }
  return timelines;
}

/** Index of the first occurrence starting at or after `instant`. */
function firstStartingFrom(list: readonly SlotOccurrence[], instant: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((list[mid] as SlotOccurrence).start.getTime() < instant) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Every overlap between the airings of the slot being saved (`candidate`) and those already
 * scheduled (`scheduled`), cluster by cluster, in time order. Airings of the same slot id in
 * `scheduled` are ignored: they are the old version of the slot being saved.
 */
export function findSlotConflicts(
  candidate: readonly SlotOccurrence[],
  scheduled: readonly SlotOccurrence[],
): SlotConflict[] {
  [...candidate, ...scheduled].forEach(checkOccurrence);
  const savedIds = new Set(candidate.map((o) => o.slotId));
  const timelines = timelinesByCluster(scheduled.filter((o) => !savedIds.has(o.slotId)));
  const conflicts: SlotConflict[] = [];
  for (const occurrence of candidate) {
    const start = occurrence.start.getTime();
    const end = endOf(occurrence);
    for (const clusterId of new Set(occurrence.clusterIds)) {
      const timeline = timelines.get(clusterId);
      if (!timeline) continue;
      const { occurrences: list, longestMs } = timeline;
      for (let i = firstStartingFrom(list, end) - 1; i >= 0; i--) {
        const other = list[i] as SlotOccurrence;
        if (other.start.getTime() + longestMs <= start) break;
        if (endOf(other) <= start) continue;
        conflicts.push({
          clusterId,
          occurrence,
          other,
          overlapStart: new Date(Math.max(start, other.start.getTime())),
          overlapEnd: new Date(Math.min(end, endOf(other))),
          ...resolveCollision(occurrence, other),
        });
      }
    }
  }
  return conflicts.sort(
    (a, b) =>
      a.overlapStart.getTime() - b.overlapStart.getTime() ||
      a.clusterId.localeCompare(b.clusterId) ||
      a.other.slotId.localeCompare(b.other.slotId),
  );
}

/** One line per colliding slot: which clusters, which market days, who goes first. */
export function summariseConflicts(conflicts: readonly SlotConflict[]): SlotConflictSummary[] {
  const byOther = new Map<string, SlotConflict[]>();
  for (const conflict of conflicts) {
    byOther.set(conflict.other.slotId, [...(byOther.get(conflict.other.slotId) ?? []), conflict]);
  }
  return [...byOther.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([otherSlotId, list]) => {
      const first = list[0] as SlotConflict;
      return {
        otherSlotId,
        resolution: first.resolution,
        winnerSlotId: first.winnerSlotId,
        clusterIds: [...new Set(list.map((c) => c.clusterId))].sort(),
        dates: [...new Set(list.map((c) => c.occurrence.date))].sort(),
      };
    });
}
