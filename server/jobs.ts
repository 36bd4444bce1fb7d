// The API's side of the job queue: it only ever enqueues (ids, never file contents), with the
// job's policy from the catalogue and a deterministic job id so a retry cannot double it.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, type JobName, type QueueName, RETENTION } from '../worker/jobs/catalogue.ts';

export interface JobProducer {
  enqueue<N extends JobName>(name: N, data: unknown, jobId: string): Promise<void>;
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
    async enqueue(name, data, jobId) {
      const policy = JOBS[name];
      const payload = policy.payload.parse(data);
      await queue(policy.queue).add(name, payload, {
        jobId,
        attempts: policy.attempts,
        backoff: policy.backoffMs ? { type: 'exponential', delay: policy.backoffMs } : undefined,
        ...RETENTION,
      });
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}
