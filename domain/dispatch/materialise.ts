// Which broadcasts a window of time holds: every enabled slot's occurrences on its calendar's
// market days, times every enabled cluster of the slot, with the renditions each cluster's device
// profile needs. Pure: the worker feeds it rows and writes back what it returns.

import type { ProgrammeSegment } from '../bulletin.ts';
import {
  type IsoDate,
  isoFromJdn,
  jdnFromIso,
  type MarketCalendar,
  marketDays,
  slotStartUtc,
} from '../calendar/index.ts';
import type { Priority } from '../priority.ts';

export interface PlannableRendition {
  renditionId: string;
  /** Relative to the media directory. */
  path: string;
  sha256: string;
  bytes: number;
  durationSec: number;
  segments: ProgrammeSegment[];
}

export interface PlannableBulletin {
  id: string;
  /** Approved, processed, not archived: only then may it air. */
  airable: boolean;
  validFrom: Date | null;
  validUntil: Date | null;
  /** The programme rendition of the current revision, per device profile id. */
  renditions: ReadonlyMap<string, PlannableRendition>;
}

export interface PlannableCluster {
  id: string;
  communeId: string;
  enabled: boolean;
  driverKind: string;
  profileId: string;
}

export interface PlannableSlot {
  id: string;
  communeId: string;
  calendar: MarketCalendar;
  timeOfDay: string;
  priority: Priority;
  repeat: number;
  repeatGapSec: number;
  enabled: boolean;
  clusterIds: readonly string[];
  /** Bulletin ids in playlist order. */
  playlist: readonly string[];
}

export interface PlanItem extends PlannableRendition {
  bulletinId: string;
  gapBeforeSec?: number;
}

export interface PlannedBroadcast {
  slotId: string;
  communeId: string;
  clusterId: string;
  scheduledAt: Date;
  marketDay: IsoDate;
  priority: Priority;
  profileId: string;
  driverKind: string;
  durationSec: number;
  items: PlanItem[];
}

/** Why an occurrence × cluster has no broadcast, for the materialiser's log. */
export interface Unplanned {
  slotId: string;
  clusterId: string;
  scheduledAt: Date;
  reason: 'no-airable-bulletin' | 'no-rendition-for-profile' | 'cluster-disabled';
}

/** Market dates that may hold an instant of [from, to): one day of margin each side for the zone. */
function datesAround(from: Date, to: Date): { first: IsoDate; last: IsoDate } {
  const jdn = (d: Date) => jdnFromIso(d.toISOString().slice(0, 10));
  return { first: isoFromJdn(jdn(from) - 1), last: isoFromJdn(jdn(to) + 1) };
}

function airableAt(bulletin: PlannableBulletin | undefined, at: Date): bulletin is PlannableBulletin {
  if (!bulletin?.airable) return false;
  if (bulletin.validFrom && at < bulletin.validFrom) return false;
  if (bulletin.validUntil && at >= bulletin.validUntil) return false;
  return true;
}

/** The playlist as aired on one profile: `repeat` passes with the slot's gap between them. */
function itemsFor(
  slot: PlannableSlot,
  bulletins: readonly PlannableBulletin[],
  profileId: string,
): PlanItem[] | null {
  const pass: PlanItem[] = [];
  for (const bulletin of bulletins) {
    const rendition = bulletin.renditions.get(profileId);
    if (!rendition) return null;
    pass.push({ bulletinId: bulletin.id, ...rendition });
  }
  const items: PlanItem[] = [];
  for (let r = 0; r < slot.repeat; r++) {
    pass.forEach((item, i) => {
      items.push(
        r > 0 && i === 0 && slot.repeatGapSec > 0 ? { ...item, gapBeforeSec: slot.repeatGapSec } : item,
      );
    });
  }
  return items;
}

export function planSlot(
  slot: PlannableSlot,
  window: { from: Date; to: Date },
  bulletins: ReadonlyMap<string, PlannableBulletin>,
  clusters: ReadonlyMap<string, PlannableCluster>,
): { planned: PlannedBroadcast[]; unplanned: Unplanned[] } {
  const planned: PlannedBroadcast[] = [];
  const unplanned: Unplanned[] = [];
  if (!slot.enabled || slot.playlist.length === 0) return { planned, unplanned };
  const { first, last } = datesAround(window.from, window.to);
  for (const day of marketDays(slot.calendar, first, last)) {
    const scheduledAt = slotStartUtc(day.date, slot.timeOfDay, slot.calendar.zone);
    if (scheduledAt < window.from || scheduledAt >= window.to) continue;
    const airing = slot.playlist.map((id) => bulletins.get(id)).filter((b) => airableAt(b, scheduledAt));
    // Clusters of one profile air the same items: built once per occurrence and profile.
    const itemsByProfile = new Map<string, { items: PlanItem[]; durationSec: number } | null>();
    const planFor = (profileId: string) => {
      if (!itemsByProfile.has(profileId)) {
        const items = itemsFor(slot, airing, profileId);
        const durationSec = items?.reduce(
          (sum, item) => sum + (item.gapBeforeSec ?? 0) + item.durationSec,
          0,
        );
        itemsByProfile.set(profileId, items && { items, durationSec: durationSec ?? 0 });
      }
      return itemsByProfile.get(profileId) ?? null;
    };
    for (const clusterId of slot.clusterIds) {
      const cluster = clusters.get(clusterId);
      const miss = (reason: Unplanned['reason']) =>
        unplanned.push({ slotId: slot.id, clusterId, scheduledAt, reason });
      if (!cluster?.enabled) {
        miss('cluster-disabled');
        continue;
      }
      if (airing.length === 0) {
        miss('no-airable-bulletin');
        continue;
      }
      const plan = planFor(cluster.profileId);
      if (!plan) {
        miss('no-rendition-for-profile');
        continue;
      }
      planned.push({
        slotId: slot.id,
        communeId: slot.communeId,
        clusterId,
        scheduledAt,
        marketDay: day.date,
        priority: slot.priority,
        profileId: cluster.profileId,
        driverKind: cluster.driverKind,
        durationSec: plan.durationSec,
        items: plan.items,
      });
    }
  }
  return { planned, unplanned };
}
