// Fault: a worker process SIGKILLed mid-airing (and mid-transcode, below). The airing it held is
// never aired a second time after the restart: the re-run dispatch job finds its row taken, and
// the sweep ends it partial with the seconds the supervisor last recorded. Nothing of the killed
// process group stays alive.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probeMedia } from '../../media/probe.ts';
import { openRedis } from '../../platform/redis.ts';
import { airBroadcasts } from '../../worker/dispatch/engine.ts';
import { dispatchJobId } from '../../worker/jobs/catalogue.ts';
import { createJobProducer, type JobProducer } from '../../worker/jobs/producer.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from '../integration/dispatch/world.ts';
import { type PrivatePostgres, startPrivatePostgres } from './support/postgres.ts';
import { killAllStarted, leftInGroup, startLoaProcess, until } from './support/processes.ts';

const AUDIO_SEC = 8;
let pg: PrivatePostgres;
let world: DispatchWorld;
let jobs: JobProducer;
const prefix = `faults-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  world = await dispatchWorld({ clusters: 1, audioSec: AUDIO_SEC, maxLateSec: 5, database: pg.kind });
  jobs = createJobProducer(openRedis(inject('redisUrl'), 'producer'), prefix);
});

afterAll(async () => {
  await killAllStarted();
  await jobs?.close();
  await world?.close();
  await pg?.destroy();
});

function worker(queues: string) {
  return startLoaProcess('worker/index.ts', {
    DATABASE_URL: world.db.target.kind === 'postgres' ? world.db.target.url : '',
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: prefix,
    LOA_DATA_DIR: world.dataDir,
    LOG_LEVEL: 'info',
    WORKER_QUEUES: queues,
    LOA_DISPATCH_MAX_LATE_SEC: '5',
  });
}

const row = (id: string) => world.db.prisma.broadcast.findUniqueOrThrow({ where: { id } });

describe('worker SIGKILLed mid-airing', () => {
  it('the airing is not aired again after the restart; the sweep ends it partial with the seconds aired', async () => {
    const first = worker('dispatch');
    await first.waitFor('workers started');
    const at = new Date(Math.ceil((Date.now() + 2_500) / 1000) * 1000);
    const broadcast = await world.db.prisma.broadcast.create({
      data: plannedRow(world, world.clusterIds[0] as string, at),
    });
    await jobs.enqueue('dispatch-instant', { at: at.toISOString() }, dispatchJobId(at));

    // Killed once the airing has recorded progress (the supervisor writes it with each renewal).
    await until('airing with progress', async () => {
      const b = await row(broadcast.id);
      return b.status === 'AIRING' && (b.secondsAired ?? 0) >= 1;
    });
    first.signal('SIGKILL');
    await first.exited;
    expect(leftInGroup(first.pgid)).toEqual([]);

    // The killed job's lock expires and BullMQ hands it to another worker (up to a minute later);
    // the engine run it makes is run here at once, in the worst window: the row still says AIRING.
    const rerun = await airBroadcasts(world.deps, { at }, new AbortController().signal);
    expect(rerun.aired).toEqual([]);
    expect((await row(broadcast.id)).status).toBe('AIRING');

    // Restarted: the sweep settles the airing (asked for now rather than at its 30 s period).
    const second = worker('dispatch,maintenance');
    await second.waitFor('workers started');
    let sweeps = 0;
    const settled = await until(
      'settled by the sweep',
      async () => {
        await jobs.enqueue('sweep-broadcasts', {}, `sweep-fault-${sweeps++}`);
        const b = await row(broadcast.id);
        return b.status !== 'AIRING' && b;
      },
      30_000,
    );

    const final = await row(broadcast.id);
    expect(final).toMatchObject({ status: 'PARTIAL', reasonCode: 'worker-lost', attempts: 1 });
    expect(final.updatedAt).toEqual(settled.updatedAt);
    expect(final.secondsAired).toBeGreaterThanOrEqual(1);
    expect(final.secondsAired).toBeLessThan(AUDIO_SEC);
    // The recording is what the cluster heard: at least the seconds counted, never a second airing.
    const heard = await probeMedia(world.recordingOf(broadcast.id));
    expect(heard.durationSec ?? 0).toBeGreaterThanOrEqual((final.secondsAired ?? 0) - 0.1);
    expect(heard.durationSec ?? 0).toBeLessThan((final.secondsAired ?? 0) + 1.5);
    expect(await world.db.prisma.broadcast.count()).toBe(1);
    second.signal('SIGTERM');
    await second.exited;
    expect(leftInGroup(second.pgid)).toEqual([]);
  }, 90_000);
});
