// Saving a slot: the playlist must hold approved bulletins of the commune, the clusters must be
// the commune's, and the slot's airings over the coming HORIZON_DAYS are checked against every
// other enabled slot on the same clusters (Thông tư 39 rules, domain slot-conflicts.ts).
// Collisions the rules settle by themselves are saved and returned as warnings; those the
// scheduler must settle (priority vs priority without an order, a normal slot that must give
// way) are refused with 409 slot-conflict naming the other slots, clusters and dates.
import { randomUUID } from 'node:crypto';
import type { Who } from '../../../domain/access.ts';
import {
  endOf,
  findSlotConflicts,
  type IsoDate,
  marketDays,
  type SlotConflictSummary,
  type SlotOccurrence,
  type SlotPriority,
  slotAirtimeSeconds,
  slotOccurrences,
  summariseConflicts,
} from '../../../domain/calendar/index.ts';
import type { Priority } from '../../../domain/priority.ts';
import { recordAudit } from '../../../prisma/repositories/audit.ts';
import { bulletinRepository } from '../../../prisma/repositories/bulletins.ts';
import { calendarRepository, type StoredCalendar } from '../../../prisma/repositories/calendars.ts';
import { type Db, type DbClient, inTransaction } from '../../../prisma/repositories/db.ts';
import { type SlotData, type StoredSlot, slotRepository } from '../../../prisma/repositories/slots.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../http/errors.ts';
import { addDays, todayIn } from '../calendars/occurrences.ts';
import type { CreateSlot, UpdateSlot } from './schemas.ts';

/** How far ahead conflicts are looked for when a slot is saved. */
export const HORIZON_DAYS = 90;
/** How many next airings a slot shows. */
const UPCOMING = 3;

const PRIORITY: Record<Priority, SlotPriority> = {
  NORMAL: 'normal',
  PRIORITY: 'priority',
  EMERGENCY: 'emergency',
};

export interface SlotCollision {
  slotId: string;
  slotName: string;
  time: string;
  priority: Priority;
  calendarId: string;
  calendarName: string;
  resolution: SlotConflictSummary['resolution'];
  winnerSlotId: string | null;
  clusters: { id: string; name: string }[];
  dates: IsoDate[];
}

function airtime(slot: Pick<SlotData, 'durationSec' | 'repeat' | 'repeatGapSec'>): number {
  return slotAirtimeSeconds({
    itemSeconds: [slot.durationSec],
    repeat: slot.repeat,
    gapSeconds: slot.repeatGapSec,
  });
}

/** The airings of a slot on its calendar's market days in [from, to]. */
function occurrencesOf(
  slot: Pick<StoredSlot, 'id' | 'time' | 'clusterIds' | 'priority'> & SlotData,
  calendar: StoredCalendar,
  from: IsoDate,
  to: IsoDate,
): SlotOccurrence[] {
  const dates = marketDays(calendar, from, to).map((day) => day.date);
  return slotOccurrences(
    {
      id: slot.id,
      time: slot.time,
      durationSeconds: airtime(slot),
      clusterIds: slot.clusterIds,
      priority: PRIORITY[slot.priority],
    },
    dates,
    calendar.zone,
  );
}

/** Two priority slots (or two emergencies) are settled when the scheduler ordered both, differently. */
function orderedByScheduler(saved: SlotData, other: StoredSlot): boolean {
  return saved.order !== null && other.order !== null && saved.order !== other.order;
}

/** Asks for the broadcasts of these slots to be planned again (after a commit that changed them). */
export type Replan = (slotIds: string[]) => Promise<void>;

export function slotService(db: DbClient, replan: Replan = async () => {}) {
  async function loadCalendar(id: string): Promise<StoredCalendar> {
    const calendar = await calendarRepository.find(db, id);
    if (!calendar) throw new NotFoundError('market calendar');
    return calendar;
  }

  async function checkClusters(communeId: string, clusterIds: readonly string[]): Promise<void> {
    const own = await slotRepository.clustersOfCommune(db, communeId, clusterIds);
    const issues = clusterIds.flatMap((id, i) =>
      own.has(id) ? [] : [{ field: `body.clusterIds.${i}`, message: 'not a cluster of this commune' }],
    );
    if (issues.length > 0) throw new ValidationError(issues);
  }

  /**
   * Only approved bulletins of the commune (READY, approvedAt set) may be in a playlist.
   * Returns the measured seconds of each bulletin's programme (null when not measured).
   */
  async function checkPlaylist(communeId: string, bulletinIds: readonly string[]) {
    const approved = await bulletinRepository.approvedOfCommune(db, communeId, bulletinIds);
    const refused = [...new Set(bulletinIds.filter((id) => !approved.has(id)))];
    if (refused.length > 0) {
      throw new ConflictError(
        'bulletin-not-approved',
        `Chỉ bản tin đã duyệt của xã mới được xếp lịch / only approved bulletins of the commune can be scheduled: ${refused.join(', ')}`,
        { bulletinIds: refused },
      );
    }
    return bulletinIds.map((id) => approved.get(id)?.programmeSec ?? null);
  }

  async function measure(
    communeId: string,
    bulletinIds: readonly string[],
    given: number | null,
  ): Promise<{ durationSec: number; durationGiven: boolean }> {
    const seconds = await checkPlaylist(communeId, bulletinIds);
    if (given !== null) return { durationSec: given, durationGiven: true };
    const unmeasured = bulletinIds.filter((_, i) => seconds[i] === null);
    if (unmeasured.length > 0) {
      throw new ValidationError([
        {
          field: 'body.durationSec',
          message: `required: no measured programme for bulletin(s) ${unmeasured.join(', ')}`,
        },
      ]);
    }
    return { durationSec: (seconds as number[]).reduce((a, b) => a + b, 0), durationGiven: false };
  }

  /** Collisions of `slot` (id may be new) with the enabled slots on its clusters, over the horizon. */
  async function collisions(
    db: Db,
    slot: SlotData & { id: string },
    calendar: StoredCalendar,
  ): Promise<{ blocking: SlotCollision[]; warnings: SlotCollision[] }> {
    if (!slot.enabled) return { blocking: [], warnings: [] };
    const from = todayIn(calendar.zone);
    const to = addDays(from, HORIZON_DAYS - 1);
    const others = await slotRepository.onClusters(db, slot.clusterIds, slot.id);
    if (others.length === 0) return { blocking: [], warnings: [] };

    const calendars = new Map<string, StoredCalendar>([[calendar.id, calendar]]);
    for (const id of new Set(others.map((o) => o.calendarId))) {
      if (!calendars.has(id)) {
        const other = await calendarRepository.find(db, id);
        if (other) calendars.set(id, other);
      }
    }
    // A day either side: an airing late on one day may overlap one early the next, and zones differ.
    const scheduled = others.flatMap((other) => {
      const otherCalendar = calendars.get(other.calendarId);
      return otherCalendar
        ? occurrencesOf(other, otherCalendar, addDays(from, -1), addDays(to, 1)).map((o) => ({
            ...o,
            clusterIds: o.clusterIds.filter((id) => slot.clusterIds.includes(id)),
          }))
        : [];
    });
    // Today's airing that has already ended cannot collide with anything any more.
    const now = Date.now();
    const ahead = occurrencesOf(slot, calendar, from, to).filter((o) => endOf(o) > now);
    const conflicts = findSlotConflicts(ahead, scheduled);
    if (conflicts.length === 0) return { blocking: [], warnings: [] };

    const clusterNames = await slotRepository.clusterNames(db, [
      ...new Set(conflicts.map((c) => c.clusterId)),
    ]);
    const byId = new Map(others.map((o) => [o.id, o]));
    const blocking: SlotCollision[] = [];
    const warnings: SlotCollision[] = [];
    for (const summary of summariseConflicts(conflicts)) {
      const other = byId.get(summary.otherSlotId) as StoredSlot;
      const collision: SlotCollision = {
        slotId: other.id,
        slotName: other.name,
        time: other.time,
        priority: other.priority,
        calendarId: other.calendarId,
        calendarName: calendars.get(other.calendarId)?.name ?? '',
        resolution: summary.resolution,
        winnerSlotId:
          summary.resolution === 'scheduler-orders' && orderedByScheduler(slot, other)
            ? (slot.order as number) < (other.order as number)
              ? slot.id
              : other.id
            : summary.winnerSlotId,
        clusters: summary.clusterIds.map((id) => ({ id, name: clusterNames.get(id) ?? '' })),
        dates: [...summary.dates],
      };
      const mustSettle =
        summary.resolution === 'normal-gives-way' ||
        (summary.resolution === 'scheduler-orders' && !orderedByScheduler(slot, other));
      (mustSettle ? blocking : warnings).push(collision);
    }
    return { blocking, warnings };
  }

  function refuse(blocking: SlotCollision[]): never {
    const lines = blocking.map((c) => {
      const how =
        c.resolution === 'normal-gives-way'
          ? 'a normal slot gives way to the one already scheduled: move this one'
          : 'both are the same priority: give both slots a different `order`';
      const dates =
        c.dates.length > 5 ? `${c.dates.slice(0, 5).join(', ')} … (${c.dates.length})` : c.dates.join(', ');
      return `"${c.slotName || c.slotId}" (${c.time}, ${c.calendarName}) on ${c.clusters.map((k) => k.name).join(', ')}: ${dates}; ${how}`;
    });
    throw new ConflictError(
      'slot-conflict',
      `Giờ phát bị trùng / the slot collides with ${lines.join(' | ')}`,
      { conflicts: blocking },
    );
  }

  /** The slot as answered: stored fields, zone, airtime and its next airings. */
  function present(slot: StoredSlot, calendar: StoredCalendar) {
    const from = todayIn(calendar.zone);
    const upcoming = slot.enabled
      ? occurrencesOf(slot, calendar, from, addDays(from, HORIZON_DAYS - 1))
          .filter((o) => o.start.getTime() >= Date.now())
          .slice(0, UPCOMING)
          .map((o) => ({ date: o.date, start: o.start }))
      : [];
    return { ...slot, zone: calendar.zone, airtimeSec: airtime(slot), upcoming };
  }

  /** Checks, then writes in one transaction holding the commune's lock, with its audit event. */
  async function save(calendar: StoredCalendar, data: SlotData, who: Who, existing: StoredSlot | null) {
    const result = await inTransaction(db, async (tx) => {
      await slotRepository.lockCommune(tx, calendar.communeId);
      const id = existing?.id ?? randomUUID();
      const { blocking, warnings } = await collisions(tx, { ...data, id }, calendar);
      if (blocking.length > 0) refuse(blocking);
      const saved = existing
        ? await slotRepository.update(tx, id, data)
        : await slotRepository.create(tx, id, data);
      await recordAudit(tx, who, {
        action: existing ? 'slot.update' : 'slot.create',
        entityType: 'slot',
        entityId: saved.id,
        communeId: calendar.communeId,
        ...(existing ? { before: existing } : {}),
        after: { ...saved, warnings: warnings.map((w) => ({ slotId: w.slotId, resolution: w.resolution })) },
      });
      return { ...present(saved, calendar), warnings };
    });
    await replan([result.id]);
    return result;
  }

  /**
   * After a calendar's days or zone changed (inside the same transaction): its enabled slots
   * against every other slot on their clusters. A collision the scheduler must settle refuses
   * the change with 409 slot-conflict, listing each slot of the calendar and what it meets.
   */
  async function recheckCalendar(tx: Db, calendar: StoredCalendar): Promise<void> {
    await slotRepository.lockCommune(tx, calendar.communeId);
    const found: { slotId: string; slotName: string; time: string; conflicts: SlotCollision[] }[] = [];
    for (const slot of await slotRepository.enabledOfCalendar(tx, calendar.id)) {
      const { blocking } = await collisions(tx, slot, calendar);
      if (blocking.length > 0)
        found.push({ slotId: slot.id, slotName: slot.name, time: slot.time, conflicts: blocking });
    }
    if (found.length === 0) return;
    const names = found.map((f) => `"${f.slotName || f.slotId}" (${f.time})`).join(', ');
    throw new ConflictError(
      'slot-conflict',
      `Giờ phát bị trùng / with these market days, slot(s) ${names} would collide with other slots`,
      { slots: found },
    );
  }

  return {
    loadCalendar,
    present,
    recheckCalendar,

    async get(id: string) {
      const slot = await slotRepository.find(db, id);
      if (!slot) throw new NotFoundError('slot');
      return present(slot, await loadCalendar(slot.calendarId));
    },

    async create(body: CreateSlot, who: Who) {
      const calendar = await loadCalendar(body.calendarId);
      await checkClusters(calendar.communeId, body.clusterIds);
      const { durationSec: given, ...rest } = body;
      const duration = await measure(calendar.communeId, body.bulletinIds, given);
      return save(calendar, { ...rest, ...duration }, who, null);
    },

    async update(id: string, body: UpdateSlot, who: Who) {
      const existing = await slotRepository.find(db, id);
      if (!existing) throw new NotFoundError('slot');
      const calendar = await loadCalendar(existing.calendarId);
      if (body.clusterIds) await checkClusters(calendar.communeId, body.clusterIds);
      const { durationSec: given, ...rest } = body;
      // The playlist is checked again only when it or its duration changes: disabling a slot
      // whose bulletin has since lost its approval must still work.
      const duration =
        body.bulletinIds || given !== undefined
          ? await measure(
              calendar.communeId,
              body.bulletinIds ?? existing.bulletinIds,
              given === undefined ? (existing.durationGiven ? existing.durationSec : null) : given,
            )
          : { durationSec: existing.durationSec, durationGiven: existing.durationGiven };
      const { id: _id, communeId: _c, createdAt: _a, updatedAt: _u, ...current } = existing;
      return save(calendar, { ...current, ...rest, ...duration }, who, existing);
    },

    async remove(id: string, who: Who) {
      await inTransaction(db, async (tx) => {
        const existing = await slotRepository.find(tx, id);
        if (!existing) throw new NotFoundError('slot');
        await slotRepository.remove(tx, id);
        await recordAudit(tx, who, {
          action: 'slot.delete',
          entityType: 'slot',
          entityId: id,
          communeId: existing.communeId,
          before: existing,
        });
      });
      await replan([id]);
    },
  };
}

export type SlotService = ReturnType<typeof slotService>;
