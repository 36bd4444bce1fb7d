// Materialisation against a real database and a real Redis: slots become broadcast rows and
// dispatch jobs; two materialisers at once leave one row per (slot, instant, cluster); edits
// to slots, market days and bulletins change the future rows and never a started one.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../../platform/logger.ts';
import { openRedis } from '../../../platform/redis.ts';
import { dispatchJobId } from '../../../worker/jobs/catalogue.ts';
import { materialiseBroadcasts } from '../../../worker/jobs/materialise-broadcasts.ts';
import { createJobProducer, type JobProducer } from '../../../worker/jobs/producer.ts';
import { pgliteKind } from '../../setup/databases.ts';

// Asia/Ho_Chi_Minh (UTC+7): 07:30 local on 2026-12-06 is 00:30 UTC.
const NOW = Date.parse('2026-12-05T18:00:00Z');
const HORIZON_MS = 36 * 3600_000;
const LEAD_MS = 15_000;
const logger = createLogger('silent');

describe('materialisation', () => {
  let db: Awaited<ReturnType<typeof pgliteKind.open>>;
  let redis: Redis;
  let jobs: JobProducer;
  let ids: { commune: string; calendar: string; slot: string; bulletin: string; clusters: string[] };

  beforeAll(async () => {
    db = await pgliteKind.openMigrated();
    redis = openRedis(inject('redisUrl'), 'producer');
    jobs = createJobProducer(redis.duplicate(), `loa-test-${randomUUID().slice(0, 8)}`);
    const p = db.prisma;
    const commune = await p.commune.create({
      data: { code: 'MAT', name: 'Xã', province: 'Hà Giang', languages: ['vie'] },
    });
    const author = await p.user.create({ data: { username: 'a', displayName: 'A', passwordHash: 'x' } });
    const clusters = await Promise.all(
      ['Chợ', 'Bản', 'Đồn'].map((name, i) =>
        p.cluster.create({
          data: {
            communeId: commune.id,
            name,
            ...(i === 2
              ? { driverKind: 'RTP', driverConfig: { host: '127.0.0.1', port: 5004, payloadType: 0 } }
              : {}),
          },
        }),
      ),
    );
    const bulletin = await p.bulletin.create({
      data: {
        communeId: commune.id,
        title: 'Bản tin',
        status: 'READY',
        revision: 1,
        authorId: author.id,
        approvedAt: new Date(),
      },
    });
    for (const profileId of ['wav-l16', 'pcmu-8k'])
      await p.rendition.create({
        data: {
          bulletinId: bulletin.id,
          revision: 1,
          profileId,
          path: `renditions/${bulletin.id}/1/${profileId}`,
          mimeType: 'audio/wav',
          codec: 'pcm',
          sampleRate: 16000,
          channels: 1,
          bytes: 1000n,
          sha256: 'b'.repeat(64),
          durationSec: 30,
          integratedLufs: -18,
          truePeakDbtp: -2,
        },
      });
    const calendar = await p.marketCalendar.create({
      data: { communeId: commune.id, name: 'Chợ phiên', rules: [{ kind: 'weekdays', days: ['SU', 'MO'] }] },
    });
    const slot = await p.slot.create({
      data: {
        calendarId: calendar.id,
        timeOfDay: '07:30',
        durationSec: 30,
        clusters: { create: clusters.map((c) => ({ clusterId: c.id })) },
        playlist: { create: [{ position: 0, bulletinId: bulletin.id }] },
      },
    });
    ids = {
      commune: commune.id,
      calendar: calendar.id,
      slot: slot.id,
      bulletin: bulletin.id,
      clusters: clusters.map((c) => c.id),
    };
  });
  afterAll(async () => {
    await jobs?.close();
    redis?.disconnect();
    await db?.drop();
  });

  const run = (now = NOW) =>
    materialiseBroadcasts(db.prisma, jobs, logger, { now, horizonMs: HORIZON_MS, leadMs: LEAD_MS });
  const rows = () =>
    db.prisma.broadcast.findMany({
      where: { slotId: ids.slot },
      orderBy: [{ scheduledAt: 'asc' }, { clusterId: 'asc' }],
      select: {
        id: true,
        clusterId: true,
        scheduledAt: true,
        status: true,
        profileId: true,
        driverKind: true,
      },
    });

  it('makes one row per (slot, instant, cluster) even with two materialisers at once, and one job per instant', async () => {
    await Promise.all([run(), run()]);
    const made = await rows();
    // Sunday 6 and Monday 7 December, 07:30 in Hà Giang.
    const instants = [...new Set(made.map((r) => r.scheduledAt.toISOString()))];
    expect(instants).toEqual(['2026-12-06T00:30:00.000Z', '2026-12-07T00:30:00.000Z']);
    expect(made).toHaveLength(6);
    expect(made.filter((r) => r.driverKind === 'RTP').map((r) => r.profileId)).toEqual([
      'pcmu-8k',
      'pcmu-8k',
    ]);
    const job = await jobs.queue('dispatch').getJob(dispatchJobId(new Date('2026-12-06T00:30:00Z')));
    expect(job?.name).toBe('dispatch-instant');
    expect(job?.delay).toBe(Date.parse('2026-12-06T00:30:00Z') - LEAD_MS - NOW);
  });

  it('follows a slot moved, a market day cancelled, a cluster removed and a bulletin withdrawn — never a started airing', async () => {
    const before = await rows();
    const started = before[0];
    await db.prisma.broadcast.update({ where: { id: started?.id }, data: { status: 'AIRING' } });

    await db.prisma.slot.update({ where: { id: ids.slot }, data: { timeOfDay: '08:00' } });
    await db.prisma.marketCalendar.update({
      where: { id: ids.calendar },
      data: { exceptions: { cancelled: ['2026-12-07'], added: [], moved: [] } },
    });
    await db.prisma.slotCluster.delete({
      where: { slotId_clusterId: { slotId: ids.slot, clusterId: ids.clusters[1] as string } },
    });
    await run();
    const after = await rows();
    // The airing that started is untouched; the Sunday 6 Dec rows moved to 08:00 without the removed
    // cluster; Monday's market day is cancelled.
    expect(after.find((r) => r.id === started?.id)).toMatchObject({
      status: 'AIRING',
      scheduledAt: started?.scheduledAt,
    });
    const planned = after.filter((r) => r.status === 'PLANNED');
    // The cluster whose airing started gets no second airing of that occurrence at the new time.
    const others = [ids.clusters[0], ids.clusters[2]].filter((c) => c !== started?.clusterId).sort();
    expect(planned.map((r) => [r.scheduledAt.toISOString(), r.clusterId])).toEqual(
      others.map((c) => ['2026-12-06T01:00:00.000Z', c]),
    );

    await db.prisma.bulletin.update({
      where: { id: ids.bulletin },
      data: { approvedAt: null, status: 'DRAFT' },
    });
    await run();
    expect((await rows()).map((r) => r.status)).toEqual(['AIRING']);
  });
});
