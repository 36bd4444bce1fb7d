// The operations metrics served at GET /metrics in Prometheus' text format. Everything is read at
// scrape time from the shared stores (PostgreSQL, Redis), so any API process answers for the
// whole installation and no worker has to report; each store is read at most once per
// `cacheMs`. Labels come from fixed sets (queues, states, statuses, kinds) or are capped
// (programmes): never a cluster, broadcast or commune id.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Logger } from '../../../platform/logger.ts';
import type { DbClient } from '../../../prisma/repositories/db.ts';
import {
  clusterStateCounts,
  endedBroadcastCounts,
  endedByProgramme,
  startSkewBuckets,
} from '../../../prisma/repositories/metrics.ts';
import type { JobProducer } from '../../../worker/jobs/producer.ts';
import { cappedProgrammes } from './programme-labels.ts';
import { QUEUE_STATES, queueStats, transcodeRuns } from './queue-stats.ts';
import { cachedFor } from './snapshot-cache.ts';
import { bucketsOf, registerWindowHistogram } from './window-histogram.ts';

/** Start skew bounds, seconds: a few ms is the engine's precision, a minute the lateness limit. */
export const SKEW_BUCKETS_SEC = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** Transcode bounds, seconds: a 6-minute bulletin takes ~10 s on 2 cores; the job's limit is 30 min. */
export const TRANSCODE_BUCKETS_SEC = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
/** Programmes named in labels; the rest of a window's programmes add up under "other". */
export const PROGRAMME_LABELS_MAX = 20;

export interface OperationsMetricsOptions {
  db: DbClient;
  jobs: JobProducer;
  logger: Logger;
  /** How long one reading of the database and of Redis serves every scrape. */
  cacheMs?: number;
  /** The window of the histograms and of the per-programme counts. */
  windowMs?: number;
  now?: () => number;
  /** A store slower than this counts as down for the scrape (Prometheus' default timeout is 10 s). */
  readTimeoutMs?: number;
}

type Reading<T> = { ok: true; value: T } | { ok: false };

export function createOperationsMetrics(options: OperationsMetricsOptions) {
  const { db, jobs, logger, cacheMs = 10_000, windowMs = 24 * 3600_000, now = Date.now } = options;
  const readTimeoutMs = options.readTimeoutMs ?? 4_000;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // A store that does not answer (in time) turns its metrics off, and loa_metrics_source_up to 0,
  // rather than failing or stalling the whole scrape: the other store's metrics are what an
  // operator needs then. BullMQ waits for a Redis that is down, hence the time limit.
  const guarded =
    <T>(source: string, read: () => Promise<T>) =>
    async (): Promise<Reading<T>> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${readTimeoutMs} ms`)), readTimeoutMs);
      });
      try {
        return { ok: true, value: await Promise.race([read(), late]) };
      } catch (err) {
        logger.warn({ module: 'metrics', source, err: (err as Error).message }, 'metrics source failed');
        return { ok: false };
      } finally {
        clearTimeout(timer);
      }
    };

  const database = cachedFor(
    cacheMs,
    guarded('database', async () => {
      const since = new Date(now() - windowMs);
      const [clusters, ended, byProgramme, skew] = await Promise.all([
        clusterStateCounts(db),
        endedBroadcastCounts(db),
        endedByProgramme(db, since),
        startSkewBuckets(
          db,
          since,
          SKEW_BUCKETS_SEC.map((s) => s * 1000),
        ),
      ]);
      return { clusters, ended, byProgramme: cappedProgrammes(byProgramme, PROGRAMME_LABELS_MAX), skew };
    }),
    now,
  );
  const redis = cachedFor(
    cacheMs,
    guarded('redis', async () => {
      const t = now();
      const [queues, transcodes] = await Promise.all([
        queueStats(jobs, t),
        transcodeRuns(jobs, t - windowMs),
      ]);
      return { queues, transcodes };
    }),
    now,
  );

  // Each collect() awaits its reading first and then resets and fills its metric in one
  // synchronous step: concurrent scrapes share a reading, and a reset before the await would let
  // them add their counts on top of each other.
  new Gauge({
    name: 'loa_metrics_source_up',
    help: 'Whether the last reading of a source of these metrics (database, redis) succeeded',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const [d, r] = await Promise.all([database(), redis()]);
      this.set({ source: 'database' }, d.ok ? 1 : 0);
      this.set({ source: 'redis' }, r.ok ? 1 : 0);
    },
  });

  new Gauge({
    name: 'loa_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (waiting, active, delayed, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const r = await redis();
      this.reset();
      if (!r.ok) return;
      for (const q of r.value.queues) {
        for (const state of QUEUE_STATES) this.set({ queue: q.queue, state }, q.counts[state]);
      }
    },
  });

  new Gauge({
    name: 'loa_queue_oldest_waiting_seconds',
    help: 'How long the oldest waiting job of each queue has waited since it became due (0: none waits)',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const r = await redis();
      this.reset();
      if (!r.ok) return;
      for (const q of r.value.queues) this.set({ queue: q.queue }, q.oldestWaitingSec);
    },
  });

  registerWindowHistogram(registry, {
    name: 'loa_transcode_duration_seconds',
    help: 'Run time of the transcodes that finished in the last 24 h (from the finished jobs BullMQ keeps), by outcome',
    bounds: TRANSCODE_BUCKETS_SEC,
    read: async () => {
      const r = await redis();
      if (!r.ok) return [];
      return (['completed', 'failed'] as const).map((outcome) => ({
        labels: { outcome },
        ...bucketsOf(
          r.value.transcodes.filter((t) => t.outcome === outcome).map((t) => t.seconds),
          TRANSCODE_BUCKETS_SEC,
        ),
      }));
    },
  });

  registerWindowHistogram(registry, {
    name: 'loa_broadcast_start_skew_seconds',
    help: 'Start skew (first audio sent minus the scheduled instant) of the broadcasts scheduled in the last 24 h that started',
    bounds: SKEW_BUCKETS_SEC,
    read: async () => {
      const d = await database();
      if (!d.ok) return [];
      const { skew } = d.value;
      return [{ labels: {}, buckets: skew.buckets, count: skew.count, sum: skew.sum / 1000 }];
    },
  });

  new Counter({
    name: 'loa_broadcasts_ended_total',
    help: 'Broadcasts (one cluster, one airing) that reached a final status, by status and kind (slot, emergency, test)',
    labelNames: ['status', 'kind'],
    registers: [registry],
    async collect() {
      const d = await database();
      this.reset();
      if (!d.ok) return;
      for (const row of d.value.ended) {
        this.inc({ status: row.status.toLowerCase(), kind: row.kind.toLowerCase() }, row.count);
      }
    },
  });

  new Gauge({
    name: 'loa_broadcasts_ended_last_24h',
    help: `Broadcasts scheduled in the last 24 h that ended, by programme (the ${PROGRAMME_LABELS_MAX} most frequent; "other", "none") and status`,
    labelNames: ['programme', 'status'],
    registers: [registry],
    async collect() {
      const d = await database();
      this.reset();
      if (!d.ok) return;
      for (const row of d.value.byProgramme) {
        this.set({ programme: row.programme, status: row.status.toLowerCase() }, row.count);
      }
    },
  });

  new Gauge({
    name: 'loa_clusters',
    help: 'Enabled clusters by health as Loa last observed it (online, offline, unknown)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const d = await database();
      this.reset();
      if (!d.ok) return;
      const counts = new Map(d.value.clusters.map((c) => [c.state.toLowerCase(), c.count]));
      for (const state of ['online', 'offline', 'unknown']) this.set({ state }, counts.get(state) ?? 0);
    },
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

export type OperationsMetrics = ReturnType<typeof createOperationsMetrics>;
