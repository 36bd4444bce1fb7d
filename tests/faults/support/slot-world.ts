// A slot that really plans: an approved bulletin with the dispatch world's rendition (WAV L16,
// the recorder's profile), a market calendar and a slot on the world's clusters, so the
// materialiser makes the rows and jobs itself. And a warped clock: the wall clock shifted to
// any moment of the calendar, ticking in real time, so a slot at 07:30 on a market day airs a few
// real seconds from now.
import { DateTime } from 'luxon';
import { type Clock, systemClock } from '../../../worker/dispatch/clock.ts';
import type { DispatchWorld } from '../../integration/dispatch/world.ts';

/** An approved bulletin of `communeId` whose programme is the dispatch world's rendition. */
export async function readyBulletin(
  world: DispatchWorld,
  communeId: string,
  authorId: string,
  title: string,
) {
  const p = world.db.prisma;
  const bulletin = await p.bulletin.create({
    data: { communeId, title, status: 'READY', revision: 1, authorId, approvedAt: new Date(0) },
  });
  await p.rendition.create({
    data: {
      bulletinId: bulletin.id,
      revision: 1,
      profileId: 'wav-l16',
      path: world.rendition.path,
      mimeType: 'audio/wav',
      codec: 'pcm_s16le',
      sampleRate: 16000,
      channels: 1,
      bytes: BigInt(world.rendition.bytes),
      sha256: 'a'.repeat(64),
      durationSec: world.rendition.durationSec,
      integratedLufs: -18,
      truePeakDbtp: -2,
    },
  });
  return bulletin;
}

export async function plannableSlot(
  world: DispatchWorld,
  options: { rules: unknown[]; timeOfDay: string; zone?: string; clusterIds?: string[] },
) {
  const p = world.db.prisma;
  const author = await p.user.upsert({
    where: { username: 'fault-author' },
    create: { username: 'fault-author', displayName: 'Tác giả', passwordHash: 'x' },
    update: {},
  });
  const bulletin = await readyBulletin(world, world.communeId, author.id, 'Bản tin phiên chợ');
  const calendar = await p.marketCalendar.create({
    data: {
      communeId: world.communeId,
      name: 'Chợ phiên',
      rules: options.rules as object[],
      ...(options.zone ? { timeZone: options.zone } : {}),
    },
  });
  const slot = await p.slot.create({
    data: {
      calendarId: calendar.id,
      timeOfDay: options.timeOfDay,
      durationSec: Math.ceil(world.rendition.durationSec),
      clusters: { create: (options.clusterIds ?? world.clusterIds).map((clusterId) => ({ clusterId })) },
      playlist: { create: [{ position: 0, bulletinId: bulletin.id }] },
    },
  });
  return { bulletinId: bulletin.id, calendarId: calendar.id, slotId: slot.id };
}

export interface WarpedClock extends Clock {
  /** From now on, `now()` reads `at` (epoch ms) and ticks on in real time. */
  warpTo(at: number): void;
  /** A step of the wall clock (an NTP correction): `now()` jumps by `ms`. */
  step(ms: number): void;
}

export function warpedClock(): WarpedClock {
  let offset = 0;
  return {
    now: () => systemClock.now() + offset,
    async waitUntil(at, signal) {
      // Re-read the offset at least every 200 ms, so a step while waiting is followed.
      for (;;) {
        const left = at - (systemClock.now() + offset);
        if (left <= 0) return;
        await systemClock.waitUntil(systemClock.now() + Math.min(left, 200), signal);
      }
    },
    warpTo(at) {
      offset = at - systemClock.now();
    },
    step(ms) {
      offset += ms;
    },
  };
}

/** Epoch ms of a local date and time in `zone` (default Vietnam), e.g. ('2027-03-10', '07:29:50'). */
export function localInstant(date: string, time: string, zone = 'Asia/Ho_Chi_Minh'): number {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toMillis();
}
