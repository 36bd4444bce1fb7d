// Through the real dispatch engine (recorder driver, PGlite): an aired, a missed, a preempted and
// a cancelled broadcast each end with exactly one ENDED session record, holding what aired, the
// approver of the bulletin and, for the emergency, who triggered it and why.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { moveBroadcast } from '../../../prisma/repositories/broadcasts.ts';
import { verifyLog } from '../../../prisma/repositories/session-verification.ts';
import { airBroadcasts } from '../../../worker/dispatch/engine.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from '../dispatch/world.ts';

let world: DispatchWorld;
beforeAll(async () => {
  world = await dispatchWorld({ clusters: 3, audioSec: 2 });
});
afterAll(() => world?.close());

const signal = new AbortController().signal;
const soon = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
const BULLETIN = '00000000-0000-4000-8000-000000000001';

it('an aired, a missed, a preempted and a cancelled broadcast each leave exactly one ENDED record', async () => {
  const { prisma } = world.db;
  const [c1, c2, c3] = world.clusterIds as [string, string, string];
  const officer = await prisma.user.create({
    data: { username: 'can-bo', displayName: 'Lò Văn Á', passwordHash: 'x' },
  });
  const approver = await prisma.user.create({
    data: { username: 'duyet', displayName: 'Giàng Thị Mỷ', passwordHash: 'x' },
  });
  await prisma.bulletin.create({
    data: {
      id: BULLETIN,
      communeId: world.communeId,
      title: 'Phòng chống buôn lậu qua biên giới',
      programme: 'Vì chủ quyền an ninh biên giới',
      authorId: officer.id,
      approvedById: approver.id,
      approvedAt: new Date('2026-11-30T03:00:00Z'),
    },
  });
  const item = plannedRow(world, c1, new Date()).plan.items[0];
  const long = { durationSec: 3 * world.rendition.durationSec, plan: { items: [item, item, item] } };

  const at = soon(1500);
  const aired = await prisma.broadcast.create({
    data: { ...plannedRow(world, c1, at), marketDay: '2026-04-13' },
  });
  const cut = await prisma.broadcast.create({ data: { ...plannedRow(world, c2, at), ...long } });
  const missed = await prisma.broadcast.create({
    data: plannedRow(world, c3, new Date(Date.now() - 10_000)),
  });
  const cancelled = await prisma.broadcast.create({ data: plannedRow(world, c3, soon(3_600_000)) });

  const airing = airBroadcasts(world.deps, { at }, signal);
  await airBroadcasts(world.deps, { at: missed.scheduledAt }, signal);
  expect(
    await moveBroadcast(prisma, cancelled.id, 'CANCELLED', {
      reasonCode: 'day-cancelled',
      reason: 'phiên chợ bị huỷ',
    }),
  ).toBe(true);
  // Once the long one airs, an emergency takes its cluster.
  const until = Date.now() + 10_000;
  while ((await prisma.sessionStart.count({ where: { broadcastId: cut.id } })) === 0) {
    if (Date.now() > until) throw new Error('the long broadcast never started');
    await new Promise((r) => setTimeout(r, 25));
  }
  const emergency = await prisma.broadcast.create({
    data: {
      ...plannedRow(world, c2, new Date(), { priority: 'EMERGENCY', kind: 'EMERGENCY' }),
      requestId: crypto.randomUUID(),
      triggeredById: approver.id,
      triggerReason: 'Lũ quét trên suối Nậm Na',
    },
  });
  await airBroadcasts(world.deps, { ids: [emergency.id] }, signal);
  await airing;

  const records = await prisma.sessionRecord.findMany({ orderBy: { seq: 'asc' } });
  const ids = [aired.id, cut.id, missed.id, cancelled.id, emergency.id];
  expect(records.map((r) => r.broadcastId).sort()).toEqual([...ids].sort());
  const byId = new Map(records.map((r) => [r.broadcastId, r]));
  expect(byId.get(aired.id)).toMatchObject({
    status: 'AIRED',
    communeCode: 'DSP',
    clusterName: 'Cụm 1',
    marketDay: '2026-04-13',
    lunarDate: { year: 2026, month: 2, day: 26, leap: false },
    programmes: ['Vì chủ quyền an ninh biên giới'],
    renditionSha256: ['a'.repeat(64)],
    languages: ['vie'],
    minLanguageShare: 1,
    bulletins: [
      expect.objectContaining({ title: 'Phòng chống buôn lậu qua biên giới', approvedBy: 'Giàng Thị Mỷ' }),
    ],
    driverKind: 'RECORDER',
  });
  expect(byId.get(aired.id)?.skewMs).toBeGreaterThanOrEqual(0);
  expect(byId.get(missed.id)).toMatchObject({
    status: 'MISSED',
    reasonCode: 'late',
    secondsAired: 0,
    firstAudioAt: null,
  });
  expect(byId.get(cancelled.id)).toMatchObject({ status: 'CANCELLED', reasonCode: 'day-cancelled' });
  const preempted = byId.get(cut.id);
  expect(preempted).toMatchObject({
    status: 'PREEMPTED',
    reasonCode: 'preempted',
    preemptedById: emergency.id,
  });
  expect(preempted?.secondsAired).toBeGreaterThan(0);
  expect(preempted?.minLanguageShare).toBeLessThan(1);
  expect(byId.get(emergency.id)).toMatchObject({
    status: 'AIRED',
    broadcastKind: 'EMERGENCY',
    priority: 'EMERGENCY',
    triggeredBy: 'Giàng Thị Mỷ',
    triggerReason: 'Lũ quét trên suối Nậm Na',
    occurrenceKey: `request:${emergency.requestId}`,
  });
  // Moving an ended broadcast again writes nothing; the chain verifies.
  expect(await moveBroadcast(prisma, aired.id, 'FAILED')).toBe(false);
  expect(await prisma.sessionRecord.count()).toBe(5);
  expect((await verifyLog(prisma)).ok).toBe(true);
});
