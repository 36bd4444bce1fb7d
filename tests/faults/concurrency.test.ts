// Fault: concurrency on PostgreSQL, two workers each with its own connection pool. Two
// materialisers at once, and two dispatchers of the same instant at once; a slot edited and a
// market day cancelled between a materialiser's read and its write, while the dispatcher claims
// the occurrence; an emergency arriving between the claim of a slot broadcast and its first audio.
// Each time: exactly one broadcast and one outcome per (occurrence, cluster), and exactly one
// ENDED session record per broadcast. (The PGlite version of "two materialisers" lives in
// tests/integration/dispatch/materialise.test.ts; PGlite has one connection, so it cannot race.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { airBroadcasts } from '../../worker/dispatch/engine.ts';
import { dispatchJobId } from '../../worker/jobs/catalogue.ts';
import { materialiseBroadcasts } from '../../worker/jobs/materialise-broadcasts.ts';
import { createJobProducer, type JobProducer } from '../../worker/jobs/producer.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from '../integration/dispatch/world.ts';
import { postgresKind } from '../setup/databases.ts';
import { hooked, type OtherWorker, otherWorker } from './support/concurrency-workers.ts';
import { type PrivatePostgres, startPrivatePostgres } from './support/postgres.ts';
import { until } from './support/processes.ts';
import { localInstant, plannableSlot, warpedClock } from './support/slot-world.ts';

const CLUSTERS = 8;
const EVERY_DAY = [{ kind: 'weekdays', days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] }];
const LEAD_MS = 3_000;
let pg: PrivatePostgres | undefined;
let world: DispatchWorld;
let other: OtherWorker;
let jobs: JobProducer;
const clock = warpedClock();
const prefix = `faults-conc-${randomUUID().slice(0, 8)}`;
const signal = new AbortController().signal;
const silent = createLogger('silent');

beforeAll(async () => {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) pg = await startPrivatePostgres();
  world = await dispatchWorld({
    clusters: CLUSTERS,
    audioSec: 1,
    maxLateSec: 5,
    database: postgresKind(url ?? utcSessions((pg as PrivatePostgres).url)),
  });
  world.deps.clock = clock;
  world.deps.reairWithinMs = 0;
  other = await otherWorker(world, clock);
  other.deps.reairWithinMs = 0;
  jobs = createJobProducer(openRedis(inject('redisUrl'), 'producer'), prefix);
});

afterAll(async () => {
  await jobs?.close();
  await other?.close();
  await world?.close();
  await pg?.destroy();
});

/**
 * The private server takes the test's zone (America/New_York) at initdb, and instants read
 * through the driver adapter then come back shifted by its offset: sessions in UTC, as CI's
 * server and production's run.
 */
function utcSessions(url: string): string {
  return `${url}?options=${encodeURIComponent('-c TimeZone=UTC')}`;
}

let slots = 0;
async function slot(timeOfDay: string, clusterIds = world.clusterIds) {
  const made = await plannableSlot(world, { rules: EVERY_DAY, timeOfDay, clusterIds });
  await world.db.prisma.marketCalendar.update({
    where: { id: made.calendarId },
    data: { name: `Chợ ${++slots}` },
  });
  return made;
}

const materialise = (db: DispatchWorld['deps']['db'], options: { slotIds?: string[]; now?: number } = {}) =>
  materialiseBroadcasts(db, jobs, silent, {
    now: clock.now(),
    horizonMs: 2 * 86_400_000,
    leadMs: LEAD_MS,
    ...options,
  });

/** Every broadcast of `slotIds` with its ENDED records, and the duplicates of any (occurrence, cluster). */
async function ledger(slotIds: string[]) {
  const rows = await world.db.prisma.broadcast.findMany({ where: { slotId: { in: slotIds } } });
  const records = await world.db.prisma.sessionRecord.findMany({
    where: { broadcastId: { in: rows.map((r) => r.id) } },
  });
  const perOccurrence = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.slotId}|${r.marketDay}|${r.clusterId}`;
    perOccurrence.set(key, (perOccurrence.get(key) ?? 0) + 1);
  }
  const perBroadcast = new Map<string, number>();
  for (const r of records) perBroadcast.set(r.broadcastId, (perBroadcast.get(r.broadcastId) ?? 0) + 1);
  return {
    rows,
    records,
    doubled: [...perOccurrence].filter(([, n]) => n > 1),
    recordedTwice: [...perBroadcast].filter(([, n]) => n > 1),
  };
}

describe('concurrency on PostgreSQL', () => {
  it('two materialisers at once make one broadcast per (slot, occurrence, cluster) and one job per instant; two dispatchers of the instant air each once', async () => {
    const made = [await slot('07:30'), await slot('07:31'), await slot('07:32')];
    const slotIds = made.map((m) => m.slotId);
    const at = localInstant('2027-03-10', '07:30:00');
    clock.warpTo(at - LEAD_MS);
    // Four runs, two on each worker's pool, started together, three times over.
    const now = clock.now();
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        materialise(world.db.prisma, { now }),
        materialise(other.db, { now }),
        materialise(world.db.prisma, { now }),
        materialise(other.db, { now }),
      ]);
    }
    const { rows, doubled } = await ledger(slotIds);
    // 3 slots × 2 market days in the window (10 and 11 March) × 8 clusters.
    expect(rows).toHaveLength(3 * 2 * CLUSTERS);
    expect(doubled).toEqual([]);
    const instants = [...new Set(rows.map((r) => r.scheduledAt.getTime()))].sort();
    expect(instants).toHaveLength(6);
    const queue = jobs.queue('dispatch');
    const delayed = await queue.getJobs(['delayed', 'wait']);
    expect(delayed.map((j) => j.id).sort()).toEqual(instants.map((t) => dispatchJobId(new Date(t))).sort());

    // Both workers run the dispatch job of 07:30 at once (a retried or stalled job).
    clock.warpTo(at - 1_500);
    const [a, b] = await Promise.all([
      airBroadcasts(world.deps, { at: new Date(at) }, signal),
      airBroadcasts(other.deps, { at: new Date(at) }, signal),
    ]);
    const aired = [...a.aired, ...b.aired];
    const due = rows.filter((r) => r.scheduledAt.getTime() === at).map((r) => r.id);
    expect(aired.sort()).toEqual([...due].sort());
    const after = await ledger(slotIds);
    const ended = after.rows.filter((r) => r.scheduledAt.getTime() === at);
    for (const r of ended) expect(r).toMatchObject({ status: 'AIRED', attempts: 1 });
    expect(after.records.map((r) => r.broadcastId).sort()).toEqual([...due].sort());
    expect(after.recordedTwice).toEqual([]);
  }, 90_000);

  it('a slot edited and a market day cancelled between a materialiser’s read and its write, while the occurrence is claimed: it airs once, never again at the new time', async () => {
    const edited = await slot('08:00');
    const cancelled = await slot('08:00');
    const at = localInstant('2027-03-10', '08:00:00');
    clock.warpTo(at - LEAD_MS);
    await materialise(world.db.prisma, { slotIds: [edited.slotId, cancelled.slotId] });
    const planned = await world.db.prisma.broadcast.count({
      where: { slotId: { in: [edited.slotId, cancelled.slotId] }, scheduledAt: new Date(at) },
    });
    expect(planned).toBe(2 * CLUSTERS);

    // The scheduler moves one slot to 08:05 and cancels the other's market day; the other
    // worker's materialiser reads the rows (all still PLANNED) and is held before it writes,
    // until this worker's dispatcher has claimed them.
    await world.db.prisma.slot.update({ where: { id: edited.slotId }, data: { timeOfDay: '08:05' } });
    await world.db.prisma.marketCalendar.update({
      where: { id: cancelled.calendarId },
      data: { exceptions: { cancelled: ['2027-03-10'], added: [], moved: [] } },
    });
    let read = () => {};
    const hasRead = new Promise<void>((r) => {
      read = r;
    });
    const materialiser = hooked(
      hooked(other.db, 'broadcast', 'findMany', { after: () => read() }),
      'broadcast',
      'deleteMany',
      {
        before: () =>
          until(
            'claimed',
            async () =>
              (await world.db.prisma.broadcast.count({
                where: { scheduledAt: new Date(at), status: { not: 'PLANNED' } },
              })) ===
              2 * CLUSTERS,
          ).then(() => {}),
      },
    );
    const dispatcher = {
      ...world.deps,
      db: hooked(world.db.prisma, 'broadcast', 'updateManyAndReturn', { before: () => hasRead }),
    };
    const [dispatched] = await Promise.all([
      airBroadcasts(dispatcher, { at: new Date(at) }, signal),
      materialise(materialiser, { slotIds: [edited.slotId, cancelled.slotId] }),
    ]);
    expect(dispatched.aired).toHaveLength(2 * CLUSTERS);
    // And once more afterwards, as the every-minute schedule would.
    await materialise(other.db, { slotIds: [edited.slotId, cancelled.slotId] });

    const { rows, records, doubled, recordedTwice } = await ledger([edited.slotId, cancelled.slotId]);
    const today = rows.filter((r) => r.marketDay === '2027-03-10');
    expect(today.map((r) => [r.scheduledAt.getTime(), r.status])).toEqual(
      Array.from({ length: 2 * CLUSTERS }, () => [at, 'AIRED']),
    );
    expect(doubled).toEqual([]);
    expect(records.filter((r) => r.marketDay === '2027-03-10')).toHaveLength(2 * CLUSTERS);
    expect(recordedTwice).toEqual([]);
    // The next market day follows the edit: 08:05 for the moved slot, 08:00 for the other.
    const tomorrow = rows.filter((r) => r.marketDay === '2027-03-11');
    expect(new Set(tomorrow.map((r) => `${r.slotId}@${r.scheduledAt.toISOString()}`))).toEqual(
      new Set([
        `${edited.slotId}@${new Date(localInstant('2027-03-11', '08:05:00')).toISOString()}`,
        `${cancelled.slotId}@${new Date(localInstant('2027-03-11', '08:00:00')).toISOString()}`,
      ]),
    );
  }, 90_000);

  it('an emergency arriving between the claim of a slot broadcast and its first audio: one outcome each, the slot broadcast preempted', async () => {
    const { slotId } = await slot('09:00', world.clusterIds.slice(0, 1));
    const cluster = world.clusterIds[0] as string;
    const at = localInstant('2027-03-10', '09:00:00');
    clock.warpTo(at - LEAD_MS);
    await materialise(world.db.prisma, { slotIds: [slotId] });
    const [normal] = await world.db.prisma.broadcast.findMany({
      where: { slotId, scheduledAt: new Date(at) },
    });
    const dispatching = airBroadcasts(world.deps, { at: new Date(at) }, signal);
    // Claimed and leased: the dispatcher waits for the instant.
    await until(
      'claimed and leased',
      async () => (await world.db.prisma.clusterLease.count({ where: { broadcastId: normal?.id } })) === 1,
    );
    // Four times the rendition: still airing when the slot broadcast's instant comes.
    const row = plannedRow(world, cluster, new Date(clock.now()), {
      priority: 'EMERGENCY',
      kind: 'EMERGENCY',
    });
    const emergency = await world.db.prisma.broadcast.create({
      data: {
        ...row,
        durationSec: 4 * row.durationSec,
        plan: { items: [0, 1, 2, 3].map(() => row.plan.items[0]) },
      },
    });
    const [, now] = await Promise.all([
      dispatching,
      airBroadcasts(other.deps, { ids: [emergency.id] }, signal),
    ]);
    expect(now.aired).toEqual([emergency.id]);

    const n = await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: normal?.id as string } });
    const e = await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: emergency.id } });
    expect(e).toMatchObject({ status: 'AIRED', attempts: 1 });
    // Not a moment of it over the emergency: it never started.
    expect(n).toMatchObject({
      status: 'PREEMPTED',
      attempts: 1,
      preemptedById: emergency.id,
      secondsAired: 0,
    });
    expect(n.firstAudioAt).toBeNull();
    const records = await world.db.prisma.sessionRecord.findMany({
      where: { broadcastId: { in: [n.id, e.id] } },
      orderBy: { seq: 'asc' },
    });
    expect(records.map((r) => [r.broadcastId, r.status])).toEqual(
      expect.arrayContaining([
        [n.id, 'PREEMPTED'],
        [e.id, 'AIRED'],
      ]),
    );
    expect(records).toHaveLength(2);
    expect(
      await world.db.prisma.broadcast.count({
        where: { clusterId: cluster, marketDay: '2027-03-10', slotId },
      }),
    ).toBe(1);
  }, 60_000);
});
