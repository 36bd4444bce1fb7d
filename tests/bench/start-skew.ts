/**
 * Start-skew benchmark (issue 11): N loopback RTP clusters all due at one instant; how late each
 * one's first packet arrives. Receivers are child processes (./receivers.ts, at most PER_RECEIVER
 * sockets each) that only timestamp the first packet of each socket on the system-wide monotonic
 * clock; skew = arrival − scheduled instant, spread = last arrival − first.
 *
 * - `floor`: a bare loop sending one packet to every destination at the instant (no database, no
 *   queue): what this machine and this way of measuring cannot go below.
 * - `loa`: broadcast rows for N RTP clusters (PCMU, unicast) aired by `airBroadcasts`, called
 *   LEAD_MS ahead as the dispatch job would be (the production lead is 15 s); `prepare s` = from
 *   that call until the engine first waits (claims, driver preparation, leases).
 * - `naive`: plain BullMQ delayed jobs, one per cluster (delay = instant − now), a Worker of
 *   concurrency 50 whose processor sends the cluster's first RTP packet when the job runs;
 *   `prepare s` = adding the jobs.
 *
 * Database: PostgreSQL via ./postgres.ts (LOA_BENCH_DB=pglite for PGlite, which took 2–3× as long
 * to prepare: ~4–6 s for 1,000 clusters against ~1.3–2 s).
 */
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { MediaStore } from '../../media/store.ts';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import type { Database } from '../../prisma/database.ts';
import { applyMigrations } from '../../prisma/migrate.ts';
import { startRedisChild } from '../../scripts/redis-child.ts';
import { type Clock, systemClock } from '../../worker/dispatch/clock.ts';
import { createDispatchDeps } from '../../worker/dispatch/context.ts';
import { airBroadcasts } from '../../worker/dispatch/engine.ts';
import { RtpDriver } from '../../worker/drivers/rtp.ts';
import { makeRendition } from '../integration/drivers/renditions.ts';
import { pgliteKind } from '../setup/databases.ts';
import { benchDatabase } from './postgres.ts';
import { type FirstReport, monotonicMs, Receivers } from './receivers.ts';

/** LOA_BENCH_SKEW_SIZES=100,1000 runs fewer sizes (while working on the engine). */
const SIZES = process.env.LOA_BENCH_SKEW_SIZES?.split(',').map(Number) ?? [100, 1000, 10_000];
/** Sockets per receiver process: one Node process reading 1,000 sockets adds ~10 ms of its own. */
const PER_RECEIVER = 500;
/** Audio per airing: only the first packet is measured; short keeps 10,000 airings cheap. */
const AUDIO_SEC = 0.5;
/**
 * How long before the instant the engine is called, per size: the dispatch job's lead in
 * production is 15 s, which 10,000 clusters need (their preparation took ~2–5 s here).
 */
const LEAD_MS: Record<number, number> = { 100: 3_000, 1000: 6_000, 10000: 15_000 };
const NAIVE_CONCURRENCY = 50;

type Row = Record<string, string | number>;

interface Arrivals {
  skews: number[];
  spread: number;
}

/** Runs `air` (which must leave every first packet sent) and reads the receivers' first arrivals. */
async function measure(receivers: Receivers, at: number, air: () => Promise<void>): Promise<Arrivals> {
  // The instant on the monotonic clock the receivers use (engine and BullMQ go by the wall clock).
  const atMono = monotonicMs() + (at - systemClock.now());
  await air();
  const reports = await receivers.report<FirstReport>();
  const firsts = reports.flatMap((r) => r.first).filter((t): t is number => t !== null);
  const skews = firsts.map((t) => t - atMono).sort((a, b) => a - b);
  return { skews, spread: skews.length ? (skews.at(-1) ?? 0) - (skews[0] ?? 0) : 0 };
}

function row(clusters: number, variant: string, a: Arrivals, extra: Row): Row {
  const pct = (p: number) =>
    a.skews[Math.min(a.skews.length - 1, Math.floor(a.skews.length * p))] ?? Number.NaN;
  return {
    clusters,
    variant,
    'p50 ms': pct(0.5).toFixed(1),
    'p99 ms': pct(0.99).toFixed(1),
    'max ms': (a.skews.at(-1) ?? Number.NaN).toFixed(1),
    'spread ms': a.spread.toFixed(1),
    received: a.skews.length,
    ...extra,
    load: loadavg()[0]?.toFixed(1) ?? '',
  };
}

/** A PCMU packet of silence: what the floor and the naive variant send. */
function rtpPacket(): Buffer {
  const packet = Buffer.alloc(12 + 160, 0xff);
  packet.writeUInt8(0x80, 0);
  packet.writeUInt8(0, 1);
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(0, 4);
  packet.writeUInt32BE(0x10a, 8);
  return packet;
}

async function floor(receivers: Receivers, clusters: number): Promise<Row> {
  const socket = createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  const packet = rtpPacket();
  const at = Math.ceil(systemClock.now() + 1000);
  const result = await measure(receivers, at, async () => {
    await systemClock.waitUntil(at);
    let left = receivers.ports.length;
    await new Promise<void>((resolve) => {
      for (const port of receivers.ports) socket.send(packet, port, '127.0.0.1', () => --left || resolve());
    });
  });
  socket.close();
  return row(clusters, 'floor', result, {});
}

interface LoaWorld {
  db: Database & { drop(): Promise<void> };
  dbKind: string;
  driver: RtpDriver;
  deps: ReturnType<typeof createDispatchDeps>;
  plan: object;
  /** When the engine first waited (its preparation done). */
  waiting: { since?: number };
  close(): Promise<void>;
}

async function loaWorld(dir: string): Promise<LoaWorld> {
  const config = loadConfig({ LOA_DATA_DIR: dir, LOG_LEVEL: 'silent' });
  const store = new MediaStore(config.mediaDir);
  const renditions = join(config.mediaDir, 'renditions', 'bench');
  await mkdir(renditions, { recursive: true });
  const path = await makeRendition(renditions, 'pcmu-8k', AUDIO_SEC);
  const bytes = (await stat(path)).size;
  const dbKind = process.env.LOA_BENCH_DB === 'pglite' ? 'pglite' : 'postgres';
  const db = dbKind === 'postgres' ? await benchDatabase() : await pgliteKind.open();
  await applyMigrations(db.adapterFactory);
  const waiting: { since?: number } = {};
  const clock: Clock = {
    now: systemClock.now,
    // The engine's first wait once called: its preparation is done.
    waitUntil(at, signal) {
      waiting.since ??= systemClock.now();
      return systemClock.waitUntil(at, signal);
    },
  };
  const driver = new RtpDriver();
  const deps = createDispatchDeps({
    config,
    db: db.prisma,
    store,
    logger: createLogger(process.env.LOG_LEVEL === 'warn' ? 'warn' : 'silent'),
    drivers: new Map([['RTP', driver]]),
    clock,
  });
  const plan = {
    items: [
      {
        bulletinId: '00000000-0000-4000-8000-000000000001',
        renditionId: '00000000-0000-4000-8000-000000000002',
        path: relative(config.mediaDir, path),
        sha256: 'b'.repeat(64),
        bytes,
        durationSec: AUDIO_SEC,
        segments: [{ kind: 'language', language: 'vie', startSec: 0, durationSec: AUDIO_SEC }],
      },
    ],
  };
  return {
    db,
    dbKind,
    driver,
    deps,
    plan,
    waiting,
    close: async () => {
      await driver.close();
      await db.drop();
    },
  };
}

let communes = 0;

/** A commune whose clusters are the receivers' ports (RTP, PCMU, unicast on loopback). */
async function seedClusters(world: LoaWorld, ports: number[]): Promise<string> {
  const n = ++communes;
  const [commune] = await world.db.prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO commune (id, code, name, province, languages, "updatedAt")
    VALUES (gen_random_uuid(), ${`BENCH${n}`}, ${`Xã ${n}`}, 'Lai Châu', ARRAY['vie'], now())
    RETURNING id::text AS id`;
  const communeId = commune?.id as string;
  await world.db.prisma.$executeRaw`
    INSERT INTO cluster (id, "communeId", name, "driverKind", "driverConfig", "updatedAt")
    SELECT gen_random_uuid(), ${communeId}::uuid, 'Cụm ' || p.ord, 'RTP',
           jsonb_build_object('host', '127.0.0.1', 'port', p.port::int, 'payloadType', 0), now()
    FROM jsonb_array_elements_text(${JSON.stringify(ports)}::jsonb) WITH ORDINALITY AS p(port, ord)`;
  return communeId;
}

/** Every cluster of the commune due at `at` (ms), as materialisation leaves them. */
async function seedDue(world: LoaWorld, communeId: string, at: number): Promise<void> {
  await world.db.prisma.$executeRaw`
    INSERT INTO broadcast (id, kind, "communeId", "clusterId", "scheduledAt", priority, "profileId",
                           "driverKind", "durationSec", plan, "updatedAt")
    SELECT gen_random_uuid(), 'SLOT', c."communeId", c.id, to_timestamp(${at} / 1000.0), 'NORMAL', 'pcmu-8k',
           'RTP', ${AUDIO_SEC}, ${JSON.stringify(world.plan)}::jsonb, now()
    FROM cluster c WHERE c."communeId" = ${communeId}::uuid`;
}

async function loa(world: LoaWorld, receivers: Receivers, clusters: number, communeId: string): Promise<Row> {
  const leadMs = LEAD_MS[clusters] ?? 15_000;
  const at = Math.ceil(systemClock.now() + leadMs + 200);
  await seedDue(world, communeId, at);
  await systemClock.waitUntil(at - leadMs);
  const called = systemClock.now();
  delete world.waiting.since;
  let aired = 0;
  let total = 0;
  const result = await measure(receivers, at, async () => {
    const started = performance.now();
    aired = (await airBroadcasts(world.deps, { at: new Date(at) }, new AbortController().signal)).aired
      .length;
    total = (performance.now() - started) / 1000;
  });
  const waited = world.waiting.since;
  // What Loa itself recorded (firstAudioAt − scheduledAt, by the sender's clock).
  const [recorded] = await world.db.prisma.$queryRaw<{ max: number | null }[]>`
    SELECT max("skewMs") AS max FROM broadcast WHERE "scheduledAt" = to_timestamp(${at} / 1000.0)`;
  return row(clusters, 'loa', result, {
    db: world.dbKind,
    'prepare s': waited === undefined ? '?' : ((waited - called) / 1000).toFixed(2),
    'lead s': leadMs / 1000,
    aired,
    'engine total s': total.toFixed(1),
    'skew Loa recorded max ms': recorded?.max?.toFixed(1) ?? '',
  });
}

async function naive(redisUrl: string, receivers: Receivers, clusters: number): Promise<Row> {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const name = `start-skew-${clusters}-${Date.now()}`;
  const queue = new Queue<{ port: number | null }>(name, { connection });
  const socket = createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  const packet = rtpPacket();
  let done = 0;
  let allDone: () => void = () => {};
  const worker = new Worker<{ port: number | null }>(
    name,
    async (job) => {
      const { port } = job.data;
      if (port !== null) {
        await new Promise<void>((resolve, reject) =>
          socket.send(packet, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
        );
      }
      if (++done === clusters) allDone();
    },
    { connection, concurrency: NAIVE_CONCURRENCY, removeOnComplete: { count: 0 } },
  );
  try {
    await worker.waitUntilReady();
    // Warm-up: jobs that run at once and send nothing.
    const warmJobs = Math.min(clusters, 1000);
    const warm = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    done = clusters - warmJobs;
    await queue.addBulk(Array.from({ length: warmJobs }, () => ({ name: 'warm', data: { port: null } })));
    await warm;
    done = 0;
    const finished = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const leadMs = 2000 + clusters / 5;
    const at = Math.ceil(systemClock.now() + leadMs);
    let addMs = performance.now();
    const result = await measure(receivers, at, async () => {
      for (let i = 0; i < clusters; i += 1000) {
        const now = Date.now();
        await queue.addBulk(
          receivers.ports.slice(i, i + 1000).map((port) => ({
            name: 'first-audio',
            data: { port },
            // Due exactly at the instant (BullMQ adds delay to the job's timestamp).
            opts: { delay: at - now, timestamp: now },
          })),
        );
      }
      addMs = performance.now() - addMs;
      await finished;
    });
    return row(clusters, 'naive', result, {
      'prepare s': (addMs / 1000).toFixed(2),
      'lead s': leadMs / 1000,
    });
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    socket.close();
  }
}

export async function benchStartSkew(): Promise<{ title: string; rows: Row[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-skew-'));
  const redis = await startRedisChild(join(dir, 'redis'), { aof: false });
  const world = await loaWorld(dir);
  const rows: Row[] = [];
  try {
    for (const clusters of SIZES) {
      const receivers = await Receivers.start('first', clusters, PER_RECEIVER);
      try {
        const communeId = await seedClusters(world, receivers.ports);
        if (clusters === SIZES[0]) {
          // Warm-up (JIT, Prisma, BullMQ scripts): one run of each, not reported.
          await floor(receivers, clusters);
          await loa(world, receivers, clusters, communeId);
        }
        rows.push(await floor(receivers, clusters));
        rows.push(await loa(world, receivers, clusters, communeId));
        rows.push(await naive(redis.url, receivers, clusters));
      } finally {
        await receivers.close();
      }
    }
  } finally {
    await world.close();
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { title: 'Start skew', rows };
}
