// Slots through the HTTP API: playlists of approved bulletins only, target clusters of the
// commune, start instants in the calendar's zone whatever the host TZ, and conflicts found when
// a slot is saved (Thông tư 39: emergency preempts, priority first, the scheduler orders
// priority against priority, a normal slot gives way).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestWorld, type SignedIn, signIn, type TestWorld } from '../setup/test-app.ts';

// "Now" is 10:00 on 2026-01-01 in Vietnam, so the 90-day conflict horizon is 2026-01-01..03-31.
const NOW = new Date('2026-01-01T03:00:00Z');

let w: TestWorld;
let scheduler: SignedIn;
let calendarId: string;
let clusterA: string;
let clusterA2: string;

/** Civil dates every `step` days from `start` through `end`, by plain UTC arithmetic. */
function everyNDays(start: string, end: string, step: number): string[] {
  const dates: string[] = [];
  for (
    let t = Date.parse(`${start}T00:00:00Z`);
    t <= Date.parse(`${end}T00:00:00Z`);
    t += step * 86_400_000
  ) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}
const SUNDAYS = everyNDays('2026-01-04', '2026-03-31', 7);

/** A bulletin of a commune with a measured programme; approved unless said otherwise. */
async function bulletin(seconds: number | null, options: { approved?: boolean; communeId?: string } = {}) {
  const prisma = w.db.prisma;
  const admin = await prisma.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const approved = options.approved ?? true;
  const created = await prisma.bulletin.create({
    data: {
      communeId: options.communeId ?? w.communeA.id,
      title: `Bản tin ${Math.random().toString(36).slice(2, 8)}`,
      authorId: admin.id,
      status: 'READY',
      ...(approved ? { approvedAt: new Date(), approvedById: admin.id } : {}),
    },
  });
  if (seconds !== null) {
    await prisma.rendition.create({
      data: {
        bulletinId: created.id,
        revision: 0,
        profileId: 'mp3-24k',
        path: `renditions/${created.id}/0/programme.mp3`,
        mimeType: 'audio/mpeg',
        codec: 'mp3',
        sampleRate: 24000,
        channels: 1,
        bytes: 1n,
        sha256: 'b'.repeat(64),
        durationSec: seconds,
        integratedLufs: -18,
        truePeakDbtp: -2,
      },
    });
  }
  return created.id;
}

interface Collision {
  slotId: string;
  slotName: string;
  resolution: string;
  winnerSlotId: string | null;
  clusters: { id: string; name: string }[];
  dates: string[];
}

async function postSlot(body: Record<string, unknown>) {
  return scheduler.send('post', '/api/slots', { calendarId, clusterIds: [clusterA], ...body });
}
async function created(body: Record<string, unknown>) {
  const res = await postSlot(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; warnings: Collision[] };
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  w = await createTestWorld();
  scheduler = await signIn(w.app, 'scheduler');
  calendarId = (
    await w.db.prisma.marketCalendar.findFirstOrThrow({
      where: { communeId: w.communeA.id, name: 'Chợ phiên Dào San' },
    })
  ).id;
  clusterA = w.clusterA;
  clusterA2 = (
    await w.db.prisma.cluster.findFirstOrThrow({ where: { communeId: w.communeA.id, id: { not: clusterA } } })
  ).id;
});
afterAll(async () => {
  vi.useRealTimers();
  await w?.close();
});

let s1: string;
let s3: string;
let s4: string;

describe('saving a slot', () => {
  it('measures the playlist and places 07:30 in Vietnam time, whatever the host TZ', async () => {
    expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(300); // the host runs in New York
    const first = await bulletin(120);
    const second = await bulletin(45);
    const res = await scheduler
      .send('post', '/api/slots', {
        calendarId,
        name: 'Bản tin sáng phiên chợ',
        time: '07:30',
        clusterIds: [clusterA2],
        bulletinIds: [first, second],
        repeat: 2,
        repeatGapSec: 30,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      time: '07:30',
      zone: 'Asia/Ho_Chi_Minh',
      durationSec: 165,
      durationGiven: false,
      airtimeSec: 360,
      priority: 'NORMAL',
      bulletinIds: [first, second],
      clusterIds: [clusterA2],
      warnings: [],
    });
    expect(res.body.upcoming).toEqual([
      { date: '2026-01-04', start: '2026-01-04T00:30:00.000Z' },
      { date: '2026-01-11', start: '2026-01-11T00:30:00.000Z' },
      { date: '2026-01-18', start: '2026-01-18T00:30:00.000Z' },
    ]);
    const playlist = await w.db.prisma.slotBulletin.findMany({
      where: { slotId: res.body.id },
      orderBy: { position: 'asc' },
    });
    expect(playlist.map((p) => p.bulletinId)).toEqual([first, second]);
    const audit = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'slot.create', entityId: res.body.id },
    });
    expect(audit).toMatchObject({ communeId: w.communeA.id, actorName: 'scheduler' });
  });

  it('reads a slot in another zone at that zone’s time (Asia/Tokyo 10:00 = 01:00 UTC)', async () => {
    const tokyo = await scheduler
      .send('post', '/api/market-calendars', {
        communeId: w.communeA.id,
        name: 'Chợ giờ Tokyo',
        zone: 'Asia/Tokyo',
        rules: [{ kind: 'weekdays', days: ['SU'] }],
      })
      .expect(201);
    const res = await scheduler
      .send('post', '/api/slots', {
        calendarId: tokyo.body.id,
        time: '10:00',
        clusterIds: [clusterA2],
        bulletinIds: [await bulletin(60)],
      })
      .expect(201);
    expect(res.body.upcoming[0]).toEqual({ date: '2026-01-04', start: '2026-01-04T01:00:00.000Z' });
    await scheduler.send('delete', `/api/slots/${res.body.id}`).expect(204);
  });

  it('accepts only approved bulletins of the commune and clusters of the commune', async () => {
    const unapproved = await bulletin(60, { approved: false });
    const otherCommune = await bulletin(60, { communeId: w.communeB.id });
    for (const id of [unapproved, otherCommune]) {
      const res = await postSlot({ time: '12:00', bulletinIds: [await bulletin(30), id] });
      expect([res.status, res.body.code]).toEqual([409, 'bulletin-not-approved']);
      expect(res.body.bulletinIds).toEqual([id]);
    }
    const cluster = await postSlot({
      time: '12:00',
      clusterIds: [clusterA, w.clusterB],
      bulletinIds: [await bulletin(30)],
    });
    expect([cluster.status, cluster.body.code]).toEqual([400, 'invalid-request']);
    expect(cluster.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.clusterIds.1']);

    const unmeasured = await bulletin(null);
    const noDuration = await postSlot({ time: '12:00', bulletinIds: [unmeasured] });
    expect(noDuration.status).toBe(400);
    expect(noDuration.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.durationSec']);
    const given = await created({ time: '12:00', bulletinIds: [unmeasured], durationSec: 90 });
    expect(given).toMatchObject({ durationSec: 90, durationGiven: true, airtimeSec: 90 });

    const badTime = await postSlot({ time: '24:00', bulletinIds: [unmeasured], durationSec: 90 });
    expect(badTime.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.time']);
    expect(await w.db.prisma.slot.count({ where: { timeOfDay: '24:00' } })).toBe(0);
  });
});

describe('conflicts found when a slot is saved', () => {
  it('refuses a normal slot overlapping a normal one: 409 naming the slot, cluster and dates', async () => {
    s1 = (await created({ name: 'Thông báo chợ', time: '07:00', bulletinIds: [await bulletin(120)] })).id;
    const before = await w.db.prisma.slot.count();
    const res = await postSlot({ name: 'Tin thời tiết', time: '07:01', bulletinIds: [await bulletin(60)] });
    expect([res.status, res.body.code]).toEqual([409, 'slot-conflict']);
    const clusterName = (await w.db.prisma.cluster.findUniqueOrThrow({ where: { id: clusterA } })).name;
    expect(res.body.conflicts).toEqual([
      expect.objectContaining({
        slotId: s1,
        slotName: 'Thông báo chợ',
        time: '07:00',
        calendarName: 'Chợ phiên Dào San',
        resolution: 'normal-gives-way',
        winnerSlotId: s1,
        clusters: [{ id: clusterA, name: clusterName }],
        dates: SUNDAYS,
      }),
    ]);
    expect(res.body.detail).toContain('Thông báo chợ');
    expect(res.body.detail).toContain('2026-01-04');
    expect(await w.db.prisma.slot.count()).toBe(before);

    // The same time on another cluster, or starting the second the first ends, is free.
    await created({ time: '07:01', clusterIds: [clusterA2], bulletinIds: [await bulletin(60)], name: 'B' });
    const adjacent = await created({ time: '07:02', bulletinIds: [await bulletin(30)] });
    expect(adjacent.warnings).toEqual([]);
    await scheduler.send('delete', `/api/slots/${adjacent.id}`).expect(204);
  });

  it('saves a priority slot over a normal one, with a priority-first warning', async () => {
    const res = await created({
      name: 'Cảnh báo lũ',
      time: '07:01',
      priority: 'PRIORITY',
      bulletinIds: [await bulletin(60)],
    });
    s3 = res.id;
    expect(res.warnings).toEqual([
      expect.objectContaining({ slotId: s1, resolution: 'priority-first', winnerSlotId: s3, dates: SUNDAYS }),
    ]);
  });

  it('makes the scheduler order two colliding priority slots', async () => {
    const body = {
      name: 'Tin an ninh',
      time: '07:01',
      priority: 'PRIORITY',
      bulletinIds: [await bulletin(60)],
    };
    const unordered = await postSlot(body);
    expect([unordered.status, unordered.body.code]).toEqual([409, 'slot-conflict']);
    expect(unordered.body.conflicts).toEqual([
      expect.objectContaining({
        slotId: s3,
        resolution: 'scheduler-orders',
        winnerSlotId: null,
        dates: SUNDAYS,
      }),
    ]);
    // Ordering only the new slot is not enough: the other must say its place too.
    const half = await postSlot({ ...body, order: 2 });
    expect(half.status).toBe(409);

    const patched = await scheduler.send('patch', `/api/slots/${s3}`, { order: 1 }).expect(200);
    expect(patched.body.order).toBe(1);
    const ordered = await created({ ...body, order: 2 });
    s4 = ordered.id;
    expect(ordered.warnings.map((c) => [c.slotId, c.resolution, c.winnerSlotId]).sort()).toEqual(
      [
        [s1, 'priority-first', s4],
        [s3, 'scheduler-orders', s3],
      ].sort(),
    );
  });

  it('lets an emergency slot preempt everything on the cluster, with warnings', async () => {
    const res = await created({
      name: 'Khẩn cấp cháy rừng',
      time: '06:59',
      priority: 'EMERGENCY',
      bulletinIds: [await bulletin(60)],
      durationSec: 300,
    });
    expect(res.warnings.map((c) => [c.slotId, c.resolution, c.winnerSlotId]).sort()).toEqual(
      [
        [s1, 'emergency-preempts', res.id],
        [s3, 'emergency-preempts', res.id],
        [s4, 'emergency-preempts', res.id],
      ].sort(),
    );
  });

  it('ignores disabled slots, and checks again when one is enabled', async () => {
    const disabled = await created({ time: '07:00', enabled: false, bulletinIds: [await bulletin(60)] });
    expect(disabled.warnings).toEqual([]);
    const enable = await scheduler.send('patch', `/api/slots/${disabled.id}`, { enabled: true });
    expect([enable.status, enable.body.code]).toEqual([409, 'slot-conflict']);
    expect(enable.body.conflicts.map((c: Collision) => c.slotId)).toEqual([s1]);
    const stored = await w.db.prisma.slot.findUniqueOrThrow({ where: { id: disabled.id } });
    expect(stored.enabled).toBe(false);
  });

  it('names only the dates on which two calendars’ market days meet', async () => {
    const phoBang = await scheduler
      .send('post', '/api/market-calendars', {
        communeId: w.communeA.id,
        name: 'Chợ Phó Bảng',
        rules: [{ kind: 'branch', branches: ['Tý', 'Ngọ'] }],
      })
      .expect(201);
    const res = await scheduler.send('post', '/api/slots', {
      calendarId: phoBang.body.id,
      time: '07:00',
      clusterIds: [clusterA],
      bulletinIds: [await bulletin(60)],
    });
    expect([res.status, res.body.code]).toEqual([409, 'slot-conflict']);
    // Tý/Ngọ days are every 6 days from 2026-01-02 (Bính Tý); Sundays every 7 from 01-04.
    const tyNgo = new Set(everyNDays('2026-01-02', '2026-03-31', 6));
    const both = SUNDAYS.filter((d) => tyNgo.has(d));
    expect(both).toEqual(['2026-02-01', '2026-03-15']);
    expect(res.body.conflicts).toEqual([expect.objectContaining({ slotId: s1, dates: both })]);
  });
});

describe('airings already over', () => {
  it('are not counted as collisions: today at 08:00 is past at 10:00 in Vietnam', async () => {
    const daily = await scheduler
      .send('post', '/api/market-calendars', {
        communeId: w.communeA.id,
        name: 'Chợ hằng ngày',
        rules: [{ kind: 'weekdays', days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] }],
      })
      .expect(201);
    const slot = (time: string) => ({
      calendarId: daily.body.id,
      time,
      clusterIds: [clusterA2],
      bulletinIds: [] as string[],
    });
    const morning = { ...slot('08:00'), bulletinIds: [await bulletin(60)] };
    const first = await scheduler.send('post', '/api/slots', morning).expect(201);
    const again = await scheduler.send('post', '/api/slots', {
      ...morning,
      bulletinIds: [await bulletin(60)],
    });
    expect([again.status, again.body.code]).toEqual([409, 'slot-conflict']);
    // NOW is 2026-01-01 10:00 in Vietnam: the first colliding airing is tomorrow's.
    expect(again.body.conflicts[0].dates[0]).toBe('2026-01-02');

    const noon = await scheduler
      .send('post', '/api/slots', { ...slot('11:00'), bulletinIds: [await bulletin(60)] })
      .expect(201);
    const later = await scheduler.send('post', '/api/slots', {
      ...slot('11:00'),
      bulletinIds: [await bulletin(60)],
    });
    expect(later.body.conflicts[0].dates[0]).toBe('2026-01-01');

    for (const id of [first.body.id, noon.body.id])
      await scheduler.send('delete', `/api/slots/${id}`).expect(204);
    await scheduler.send('delete', `/api/market-calendars/${daily.body.id}`).expect(204);
  });
});

describe('calendar changes', () => {
  it('refuses new market days that would make the calendar’s slots collide, and keeps the calendar', async () => {
    const saturday = await scheduler
      .send('post', '/api/market-calendars', {
        communeId: w.communeA.id,
        name: 'Chợ phụ thứ Bảy',
        rules: [{ kind: 'weekdays', days: ['SA'] }],
      })
      .expect(201);
    const slot = await scheduler
      .send('post', '/api/slots', {
        calendarId: saturday.body.id,
        name: 'Tin chợ phụ',
        time: '07:00',
        clusterIds: [clusterA],
        bulletinIds: [await bulletin(60)],
      })
      .expect(201);
    expect(slot.body.warnings).toEqual([]);
    const res = await scheduler.send('patch', `/api/market-calendars/${saturday.body.id}`, {
      rules: [{ kind: 'weekdays', days: ['SA', 'SU'] }],
    });
    expect([res.status, res.body.code]).toEqual([409, 'slot-conflict']);
    expect(res.body.slots).toEqual([
      expect.objectContaining({
        slotId: slot.body.id,
        conflicts: [expect.objectContaining({ slotId: s1, resolution: 'normal-gives-way', dates: SUNDAYS })],
      }),
    ]);
    const kept = await scheduler.send('get', `/api/market-calendars/${saturday.body.id}`).expect(200);
    expect(kept.body.rules).toEqual([{ kind: 'weekdays', days: ['SA'] }]);
    // Renaming (same days) is fine.
    await scheduler
      .send('patch', `/api/market-calendars/${saturday.body.id}`, { name: 'Chợ phụ ngày thứ Bảy' })
      .expect(200);
  });
});

describe('slot reads, changes and access', () => {
  it('lists the slots of a calendar to every role of the commune, not to others', async () => {
    const officer = await signIn(w.app, 'officer');
    const list = await officer.send('get', `/api/slots?calendarId=${calendarId}`).expect(200);
    expect(list.body.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([s1, s3, s4]));
    expect(list.body.every((s: { calendarId: string }) => s.calendarId === calendarId)).toBe(true);
    const one = await officer.send('get', `/api/slots/${s1}`).expect(200);
    expect(one.body.upcoming[0]).toEqual({ date: '2026-01-04', start: '2026-01-04T00:00:00.000Z' });
    const other = await officer.send('get', `/api/slots?communeId=${w.communeB.id}`).expect(200);
    expect(other.body).toEqual([]);
    const anonymous = await request(w.app).get('/api/slots');
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'unauthenticated']);
  });

  it('lets only schedulers of the commune write', async () => {
    const body = { calendarId, time: '15:00', clusterIds: [clusterA], bulletinIds: [await bulletin(30)] };
    for (const username of ['officer', 'auditor', 'admin']) {
      const res = await (await signIn(w.app, username)).send('post', '/api/slots', body);
      expect([res.status, res.body.code], username).toEqual([403, 'forbidden']);
    }
    const calendarB = await w.db.prisma.marketCalendar.create({
      data: { communeId: w.communeB.id, name: 'Chợ B', rules: [{ kind: 'weekdays', days: ['SU'] }] },
    });
    const slotB = await w.db.prisma.slot.create({
      data: { calendarId: calendarB.id, timeOfDay: '08:00', durationSec: 60 },
    });
    for (const [method, path, payload] of [
      ['post', '/api/slots', { ...body, calendarId: calendarB.id }],
      ['patch', `/api/slots/${slotB.id}`, { name: 'x' }],
      ['delete', `/api/slots/${slotB.id}`, undefined],
      ['get', `/api/slots/${slotB.id}`, undefined],
    ] as const) {
      const res = await scheduler.send(method, path, payload);
      expect([res.status, res.body.code], `${method} ${path}`).toEqual([404, 'not-found']);
    }
  });

  it('audits changes and deletions', async () => {
    const slot = await created({ name: 'Tạm', time: '16:00', bulletinIds: [await bulletin(30)] });
    const patched = await scheduler
      .send('patch', `/api/slots/${slot.id}`, { name: 'Tin chiều', repeat: 3, repeatGapSec: 10 })
      .expect(200);
    expect(patched.body).toMatchObject({
      name: 'Tin chiều',
      durationSec: 30,
      airtimeSec: 110,
      time: '16:00',
    });
    const update = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'slot.update', entityId: slot.id },
    });
    expect((update.before as { name: string }).name).toBe('Tạm');
    expect((update.after as { name: string }).name).toBe('Tin chiều');

    await scheduler.send('delete', `/api/slots/${slot.id}`).expect(204);
    expect(await w.db.prisma.slotBulletin.count({ where: { slotId: slot.id } })).toBe(0);
    const deleted = await w.db.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'slot.delete', entityId: slot.id },
    });
    expect((deleted.before as { time: string }).time).toBe('16:00');
    const again = await scheduler.send('delete', `/api/slots/${slot.id}`);
    expect([again.status, again.body.code]).toEqual([404, 'not-found']);
  });
});
