// The RTP driver against a real receiver: ffmpeg reading the SDP Loa writes for the cluster,
// capturing what arrives (-c copy), ending on the driver's RTCP BYE.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from '../../../media/profiles.ts';
import type { AiringRequest } from '../../../worker/drivers/driver.ts';
import { clusterSdp, RtpDriver } from '../../../worker/drivers/rtp.ts';
import { evenPort, type Receiver, startReceiver } from './peers.ts';
import { makeRendition, probe, rmsDb } from './renditions.ts';

const run = promisify(execFile);
const SECONDS = 4;
let dir: string;
let driver: RtpDriver;
const renditions: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-rtp-'));
  driver = new RtpDriver();
  for (const id of ['pcmu-8k', 'wav-l16', 'mp3-24k', 'opus-24k'])
    renditions[id] = await makeRendition(dir, id, SECONDS);
});
afterAll(async () => {
  await driver.close();
  await rm(dir, { recursive: true, force: true });
});

function request(broadcastId: string, config: unknown, startAt: number): AiringRequest {
  const parsed = driver.parseConfig(config);
  const profile = findProfile(driver.profileId(parsed));
  return {
    broadcastId,
    clusterId: broadcastId,
    startAt,
    priority: 'NORMAL',
    profile,
    config: parsed,
    items: [
      {
        bulletinId: 'b',
        renditionId: profile.id,
        path: renditions[profile.id] ?? '',
        sha256: profile.id.padEnd(64, '0'),
        bytes: 0,
        durationSec: SECONDS,
        segments: [],
      },
    ],
  };
}

/** Airs to every cluster at one instant (prepare all, then start all in one loop) with a receiver each. */
async function airTo(clusters: { name: string; config: Record<string, unknown>; group?: string }[]) {
  const startAt = Date.now() + 1000;
  const receivers: Receiver[] = [];
  for (const c of clusters) {
    const config = driver.parseConfig(c.config);
    receivers.push(await startReceiver(dir, c.name, clusterSdp(config), config.port, c.group));
  }
  try {
    const signal = new AbortController().signal;
    const prepared = await Promise.all(
      clusters.map((c) => driver.prepare(request(c.name, c.config, startAt), signal)),
    );
    const airings = prepared.map((p) => p.start());
    const outcomes = await Promise.all(airings.map((a) => a.done));
    const exits = await Promise.all(receivers.map((r) => r.exited));
    return { airings, outcomes, exits, captures: receivers.map((r) => r.capture) };
  } finally {
    for (const r of receivers) r.kill();
  }
}

async function expectCapture(capture: string, codec: string, profileId: string) {
  const profile = findProfile(profileId);
  const source = renditions[profileId] ?? '';
  const [got, sent] = await Promise.all([probe(capture), probe(source, profile)]);
  expect(got.codec).toBe(codec);
  expect(Math.abs(got.durationSec - sent.durationSec) / sent.durationSec).toBeLessThan(0.02);
  // The audio is there and at its level (the capture decodes to the rendition's loudness).
  const [gotDb, sentDb] = await Promise.all([rmsDb(capture), rmsDb(source, profile)]);
  expect(Math.abs(gotDb - sentDb)).toBeLessThan(1);
}

const cases = [
  { encoding: 'PCMU', config: { payloadType: 0 }, codec: 'pcm_mulaw', profile: 'pcmu-8k' },
  { encoding: 'PCMA', config: { payloadType: 8 }, codec: 'pcm_alaw', profile: 'pcmu-8k' },
  { encoding: 'L16', config: { payloadType: 96, encoding: 'L16' }, codec: 'pcm_s16be', profile: 'wav-l16' },
  { encoding: 'MPA', config: { payloadType: 14 }, codec: 'mp3', profile: 'mp3-24k' },
  { encoding: 'Opus', config: { payloadType: 111, encoding: 'OPUS' }, codec: 'opus', profile: 'opus-24k' },
];

describe('RTP driver → ffmpeg receiver on loopback', () => {
  for (const c of cases) {
    it(`airs ${c.encoding}: the receiver captures ${c.codec} of the programme's length and loudness`, async () => {
      const { outcomes, exits, captures } = await airTo([
        { name: c.encoding, config: { host: '127.0.0.1', port: evenPort(), ...c.config } },
      ]);
      expect(exits).toEqual([0]); // ended by the BYE, not killed
      expect(outcomes[0]?.error).toBeUndefined();
      expect(Math.abs((outcomes[0]?.secondsAired ?? 0) - SECONDS)).toBeLessThan(0.02 * SECONDS);
      await expectCapture(captures[0] ?? '', c.codec, c.profile);
    });
  }

  it('a stop ends the stream for the receiver where the audio stopped', async () => {
    const port = evenPort();
    const config = driver.parseConfig({ host: '127.0.0.1', port, payloadType: 0 });
    const receiver = await startReceiver(dir, 'stopped', clusterSdp(config), port);
    try {
      const prepared = await driver.prepare(
        request('stopped', config, Date.now()),
        new AbortController().signal,
      );
      const airing = prepared.start();
      await airing.firstAudioAt;
      // Stop once the receiver has had a second and a half of it.
      await receiver.received(1.5);
      airing.stop({ code: 'preempted', message: 'emergency' });
      const outcome = await airing.done;
      expect(outcome.error?.code).toBe('preempted');
      expect(outcome.secondsAired).toBeLessThan(SECONDS);
      expect(await receiver.exited).toBe(0);
      const got = await probe(receiver.capture);
      expect(Math.abs(got.durationSec - outcome.secondsAired)).toBeLessThan(0.1);
    } finally {
      receiver.kill();
    }
  });
});

describe('RTP multicast and fan-out', () => {
  const group = '239.255.77.1';
  let routed = false;
  beforeAll(async () => {
    // Loopback multicast: the group is routed to lo for the test (root, as here and in CI).
    await run('ip', ['route', 'replace', `${group}/32`, 'dev', 'lo']);
    routed = true;
  });
  afterAll(async () => {
    if (routed) await run('ip', ['route', 'del', `${group}/32`, 'dev', 'lo']);
  });

  it('airs one packetisation to a multicast group and a unicast cluster at once', async () => {
    const { outcomes, exits, captures, airings } = await airTo([
      {
        name: 'mcast',
        config: { host: group, port: evenPort(), payloadType: 0, ttl: 1, interface: '127.0.0.1' },
        group,
      },
      { name: 'ucast', config: { host: '127.0.0.1', port: evenPort(), payloadType: 0 } },
    ]);
    expect(exits).toEqual([0, 0]);
    for (const capture of captures) await expectCapture(capture, 'pcm_mulaw', 'pcmu-8k');
    // Shared group: the same RTP stream (one SSRC) went to both, first packets in one loop.
    const receipts = outcomes.map((o) => o.receipt as { ssrc: number; packets: number });
    expect(receipts[0]?.ssrc).toBe(receipts[1]?.ssrc);
    expect(receipts[0]?.packets).toBe(SECONDS * 50);
    const [a, b] = await Promise.all(airings.map((x) => x.firstAudioAt));
    expect(a).toBeDefined();
    expect(b).toBeDefined();
  });
});
