// What materialisation reads: enabled slots with their calendars, clusters and playlists, the
// clusters' driver settings, and each bulletin's programme renditions of its current revision.
// Read a page of slots at a time, so memory follows the page, not the number of clusters.
import { parseMarketCalendar } from '../../domain/calendar/index.ts';
import type {
  PlannableBulletin,
  PlannableCluster,
  PlannableRendition,
  PlannableSlot,
} from '../../domain/dispatch/materialise.ts';
import { clusterProfileId } from '../../media/cluster-profile.ts';
import type { Db } from './db.ts';

export interface PlannablePage {
  slots: PlannableSlot[];
  clusters: Map<string, PlannableCluster>;
  bulletins: Map<string, PlannableBulletin>;
  /** Cursor for the next page; null when this was the last. */
  next: string | null;
}

export async function plannablePage(
  db: Db,
  options: { after?: string | null; size: number; slotIds?: string[]; communeIds?: string[] },
): Promise<PlannablePage> {
  const rows = await db.slot.findMany({
    where: {
      ...(options.slotIds ? { id: { in: options.slotIds } } : {}),
      ...(options.communeIds ? { calendar: { communeId: { in: options.communeIds } } } : {}),
    },
    orderBy: { id: 'asc' },
    take: options.size,
    ...(options.after ? { cursor: { id: options.after }, skip: 1 } : {}),
    include: {
      calendar: true,
      clusters: { select: { clusterId: true } },
      playlist: { select: { bulletinId: true }, orderBy: { position: 'asc' } },
    },
  });
  const clusterIds = [...new Set(rows.flatMap((r) => r.clusters.map((c) => c.clusterId)))];
  const bulletinIds = [...new Set(rows.flatMap((r) => r.playlist.map((p) => p.bulletinId)))];
  const [clusters, bulletins] = await Promise.all([
    loadClusters(db, clusterIds),
    loadBulletins(db, bulletinIds),
  ]);
  const slots = rows.map(
    (r): PlannableSlot => ({
      id: r.id,
      communeId: r.calendar.communeId,
      calendar: parseMarketCalendar({
        name: r.calendar.name,
        zone: r.calendar.timeZone,
        rules: r.calendar.rules,
        exceptions: r.calendar.exceptions ?? {},
        tet: r.calendar.tetPolicy ?? {},
      }),
      timeOfDay: r.timeOfDay,
      priority: r.priority,
      repeat: r.repeat,
      repeatGapSec: r.repeatGapSec,
      enabled: r.enabled,
      clusterIds: r.clusters.map((c) => c.clusterId),
      playlist: r.playlist.map((p) => p.bulletinId),
    }),
  );
  return {
    slots,
    clusters,
    bulletins,
    next: rows.length === options.size ? (rows.at(-1)?.id ?? null) : null,
  };
}

/** Clusters by id with the device profile each needs (materialisation, emergencies, test tones). */
export async function loadClusters(db: Db, ids: string[]): Promise<Map<string, PlannableCluster>> {
  const rows = await db.cluster.findMany({
    where: { id: { in: ids } },
    select: { id: true, communeId: true, enabled: true, driverKind: true, driverConfig: true },
  });
  return new Map(
    rows.map((c) => [
      c.id,
      {
        id: c.id,
        communeId: c.communeId,
        enabled: c.enabled,
        driverKind: c.driverKind,
        profileId: clusterProfileId(c.driverKind, c.driverConfig),
      },
    ]),
  );
}

/** Bulletins by id with their current programme renditions per profile, and whether they may air. */
export async function loadBulletins(db: Db, ids: string[]): Promise<Map<string, PlannableBulletin>> {
  const rows = await db.bulletin.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      status: true,
      revision: true,
      approvedAt: true,
      archivedAt: true,
      validFrom: true,
      validUntil: true,
      renditions: {
        where: { language: null },
        select: {
          id: true,
          revision: true,
          profileId: true,
          path: true,
          sha256: true,
          bytes: true,
          durationSec: true,
          segments: true,
        },
      },
    },
  });
  return new Map(
    rows.map((b) => {
      const current = b.renditions.filter((r) => r.revision === b.revision);
      const renditions = new Map<string, PlannableRendition>(
        current.map((r) => [
          r.profileId,
          {
            renditionId: r.id,
            path: r.path,
            sha256: r.sha256,
            bytes: Number(r.bytes),
            durationSec: r.durationSec,
            segments: (r.segments ?? []) as unknown as PlannableRendition['segments'],
          },
        ]),
      );
      // An archived bulletin is kept as evidence, never aired again.
      const airable = b.status === 'READY' && b.approvedAt !== null && b.archivedAt === null;
      return [b.id, { id: b.id, airable, validFrom: b.validFrom, validUntil: b.validUntil, renditions }];
    }),
  );
}
