// What the job queues hold, read from BullMQ at scrape time. Redis is shared by every worker
// process, so one API process sees the work of all of them without the workers reporting.
import type { Job } from 'bullmq';
import { QUEUES, type QueueName } from '../../../worker/jobs/catalogue.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export interface QueueStats {
  queue: QueueName;
  counts: Record<(typeof QUEUE_STATES)[number], number>;
  /** Seconds the oldest waiting job has waited since it became due (0 when none waits). */
  oldestWaitingSec: number;
}

export interface FinishedRun {
  outcome: 'completed' | 'failed';
  seconds: number;
}

/** Finished transcodes read per outcome, newest first: a bound on a scrape's Redis work. */
const FINISHED_READ_LIMIT = 500;

async function statsOf(jobs: JobProducer, name: QueueName, now: number): Promise<QueueStats> {
  const queue = jobs.queue(name);
  const [counts, oldest] = await Promise.all([
    queue.getJobCounts(...QUEUE_STATES),
    // Ascending: the head of the wait list, the next job a worker takes.
    queue.getWaiting(0, 0),
  ]);
  const head = oldest[0];
  // A delayed job waits from the moment it became due, not from when it was added.
  const dueAt = head ? head.timestamp + (head.delay ?? 0) : now;
  return {
    queue: name,
    counts: Object.fromEntries(QUEUE_STATES.map((s) => [s, counts[s] ?? 0])) as QueueStats['counts'],
    oldestWaitingSec: Math.max(0, (now - dueAt) / 1000),
  };
}

export function queueStats(jobs: JobProducer, now = Date.now()): Promise<QueueStats[]> {
  return Promise.all(QUEUES.map((name) => statsOf(jobs, name, now)));
}

const runSeconds = (job: Job) =>
  job.processedOn && job.finishedOn ? (job.finishedOn - job.processedOn) / 1000 : null;

/**
 * How long the transcodes that finished since `since` ran (their last attempt), from the
 * finished jobs BullMQ keeps (catalogue RETENTION: two days of completed ones).
 */
export async function transcodeRuns(jobs: JobProducer, since: number): Promise<FinishedRun[]> {
  const queue = jobs.queue('transcode');
  const runs: FinishedRun[] = [];
  for (const outcome of ['completed', 'failed'] as const) {
    const finished = await queue.getJobs([outcome], 0, FINISHED_READ_LIMIT - 1);
    for (const job of finished) {
      const seconds = runSeconds(job);
      if (seconds !== null && (job.finishedOn ?? 0) >= since) runs.push({ outcome, seconds });
    }
  }
  return runs;
}
