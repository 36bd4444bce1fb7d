// Every job Loa runs: its queue and its policy (attempts, backoff, timeout, retention) in one
// table, so reliability choices are read and changed in one place.
import { z } from 'zod';

export const QUEUES = ['transcode', 'dispatch', 'maintenance'] as const;
export type QueueName = (typeof QUEUES)[number];

export interface JobPolicy {
  queue: QueueName;
  /** Keep completed jobs (for inspection) or remove them at once, so the same id may run again. */
  keepCompleted?: boolean;
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  concurrency: number;
  payload: z.ZodType;
  /** Run by the maintenance worker on a fixed period (UTC), if set. */
  everyMs?: number;
}

export const JOBS = {
  'transcode-bulletin': {
    queue: 'transcode',
    attempts: 2,
    backoffMs: 30_000,
    timeoutMs: 30 * 60_000,
    concurrency: 1,
    payload: z.object({ bulletinId: z.uuid(), revision: z.number().int().min(0) }),
  },
  'reconcile-transcodes': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 60_000,
    concurrency: 1,
    payload: z.object({}),
    everyMs: 60_000,
  },
  'cleanup-tmp': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 5 * 60_000,
    concurrency: 1,
    payload: z.object({
      olderThanMs: z
        .number()
        .int()
        .positive()
        .default(24 * 3600_000),
    }),
    everyMs: 3600_000,
  },
  'materialise-broadcasts': {
    queue: 'maintenance',
    attempts: 3,
    backoffMs: 5_000,
    timeoutMs: 5 * 60_000,
    concurrency: 1,
    payload: z.object({ slotIds: z.array(z.uuid()).max(1000).optional() }),
    everyMs: 60_000,
  },
  'probe-clusters': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 5 * 60_000,
    concurrency: 1,
    payload: z.object({}),
    everyMs: 60_000,
  },
  // The 4G receivers' play commands, minutes ahead of their instants (worker/drivers/mqtt.ts).
  'announce-receivers': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 60_000,
    concurrency: 1,
    payload: z.object({}),
    everyMs: 60_000,
  },
  'sweep-broadcasts': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 60_000,
    concurrency: 1,
    payload: z.object({}),
    everyMs: 30_000,
  },
  // The log's chains recomputed in the background (worker/jobs/verify-log.ts): what was appended
  // since the last run, and the whole log once a day.
  'verify-log': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 30 * 60_000,
    concurrency: 1,
    payload: z.object({}),
    everyMs: 5 * 60_000,
  },
  // A dispatch job lasts as long as its airings (a 30-minute bulletin repeated…); the engine
  // stops sending on the signal, and its rows say what aired.
  // An auditor's report export (CSV/XLSX): the file and its progress under <media>/exports/.
  'export-report': {
    queue: 'maintenance',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 30 * 60_000,
    concurrency: 1,
    payload: z.object({ exportId: z.uuid() }),
  },
  'dispatch-instant': {
    queue: 'dispatch',
    attempts: 3,
    backoffMs: 1_000,
    timeoutMs: 6 * 3600_000,
    concurrency: 100,
    keepCompleted: false,
    payload: z.object({ at: z.iso.datetime() }),
  },
  'air-now': {
    queue: 'dispatch',
    attempts: 3,
    backoffMs: 1_000,
    timeoutMs: 6 * 3600_000,
    concurrency: 100,
    keepCompleted: false,
    payload: z.object({ broadcastIds: z.array(z.uuid()).min(1).max(10_000) }),
  },
} satisfies Record<string, JobPolicy>;

export type JobName = keyof typeof JOBS;

export const RETENTION = {
  removeOnComplete: { age: 2 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 5000 },
};

/** Job ids are derived from database ids, so enqueueing the same work twice is a no-op. */
export const transcodeJobId = (bulletinId: string, revision: number) => `tb-${bulletinId}-${revision}`;
/** One dispatch job per start instant, whatever the number of clusters due then. */
export const dispatchJobId = (at: Date) => `dsp-${at.getTime()}`;
/** An emergency or test-tone request: one job for all its clusters. */
export const airNowJobId = (requestId: string) => `now-${requestId}`;

/** One job per export asked for. */
export const exportJobId = (exportId: string) => `exp-${exportId}`;

export function jobsOfQueue(queue: QueueName): JobName[] {
  return (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].queue === queue);
}
