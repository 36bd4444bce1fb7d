// The only code that reads and writes market_calendar rows. A row keeps the public format in
// JSON columns (rules, exceptions, tetPolicy) and the zone in timeZone; reading one always goes
// through the domain schema, so callers get a valid, defaulted MarketCalendar.

import type { Actor, CommuneRef } from '../../domain/access.ts';
import { type MarketCalendar, parseMarketCalendar } from '../../domain/calendar/index.ts';
import type { Prisma } from '../generated/client.ts';
import { COMMUNE_REF } from './commune-ref.ts';
import type { Db } from './db.ts';
import { communeWhere } from './scope.ts';

export interface StoredCalendar extends MarketCalendar {
  id: string;
  communeId: string;
  slotCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const select = {
  id: true,
  communeId: true,
  name: true,
  timeZone: true,
  rules: true,
  exceptions: true,
  tetPolicy: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { slots: true } },
} as const;

type Row = Prisma.MarketCalendarGetPayload<{ select: typeof select }>;

export function toStoredCalendar(row: Row): StoredCalendar {
  const calendar = parseMarketCalendar({
    name: row.name,
    zone: row.timeZone,
    rules: row.rules,
    exceptions: row.exceptions ?? {},
    tet: row.tetPolicy ?? {},
  });
  return {
    id: row.id,
    communeId: row.communeId,
    ...calendar,
    slotCount: row._count.slots,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toColumns(calendar: MarketCalendar) {
  return {
    name: calendar.name,
    timeZone: calendar.zone,
    rules: calendar.rules as Prisma.InputJsonValue,
    exceptions: calendar.exceptions as Prisma.InputJsonValue,
    tetPolicy: calendar.tet as Prisma.InputJsonValue,
  };
}

/** A commune as its market-day feed needs it: name and zone, and the version of its feed key. */
export interface FeedCommune {
  id: string;
  code: string;
  name: string;
  timeZone: string;
  feedKeyVersion: number;
}

const feedCommune = { id: true, code: true, name: true, timeZone: true, feedKeyVersion: true } as const;

/** The calendar as the public format (what a client sends and what the audit trail keeps). */
export function publicCalendar(calendar: StoredCalendar) {
  const { slotCount: _slots, createdAt: _created, updatedAt: _updated, ...rest } = calendar;
  return rest;
}

export const calendarRepository = {
  async find(db: Db, id: string): Promise<StoredCalendar | null> {
    const row = await db.marketCalendar.findUnique({ where: { id }, select });
    return row ? toStoredCalendar(row) : null;
  },

  /** Every calendar of a commune. */
  listOfCommune(db: Db, communeId: string): Promise<StoredCalendar[]> {
    return list(db, { communeId });
  },

  /** The calendars of the communes the actor reaches, optionally of one commune only. */
  listReachedBy(db: Db, actor: Actor | null, filter: { communeId?: string } = {}): Promise<StoredCalendar[]> {
    return list(db, {
      commune: communeWhere(actor),
      ...(filter.communeId ? { communeId: filter.communeId } : {}),
    });
  },

  async create(db: Db, communeId: string, calendar: MarketCalendar): Promise<StoredCalendar> {
    return toStoredCalendar(
      await db.marketCalendar.create({ data: { communeId, ...toColumns(calendar) }, select }),
    );
  },

  async update(db: Db, id: string, calendar: MarketCalendar): Promise<StoredCalendar> {
    return toStoredCalendar(
      await db.marketCalendar.update({ where: { id }, data: toColumns(calendar), select }),
    );
  },

  async remove(db: Db, id: string): Promise<void> {
    await db.marketCalendar.delete({ where: { id } });
  },

  /** The commune (id, province) a calendar belongs to, for access checks. */
  async communeOf(db: Db, id: string): Promise<CommuneRef | null> {
    const row = await db.marketCalendar.findUnique({
      where: { id },
      select: { commune: { select: COMMUNE_REF } },
    });
    return row?.commune ?? null;
  },

  feedCommune(db: Db, communeId: string): Promise<FeedCommune | null> {
    return db.commune.findUnique({ where: { id: communeId }, select: feedCommune });
  },

  /** A new feed key version: every subscription URL handed out before stops working. */
  rotateFeedKey(db: Db, communeId: string): Promise<FeedCommune> {
    return db.commune.update({
      where: { id: communeId },
      data: { feedKeyVersion: { increment: 1 } },
      select: feedCommune,
    });
  },
};

async function list(db: Db, where: Prisma.MarketCalendarWhereInput): Promise<StoredCalendar[]> {
  const rows = await db.marketCalendar.findMany({
    where,
    select,
    orderBy: [{ communeId: 'asc' }, { name: 'asc' }],
  });
  return rows.map(toStoredCalendar);
}
