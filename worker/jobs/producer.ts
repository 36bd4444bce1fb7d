// Enqueueing, for the API and the workers' sweeps: ids only (never file contents), the job's
// policy from the catalogue, and a deterministic job id so asking twice cannot double the work.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, type JobName, type QueueName, RETENTION } from './catalogue.ts';

export interface JobProducer {
  enqueue<N extends JobName>(
    name: N,
    data: unknown,
    jobId: string,
    options?: { delayMs?: number },
  ): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export function createJobProducer(connection: Redis, prefix: string): JobProducer {
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      queues.set(name, q);
    }
    return q;
  };
  return {
    queue,
    async enqueue(name, data, jobId, options = {}) {
      const policy = JOBS[name];
      const payload = policy.payload.parse(data);
      const q = queue(policy.queue);
      // A failed job keeps its id for a while; asking again for the same work means retry it.
      const previous = await q.getJob(jobId);
      if (previous && (await previous.isFailed())) await previous.remove();
      await q.add(name, payload, {
        jobId,
        attempts: policy.attempts,
        backoff: policy.backoffMs ? { type: 'exponential', delay: policy.backoffMs } : undefined,
        ...(options.delayMs ? { delay: options.delayMs } : {}),
        ...RETENTION,
        ...('keepCompleted' in policy && policy.keepCompleted === false ? { removeOnComplete: true } : {}),
      });
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}
