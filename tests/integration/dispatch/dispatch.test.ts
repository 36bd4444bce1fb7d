// The dispatch engine against real parts: PGlite rows, the recorder driver writing what airs,
// ffprobe reading it back. Times are real (a few seconds); assertions are on what aired.
import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../../media/probe.ts';
import { acquireLease, releaseLease } from '../../../prisma/repositories/cluster-lease.ts';
import { airBroadcasts } from '../../../worker/dispatch/engine.ts';
import { type DispatchWorld, dispatchWorld, plannedRow } from './world.ts';

const AUDIO_SEC = 3;

describe('dispatch with the recorder', () => {
  let world: DispatchWorld;
  beforeAll(async () => {
    world = await dispatchWorld({ clusters: 4, audioSec: AUDIO_SEC });
  });
  afterAll(() => world?.close());

  const signal = new AbortController().signal;
  const soon = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

  it('airs every cluster due at one instant, together, once', async () => {
    const at = soon(1500);
    const [a, b] = world.clusterIds;
    const rows = await Promise.all(
      [a, b].map((id) => world.db.prisma.broadcast.create({ data: plannedRow(world, id as string, at) })),
    );
    // Two dispatchers for the same instant: each broadcast airs once.
    const [first, second] = await Promise.all([
      airBroadcasts(world.deps, { at }, signal),
      airBroadcasts(world.deps, { at }, signal),
    ]);
    expect([...first.aired, ...second.aired].sort()).toEqual(rows.map((r) => r.id).sort());

    const stored = await world.db.prisma.broadcast.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
    for (const row of stored) {
      expect(row).toMatchObject({ status: 'AIRED', reasonCode: null, attempts: 1 });
      // Started on time: not before the instant, and within the recorder's stated precision (50 ms).
      expect(row.skewMs).toBeGreaterThanOrEqual(0);
      expect(row.skewMs).toBeLessThan(50);
      expect(row.secondsAired).toBeCloseTo(world.rendition.durationSec, 1);
      expect(row.spreadMs).toBeLessThan(20);
      const recording = await probeMedia(world.recordingOf(row.id));
      expect(recording.audioStreams[0]?.codec).toBe('pcm_s16le');
      expect(Math.abs((recording.durationSec ?? 0) - world.rendition.durationSec)).toBeLessThan(
        0.02 * world.rendition.durationSec,
      );
    }
  });

  it('misses a normal broadcast that can no longer start near its time, and says why', async () => {
    const at = new Date(Date.now() - 10_000);
    const row = await world.db.prisma.broadcast.create({
      data: plannedRow(world, world.clusterIds[2] as string, at),
    });
    expect((await airBroadcasts(world.deps, { at }, signal)).aired).toEqual([]);
    const stored = await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: row.id } });
    expect(stored).toMatchObject({ status: 'MISSED', reasonCode: 'late' });
    expect(stored.reason).toMatch(/over the 2 s limit/);
  });

  it('misses a cluster held by another airing after its retries, while another cluster airs', async () => {
    const at = soon(1500);
    const [busy, free] = world.clusterIds;
    const other = await acquireLease(world.db.prisma, {
      clusterId: busy as string,
      broadcastId: '00000000-0000-4000-8000-0000000000ff',
      priority: 'PRIORITY',
      ttlMs: 60_000,
    });
    try {
      const rows = await Promise.all(
        [busy, free].map((id) =>
          world.db.prisma.broadcast.create({ data: plannedRow(world, id as string, at) }),
        ),
      );
      await airBroadcasts(world.deps, { at }, signal);
      const [onBusy, onFree] = await Promise.all(
        rows.map((r) => world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: r.id } })),
      );
      expect(onFree?.status).toBe('AIRED');
      expect(onBusy).toMatchObject({ status: 'MISSED', reasonCode: 'cluster-busy' });
      expect(onBusy?.attempts).toBe(1);
    } finally {
      if (other) await releaseLease(world.db.prisma, other);
    }
  });

  it('misses an unreachable cluster after its retries, with the reason, while another cluster airs', async () => {
    const closed = await closedPort();
    const unreachable = await world.db.prisma.cluster.create({
      data: {
        communeId: world.communeId,
        name: 'Cụm không trả lời',
        driverKind: 'RTP',
        driverConfig: { host: '127.0.0.1', port: 5004, payloadType: 0, probe: { port: closed } },
      },
    });
    const at = soon(1500);
    const onRecorder = await world.db.prisma.broadcast.create({
      data: plannedRow(world, world.clusterIds[1] as string, at),
    });
    const onRtp = await world.db.prisma.broadcast.create({
      data: { ...plannedRow(world, unreachable.id, at), driverKind: 'RTP', profileId: 'pcmu-8k' },
    });
    await airBroadcasts(world.deps, { at }, signal);
    const [aired, missed] = await Promise.all(
      [onRecorder.id, onRtp.id].map((id) => world.db.prisma.broadcast.findUniqueOrThrow({ where: { id } })),
    );
    expect(aired?.status).toBe('AIRED');
    expect(missed).toMatchObject({ status: 'MISSED', reasonCode: 'cluster-offline', secondsAired: null });
    expect(missed?.reason).toMatch(
      /the cluster does not answer: 127\.0\.0\.1:\d+ ECONNREFUSED; .*over the 2 s limit/,
    );
  });

  it('an emergency preempts a running broadcast: both end in the right states', async () => {
    const long = await dispatchWorldAudio(world);
    const at = soon(1000);
    const cluster = world.clusterIds[2] as string;
    const normal = await world.db.prisma.broadcast.create({
      data: { ...plannedRow(world, cluster, at), ...long },
    });
    const airing = airBroadcasts(world.deps, { at }, signal);
    // Once the normal broadcast is airing, an emergency for the same cluster arrives.
    await waitFor(async () => (await statusOf(world, normal.id)) === 'AIRING');
    const emergency = await world.db.prisma.broadcast.create({
      data: plannedRow(world, cluster, new Date(), { priority: 'EMERGENCY', kind: 'EMERGENCY' }),
    });
    // An emergency starts as soon as it is prepared, not after a retry delay.
    const now = await airBroadcasts({ ...world.deps, retryMs: 1_000 }, { ids: [emergency.id] }, signal);
    await airing;
    expect(now.aired).toEqual([emergency.id]);
    const [n, e] = await Promise.all(
      [normal.id, emergency.id].map((id) => world.db.prisma.broadcast.findUniqueOrThrow({ where: { id } })),
    );
    expect(n).toMatchObject({ status: 'PREEMPTED', reasonCode: 'preempted', preemptedById: emergency.id });
    expect(n?.secondsAired).toBeGreaterThan(0);
    expect(n?.secondsAired).toBeLessThan(long.durationSec - 1);
    // What the normal broadcast's cluster heard ends where it was cut.
    const cut = await probeMedia(world.recordingOf(normal.id));
    expect(Math.abs((cut.durationSec ?? 0) - (n?.secondsAired ?? 0))).toBeLessThan(0.1);
    expect(e?.status).toBe('AIRED');
    expect(e?.skewMs).toBeLessThan(1_000);
  });
  it('re-airs a preempted slot broadcast from the start once the emergency ends, while its occurrence is open', async () => {
    const long = await dispatchWorldAudio(world);
    const cluster = world.clusterIds[3] as string;
    const preemptAndReair = async (reairWithinMs: number) => {
      const at = soon(1000);
      const normal = await world.db.prisma.broadcast.create({
        data: { ...plannedRow(world, cluster, at), ...long, marketDay: '2026-12-01' },
      });
      const reairs: Promise<unknown>[] = [];
      const deps = {
        ...world.deps,
        reairWithinMs,
        airSoon: async (ids: string[]) => {
          reairs.push(airBroadcasts(deps, { ids }, signal));
        },
      };
      const airing = airBroadcasts(deps, { at }, signal);
      await waitFor(async () => (await statusOf(world, normal.id)) === 'AIRING');
      const emergency = await world.db.prisma.broadcast.create({
        data: plannedRow(world, cluster, new Date(), { priority: 'EMERGENCY', kind: 'EMERGENCY' }),
      });
      await airBroadcasts(deps, { ids: [emergency.id] }, signal);
      await airing;
      await Promise.all(reairs);
      const reaired = await world.db.prisma.broadcast.findMany({ where: { requestId: normal.id } });
      return {
        normal: await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id: normal.id } }),
        reaired,
      };
    };

    const open = await preemptAndReair(30 * 60_000);
    expect(open.normal.status).toBe('PREEMPTED');
    expect(open.reaired).toHaveLength(1);
    const [again] = open.reaired;
    expect(again).toMatchObject({
      status: 'AIRED',
      kind: 'SLOT',
      clusterId: cluster,
      marketDay: '2026-12-01',
      durationSec: long.durationSec,
    });
    // The whole programme again, from the start.
    const heard = await probeMedia(world.recordingOf(again?.id as string));
    expect(Math.abs((heard.durationSec ?? 0) - long.durationSec) / long.durationSec).toBeLessThan(0.02);

    // The setting at 0: a preempted broadcast stays preempted.
    const never = await preemptAndReair(0);
    expect(never.normal.status).toBe('PREEMPTED');
    expect(never.reaired).toEqual([]);
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function statusOf(world: DispatchWorld, id: string) {
  return (await world.db.prisma.broadcast.findUniqueOrThrow({ where: { id }, select: { status: true } }))
    .status;
}

/** Polls a condition on the database, bounded: the row changes state by itself. */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The same rendition played three times over (a long airing to cut). */
async function dispatchWorldAudio(world: DispatchWorld) {
  const item = plannedRow(world, world.clusterIds[0] as string, new Date()).plan.items[0];
  const items = [item, item, item];
  return { durationSec: 3 * world.rendition.durationSec, plan: { items } };
}
