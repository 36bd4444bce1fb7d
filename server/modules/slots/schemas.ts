// Slots over HTTP: a time of day on a market calendar's days, a playlist of approved bulletins,
// target clusters, a Thông tư 39 priority, repeats.
import { z } from 'zod';
import { PRIORITIES } from '../../../domain/priority.ts';
import { Uuid } from '../../http/schemas.ts';

const distinct = <T>(items: readonly T[]) => new Set(items).size === items.length;

const slotFields = {
  name: z.string().trim().max(120, 'at most 120 characters'),
  /** "HH:mm" in the calendar's zone. */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm, 00:00 to 23:59'),
  priority: z.enum(PRIORITIES),
  repeat: z.int().min(1, 'from 1 to 10').max(10, 'from 1 to 10'),
  repeatGapSec: z.number().min(0).max(3600),
  clusterIds: z.array(Uuid).min(1, 'at least one cluster').max(50).refine(distinct, 'values must not repeat'),
  /** The playlist, in play order. */
  bulletinIds: z.array(Uuid).min(1, 'at least one bulletin').max(20),
  /** Seconds of one pass of the playlist; null = measured from the bulletins' programmes. */
  durationSec: z
    .number()
    .positive()
    .max(4 * 3600)
    .nullable(),
  enabled: z.boolean(),
  /** Among colliding priority (or emergency) slots, the scheduler's order: lower airs first. */
  order: z.int().min(0).max(10_000).nullable(),
};

export const CreateSlot = z.strictObject({
  calendarId: Uuid,
  ...slotFields,
  name: slotFields.name.default(''),
  priority: slotFields.priority.default('NORMAL'),
  repeat: slotFields.repeat.default(1),
  repeatGapSec: slotFields.repeatGapSec.default(0),
  durationSec: slotFields.durationSec.default(null),
  enabled: slotFields.enabled.default(true),
  order: slotFields.order.default(null),
});
export type CreateSlot = z.output<typeof CreateSlot>;
export const UpdateSlot = z.strictObject(slotFields).partial();
export type UpdateSlot = z.output<typeof UpdateSlot>;
export const SlotParams = z.strictObject({ slotId: Uuid });
export const SlotQuery = z.strictObject({ calendarId: Uuid.optional(), communeId: Uuid.optional() });

export const SlotOut = z
  .object({
    id: z.string(),
    calendarId: z.string(),
    communeId: z.string(),
    name: z.string(),
    time: z.string(),
    zone: z.string().meta({ description: 'IANA zone of the calendar; `time` is read in it' }),
    durationSec: z.number().meta({ description: 'One pass of the playlist' }),
    durationGiven: z.boolean(),
    airtimeSec: z.number().meta({ description: 'repeat × durationSec + (repeat − 1) × repeatGapSec' }),
    priority: z.enum(PRIORITIES),
    repeat: z.number(),
    repeatGapSec: z.number(),
    enabled: z.boolean(),
    order: z.number().nullable(),
    clusterIds: z.array(z.string()),
    bulletinIds: z.array(z.string()),
    upcoming: z
      .array(z.object({ date: z.string(), start: z.date() }))
      .meta({ description: 'The next airings (market day, UTC start instant)' }),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'Slot' });

export const SlotCollisionOut = z
  .object({
    slotId: z.string().meta({ description: 'The other slot' }),
    slotName: z.string(),
    time: z.string(),
    priority: z.enum(PRIORITIES),
    calendarId: z.string(),
    calendarName: z.string(),
    resolution: z.enum(['emergency-preempts', 'priority-first', 'normal-gives-way', 'scheduler-orders']),
    winnerSlotId: z.string().nullable().meta({ description: 'The slot that airs first; null = by order' }),
    clusters: z.array(z.object({ id: z.string(), name: z.string() })),
    dates: z.array(z.string()).meta({ description: 'Market days of the saved slot that collide' }),
  })
  .meta({ id: 'SlotCollision' });

export const SavedSlotOut = SlotOut.extend({
  warnings: z
    .array(SlotCollisionOut)
    .meta({ description: 'Collisions the Thông tư 39 rules settle by themselves (or by order)' }),
}).meta({ id: 'SavedSlot' });
