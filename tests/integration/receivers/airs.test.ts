// MQTT store-and-forward end to end against Debian's mosquitto: the command goes out minutes
// ahead (announce job), the reference receiver downloads, verifies and plays at the instant by
// its own clock, its receipts settle the broadcast; the broker refuses a receiver reporting for
// another cluster.

import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, receiptId, topics } from '../../../domain/receiver-protocol.ts';
import { receiverPassword } from '../../../platform/receiver-secrets.ts';
import { airBroadcasts } from '../../../worker/dispatch/engine.ts';
import { announceReceivers } from '../../../worker/jobs/announce-receivers.ts';
import { probe } from '../drivers/renditions.ts';
import { mqttRow, type ReceiversWorld, receiversWorld, SECRET, until } from './world.ts';

/** The driver's stated start precision against true time (receiver timers, corrected clock). */
const PRECISION_MS = 50;

let world: ReceiversWorld;
beforeAll(async () => {
  world = await receiversWorld({ clusters: 2, audioSec: 3 });
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
