// Broadcasts as people see and ask for them: the airings of a day, the live board, emergencies
// (Thông tư 39: an approved emergency bulletin airs now, preempting what the clusters air) and
// test tones. Rows are made here and aired by the air-now job; the engine does the preempting.
import { randomUUID } from 'node:crypto';
import { type Actor, canSee, hasRoleIn, type Who } from '../../../domain/access.ts';
import {
  DEFAULT_ZONE,
  isoFromJdn,
  jdnFromIso,
  localDateTimeOf,
  slotStartUtc,
} from '../../../domain/calendar/index.ts';
import type { PlanItem } from '../../../domain/dispatch/materialise.ts';
import { defaultLoudnessTarget } from '../../../media/commands.ts';
import { findProfile } from '../../../media/profiles.ts';
import type { MediaStore } from '../../../media/store.ts';
import { DEFAULT_TONE, ensureTone } from '../../../media/tone.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { broadcastViews } from '../../../prisma/repositories/broadcast-views.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import {
  bulletinFacts,
  createNowRequest,
  type NowRow,
  targetClusters,
} from '../../../prisma/repositories/emergencies.ts';
import { loadBulletins, loadClusters } from '../../../prisma/repositories/plannable.ts';
import { airNowJobId } from '../../../worker/jobs/catalogue.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { ForbiddenError } from '../../http/access.ts';
import { AppError, ConflictError, NotFoundError } from '../../http/errors.ts';

/** Who may air an emergency or a test tone on a cluster: its commune's schedulers and admins. */
export const AIRERS = ['ADMIN', 'SCHEDULER'] as const;
/** Test tones name no bulletin or rendition. */
export const TONE_ITEM_ID = '00000000-0000-0000-0000-000000000000';

/** A civil day in the broadcasts' zone as the UTC instants [from, to). */
export function dayWindow(day?: string, now = new Date()): { day: string; from: Date; to: Date } {
  const date = day ?? localDateTimeOf(now, DEFAULT_ZONE).date;
  return {
    day: date,
    from: slotStartUtc(date, '00:00', DEFAULT_ZONE),
    to: slotStartUtc(isoFromJdn(jdnFromIso(date) + 1), '00:00', DEFAULT_ZONE),
  };
}

export interface BroadcastServiceDeps {
  db: DbClient;
  store: MediaStore;
  jobs: JobProducer;
}

export function broadcastService({ db, store, jobs }: BroadcastServiceDeps) {
  /** Every cluster must be one the caller may air on: unseen → 404, seen without the role → 403. */
  function checkAirer(actor: Actor, clusters: { id: string; commune: { id: string; province: string } }[]) {
    for (const c of clusters) {
      if (!canSee(actor, c.commune)) throw new NotFoundError('cluster');
      if (!hasRoleIn(actor, AIRERS, c.commune)) {
        throw new ForbiddenError(
          'forbidden',
          'Only a scheduler or admin of the commune may air on this cluster',
        );
      }
    }
  }

  async function enqueue(requestId: string, ids: string[]) {
    await jobs.enqueue('air-now', { broadcastIds: ids }, airNowJobId(requestId));
    return { requestId, broadcasts: await broadcastViews(db, ids) };
  }

  return {
    async airEmergency(
      body: { bulletinId: string; clusterIds?: string[]; communeIds?: string[]; reason: string },
      who: Who & { actor: Actor },
    ) {
      const bulletin = await bulletinFacts(db, body.bulletinId);
      if (!bulletin) throw new NotFoundError('bulletin');
      if (bulletin.priority !== 'EMERGENCY') {
        throw new AppError(
          422,
          'bulletin-not-emergency',
          `Only an emergency bulletin airs at once (Thông tư 39); this one is ${bulletin.priority}`,
          { priority: bulletin.priority },
        );
      }
      if (bulletin.status !== 'READY')
        throw new ConflictError(
          'bulletin-not-ready',
          `The bulletin is ${bulletin.status}, not processed and ready`,
        );
      if (!bulletin.approvedAt)
        throw new ConflictError('bulletin-not-approved', 'The bulletin is not approved');
      const now = new Date();
      if (
        (bulletin.validFrom && now < bulletin.validFrom) ||
        (bulletin.validUntil && now >= bulletin.validUntil)
      )
        throw new ConflictError('bulletin-not-valid', 'The bulletin is outside its validity period');

      const named = !body.clusterIds?.length && !body.communeIds?.length;
      const target = await targetClusters(db, {
        clusterIds: body.clusterIds ?? [],
        communeIds: named ? [bulletin.communeId] : (body.communeIds ?? []),
      });
      if (target.missingClusterIds.length) throw new NotFoundError('cluster');
      if (target.missingCommuneIds.length) throw new NotFoundError('commune');
      checkAirer(who.actor, target.clusters);
      const disabled = target.clusters.filter((c) => !c.enabled);
      if (disabled.length)
        throw new ConflictError(
          'cluster-disabled',
          `Disabled clusters: ${disabled.map((c) => c.name).join(', ')}`,
          {
            clusterIds: disabled.map((c) => c.id),
          },
        );
      if (target.clusters.length === 0)
        throw new AppError(422, 'no-clusters', 'No enabled cluster to air on in the communes named');

      const [clusters, bulletins] = await Promise.all([
        loadClusters(
          db,
          target.clusters.map((c) => c.id),
        ),
        loadBulletins(db, [bulletin.id]),
      ]);
      const renditions = bulletins.get(bulletin.id)?.renditions ?? new Map();
      const rows: NowRow[] = [];
      const lacking: string[] = [];
      for (const c of target.clusters) {
        const cluster = clusters.get(c.id);
        const rendition = cluster && renditions.get(cluster.profileId);
        if (!cluster || !rendition) {
          lacking.push(`${c.name} (${cluster?.profileId ?? '?'})`);
          continue;
        }
        rows.push({
          kind: 'EMERGENCY',
          communeId: cluster.communeId,
          clusterId: cluster.id,
          priority: 'EMERGENCY',
          profileId: cluster.profileId,
          driverKind: cluster.driverKind,
          items: [{ bulletinId: bulletin.id, ...rendition }],
          triggeredById: who.actor.userId,
          triggerReason: body.reason,
        });
      }
      if (lacking.length)
        throw new ConflictError(
          'no-rendition-for-profile',
          `The bulletin has no rendition for: ${lacking.join(', ')}; process it again`,
        );

      const requestId = randomUUID();
      const ids = await inTransaction(db, async (tx) => {
        const created = await createNowRequest(tx, requestId, now, rows);
        // One entry per commune concerned, so each commune's auditors see it in their trail.
        for (const communeId of new Set(rows.map((r) => r.communeId))) {
          await recordAudit(tx, who, {
            action: 'broadcast.emergency',
            entityType: 'bulletin',
            entityId: bulletin.id,
            communeId,
            after: {
              requestId,
              title: bulletin.title,
              clusterIds: rows.filter((r) => r.communeId === communeId).map((r) => r.clusterId),
              broadcastIds: created.filter((_, i) => rows[i]?.communeId === communeId),
            },
            reason: body.reason,
          });
        }
        return created;
      });
      return enqueue(requestId, ids);
    },

    async airTestTone(clusterId: string, who: Who & { actor: Actor }) {
      const clusters = await loadClusters(db, [clusterId]);
      const cluster = clusters.get(clusterId);
      if (!cluster) throw new NotFoundError('cluster');
      if (!cluster.enabled) throw new ConflictError('cluster-disabled', 'The cluster is disabled');
      const profile = findProfile(cluster.profileId);
      const tone = await ensureTone(store, profile, {
        ...DEFAULT_TONE,
        loudnessLufs: defaultLoudnessTarget.integratedLufs,
      });
      const item: PlanItem = {
        bulletinId: TONE_ITEM_ID,
        renditionId: TONE_ITEM_ID,
        ...tone,
        segments: [{ kind: 'chime', startSec: 0, durationSec: tone.durationSec }],
      };
      const requestId = randomUUID();
      const ids = await inTransaction(db, async (tx) => {
        const created = await createNowRequest(tx, requestId, new Date(), [
          {
            kind: 'TEST',
            communeId: cluster.communeId,
            clusterId,
            priority: 'NORMAL',
            profileId: profile.id,
            driverKind: cluster.driverKind,
            items: [item],
            triggeredById: who.actor.userId,
            triggerReason: 'test tone',
          },
        ]);
        await recordAudit(tx, who, {
          action: 'broadcast.test-tone',
          entityType: 'cluster',
          entityId: clusterId,
          communeId: cluster.communeId,
          after: { requestId, broadcastId: created[0], profileId: profile.id, tone: tone.path },
        });
        return created;
      });
      return enqueue(requestId, ids);
    },
  };
}

export type BroadcastService = ReturnType<typeof broadcastService>;
