// Fault: the worker's wall clock stepped by ±2 s (an NTP correction) after its slot was planned,
// while the dispatcher waits for the instant. The airing follows the corrected clock (true time),
// not a timer set before the step, and the step is logged with its size. And daylight saving: in
// Europe/Paris a slot in the spring gap airs at the shifted time, one in the autumn fold airs once
// at its first occurrence; in Asia/Ho_Chi_Minh (no DST) the same slot keeps its offset (README ›
// Dispatch and Guarantees).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { openRedis } from '../../platform/redis.ts';
import { systemClock } from '../../worker/dispatch/clock.ts';
import { airBroadcasts } from '../../worker/dispatch/engine.ts';
import { materialiseBroadcasts } from '../../worker/jobs/materialise-broadcasts.ts';
import { createJobProducer, type JobProducer } from '../../worker/jobs/producer.ts';
import { type RunningWorkers, startWorkers } from '../../worker/main.ts';
import { type DispatchWorld, dispatchWorld } from '../integration/dispatch/world.ts';
import { until } from './support/processes.ts';
import { localInstant, plannableSlot, warpedClock } from './support/slot-world.ts';

const EVERY_DAY = [{ kind: 'weekdays', days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] }];
let world: DispatchWorld;
let workers: RunningWorkers;
let jobs: JobProducer;
const clock = warpedClock();
const prefix = `faults-clock-${randomUUID().slice(0, 8)}`;
let slotId: string;
/** The workers' log lines, as JSON. */
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  world = await dispatchWorld({ clusters: 1, audioSec: 1, maxLateSec: 5 });
  ({ slotId } = await namedSlot('Chợ sáng', { rules: EVERY_DAY, timeOfDay: '07:30' }));
  const config = loadConfig({
    LOA_DATA_DIR: world.dataDir,
    REDIS_PREFIX: prefix,
    // Room for a +2 s step before the instant: the dispatch job is due 6 s ahead (a cold worker
    // under load took 2 s more to claim).
    LOA_DISPATCH_LEAD_SEC: '6',
    LOA_DISPATCH_MAX_LATE_SEC: '5',
    LOA_DISPATCH_HORIZON_HOURS: '1',
  });
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  jobs = createJobProducer(openRedis(inject('redisUrl'), 'producer'), prefix);
  clock.warpTo(localInstant('2027-03-10', '05:00:00'));
  workers = await startWorkers(
    { config, logger: createLogger('info', {}, sink), db: world.db.prisma },
    openRedis(inject('redisUrl'), 'worker'),
    ['dispatch', 'maintenance'],
    { clock },
  );
});

afterAll(async () => {
  await workers?.close();
  await jobs?.close();
  await world?.close();
});

/** A plannable slot whose calendar has a name of its own (names are unique in a commune). */
async function namedSlot(name: string, options: Parameters<typeof plannableSlot>[1]) {
  const made = await plannableSlot(world, options);
  await world.db.prisma.marketCalendar.update({ where: { id: made.calendarId }, data: { name } });
  return made;
}

const rowAt = (at: number) =>
  world.db.prisma.broadcast.findMany({ where: { slotId, scheduledAt: new Date(at) } });

/**
 * Plans the 07:30 slot of `date` from 8 s before, steps the clock by `stepMs` once the
 * dispatcher has claimed the airing and waits for the instant, and returns the airing's start
 * as the corrected clock read it (ms from the instant) with the steps logged meanwhile.
 */
async function stepWhileWaiting(date: string, stepMs: number) {
  const at = localInstant(date, '07:30:00');
  clock.warpTo(at - 9_000);
  const logged = logLines.length;
  await jobs.enqueue('materialise-broadcasts', { slotIds: [slotId] }, `mat-${randomUUID()}`);
  // The cluster's lease is the engine's last step before it waits for the instant.
  await until('claimed and leased, waiting for the instant', async () => {
    const [row] = await rowAt(at);
    return (
      row?.status === 'STARTING' &&
      (await world.db.prisma.clusterLease.count({ where: { broadcastId: row.id } })) === 1
    );
  });
  await new Promise((r) => setTimeout(r, 100));
  expect(at - clock.now()).toBeGreaterThan(Math.abs(stepMs) + 500);
  clock.step(stepMs);
  const [row] = await until(
    'aired',
    async () => {
      const rows = await rowAt(at);
      return rows.every((r) => ['AIRED', 'PARTIAL', 'FAILED', 'MISSED'].includes(r.status)) && rows;
    },
    20_000,
  );
  expect(row).toMatchObject({ status: 'AIRED', attempts: 1 });
  // The driver stamps its first audio on the host's wall clock; the warped clock is that plus
  // its offset (constant since the step).
  const offset = clock.now() - systemClock.now();
  const startedMs = (row?.firstAudioAt?.getTime() ?? 0) + offset - at;
  const steps = logLines
    .slice(logged)
    .filter((l) => l.msg === 'wall clock stepped')
    .map((l) => l.stepMs as number)
    // The test's own jumps to the morning (hours) are steps too.
    .filter((ms) => Math.abs(ms) < 60_000);
  return { startedMs, steps, rows: await rowAt(at) };
}

describe('the wall clock stepped between planning and start', () => {
  it('+2 s (the clock was behind): the airing starts at the instant by the corrected clock, and the step is logged', async () => {
    const { startedMs, steps, rows } = await stepWhileWaiting('2027-03-10', 2_000);
    expect(rows).toHaveLength(1);
    // Followed a pre-step timer, it would start 2 s late by true time.
    expect(startedMs).toBeGreaterThan(-20);
    expect(startedMs).toBeLessThan(300);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toBeGreaterThan(1_900);
    expect(steps[0]).toBeLessThan(2_100);
  }, 40_000);

  it('−2 s (the clock was ahead): the airing waits for the instant by the corrected clock, and the step is logged', async () => {
    const { startedMs, steps, rows } = await stepWhileWaiting('2027-03-11', -2_000);
    expect(rows).toHaveLength(1);
    // Followed a pre-step timer, it would start 2 s early by true time.
    expect(startedMs).toBeGreaterThan(-20);
    expect(startedMs).toBeLessThan(300);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toBeLessThan(-1_900);
    expect(steps[0]).toBeGreaterThan(-2_100);
  }, 40_000);
});

describe('daylight saving', () => {
  const plan = async (zone: string) => {
    const { slotId: id } = await namedSlot(`Chợ ${zone}`, { rules: EVERY_DAY, timeOfDay: '02:30', zone });
    return id;
  };
  const instantsOf = async (id: string) =>
    (
      await world.db.prisma.broadcast.findMany({ where: { slotId: id }, orderBy: { scheduledAt: 'asc' } })
    ).map((b) => [b.marketDay, b.scheduledAt.toISOString()]);
  const materialise = (ids: string[], from: string) =>
    materialiseBroadcasts(world.db.prisma, jobs, createLogger('silent'), {
      now: Date.parse(from),
      horizonMs: 3 * 86_400_000,
      leadMs: 6_000,
      slotIds: ids,
    });

  it('Europe/Paris: 02:30 in the spring gap airs at 03:30 CEST, in the autumn fold once at 02:30 CEST; Asia/Ho_Chi_Minh keeps +07', async () => {
    const paris = await plan('Europe/Paris');
    const vietnam = await plan('Asia/Ho_Chi_Minh');
    await materialise([paris, vietnam], '2027-03-26T12:00:00Z');
    await materialise([paris, vietnam], '2027-10-29T12:00:00Z');
    expect(await instantsOf(paris)).toEqual([
      ['2027-03-27', '2027-03-27T01:30:00.000Z'], // 02:30 CET
      ['2027-03-28', '2027-03-28T01:30:00.000Z'], // 02:30 does not exist: 03:30 CEST
      ['2027-03-29', '2027-03-29T00:30:00.000Z'], // 02:30 CEST
      ['2027-10-30', '2027-10-30T00:30:00.000Z'], // 02:30 CEST
      ['2027-10-31', '2027-10-31T00:30:00.000Z'], // 02:30 twice: the first (CEST), once
      ['2027-11-01', '2027-11-01T01:30:00.000Z'], // 02:30 CET
    ]);
    expect(await instantsOf(vietnam)).toEqual(
      ['2027-03-27', '2027-03-28', '2027-03-29', '2027-10-30', '2027-10-31', '2027-11-01'].map((d) => [
        d,
        new Date(Date.parse(`${d}T02:30:00+07:00`)).toISOString(),
      ]),
    );

    // The gap's and the fold's occurrences air, once each, at those instants.
    const engineClock = warpedClock();
    world.deps.clock = engineClock;
    for (const [day, iso] of [
      ['2027-03-28', '2027-03-28T01:30:00.000Z'],
      ['2027-10-31', '2027-10-31T00:30:00.000Z'],
    ] as const) {
      const at = new Date(iso);
      engineClock.warpTo(at.getTime() - 300);
      await airBroadcasts(world.deps, { at }, new AbortController().signal);
      const rows = await world.db.prisma.broadcast.findMany({ where: { slotId: paris, marketDay: day } });
      expect(rows.map((r) => [r.scheduledAt.toISOString(), r.status, r.attempts])).toEqual([
        [iso, 'AIRED', 1],
      ]);
      const records = await world.db.prisma.sessionRecord.count({ where: { broadcastId: rows[0]?.id } });
      expect(records).toBe(1);
    }
  }, 40_000);
});
