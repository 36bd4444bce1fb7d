// Starts the BullMQ workers for the queues this process serves. The API never runs these;
// `npm start` runs them beside it on one machine, `worker/index.ts` runs them alone.
import { join } from 'node:path';
import { type Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { MediaStore } from '../media/store.ts';
import type { Config } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { DbClient } from '../prisma/repositories/db.ts';
import { JobTimeoutError, runWithin, WorkerStoppingError } from './deadline.ts';
import type { Clock } from './dispatch/clock.ts';
import { systemClock } from './dispatch/clock.ts';
import { createDispatchDeps, dispatchSettings } from './dispatch/context.ts';
import type { DispatchDeps } from './dispatch/deps.ts';
import { airBroadcasts } from './dispatch/engine.ts';
import type { Driver } from './drivers/driver.ts';
import { createDrivers } from './drivers/registry.ts';
import { announceReceivers } from './jobs/announce-receivers.ts';
import {
  airNowJobId,
  JOBS,
  type JobName,
  type JobPolicy,
  jobsOfQueue,
  type QueueName,
  RETENTION,
} from './jobs/catalogue.ts';
import { cleanupTmp } from './jobs/cleanup-tmp.ts';
import { exportReport } from './jobs/export-report.ts';
import { materialiseBroadcasts } from './jobs/materialise-broadcasts.ts';
import { probeClusters } from './jobs/probe-clusters.ts';
import { createJobProducer, type JobProducer } from './jobs/producer.ts';
import { reconcileTranscodes } from './jobs/reconcile-transcodes.ts';
import { sweepBroadcasts } from './jobs/sweep-broadcasts.ts';
import { markTranscodeFailed, transcodeBulletin } from './jobs/transcode-bulletin.ts';
import { verifyLogJob } from './jobs/verify-log.ts';
import { type Receivers, startReceivers } from './receivers/service.ts';

export interface WorkerContext {
  config: Config;
  logger: Logger;
  db: DbClient;
}

export interface WorkerOptions {
  /** A shorter (or longer) limit than the catalogue's for some jobs, e.g. in tests. */
  timeoutMs?: Partial<Record<JobName, number>>;
  /** The dispatcher's clock (the fault suite runs a year of market days on a warped one). */
  clock?: Clock;
}

interface HandlerContext extends WorkerContext {
  store: MediaStore;
  jobs: JobProducer;
  dispatch: DispatchDeps;
  drivers: ReadonlyMap<string, Driver>;
  receivers: Receivers | null;
  redis: Redis;
}

/** A handler stops its children and returns (or throws) soon after `signal` fires. */
type Handler = (job: Job, ctx: HandlerContext, signal: AbortSignal) => Promise<unknown>;

/** One handler per job name; the Record type makes a missing one a compile error. */
const HANDLERS: Record<JobName, Handler> = {
  'cleanup-tmp': async (job, ctx) => {
    const { olderThanMs } = JOBS['cleanup-tmp'].payload.parse(job.data);
    return { removed: await cleanupTmp(join(ctx.config.mediaDir, 'tmp'), olderThanMs) };
  },
  'transcode-bulletin': (job, ctx, signal) => transcodeBulletin(job, ctx, signal),
  'reconcile-transcodes': (_job, ctx) => reconcileTranscodes(ctx.db, ctx.jobs),
  'materialise-broadcasts': (job, ctx) => {
    const { slotIds } = JOBS['materialise-broadcasts'].payload.parse(job.data);
    return materialiseBroadcasts(ctx.db, ctx.jobs, ctx.logger, {
      now: ctx.dispatch.clock.now(),
      ...dispatchSettings(ctx.config),
      ...(slotIds ? { slotIds } : {}),
    });
  },
  'announce-receivers': (_job, ctx) =>
    announceReceivers(ctx, {
      now: ctx.dispatch.clock.now(),
      announceMs: ctx.config.LOA_MQTT_ANNOUNCE_MIN * 60_000,
    }),
  'probe-clusters': (_job, ctx, signal) => probeClusters(ctx.db, ctx.drivers, ctx.logger, signal),
  'sweep-broadcasts': (_job, ctx) =>
    sweepBroadcasts(ctx.db, {
      now: ctx.dispatch.clock.now(),
      lateness: ctx.dispatch.lateness,
      leaseTtlMs: ctx.dispatch.lease.ttlMs,
      leadMs: dispatchSettings(ctx.config).leadMs,
    }),
  'export-report': (job, ctx) => {
    const { exportId } = JOBS['export-report'].payload.parse(job.data);
    return exportReport(ctx.db, ctx.store.root, exportId, (p) => job.updateProgress(Math.round(p * 100)));
  },
  'verify-log': (_job, ctx) =>
    verifyLogJob(ctx.db, ctx.redis, ctx.config.REDIS_PREFIX, new Date(ctx.dispatch.clock.now())),
  'dispatch-instant': (job, ctx, signal) => {
    const { at } = JOBS['dispatch-instant'].payload.parse(job.data);
    return airBroadcasts(ctx.dispatch, { at: new Date(at) }, signal);
  },
  'air-now': (job, ctx, signal) => {
    const { broadcastIds } = JOBS['air-now'].payload.parse(job.data);
    return airBroadcasts(ctx.dispatch, { ids: broadcastIds }, signal);
  },
};

/** Compensation once a job has failed for good. */
const ON_FINAL_FAILURE: Partial<
  Record<JobName, (job: Job, err: Error, ctx: HandlerContext) => Promise<void>>
> = {
  'transcode-bulletin': async (job, err, ctx) => {
    await markTranscodeFailed(ctx.db, job.data, err.message);
  },
};

export interface RunningWorkers {
  queues: QueueName[];
  /** Stops the jobs in hand (they go back to their queue) and the workers. */
  close(): Promise<void>;
}

export async function startWorkers(
  base: WorkerContext,
  connection: Redis,
  queues: readonly QueueName[],
  options: WorkerOptions = {},
): Promise<RunningWorkers> {
  const prefix = base.config.REDIS_PREFIX;
  const jobs = createJobProducer(connection.duplicate(), prefix);
  const store = new MediaStore(base.config.mediaDir);
  // One broker connection per process: its receipts settle rows whoever sent the command.
  const receivers = await startReceivers({ ...base, now: () => systemClock.now() });
  const drivers = createDrivers(base.config, receivers ? [receivers.driver] : []);
  const dispatch = createDispatchDeps({
    ...base,
    store,
    drivers,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  dispatch.airSoon = async (ids) => {
    await jobs.enqueue('air-now', { broadcastIds: ids }, airNowJobId(ids[0] as string));
  };
  const ctx: HandlerContext = { ...base, store, jobs, dispatch, drivers, receivers, redis: connection };
  const stopping = new AbortController();
  const workers: Worker[] = [];
  const schedulers: Queue[] = [];
  const unschedule: (() => void)[] = [];
  const served = queues.filter((q) => jobsOfQueue(q).length > 0);
  for (const queue of served) {
    const concurrency = Math.max(...jobsOfQueue(queue).map((name) => JOBS[name].concurrency));
    const worker = new Worker(
      queue,
      // Three parameters: BullMQ hands a cancellation signal only to processors that take one.
      async (job, token, cancelled) => {
        const name = job.name as JobName;
        if (!HANDLERS[name] || JOBS[name].queue !== queue) {
          throw new Error(`No handler for ${job.name} on ${queue}`);
        }
        try {
          return await runWithin(
            {
              timeoutMs: options.timeoutMs?.[name] ?? JOBS[name].timeoutMs,
              what: name,
              stops: [stopping.signal, ...(cancelled ? [cancelled] : [])],
            },
            (signal) => HANDLERS[name](job, ctx, signal),
          );
        } catch (err) {
          if (err instanceof WorkerStoppingError && token) {
            // Not the job's fault: back to the queue for the next worker, no attempt spent.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          // A job that ran out of time would run out again: final, whatever attempts are left.
          const failure = err instanceof JobTimeoutError ? new UnrecoverableError(err.message) : err;
          // Compensate before BullMQ records the failure, so whoever hears "failed" reads
          // the database already saying why.
          const final =
            failure instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          const compensate = ON_FINAL_FAILURE[name];
          if (final && compensate) await compensate(job, failure as Error, ctx);
          throw failure;
        }
      },
      { connection, prefix, concurrency, maxStalledCount: 1 },
    );
    worker.on('failed', (job, err) => {
      base.logger.warn({ module: 'worker', queue, jobId: job?.id, err }, 'job failed');
      // A job failed for good without running (past the stall limit: workers died with it) never
      // reached the compensation above; a compare-and-set, so one that did changes nothing.
      const compensate = job && ON_FINAL_FAILURE[job.name as JobName];
      if (!job?.finishedOn || !compensate) return;
      compensate(job, err, ctx).catch((e: Error) =>
        base.logger.error({ module: 'worker', queue, jobId: job.id, err: e }, 'failure not recorded'),
      );
    });
    worker.on('error', (err) => base.logger.error({ module: 'worker', queue, err }, 'worker error'));
    workers.push(worker);
    const policy = (name: JobName): JobPolicy => JOBS[name];
    const periodic = jobsOfQueue(queue).filter((name) => policy(name).everyMs);
    if (periodic.length > 0) {
      const scheduler = new Queue(queue, { connection, prefix });
      const schedule = async () => {
        for (const name of periodic) {
          await scheduler.upsertJobScheduler(
            name,
            { every: policy(name).everyMs, tz: 'UTC' },
            { name, data: {}, opts: { attempts: JOBS[name].attempts, ...RETENTION } },
          );
        }
      };
      await schedule();
      // A Redis that comes back empty (lost, or restored from an older copy) has no schedules:
      // without them nothing would materialise or sweep again until a restart. Upserting is
      // idempotent, so they are put back on every reconnection.
      const reschedule = () =>
        schedule().catch((err) =>
          base.logger.warn({ module: 'worker', queue, err }, 'job schedules not restored'),
        );
      connection.on('ready', reschedule);
      unschedule.push(() => connection.off('ready', reschedule));
      schedulers.push(scheduler);
    }
  }
  base.logger.info({ module: 'worker', queues: served }, 'workers started');
  return {
    queues: served,
    close: async () => {
      // Closing first, so no new job is taken; then the jobs in hand are stopped.
      const closed = Promise.all(workers.map((w) => w.close()));
      stopping.abort(new WorkerStoppingError('the worker is stopping'));
      await closed;
      for (const off of unschedule) off();
      await Promise.all(schedulers.map((q) => q.close()));
      await jobs.close();
      await Promise.all([...drivers.values()].map((d) => d.close?.()));
      await receivers?.close();
    },
  };
}
