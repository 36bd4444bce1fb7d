import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, expect, inject, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { pgliteKind } from '../setup/databases.ts';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const connection = openRedis(inject('redisUrl'), 'worker');
const closers: (() => Promise<unknown>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  connection.disconnect();
});

it('on start, the maintenance worker removes the old temp dirs a crash left behind, then runs hourly in UTC', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'loa-worker-'));
  const config = loadConfig({ LOA_DATA_DIR: dataDir, REDIS_PREFIX: prefix });
  const tmp = join(config.mediaDir, 'tmp');
  await mkdir(join(tmp, 'stale-job'), { recursive: true });
  await mkdir(join(tmp, 'running-job'), { recursive: true });
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600_000);
  await utimes(join(tmp, 'stale-job'), twoDaysAgo, twoDaysAgo);

  const events = new QueueEvents('maintenance', {
    connection: openRedis(inject('redisUrl'), 'worker'),
    prefix,
  });
  closers.push(() => events.close());
  await events.waitUntilReady();
  const firstRun = new Promise<unknown>((done) =>
    events.on('completed', ({ jobId, returnvalue }) => {
      if (jobId.includes('cleanup-tmp')) done(returnvalue);
    }),
  );

  const db = await pgliteKind.openMigrated();
  closers.push(() => db.drop());
  const workers: RunningWorkers = await startWorkers(
    { config, logger: createLogger('silent'), db: db.prisma },
    connection,
    ['transcode', 'dispatch', 'maintenance'],
  );
  closers.push(() => workers.close());
  // Every queue now has job kinds (dispatch: dispatch-instant, air-now), so each gets a worker.
  expect(workers.queues).toEqual(['transcode', 'dispatch', 'maintenance']);

  expect(await firstRun).toEqual({ removed: ['stale-job'] });
  expect(await readdir(tmp)).toEqual(['running-job']);

  const queue = new Queue('maintenance', { connection, prefix });
  closers.push(() => queue.close());
  expect(await queue.getJobSchedulers()).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ key: 'cleanup-tmp', every: 3600_000, tz: 'UTC' }),
      expect.objectContaining({ key: 'reconcile-transcodes', every: 60_000, tz: 'UTC' }),
    ]),
  );
});
