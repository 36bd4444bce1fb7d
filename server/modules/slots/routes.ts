// Slots (giờ phát) of a commune's market calendars: read by every role of the commune, written
// by its schedulers. Conflicts are found when a slot is saved (service.ts).
import { z } from 'zod';
import { ROLES, type Role } from '../../../domain/access.ts';
import { calendarRepository, type StoredCalendar } from '../../../prisma/repositories/calendars.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import { slotRepository } from '../../../prisma/repositories/slots.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { CreateSlot, SavedSlotOut, SlotOut, SlotParams, SlotQuery, UpdateSlot } from './schemas.ts';
import { type Replan, slotService } from './service.ts';

/** Who may create, change and delete slots. */
export const SLOT_WRITERS: readonly Role[] = ['SCHEDULER'];

export function slotRoutes(db: DbClient, replan?: Replan): RouteDefinition[] {
  const service = slotService(db, replan);
  const communeOfSlot = ({ params }: { params: { slotId: string } }) =>
    slotRepository.communeOf(db, params.slotId);
  const communeOfCalendar = ({ body }: { body: { calendarId: string } }) =>
    calendarRepository.communeOf(db, body.calendarId);

  return [
    defineRoute({
      method: 'get',
      path: '/api/slots',
      summary: 'Slots of the communes within your scope, by calendar and time of day',
      tags: ['slots'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: SlotQuery },
      response: { description: 'Slots', schema: z.array(SlotOut) },
      problems: [401, 403],
      handler: async ({ query }, { actor }) => {
        const slots = await slotRepository.listReachedBy(db, actor, query);
        const calendars = new Map<string, StoredCalendar>();
        for (const id of new Set(slots.map((s) => s.calendarId))) {
          calendars.set(id, await service.loadCalendar(id));
        }
        return slots.map((slot) => service.present(slot, calendars.get(slot.calendarId) as StoredCalendar));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/slots/:slotId',
      summary: 'One slot with its next airings',
      tags: ['slots'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfSlot },
      request: { params: SlotParams },
      response: { description: 'Slot', schema: SlotOut },
      problems: [401, 403, 404],
      handler: ({ params }) => service.get(params.slotId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/slots',
      summary:
        'Create a slot on a market calendar. 409 slot-conflict names the colliding slots, clusters ' +
        'and dates when the scheduler must settle a collision; collisions the rules settle are warnings.',
      tags: ['slots'],
      access: { kind: 'commune', roles: SLOT_WRITERS, commune: communeOfCalendar },
      request: { body: CreateSlot },
      response: { status: 201, description: 'Created', schema: SavedSlotOut },
      problems: [401, 403, 404, 409],
      handler: ({ body }, { actor, origin }) => service.create(body, { actor, origin }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/slots/:slotId',
      summary: 'Change a slot (conflicts are checked again)',
      tags: ['slots'],
      access: { kind: 'commune', roles: SLOT_WRITERS, commune: communeOfSlot },
      request: { params: SlotParams, body: UpdateSlot },
      response: { description: 'Updated', schema: SavedSlotOut },
      problems: [401, 403, 404, 409],
      handler: ({ params, body }, { actor, origin }) =>
        service.update(params.slotId, body, { actor, origin }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/slots/:slotId',
      summary: 'Delete a slot',
      tags: ['slots'],
      access: { kind: 'commune', roles: SLOT_WRITERS, commune: communeOfSlot },
      request: { params: SlotParams },
      response: { status: 204, description: 'Deleted' },
      problems: [401, 403, 404],
      handler: async ({ params }, { actor, origin }) => {
        await service.remove(params.slotId, { actor, origin });
        return undefined;
      },
    }),
  ];
}
