// Fault: Redis SIGKILLed and restarted on its AOF, then Redis lost entirely (data dir wiped).
// Redis only carries work; the rows in the database are the plan. Each time, the market-day slot
// still airs on every cluster, exactly once: the delayed dispatch job survives in the AOF, or
// the materialiser (whose job scheduler the workers put back) makes it again from the rows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { dispatchJobId } from '../../worker/jobs/catalogue.ts';
import { createJobProducer, type JobProducer } from '../../worker/jobs/producer.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { type DispatchWorld, dispatchWorld } from '../integration/dispatch/world.ts';
import { until } from './support/processes.ts';
import { type KillableRedis, killableRedis } from './support/redis.ts';
import { localInstant, plannableSlot, warpedClock } from './support/slot-world.ts';

let world: DispatchWorld;
let redis: KillableRedis;
let workers: RunningWorkers;
const clock = warpedClock();
const connections: { disconnect(): void }[] = [];
let slotId: string;
const prefix = `faults-${randomUUID().slice(0, 8)}`;
let jobs: JobProducer;

beforeAll(async () => {
  world = await dispatchWorld({ clusters: 2, audioSec: 2, maxLateSec: 5 });
  redis = await killableRedis();
  ({ slotId } = await plannableSlot(world, {
    rules: [{ kind: 'weekdays', days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] }],
    timeOfDay: '07:30',
  }));
  const config = loadConfig({
    LOA_DATA_DIR: world.dataDir,
    REDIS_PREFIX: prefix,
    LOA_DISPATCH_LEAD_SEC: '2',
    LOA_DISPATCH_MAX_LATE_SEC: '5',
    LOA_DISPATCH_HORIZON_HOURS: '1',
  });
  const connection = openRedis(redis.url, 'worker');
  connections.push(connection);
  jobs = createJobProducer(openRedis(redis.url, 'worker'), prefix);
  // Early on a market morning: the 07:30 slot is beyond the horizon until a test moves the clock.
  clock.warpTo(localInstant('2027-03-10', '05:00:00'));
  workers = await startWorkers(
    { config, logger: createLogger('silent'), db: world.db.prisma },
    connection,
    ['dispatch', 'maintenance'],
    { clock },
  );
});

afterAll(async () => {
  await workers?.close();
  await jobs?.close();
  for (const c of connections) c.disconnect();
  await redis?.destroy();
  await world?.close();
});

const rowsAt = (at: number) =>
  world.db.prisma.broadcast.findMany({
    where: { slotId, scheduledAt: new Date(at) },
    orderBy: { clusterId: 'asc' },
  });

async function airsOnceOnEveryCluster(at: number) {
  const rows = await until(
    'every cluster aired',
    async () => {
      const r = await rowsAt(at);
      return (
        r.length === world.clusterIds.length &&
        r.every((b) => !['PLANNED', 'STARTING', 'AIRING'].includes(b.status)) &&
        r
      );
    },
    40_000,
  );
  for (const b of rows) expect(b).toMatchObject({ status: 'AIRED', attempts: 1 });
  expect(rows.map((b) => b.clusterId).sort()).toEqual([...world.clusterIds].sort());
}

/** The dispatch job of the instant, as BullMQ holds it (or undefined). */
async function dispatchJobOf(at: number) {
  const probe = openRedis(redis.url, 'producer');
  try {
    const key = `${prefix}:dispatch:${dispatchJobId(new Date(at))}`;
    return (await probe.exists(key)) === 1;
  } finally {
    probe.disconnect();
  }
}

describe('Redis faults', () => {
  it('killed and restarted on its AOF: the planned slot airs once on every cluster', async () => {
    // 12 s before the slot (however long the workers took to start): 12 real seconds away.
    clock.warpTo(localInstant('2027-03-10', '07:29:48'));
    const at = localInstant('2027-03-10', '07:30:00');
    await jobs.enqueue('materialise-broadcasts', {}, `mat-${randomUUID()}`);
    await until('dispatch job delayed in Redis', () => dispatchJobOf(at), 15_000);
    await new Promise((r) => setTimeout(r, 1_100)); // appendfsync everysec: the job is on disk
    await redis.kill();
    await redis.start();
    await airsOnceOnEveryCluster(at);
  }, 60_000);

  it('lost entirely (data dir wiped): the rows are materialised into jobs again and air once', async () => {
    clock.warpTo(localInstant('2027-03-11', '07:29:45'));
    const at = localInstant('2027-03-11', '07:30:00');
    // The materialiser has planned the morning (its scheduler runs every minute; asked for now).
    await jobs.enqueue('materialise-broadcasts', {}, `mat-${randomUUID()}`);
    await until('dispatch job delayed in Redis', () => dispatchJobOf(at), 15_000);
    await redis.kill();
    await redis.wipe();
    await redis.start();
    expect(await dispatchJobOf(at)).toBe(false);
    await airsOnceOnEveryCluster(at);
  }, 60_000);
});
