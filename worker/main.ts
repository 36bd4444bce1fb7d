// Starts the BullMQ workers for the queues this process serves. The API never runs these;
// `npm start` runs them beside it on one machine, `worker/index.ts` runs them alone.
import { join } from 'node:path';
import { type Job, type Processor, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../server/config.ts';
import type { Logger } from '../server/logger.ts';
import { JOBS, type JobName, jobsOfQueue, type QueueName, RETENTION } from './jobs/catalogue.ts';
import { cleanupTmp } from './jobs/cleanup-tmp.ts';

export interface WorkerContext {
  config: Config;
  logger: Logger;
}

type Handler = (job: Job, ctx: WorkerContext) => Promise<unknown>;

const HANDLERS: Record<JobName, Handler> = {
  'cleanup-tmp': async (job, ctx) => {
    const { olderThanMs } = JOBS['cleanup-tmp'].payload.parse(job.data);
    return { removed: await cleanupTmp(join(ctx.config.mediaDir, 'tmp'), olderThanMs) };
  },
};

export interface RunningWorkers {
  queues: QueueName[];
  close(): Promise<void>;
}

function processorFor(queue: QueueName, ctx: WorkerContext): Processor {
  return async (job) => {
    const handler = HANDLERS[job.name as JobName];
    if (!handler || JOBS[job.name as JobName].queue !== queue) throw new Error(`No handler for ${job.name}`);
    return handler(job, ctx);
  };
}

export async function startWorkers(
  ctx: WorkerContext,
  connection: Redis,
  queues: readonly QueueName[],
): Promise<RunningWorkers> {
  const prefix = ctx.config.REDIS_PREFIX;
  const workers: Worker[] = [];
  const schedulers: Queue[] = [];
  const served = queues.filter((q) => jobsOfQueue(q).length > 0);
  for (const queue of served) {
    const concurrency = Math.max(...jobsOfQueue(queue).map((name) => JOBS[name].concurrency));
    const worker = new Worker(queue, processorFor(queue, ctx), {
      connection,
      prefix,
      concurrency,
      maxStalledCount: 1,
    });
    worker.on('failed', (job, err) =>
      ctx.logger.warn({ module: 'worker', queue, jobId: job?.id, err }, 'job failed'),
    );
    worker.on('error', (err) => ctx.logger.error({ module: 'worker', queue, err }, 'worker error'));
    workers.push(worker);
    const periodic = jobsOfQueue(queue).filter((name) => JOBS[name].everyMs);
    if (periodic.length > 0) {
      const scheduler = new Queue(queue, { connection, prefix });
      for (const name of periodic) {
        await scheduler.upsertJobScheduler(
          name,
          { every: JOBS[name].everyMs, tz: 'UTC' },
          { name, data: {}, opts: { attempts: JOBS[name].attempts, ...RETENTION } },
        );
      }
      schedulers.push(scheduler);
    }
  }
  ctx.logger.info({ module: 'worker', queues: served }, 'workers started');
  return {
    queues: served,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(schedulers.map((q) => q.close()));
    },
  };
}
