// A simulated quarter (2026-Q3) on a test world: a market calendar with a 07:30 slot every sixth
// day, the slot's broadcasts on every cluster of two communes (one per market day × cluster, as
// materialise writes them), ended through the repository's moves so that real, chained session
// records are written: most aired, one cluster offline for five market days, short airings (one
// above the 90 % share, one below), a missed one, a cancelled one, a flood emergency preempting a
// slot airing, a test tone (never a session) and one broadcast still pending.
import { moveBroadcast } from '../../../prisma/repositories/broadcasts.ts';
import type { TestWorld } from '../../setup/test-app.ts';

export const QUARTER = '2026-Q3';
/** Market days: 2026-07-02 and every 6 days after, within the quarter. */
export const MARKET_DAYS = Array.from({ length: 16 }, (_, i) =>
  new Date(Date.UTC(2026, 6, 2 + 6 * i)).toISOString().slice(0, 10),
);

const VIE = 20;
const HMN = 20;
const LENGTH = VIE + 1 + HMN;

export interface SimulatedQuarter {
  communeA: string;
  communeB: string;
  clustersA: string[];
  clusterB: string;
  offlineCluster: string;
  emergencyId: string;
  preemptedId: string;
  pendingId: string;
}

type Ending =
  | { status: 'AIRED'; skewMs: number }
  | { status: 'PARTIAL'; seconds: number }
  | { status: 'FAILED'; code: string; reason: string }
  | { status: 'MISSED'; code: string; reason: string }
  | { status: 'CANCELLED'; code: string; reason: string }
  | { status: 'PREEMPTED'; seconds: number; by: string }
  | { status: 'PLANNED' };

export async function simulateQuarter(world: TestWorld): Promise<SimulatedQuarter> {
  const db = world.db.prisma;
  const admin = await db.user.findUniqueOrThrow({ where: { username: 'admin' } });
  const clustersA = (
    await db.cluster.findMany({ where: { communeId: world.communeA.id }, orderBy: { name: 'asc' } })
  ).map((c) => c.id);
  const offline = await db.cluster.create({
    data: { communeId: world.communeA.id, name: 'Cụm loa bản Mù Cả', location: 'Điểm trường Mù Cả' },
  });
  clustersA.push(offline.id);
  const bulletin = async (communeId: string, title: string, programme: string) =>
    db.bulletin.create({
      data: {
        communeId,
        title,
        programme,
        status: 'READY',
        authorId: admin.id,
        approvedById: admin.id,
        approvedAt: new Date('2026-06-20T02:00:00Z'),
      },
    });
  const bulletinA = await bulletin(
    world.communeA.id,
    'Bản tin biên giới tháng 7',
    'Vì chủ quyền an ninh biên giới',
  );
  const bulletinB = await bulletin(world.communeB.id, 'Phòng chống sốt xuất huyết', 'Phòng chống dịch bệnh');
  const flood = await bulletin(world.communeA.id, 'Cảnh báo lũ quét', 'Phòng chống thiên tai');
  const slotOf = async (communeId: string, name: string) => {
    const calendar = await db.marketCalendar.create({ data: { communeId, name: `Lịch chợ quý 3 ${name}` } });
    return db.slot.create({
      data: {
        calendarId: calendar.id,
        name: `Phát buổi sáng ${name}`,
        timeOfDay: '07:30',
        durationSec: LENGTH,
      },
    });
  };
  const slotA = await slotOf(world.communeA.id, 'Dào San');
  const slotB = await slotOf(world.communeB.id, 'Lũng Cú');

  const create = (data: {
    kind: 'SLOT' | 'EMERGENCY' | 'TEST';
    communeId: string;
    clusterId: string;
    bulletinId: string;
    at: Date;
    slotId?: string;
    marketDay?: string;
  }) =>
    db.broadcast.create({
      data: {
        kind: data.kind,
        communeId: data.communeId,
        clusterId: data.clusterId,
        slotId: data.slotId ?? null,
        requestId: data.slotId ? null : crypto.randomUUID(),
        marketDay: data.marketDay ?? null,
        scheduledAt: data.at,
        priority: data.kind === 'EMERGENCY' ? 'EMERGENCY' : 'NORMAL',
        profileId: 'wav-l16',
        driverKind: 'RECORDER',
        durationSec: LENGTH,
        ...(data.kind === 'EMERGENCY'
          ? { triggeredById: admin.id, triggerReason: 'Lũ quét trên suối Nậm Na' }
          : {}),
        plan: {
          items: [
            {
              bulletinId: data.bulletinId,
              renditionId: '00000000-0000-4000-8000-000000000002',
              path: 'x.wav',
              sha256: 'b'.repeat(64),
              bytes: 1,
              durationSec: LENGTH,
              segments: [
                { kind: 'language', language: 'vie', startSec: 0, durationSec: VIE },
                { kind: 'language', language: 'hmn', startSec: VIE + 1, durationSec: HMN },
              ],
            },
          ],
        },
      },
    });

  const end = async (id: string, at: Date, ending: Ending) => {
    if (ending.status === 'PLANNED') return;
    if (ending.status === 'MISSED' || ending.status === 'CANCELLED') {
      await moveBroadcast(db, id, ending.status, {
        reasonCode: ending.code,
        reason: ending.reason,
        endedAt: at,
      });
      return;
    }
    await db.broadcast.update({ where: { id }, data: { status: 'STARTING', startedAt: at, attempts: 1 } });
    if (ending.status === 'FAILED') {
      await moveBroadcast(db, id, 'FAILED', {
        reasonCode: ending.code,
        reason: ending.reason,
        secondsAired: 0,
        endedAt: at,
      });
      return;
    }
    const skewMs = ending.status === 'AIRED' ? ending.skewMs : 3;
    await moveBroadcast(db, id, 'AIRING', { firstAudioAt: new Date(at.getTime() + skewMs), skewMs });
    const seconds = ending.status === 'AIRED' ? LENGTH : ending.seconds;
    const ended = new Date(at.getTime() + seconds * 1000);
    if (ending.status === 'AIRED')
      await moveBroadcast(db, id, 'AIRED', { secondsAired: seconds, endedAt: ended });
    else if (ending.status === 'PARTIAL')
      await moveBroadcast(db, id, 'PARTIAL', {
        secondsAired: seconds,
        endedAt: ended,
        reasonCode: 'connection-dropped',
        reason: 'Mất kết nối giữa chừng',
      });
    else
      await moveBroadcast(db, id, 'PREEMPTED', {
        secondsAired: seconds,
        endedAt: ended,
        reasonCode: 'preempted',
        reason: 'Nhường phát khẩn cấp',
        preemptedById: ending.by,
      });
  };

  let emergencyId = '';
  let preemptedId = '';
  let pendingId = '';
  for (const [day, marketDay] of MARKET_DAYS.entries()) {
    const at = new Date(`${marketDay}T00:30:00Z`); // 07:30 in Vietnam
    const targets = [
      ...clustersA.map((clusterId) => ({
        communeId: world.communeA.id,
        clusterId,
        slot: slotA.id,
        b: bulletinA.id,
      })),
      { communeId: world.communeB.id, clusterId: world.clusterB, slot: slotB.id, b: bulletinB.id },
    ];
    for (const [i, t] of targets.entries()) {
      const row = await create({
        kind: 'SLOT',
        communeId: t.communeId,
        clusterId: t.clusterId,
        bulletinId: t.b,
        at,
        slotId: t.slot,
        marketDay,
      });
      let ending: Ending = { status: 'AIRED', skewMs: 5 + ((day * 7 + i * 3) % 40) };
      if (t.clusterId === offline.id && day >= 4 && day <= 8)
        ending = { status: 'FAILED', code: 'cluster-offline', reason: 'Cụm loa không phản hồi' };
      else if (day === 2 && i === 0)
        ending = { status: 'PARTIAL', seconds: 38 }; // Mông 17/20 s: below 90 %
      else if (day === 3 && i === 1)
        ending = { status: 'PARTIAL', seconds: 40 }; // Mông 19/20 s: held
      else if (day === 9 && t.communeId === world.communeB.id)
        ending = { status: 'MISSED', code: 'late', reason: 'Quá giờ phát' };
      else if (day === 11 && i === 1)
        ending = { status: 'CANCELLED', code: 'cancelled', reason: 'Huỷ phiên chợ' };
      else if (day === 15 && t.communeId === world.communeB.id) {
        ending = { status: 'PLANNED' };
        pendingId = row.id;
      } else if (day === 6 && i === 0) {
        // A flood warning at 07:30:10 preempts the slot airing on the centre cluster.
        const emergency = await create({
          kind: 'EMERGENCY',
          communeId: t.communeId,
          clusterId: t.clusterId,
          bulletinId: flood.id,
          at: new Date(at.getTime() + 10_000),
        });
        emergencyId = emergency.id;
        preemptedId = row.id;
        ending = { status: 'PREEMPTED', seconds: 10, by: emergency.id };
      }
      await end(row.id, at, ending);
      if (row.id === preemptedId)
        await end(emergencyId, new Date(at.getTime() + 10_000), { status: 'AIRED', skewMs: 2 });
    }
  }
  // A test tone in the quarter: in the log, never a session.
  const tone = await create({
    kind: 'TEST',
    communeId: world.communeA.id,
    clusterId: clustersA[0] as string,
    bulletinId: bulletinA.id,
    at: new Date('2026-08-15T03:00:00Z'),
  });
  await end(tone.id, new Date('2026-08-15T03:00:00Z'), { status: 'AIRED', skewMs: 1 });
  return {
    communeA: world.communeA.id,
    communeB: world.communeB.id,
    clustersA,
    clusterB: world.clusterB,
    offlineCluster: offline.id,
    emergencyId,
    preemptedId,
    pendingId,
  };
}
