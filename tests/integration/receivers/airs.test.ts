// MQTT store-and-forward end to end against Debian's mosquitto: the command goes out minutes
// ahead (announce job), the reference receiver downloads, verifies and plays at the instant by
// its own clock, its receipts settle the broadcast; the broker refuses a receiver reporting for
// another cluster.

import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, receiptId, topics } from '../../../domain/receiver-protocol.ts';
import { receiverPassword } from '../../../platform/receiver-secrets.ts';
import { moveBroadcast } from '../../../prisma/repositories/broadcasts.ts';
import { airBroadcasts } from '../../../worker/dispatch/engine.ts';
import { announceReceivers } from '../../../worker/jobs/announce-receivers.ts';
import { sweepBroadcasts } from '../../../worker/jobs/sweep-broadcasts.ts';
import { probe } from '../drivers/renditions.ts';
import { mqttRow, type ReceiversWorld, receiversWorld, SECRET, until } from './world.ts';

/** The driver's stated start precision against true time (receiver timers, corrected clock). */
const PRECISION_MS = 50;

let world: ReceiversWorld;
beforeAll(async () => {
  world = await receiversWorld({ clusters: 8, audioSec: 3 });
}, 60_000);
afterAll(() => world?.close());

async function row(id: string) {
  return world.db.prisma.broadcast.findUniqueOrThrow({ where: { id } });
}

describe('mqtt store-and-forward', () => {
  it('announces ahead, the receiver plays at the instant, receipts settle the row', async () => {
    const cluster = world.clusterIds[0] as string;
    const rx = world.receiver(cluster);
    const at = new Date(Date.now() + 4_000);
    const b = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    const announced = await announceReceivers(
      { db: world.db.prisma, store: world.store, logger: world.deps.logger, receivers: world.receivers },
      { now: Date.now(), announceMs: 30 * 60_000 },
    );
    expect(announced.announced).toBe(1);
    // Downloaded and verified well before the instant.
    const ready = await until(
      () => rx.entry(b.id)?.phase,
      (p) => p === 'ready',
      3_000,
    );
    expect(ready).toBe('ready');

    const result = await airBroadcasts(world.deps, { at }, AbortSignal.timeout(20_000));
    expect(result.aired).toEqual([b.id]);
    const aired = await row(b.id);
    expect(aired.status).toBe('AIRED');
    expect(Math.abs(aired.skewMs ?? Number.NaN)).toBeLessThan(PRECISION_MS);
    expect(aired.secondsAired).toBeCloseTo(3, 1);
    expect((aired.receipt as { kind: string }).kind).toBe('finished');
    const played = await probe(join(world.outOf(cluster), `${b.id}.mp3`));
    expect(played.codec).toBe('mp3');
    expect(Math.abs(played.durationSec - 3) / 3).toBeLessThan(0.02);
    // Every receipt acknowledged: nothing left to re-send.
    expect(
      await until(
        () => rx.pending.length,
        (n) => n === 0,
        3_000,
      ),
    ).toBe(0);
    const health = await world.db.prisma.clusterHealth.findUniqueOrThrow({ where: { clusterId: cluster } });
    expect(health.state).toBe('ONLINE');
  }, 30_000);

  it('the same receipt twice changes nothing', async () => {
    const cluster = world.clusterIds[0] as string;
    const done = await world.db.prisma.broadcast.findFirstOrThrow({
      where: { clusterId: cluster, status: 'AIRED' },
    });
    const { recordReceipt } = await import('../../../worker/receivers/receipts.ts');
    const receipt = done.receipt as never;
    await recordReceipt(world.db.prisma, cluster, receipt, Date.now());
    await recordReceipt(world.db.prisma, cluster, receipt, Date.now());
    const again = await row(done.id);
    expect(again.updatedAt).toEqual(done.updatedAt);
    expect(again.status).toBe('AIRED');
  });

  it('the broker refuses a receiver publishing a receipt for another cluster', async () => {
    const [mine, other] = world.clusterIds as [string, string];
    const victim = await world.db.prisma.broadcast.create({
      data: mqttRow(world, other, new Date(Date.now() + 60_000)),
    });
    const client = await mqtt.connectAsync(world.broker.url, {
      protocolVersion: 5,
      username: mine,
      password: receiverPassword(SECRET, mine),
      reconnectPeriod: 0,
    });
    try {
      const forged = {
        v: PROTOCOL_VERSION,
        id: receiptId(victim.id, 'failed'),
        broadcastId: victim.id,
        kind: 'failed',
        at: Date.now(),
        secondsPlayed: 0,
        error: { code: 'forged', message: 'forged' },
      };
      await expect(
        client.publishAsync(topics.receipt(other), JSON.stringify(forged), { qos: 1 }),
      ).rejects.toThrow(/not authori[sz]ed/i);
      // Its own topic is allowed, and Loa still refuses a receipt for a broadcast not its own.
      await client.publishAsync(topics.receipt(mine), JSON.stringify(forged), { qos: 1 });
      await new Promise((r) => setTimeout(r, 500));
      expect((await row(victim.id)).status).toBe('PLANNED');
    } finally {
      await client.endAsync();
      await world.db.prisma.broadcast.delete({ where: { id: victim.id } });
    }
  });
});

describe('mqtt over a weak link', () => {
  const announce = () =>
    announceReceivers(
      { db: world.db.prisma, store: world.store, logger: world.deps.logger, receivers: world.receivers },
      { now: Date.now(), announceMs: 30 * 60_000 },
    );

  it('the link drops after the download: it still airs on time, receipts arrive when the link returns', async () => {
    const cluster = world.clusterIds[2] as string;
    const rx = world.receiver(cluster);
    const at = new Date(Date.now() + 4_000);
    const b = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    await announce();
    expect(
      await until(
        () => rx.entry(b.id)?.phase,
        (p) => p === 'ready',
        3_000,
      ),
    ).toBe('ready');
    world.brokerLink.cut();
    const airing = airBroadcasts(world.deps, { at }, AbortSignal.timeout(30_000));
    // Played while cut off: the receipts wait on the receiver's disk.
    expect(
      await until(
        () => rx.entry(b.id)?.phase,
        (p) => p === 'done',
        9_000,
      ),
    ).toBe('done');
    expect((await row(b.id)).status).not.toBe('AIRED');
    expect(rx.pending.map((r) => r.kind)).toEqual(expect.arrayContaining(['started', 'finished']));
    world.brokerLink.restore();
    expect((await airing).aired).toEqual([b.id]);
    const aired = await row(b.id);
    expect(aired.status).toBe('AIRED');
    expect(Math.abs(aired.skewMs ?? Number.NaN)).toBeLessThan(PRECISION_MS);
    expect(Math.abs((world.trueStarts.get(b.id) ?? 0) - at.getTime())).toBeLessThan(PRECISION_MS);
    expect(
      await until(
        () => rx.pending.length,
        (n) => n === 0,
        5_000,
      ),
    ).toBe(0);
  }, 40_000);

  it('a download cut half-way resumes with a Range request', async () => {
    const cluster = world.clusterIds[3] as string;
    const at = new Date(Date.now() + 8_000);
    const b = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    const before = world.mediaLink.bytesToClients;
    world.mediaLink.cutAfterBytes(Math.floor(world.rendition.bytes / 2));
    const rx = world.receiver(cluster);
    await announce();
    setTimeout(() => world.mediaLink.restore(), 300);
    expect(
      await until(
        () => rx.entry(b.id)?.phase,
        (p) => p === 'ready',
        6_000,
      ),
    ).toBe('ready');
    expect(world.mediaLink.requests.some((r) => /^range: bytes=\d+-/im.test(r))).toBe(true);
    // Resumed, not fetched again from the start.
    expect(world.mediaLink.bytesToClients - before).toBeLessThan(world.rendition.bytes * 1.3);
    await airBroadcasts(world.deps, { at }, AbortSignal.timeout(20_000));
    const aired = await row(b.id);
    expect(aired.status).toBe('AIRED');
    const played = await probe(join(world.outOf(cluster), `${b.id}.mp3`));
    expect(Math.abs(played.durationSec - 3) / 3).toBeLessThan(0.02);
  }, 30_000);

  it('a wrong hash is refused and reported', async () => {
    const cluster = world.clusterIds[3] as string;
    const at = new Date(Date.now() + 60_000);
    const b = await world.db.prisma.broadcast.create({
      data: mqttRow(world, cluster, at, { sha256: 'b'.repeat(64) }),
    });
    await announce();
    const failed = await until(
      () => row(b.id),
      (r) => r.status === 'FAILED',
      10_000,
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.reasonCode).toBe('hash-mismatch');
    expect(failed.secondsAired).toBe(0);
  }, 20_000);

  it('a receiver whose clock is 3 s off still starts within the stated precision of true time', async () => {
    const cluster = world.clusterIds[4] as string;
    const rx = world.receiver(cluster, { clockErrorMs: 3_000 });
    const at = new Date(Date.now() + 5_000);
    const b = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    await announce();
    await airBroadcasts(world.deps, { at }, AbortSignal.timeout(20_000));
    const aired = await row(b.id);
    expect(aired.status).toBe('AIRED');
    expect(Math.abs((world.trueStarts.get(b.id) ?? 0) - at.getTime())).toBeLessThan(PRECISION_MS);
    expect(rx.clock.offsetMs).toBeGreaterThan(3_000 - PRECISION_MS);
    expect(rx.clock.offsetMs).toBeLessThan(3_000 + PRECISION_MS);
  }, 30_000);
});

// The sweep and 4G receivers: the receiver plays a store-and-forward airing by itself, so a
// dispatching worker that dies while the receiver's link is down must not end the row: the
// receipts that arrive when the link returns settle it, and only the receipt deadline (planned
// end + lateness + grace) ends a row that never gets its final receipt.
const MAX_LATE_MS = 5_000;

/** The sweep of a surviving worker at `now` (the engine's own lead and lease timings). */
const sweep = (now: number, receiptGraceMs?: number) =>
  sweepBroadcasts(world.db.prisma, {
    now,
    lateness: { maxLateMs: MAX_LATE_MS },
    leaseTtlMs: 3_000,
    leadMs: 15_000,
    ...(receiptGraceMs === undefined ? {} : { receiptGraceMs }),
  });

/** A dispatching worker's claim of a row, as it leaves it when it dies. */
const claim = (id: string, at: Date) => moveBroadcast(world.db.prisma, id, 'STARTING', { startedAt: at });

const announceAll = () =>
  announceReceivers(
    { db: world.db.prisma, store: world.store, logger: world.deps.logger, receivers: world.receivers },
    { now: Date.now(), announceMs: 30 * 60_000 },
  );

afterEach(() => world.brokerLink.restore());

describe('the sweep leaves store-and-forward airings to their receipts', () => {
  it('worker gone and link down during the airing: the receipt after the link returns settles it AIRED', async () => {
    const cluster = world.clusterIds[5] as string;
    const rx = world.receiver(cluster);
    const at = new Date(Date.now() + 3_000);
    const b = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    // A row of another driver claimed by the same dead worker: the sweep must still end that one.
    const rtp = await world.db.prisma.broadcast.create({
      data: { ...mqttRow(world, world.clusterIds[7] as string, at), driverKind: 'RTP' },
    });
    const claimedAt = new Date();
    expect(await claim(b.id, claimedAt)).toBe(true);
    expect(await claim(rtp.id, claimedAt)).toBe(true);
    await announceAll();
    expect(
      await until(
        () => rx.entry(b.id)?.phase,
        (p) => p === 'ready',
        3_000,
      ),
    ).toBe('ready');
    // The worker is gone (it never starts the airing) and the receiver's link drops.
    world.brokerLink.cut();
    expect(
      await until(
        () => rx.entry(b.id)?.phase,
        (p) => p === 'done',
        8_000,
      ),
    ).toBe('done');
    // A surviving worker sweeps long after the claim: well past what a claim may wait.
    const swept = await sweep(Date.now() + 60_000);
    expect(swept.ended).toBe(1);
    expect((await row(rtp.id)).reasonCode).toBe('worker-lost');
    const left = await row(b.id);
    expect(left.status).toBe('STARTING');
    expect(left.reasonCode).toBeNull();

    world.brokerLink.restore();
    const aired = await until(
      () => row(b.id),
      (r) => r.status === 'AIRED',
      8_000,
    );
    expect(aired.status).toBe('AIRED');
    expect(aired.reasonCode).toBeNull();
    expect(aired.secondsAired).toBeCloseTo(3, 1);
    expect(Math.abs(aired.skewMs ?? Number.NaN)).toBeLessThan(PRECISION_MS);
    expect(Math.abs((world.trueStarts.get(b.id) ?? 0) - at.getTime())).toBeLessThan(PRECISION_MS);
  }, 30_000);

  it('worker gone after the start receipt, link down until after the end: AIRED, not worker-lost', async () => {
    const cluster = world.clusterIds[6] as string;
    const rx = world.receiver(cluster);
    const at = new Date(Date.now() + 2_500);
    const b = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    expect(await claim(b.id, new Date())).toBe(true);
    await announceAll();
    const airing = await until(
      () => row(b.id),
      (r) => r.status === 'AIRING',
      6_000,
    );
    expect(airing.status).toBe('AIRING');
    world.brokerLink.cut();
    expect(
      await until(
        () => rx.entry(b.id)?.phase,
        (p) => p === 'done',
        6_000,
      ),
    ).toBe('done');
    // No progress recorded for a minute: a worker's airing would be given up by now.
    await sweep(Date.now() + 60_000);
    expect((await row(b.id)).status).toBe('AIRING');
    world.brokerLink.restore();
    const aired = await until(
      () => row(b.id),
      (r) => r.status === 'AIRED',
      8_000,
    );
    expect(aired.status).toBe('AIRED');
    expect(aired.secondsAired).toBeCloseTo(3, 1);
  }, 30_000);

  it('with no final receipt, the row ends at its receipt deadline (planned end + lateness + grace)', async () => {
    const cluster = world.clusterIds[7] as string; // no receiver listens
    const at = new Date(Date.now() - 10_000);
    const claimed = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    expect(await claim(claimed.id, at)).toBe(true);
    const started = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    await claim(started.id, at);
    expect(
      await moveBroadcast(world.db.prisma, started.id, 'AIRING', { firstAudioAt: at, secondsAired: 1.2 }),
    ).toBe(true);
    const planned = await world.db.prisma.broadcast.create({ data: mqttRow(world, cluster, at) });
    const ids = [claimed.id, started.id, planned.id];
    const grace = 30_000;
    const deadline = at.getTime() + MAX_LATE_MS + 3_000 + grace;

    await sweep(deadline - 100, grace);
    for (const id of ids) expect((await row(id)).reasonCode).toBeNull();

    await sweep(deadline + 100, grace);
    const [c, s, p] = await Promise.all(ids.map(row));
    expect([c?.status, s?.status, p?.status]).toEqual(['MISSED', 'PARTIAL', 'MISSED']);
    for (const r of [c, s, p]) expect(r?.reasonCode).toBe('no-receipt');
    expect(s?.secondsAired).toBeCloseTo(1.2, 5);
  }, 20_000);
});
