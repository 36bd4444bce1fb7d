// Market calendars (lịch phiên chợ) of a commune: CRUD in the public rule format, a preview of
// the market days with their lunar labels, and an iCalendar feed officers subscribe to.

import type { Response } from 'express';
import { z } from 'zod';
import { ROLES } from '../../../domain/access.ts';
import { MarketCalendarSchema } from '../../../domain/calendar/index.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import {
  calendarRepository as calendars,
  type FeedCommune,
  publicCalendar,
} from '../../../prisma/repositories/calendars.ts';
import { communeRef } from '../../../prisma/repositories/commune-ref.ts';
import { type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { slotRepository } from '../../../prisma/repositories/slots.ts';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../../http/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { type Replan, slotService } from '../slots/service.ts';
import { feedKey, isFeedKey } from './feed-key.ts';
import { calendarMarketDays, communeFeed, communeMarketDays, resolveRange } from './occurrences.ts';
import {
  CalendarOut,
  CalendarParams,
  CalendarQuery,
  CommuneParams,
  CreateCalendar,
  OccurrencesOut,
  RangeQuery,
  UpdateCalendar,
} from './schemas.ts';

/** Who may change a commune's market calendars. */
export const CALENDAR_WRITERS = ['ADMIN', 'SCHEDULER'] as const;
/** A preview covers a month by default; a feed the next 12 months. */
const PREVIEW_DAYS = 31;
const Subscription = z.object({ path: z.string() }).meta({ id: 'MarketDaysSubscription' });
const FEED_DAYS = 366;

/** Parses the merged calendar again as a whole; any issue is named under `body`. */
function parseCalendar(input: unknown) {
  const parsed = MarketCalendarSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.map((i) => ({
    field: ['body', ...i.path].map(String).join('.'),
    message: i.message,
  }));
  throw new ValidationError(issues);
}

export function calendarRoutes(db: DbClient, feedSecret: string, replan?: Replan): RouteDefinition[] {
  const slots = slotService(db, replan);
  const communeOfCalendar = ({ params }: { params: { calendarId: string } }) =>
    calendars.communeOf(db, params.calendarId);
  const communeOfBody = ({ body }: { body: { communeId: string } }) => communeRef(db, body.communeId);
  const communeOfParams = ({ params }: { params: { communeId: string } }) => communeRef(db, params.communeId);
  const communeById = async (id: string) => {
    const commune = await calendars.feedCommune(db, id);
    if (!commune) throw new NotFoundError('commune');
    return commune;
  };
  const subscription = (commune: { id: string; feedKeyVersion: number }) => ({
    path: `/api/feeds/market-days/${commune.id}.ics?key=${feedKey(feedSecret, commune.id, commune.feedKeyVersion)}`,
  });
  const sendFeed = async (commune: FeedCommune, query: { from?: string; to?: string }, res: Response) => {
    const ofCommune = await calendars.listOfCommune(db, commune.id);
    const range = resolveRange(query, commune.timeZone, FEED_DAYS);
    const text = communeFeed(`Phiên chợ – ${commune.name}`, ofCommune, range, {
      zone: commune.timeZone,
      generatedAt: new Date(),
    });
    res
      .status(200)
      .type('text/calendar; charset=utf-8')
      .setHeader('Content-Disposition', `inline; filename="market-days-${commune.code}.ics"`)
      .setHeader('Cache-Control', 'private, max-age=900')
      .send(text);
    return undefined;
  };
  const load = async (id: string) => {
    const calendar = await calendars.find(db, id);
    if (!calendar) throw new NotFoundError('market calendar');
    return calendar;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/market-calendars',
      summary: 'Market calendars of the communes within your scope',
      tags: ['calendars'],
      access: { kind: 'scoped', roles: ROLES },
      request: { query: CalendarQuery },
      response: { description: 'Market calendars', schema: z.array(CalendarOut) },
      problems: [401, 403],
      handler: ({ query }, { actor }) => calendars.listReachedBy(db, actor, query),
    }),
    defineRoute({
      method: 'get',
      path: '/api/market-calendars/:calendarId',
      summary: 'One market calendar',
      tags: ['calendars'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfCalendar },
      request: { params: CalendarParams },
      response: { description: 'Market calendar', schema: CalendarOut },
      problems: [401, 403, 404],
      handler: ({ params }) => load(params.calendarId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/market-calendars',
      summary: 'Create a market calendar (rules, exceptions, Tết policy) for a commune',
      tags: ['calendars'],
      access: { kind: 'commune', roles: CALENDAR_WRITERS, commune: communeOfBody },
      request: { body: CreateCalendar },
      response: { status: 201, description: 'Created', schema: CalendarOut },
      problems: [401, 403, 404, 409],
      handler: async ({ body }, { actor, origin }) => {
        const { communeId, ...fields } = body;
        const commune = await communeById(communeId);
        const calendar = parseCalendar({ ...fields, zone: fields.zone ?? commune.timeZone });
        return inTransaction(db, async (tx) => {
          const created = await calendars.create(tx, communeId, calendar);
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'calendar.create',
              entityType: 'market-calendar',
              entityId: created.id,
              communeId,
              after: publicCalendar(created),
            },
          );
          return created;
        });
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/market-calendars/:calendarId',
      summary:
        'Change a market calendar (any of name, zone, rules, exceptions, tet); 409 slot-conflict when its ' +
        'slots would then collide with other slots',
      tags: ['calendars'],
      access: { kind: 'commune', roles: CALENDAR_WRITERS, commune: communeOfCalendar },
      request: { params: CalendarParams, body: UpdateCalendar },
      response: { description: 'Updated', schema: CalendarOut },
      problems: [401, 403, 404, 409],
      handler: async ({ params, body }, { actor, origin }) => {
        const updated = await inTransaction(db, async (tx) => {
          const before = await calendars.find(tx, params.calendarId);
          if (!before) throw new NotFoundError('market calendar');
          await slotRepository.lockCommune(tx, before.communeId);
          const { id: _id, communeId: _communeId, ...current } = publicCalendar(before);
          const after = await calendars.update(tx, params.calendarId, parseCalendar({ ...current, ...body }));
          // New market days (or another zone) can make the calendar's slots meet other slots.
          await slots.recheckCalendar(tx, after);
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'calendar.update',
              entityType: 'market-calendar',
              entityId: after.id,
              communeId: after.communeId,
              before: publicCalendar(before),
              after: publicCalendar(after),
            },
          );
          return after;
        });
        // Other market days: the calendar's slots air on other dates now.
        await replan?.((await slotRepository.enabledOfCalendar(db, updated.id)).map((s) => s.id));
        return updated;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/market-calendars/:calendarId',
      summary: 'Delete a market calendar that has no slots left',
      tags: ['calendars'],
      access: { kind: 'commune', roles: CALENDAR_WRITERS, commune: communeOfCalendar },
      request: { params: CalendarParams },
      response: { status: 204, description: 'Deleted' },
      problems: [401, 403, 404, 409],
      handler: async ({ params }, { actor, origin }) => {
        await inTransaction(db, async (tx) => {
          const before = await calendars.find(tx, params.calendarId);
          if (!before) throw new NotFoundError('market calendar');
          if (before.slotCount > 0) {
            throw new ConflictError(
              'calendar-has-slots',
              `The calendar still has ${before.slotCount} slot(s); delete or move them first`,
              { slotCount: before.slotCount },
            );
          }
          await calendars.remove(tx, params.calendarId);
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'calendar.delete',
              entityType: 'market-calendar',
              entityId: before.id,
              communeId: before.communeId,
              before: publicCalendar(before),
            },
          );
        });
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/market-calendars/:calendarId/occurrences',
      summary: 'Market days of a calendar between two dates (inclusive), with lunar date and can-chi',
      tags: ['calendars'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfCalendar },
      request: { params: CalendarParams, query: RangeQuery },
      response: { description: 'Market days', schema: OccurrencesOut },
      problems: [401, 403, 404],
      handler: async ({ params, query }) => {
        const calendar = await load(params.calendarId);
        const range = resolveRange(query, calendar.zone, PREVIEW_DAYS);
        return { ...range, zone: calendar.zone, days: calendarMarketDays(calendar, range) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/communes/:communeId/market-days',
      summary: 'Market days of every calendar of a commune between two dates (inclusive)',
      tags: ['calendars'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfParams },
      request: { params: CommuneParams, query: RangeQuery },
      response: { description: 'Market days', schema: OccurrencesOut },
      problems: [401, 403, 404],
      handler: async ({ params, query }) => {
        const commune = await communeById(params.communeId);
        const ofCommune = await calendars.listOfCommune(db, commune.id);
        const range = resolveRange(query, commune.timeZone, PREVIEW_DAYS);
        return { ...range, zone: commune.timeZone, days: communeMarketDays(ofCommune, range) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/communes/:communeId/market-days.ics',
      summary:
        'iCalendar (RFC 5545) feed of the commune’s market days, next 12 months by default, for a session or a ' +
        'Bearer API token. Phones subscribe to the keyed URL from …/market-days/subscription instead.',
      tags: ['calendars'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfParams },
      request: { params: CommuneParams, query: RangeQuery },
      response: { description: 'text/calendar', schema: z.string(), contentType: 'text/calendar' },
      problems: [401, 403, 404],
      handler: async ({ params, query }, { res }) =>
        sendFeed(await communeById(params.communeId), query, res),
    }),
    defineRoute({
      method: 'get',
      path: '/api/communes/:communeId/market-days/subscription',
      summary:
        'The URL a phone calendar app subscribes to (it carries a read-only key for this commune’s feed)',
      tags: ['calendars'],
      access: { kind: 'commune', roles: ROLES, commune: communeOfParams },
      request: { params: CommuneParams },
      response: { description: 'Subscription URL (relative to this server)', schema: Subscription },
      problems: [401, 403, 404],
      handler: async ({ params }) => subscription(await communeById(params.communeId)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/communes/:communeId/market-days/subscription/rotate',
      summary:
        'A new subscription URL for the commune’s market days; every URL handed out before stops working ' +
        '(for a link that was shared too widely)',
      tags: ['calendars'],
      access: { kind: 'commune', roles: CALENDAR_WRITERS, commune: communeOfParams },
      request: { params: CommuneParams },
      response: { description: 'The new subscription URL', schema: Subscription },
      problems: [401, 403, 404],
      handler: ({ params }, { actor, origin }) =>
        inTransaction(db, async (tx) => {
          const commune = await calendars.rotateFeedKey(tx, params.communeId);
          await recordAudit(
            tx,
            { actor, origin },
            {
              action: 'market-days-feed.rotate',
              entityType: 'commune',
              entityId: commune.id,
              communeId: commune.id,
              after: { feedKeyVersion: commune.feedKeyVersion },
            },
          );
          return subscription(commune);
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/feeds/market-days/:communeId.ics',
      summary: 'The commune’s market-day feed for calendar apps, read with the key of its subscription URL',
      tags: ['calendars'],
      access: { kind: 'public' },
      request: { params: CommuneParams, query: RangeQuery.extend({ key: z.string().max(64) }) },
      response: { description: 'text/calendar', schema: z.string(), contentType: 'text/calendar' },
      problems: [404],
      handler: async ({ params, query }, { res }) => {
        // A wrong key reads as no such feed: keys cannot be probed commune by commune.
        const commune = await calendars.feedCommune(db, params.communeId);
        if (!commune || !isFeedKey(feedSecret, commune.id, commune.feedKeyVersion, query.key))
          throw new NotFoundError('feed');
        const { key: _key, ...range } = query;
        return sendFeed(commune, range, res);
      },
    }),
  ];
}
