// Fault: bad receipts from the 4G receivers, published to a live system (Debian's mosquitto with
// Loa's password file and ACL, the worker's receiver link and MQTT driver running on PGlite):
// not JSON, not the protocol, an unknown broadcast, another cluster's broadcast, the same receipt
// again, a receipt that would move a settled broadcast back, a receipt beyond what the database
// can hold, and an enormous payload. None changes a broadcast or the log wrongly; afterwards the
// same link answers a time request, records a heartbeat and settles a broadcast from valid
// receipts, acknowledging them.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, receiptId, topics } from '../../domain/receiver-protocol.ts';
import { receiverPassword } from '../../platform/receiver-secrets.ts';
import { mqttRow, type ReceiversWorld, receiversWorld, SECRET } from '../integration/receivers/world.ts';
import { until } from './support/processes.ts';

let world: ReceiversWorld;
let mine: string;
let other: string;
let rx: MqttClient;
/** Receipt ids Loa acknowledged to `mine`, in order. */
const acks: string[] = [];
const timeAnswers: string[] = [];

beforeAll(async () => {
  world = await receiversWorld({ clusters: 2, audioSec: 2 });
  [mine, other] = world.clusterIds as [string, string];
  // A receiver of `mine` as the broker knows it: its own login, its own topics only.
  rx = await mqtt.connectAsync(world.broker.url, {
    protocolVersion: 5,
    username: mine,
    password: receiverPassword(SECRET, mine),
    reconnectPeriod: 0,
  });
  rx.on('message', (topic, payload) => {
    if (topic === topics.ack(mine)) acks.push(...(JSON.parse(payload.toString()) as { ids: string[] }).ids);
    if (topic === topics.time(mine)) timeAnswers.push((JSON.parse(payload.toString()) as { id: string }).id);
  });
  await rx.subscribeAsync([topics.ack(mine), topics.time(mine)], { qos: 1 });
}, 60_000);

afterAll(async () => {
  await rx?.endAsync();
  await world?.close();
});

const p = () => world.db.prisma;

/** Everything a receipt could have changed: the broadcasts and the log. */
async function snapshot() {
  return {
    broadcasts: await p().broadcast.findMany({ orderBy: { id: 'asc' } }),
    records: await p().sessionRecord.count(),
    starts: await p().sessionStart.count(),
  };
}

const receipt = (broadcastId: string, kind: 'started' | 'finished' | 'failed', extra: object = {}) => ({
  v: PROTOCOL_VERSION,
  id: receiptId(broadcastId, kind),
  broadcastId,
  kind,
  at: Date.now(),
  ...extra,
});

const publish = (payload: string | Buffer | object) =>
  rx.publishAsync(
    topics.receipt(mine),
    typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    { qos: 1 },
  );

/**
 * The link handles messages in order per connection: once a valid receipt sent after `sent` is
 * acknowledged, everything before it has been handled (a receipt for an unknown broadcast is
 * acknowledged and changes nothing, so it serves as the marker).
 */
async function handled(marker: string) {
  const id = receiptId(marker, 'finished');
  await publish(receipt(marker, 'finished', { secondsPlayed: 0 }));
  await until(`ack of ${id}`, () => acks.includes(id), 10_000);
}
const nextMarker = () => randomUUID();

async function plannedOn(clusterId: string, inMs = 60_000) {
  return p().broadcast.create({ data: mqttRow(world, clusterId, new Date(Date.now() + inMs)) });
}

describe('bad receipts against a live receivers link', () => {
  it('ignores every bad receipt, changes nothing wrongly, and still settles a valid airing after', async () => {
    const planned = await plannedOn(mine);
    const othersPlanned = await plannedOn(other);
    // A broadcast settled by its receipts, as a receiver sends them.
    const settled = await plannedOn(mine, -500);
    const startedAt = Date.now() - 400;
    await publish(receipt(settled.id, 'started', { startedAt }));
    await publish(receipt(settled.id, 'finished', { startedAt, secondsPlayed: 2 }));
    await until(
      'settled AIRED',
      async () => (await p().broadcast.findUnique({ where: { id: settled.id } }))?.status === 'AIRED',
    );
    await handled(nextMarker());
    const before = await snapshot();
    expect(before.records).toBe(1);

    const huge = 'ư'.repeat(4_000_000); // 12 MB of UTF-8
    const BAD: [string, string | Buffer | object][] = [
      ['not JSON', '{"v": 1, "id": '],
      ['binary garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256))],
      ['JSON null', 'null'],
      ['a JSON array', JSON.stringify([receipt(planned.id, 'failed')])],
      ['another protocol version', { ...receipt(planned.id, 'failed'), v: 2 }],
      ['an unknown kind', { ...receipt(planned.id, 'failed'), kind: 'exploded' }],
      ['no broadcast id', { ...receipt(planned.id, 'failed'), broadcastId: undefined }],
      [
        'a broadcast id with a topic in it',
        { ...receipt(planned.id, 'failed'), broadcastId: `${other}/cmd/#` },
      ],
      ['negative seconds', receipt(planned.id, 'finished', { secondsPlayed: -3 })],
      ['seconds as text', receipt(planned.id, 'finished', { secondsPlayed: '2' })],
      [
        'an error message of 600 chars',
        receipt(planned.id, 'failed', { error: { code: 'x', message: 'x'.repeat(600) } }),
      ],
      [
        'a broadcast id that is no uuid',
        receipt('not-a-uuid', 'failed', { error: { code: 'x', message: 'x' } }),
      ],
      [
        'an unknown broadcast',
        receipt('00000000-0000-4000-8000-00000000dead', 'failed', { error: { code: 'x', message: 'x' } }),
      ],
      [
        "another cluster's broadcast",
        receipt(othersPlanned.id, 'failed', { error: { code: 'forged', message: 'forged' } }),
      ],
      [
        "another cluster's broadcast, started",
        receipt(othersPlanned.id, 'started', { startedAt: Date.now() }),
      ],
      ['the same finished receipt again', receipt(settled.id, 'finished', { startedAt, secondsPlayed: 2 })],
      [
        'a settled broadcast failed after',
        receipt(settled.id, 'failed', { secondsPlayed: 0, error: { code: 'late', message: 'late' } }),
      ],
      ['a settled broadcast started again', receipt(settled.id, 'started', { startedAt: Date.now() })],
      [
        'a settled broadcast partly played',
        receipt(settled.id, 'finished', { startedAt, secondsPlayed: 0.5 }),
      ],
      ['a start beyond any date', receipt(planned.id, 'started', { startedAt: 9e15 })],
      ['an enormous payload', receipt(planned.id, 'failed', { error: { code: 'x', message: huge } })],
      [
        'an enormous list of hashes',
        receipt(planned.id, 'finished', { sha256: Array(200_000).fill('a'.repeat(64)) }),
      ],
    ];
    for (const [name, payload] of BAD) {
      await publish(payload);
      // Each one handled before the next, so a crash or a change is pinned to its case.
      await handled(nextMarker());
      expect(await snapshot(), name).toEqual(before);
    }
    // A receipt naming no broadcast is acknowledged like an unknown one: never re-sent forever.
    expect(acks).toContain(receiptId('not-a-uuid', 'failed'));

    // Heartbeats: progress beyond the programme, or of another cluster's broadcast, is not
    // believed; a plausible one is recorded.
    const playing = await plannedOn(mine, -500);
    await publish(receipt(playing.id, 'started', { startedAt: Date.now() - 300 }));
    await handled(nextMarker());
    const beat = (broadcastId: string, secondsPlayed: number) =>
      rx.publishAsync(
        topics.status(mine),
        JSON.stringify({
          v: PROTOCOL_VERSION,
          type: 'heartbeat',
          at: Date.now(),
          offsetMs: 0,
          rttMs: 1,
          playing: { broadcastId, secondsPlayed },
          pendingReceipts: 0,
        }),
      );
    const othersAiring = await p().broadcast.update({
      where: { id: othersPlanned.id },
      data: { status: 'STARTING' },
    });
    await p().broadcast.update({ where: { id: othersAiring.id }, data: { status: 'AIRING' } });
    await beat(playing.id, 1e9);
    await beat(othersAiring.id, 1);
    // Handled in order, and PGlite runs the statements in order: the marker's come after the beats'.
    await handled(nextMarker());
    expect((await p().broadcast.findUniqueOrThrow({ where: { id: playing.id } })).secondsAired).toBeNull();
    expect(
      (await p().broadcast.findUniqueOrThrow({ where: { id: othersAiring.id } })).secondsAired,
    ).toBeNull();
    await beat(playing.id, 1.5);
    await until(
      'a plausible progress recorded',
      async () => (await p().broadcast.findUniqueOrThrow({ where: { id: playing.id } })).secondsAired === 1.5,
      10_000,
    );

    // A receipt claiming more than the programme: recorded as the programme, the claim kept.
    const boasted = await plannedOn(mine, -500);
    await publish(receipt(boasted.id, 'finished', { startedAt: Date.now() - 300, secondsPlayed: 1e9 }));
    await handled(nextMarker());
    const clamped = await p().broadcast.findUniqueOrThrow({ where: { id: boasted.id } });
    expect([clamped.status, clamped.secondsAired]).toEqual(['AIRED', 2]);
    expect((clamped.receipt as { secondsPlayed: number }).secondsPlayed).toBe(1e9);
    const boastedRecord = await p().sessionRecord.findFirstOrThrow({ where: { broadcastId: boasted.id } });
    expect(boastedRecord.secondsAired).toBe(2);
    const beforeValid = await snapshot();

    // Still serving: a time request is answered, a heartbeat lands, valid receipts settle a
    // broadcast and are acknowledged.
    const fresh = await plannedOn(mine, -500);
    await rx.publishAsync(
      topics.status(mine),
      JSON.stringify({ v: PROTOCOL_VERSION, type: 'time-request', id: 'tq-after', t0: Date.now() }),
    );
    await until('time answer', () => timeAnswers.includes('tq-after'), 10_000);
    const playedFrom = Date.now() - 300;
    await publish(receipt(fresh.id, 'started', { startedAt: playedFrom }));
    await publish(receipt(fresh.id, 'finished', { startedAt: playedFrom, secondsPlayed: 2 }));
    const aired = await until(
      'the valid receipt recorded',
      async () => {
        const b = await p().broadcast.findUniqueOrThrow({ where: { id: fresh.id } });
        return b.status === 'AIRED' && b;
      },
      10_000,
    );
    expect(aired.secondsAired).toBe(2);
    expect(aired.firstAudioAt?.getTime()).toBe(playedFrom);
    await until('acknowledged', () => acks.includes(receiptId(fresh.id, 'finished')), 10_000);
    expect(acks).toContain(receiptId(fresh.id, 'started'));
    const after = await snapshot();
    expect(after.records).toBe(beforeValid.records + 1);
    expect(after.broadcasts.filter((b) => b.id !== fresh.id)).toEqual(beforeValid.broadcasts);
  }, 90_000);
});
