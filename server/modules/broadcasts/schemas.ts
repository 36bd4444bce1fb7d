import { z } from 'zod';
import { BROADCAST_STATUSES } from '../../../domain/dispatch/broadcast-status.ts';
import { DRIVER_KINDS, type DriverKind } from '../../../domain/driver-config.ts';
import { PRIORITIES } from '../../../domain/priority.ts';
import { Uuid } from '../../http/schemas.ts';

export const BROADCAST_KINDS = ['SLOT', 'EMERGENCY', 'TEST'] as const;
export const HEALTH_STATES = ['UNKNOWN', 'ONLINE', 'OFFLINE'] as const;

const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a calendar date');

export const BroadcastOut = z
  .object({
    id: z.string(),
    kind: z.enum(BROADCAST_KINDS),
    communeId: z.string(),
    clusterId: z.string(),
    clusterName: z.string(),
    slotId: z.string().nullable(),
    requestId: z.string().nullable(),
    scheduledAt: z.date(),
    marketDay: z.string().nullable(),
    priority: z.enum(PRIORITIES),
    status: z.enum(BROADCAST_STATUSES),
    reasonCode: z.string().nullable(),
    reason: z.string().nullable(),
    profileId: z.string(),
    driverKind: z.enum(DRIVER_KINDS as [DriverKind, ...DriverKind[]]),
    durationSec: z.number(),
    startedAt: z.date().nullable(),
    firstAudioAt: z.date().nullable(),
    endedAt: z.date().nullable(),
    /** First audio − scheduled instant, ms. */
    skewMs: z.number().nullable(),
    /** First to last cluster of the same instant, ms. */
    spreadMs: z.number().nullable(),
    secondsAired: z.number().nullable(),
    triggerReason: z.string().nullable(),
    preemptedById: z.string().nullable(),
    items: z.array(
      z.object({
        bulletinId: z.string(),
        renditionId: z.string(),
        durationSec: z.number(),
        gapBeforeSec: z.number().optional(),
      }),
    ),
    /** Titles of the bulletins aired, in order; empty for a test tone. */
    titles: z.array(z.string()),
  })
  .meta({ id: 'Broadcast' });

export const BroadcastParams = z.strictObject({ broadcastId: Uuid });
export const DayQuery = z.strictObject({
  /** The day in Asia/Ho_Chi_Minh (YYYY-MM-DD); today when left out. */
  day: IsoDay.optional(),
  communeId: Uuid.optional(),
  clusterId: Uuid.optional(),
});
export const BoardQuery = z.strictObject({ communeId: Uuid.optional() });

export const BoardClusterOut = z
  .object({
    id: z.string(),
    communeId: z.string(),
    communeName: z.string(),
    name: z.string(),
    driverKind: z.enum(DRIVER_KINDS as [DriverKind, ...DriverKind[]]),
    enabled: z.boolean(),
    health: z.object({
      state: z.enum(HEALTH_STATES),
      lastSeenAt: z.date().nullable(),
      detail: z.string().nullable(),
    }),
    now: BroadcastOut.nullable(),
    next: BroadcastOut.nullable(),
    missed: z.array(BroadcastOut),
  })
  .meta({ id: 'BoardCluster' });

export const BoardOut = z
  .object({
    at: z.date(),
    day: z.string(),
    clusters: z.array(BoardClusterOut),
  })
  .meta({ id: 'Board' });

export const EmergencyIn = z
  .strictObject({
    bulletinId: Uuid,
    /** Clusters to air on; with communeIds, their enabled clusters too. Neither: the bulletin's commune. */
    clusterIds: z.array(Uuid).max(1000).optional(),
    communeIds: z.array(Uuid).max(200).optional(),
    /** Why, for the audit trail (storm, flood, fire…). */
    reason: z.string().trim().min(5, 'at least 5 characters').max(500, 'at most 500 characters'),
  })
  .meta({ id: 'EmergencyIn' });

export const NowRequestOut = z
  .object({ requestId: z.string(), broadcasts: z.array(BroadcastOut) })
  .meta({ id: 'NowRequest' });

export const ClusterParams = z.strictObject({ clusterId: Uuid });
