// Market calendars over HTTP: the body is the public market-rule format (domain schemas), so
// the API, the database and the CLI speak the same JSON.
import { z } from 'zod';
import {
  BRANCHES,
  isIsoDate,
  isKnownZone,
  MarketCalendarSchema,
  MarketExceptionsSchema,
  TetPolicySchema,
  WEEKDAY_CODES,
} from '../../../domain/calendar/index.ts';
import { Uuid } from '../../http/schemas.ts';

/** The longest range an occurrence preview or a feed may cover. */
export const MAX_RANGE_DAYS = 400;

export const Zone = z.string().refine(isKnownZone, { message: 'unknown IANA time zone' });
export const IsoDate = z.string().refine(isIsoDate, { message: 'expected a real date YYYY-MM-DD' });

const calendarFields = {
  name: MarketCalendarSchema.shape.name,
  zone: Zone,
  rules: MarketCalendarSchema.shape.rules,
  exceptions: MarketExceptionsSchema,
  tet: TetPolicySchema,
};

export const CreateCalendar = z.strictObject({
  communeId: Uuid,
  ...calendarFields,
  /** Defaults to the commune's zone. */
  zone: Zone.optional(),
  exceptions: MarketExceptionsSchema.optional(),
  tet: TetPolicySchema.optional(),
});
export const UpdateCalendar = z.strictObject(calendarFields).partial();
export const CalendarParams = z.strictObject({ calendarId: Uuid });
export const CommuneParams = z.strictObject({ communeId: Uuid });
export const CalendarQuery = z.strictObject({ communeId: Uuid.optional() });
export const RangeQuery = z.strictObject({ from: IsoDate.optional(), to: IsoDate.optional() });

export const CalendarOut = z
  .object({
    id: z.string(),
    communeId: z.string(),
    name: z.string(),
    zone: z.string(),
    rules: MarketCalendarSchema.shape.rules,
    exceptions: MarketExceptionsSchema,
    tet: TetPolicySchema,
    slotCount: z.number().int(),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'MarketCalendar' });

export const MarketDayOut = z
  .object({
    date: z.string(),
    weekday: z.enum(WEEKDAY_CODES),
    lunar: z.object({ year: z.number(), month: z.number(), day: z.number(), leap: z.boolean() }),
    dayCanChi: z.string().meta({ description: 'Can-chi of the day, e.g. "Giáp Tý"' }),
    branch: z.enum(BRANCHES),
    label: z.string().meta({ description: 'e.g. "phiên chợ ngày Tý, 14 tháng Giêng"' }),
    source: z.enum(['rule', 'tet-run-up', 'added', 'moved']),
    movedFrom: z.string().optional(),
    calendarId: z.string(),
    calendarName: z.string(),
  })
  .meta({ id: 'MarketDay' });

export const OccurrencesOut = z
  .object({ from: z.string(), to: z.string(), zone: z.string(), days: z.array(MarketDayOut) })
  .meta({ id: 'MarketDays' });
