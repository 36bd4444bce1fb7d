/**
 * Materialisation benchmark (issue 11): one market morning for N clusters (communes of 20
 * clusters, one weekly market calendar and one slot each) on PostgreSQL. `loa` is the
 * materialise-broadcasts job; `naive` writes the same rows one INSERT at a time (the baseline).
 * Peak heap is sampled while it runs, above what was in use before.
 */
import { createLogger } from '../../platform/logger.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { materialiseBroadcasts } from '../../worker/jobs/materialise-broadcasts.ts';
import type { JobProducer } from '../../worker/jobs/producer.ts';
import { benchDatabase } from './postgres.ts';

const CLUSTERS_PER_COMMUNE = 20;
// Sunday 6 December 2026, 07:30 in Asia/Ho_Chi_Minh = 00:30 UTC; the window opens at 18:00 UTC the day before.
const NOW = Date.parse('2026-12-05T18:00:00Z');
const HORIZON_MS = 12 * 3600_000;

/** Enqueueing is not what is measured here (one job per instant: one job). */
const jobs: JobProducer = {
  enqueue: async () => {},
  queue: () => {
    throw new Error('not used');
  },
  close: async () => {},
};

export async function seed(db: Awaited<ReturnType<typeof benchDatabase>>, communes: number): Promise<void> {
  const run = (sql: string) => db.prisma.$executeRawUnsafe(sql);
  await run(`INSERT INTO "user" (id, username, "displayName", "passwordHash", "updatedAt")
             VALUES ('00000000-0000-4000-8000-000000000001', 'bench', 'Bench', 'x', now())`);
  await run(`INSERT INTO commune (id, code, name, province, languages, "updatedAt")
             SELECT md5('c'||i)::uuid, 'C'||i, 'Xã '||i, 'Tỉnh '||(i % 25), ARRAY['vie'], now()
             FROM generate_series(1, ${communes}) i`);
  await run(`INSERT INTO cluster (id, "communeId", name, "updatedAt")
             SELECT md5('k'||i||'-'||j)::uuid, md5('c'||i)::uuid, 'Cụm '||j, now()
             FROM generate_series(1, ${communes}) i, generate_series(1, ${CLUSTERS_PER_COMMUNE}) j`);
  await run(`INSERT INTO bulletin (id, "communeId", title, status, revision, "authorId", "approvedAt", "updatedAt")
             SELECT md5('b'||i)::uuid, md5('c'||i)::uuid, 'Bản tin '||i, 'READY', 1,
                    '00000000-0000-4000-8000-000000000001', now(), now()
             FROM generate_series(1, ${communes}) i`);
  await run(`INSERT INTO rendition (id, "bulletinId", revision, "profileId", path, "mimeType", codec, "sampleRate",
                                    channels, bytes, sha256, "durationSec", "integratedLufs", "truePeakDbtp")
             SELECT md5('r'||i)::uuid, md5('b'||i)::uuid, 1, 'wav-l16', 'renditions/'||i||'/1/wav-l16.wav',
                    'audio/wav', 'pcm_s16le', 16000, 1, 1000, repeat('a', 64), 300, -18, -2
             FROM generate_series(1, ${communes}) i`);
  await run(`INSERT INTO market_calendar (id, "communeId", name, rules, "updatedAt")
             SELECT md5('m'||i)::uuid, md5('c'||i)::uuid, 'Chợ phiên',
                    '[{"kind":"weekdays","days":["SU"]}]'::jsonb, now()
             FROM generate_series(1, ${communes}) i`);
  await run(`INSERT INTO slot (id, "calendarId", "timeOfDay", "durationSec", "updatedAt")
             SELECT md5('s'||i)::uuid, md5('m'||i)::uuid, '07:30', 300, now() FROM generate_series(1, ${communes}) i`);
  await run(`INSERT INTO slot_cluster ("slotId", "clusterId")
             SELECT md5('s'||i)::uuid, md5('k'||i||'-'||j)::uuid
             FROM generate_series(1, ${communes}) i, generate_series(1, ${CLUSTERS_PER_COMMUNE}) j`);
  await run(`INSERT INTO slot_bulletin ("slotId", position, "bulletinId")
             SELECT md5('s'||i)::uuid, 0, md5('b'||i)::uuid FROM generate_series(1, ${communes}) i`);
}

/** Runs `work`, sampling the heap every 20 ms; returns seconds and the peak above the start. */
async function measured(work: () => Promise<unknown>): Promise<{ seconds: number; peakMb: number }> {
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 20);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { seconds, peakMb: (peak - base) / 1e6 };
}

async function naiveInsert(db: Awaited<ReturnType<typeof benchDatabase>>): Promise<void> {
  const slots = await db.prisma.slot.findMany({ include: { clusters: true } });
  for (const slot of slots) {
    for (const { clusterId } of slot.clusters) {
      await db.prisma.broadcast.create({
        data: {
          slotId: slot.id,
          communeId: clusterId,
          clusterId,
          scheduledAt: new Date('2026-12-06T00:30:00Z'),
          priority: 'NORMAL',
          profileId: 'wav-l16',
          driverKind: 'RECORDER',
          durationSec: 300,
          plan: { items: [] },
        },
      });
    }
  }
}

export async function benchMaterialise(): Promise<{
  title: string;
  rows: Record<string, string | number>[];
}> {
  const rows: Record<string, string | number>[] = [];
  const logger = createLogger('silent');
  for (const [clusters, variants] of [
    [10_000, ['naive', 'loa']],
    // Two sizes past one page of slots: memory that follows the page, not the clusters, is flat.
    [50_000, ['loa']],
    [100_000, ['loa']],
  ] as const) {
    for (const variant of variants) {
      const db = await benchDatabase();
      try {
        await applyMigrations(db.adapterFactory);
        await seed(db, clusters / CLUSTERS_PER_COMMUNE);
        const { seconds, peakMb } = await measured(() =>
          variant === 'loa'
            ? materialiseBroadcasts(db.prisma, jobs, logger, {
                now: NOW,
                horizonMs: HORIZON_MS,
                leadMs: 15_000,
              })
            : naiveInsert(db),
        );
        const made = await db.prisma.broadcast.count();
        if (made !== clusters) throw new Error(`${variant}: ${made} rows for ${clusters} clusters`);
        rows.push({
          clusters,
          variant,
          seconds: seconds.toFixed(2),
          'rows per second': Math.round(made / seconds),
          'peak heap MB': peakMb.toFixed(0),
        });
      } finally {
        await db.drop();
      }
    }
  }
  return { title: 'Materialisation', rows };
}
