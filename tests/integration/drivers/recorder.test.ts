import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from '../../../media/profiles.ts';
import type { AiringRequest } from '../../../worker/drivers/driver.ts';
import { RecorderDriver } from '../../../worker/drivers/recorder.ts';
import { fileReaches } from './peers.ts';
import { makeRendition, probe, rmsDb } from './renditions.ts';

let dir: string;
let driver: RecorderDriver;
const renditions: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-recorder-'));
  driver = new RecorderDriver({ dir: join(dir, 'recordings') });
  renditions['wav-l16'] = await makeRendition(dir, 'wav-l16', 4);
  renditions['mp3-24k'] = await makeRendition(dir, 'mp3-24k', 4);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function request(broadcastId: string, profileId: string, gapsSec: number[] = [0]): AiringRequest {
  const path = renditions[profileId] ?? '';
  return {
    broadcastId,
    clusterId: 'cluster-1',
    startAt: Date.now(),
    priority: 'NORMAL',
    profile: findProfile(profileId),
    config: driver.parseConfig({ profile: profileId }),
    items: gapsSec.map((gap, i) => ({
      bulletinId: `b${i}`,
      renditionId: `r${i}`,
      path,
      sha256: 'x'.repeat(64),
      bytes: 0,
      durationSec: 4,
      segments: [],
      ...(gap ? { gapBeforeSec: gap } : {}),
    })),
  };
}

async function air(req: AiringRequest) {
  const prepared = await driver.prepare(req, new AbortController().signal);
  return prepared.start();
}

describe('recorder driver', () => {
  it('records exactly the programme: the rendition samples, paced, as a WAV of its length', async () => {
    const airing = await air(request('whole-wav', 'wav-l16'));
    expect(await airing.firstAudioAt).toBeGreaterThan(0);
    const outcome = await airing.done;
    expect(outcome).toMatchObject({ secondsAired: 4 });
    expect(outcome.error).toBeUndefined();
    const recording = join(dir, 'recordings', 'whole-wav.wav');
    const probed = await probe(recording);
    expect(probed).toMatchObject({ codec: 'pcm_s16le', sampleRate: 16000, durationSec: 4 });
    const [source, recorded] = await Promise.all([
      readFile(renditions['wav-l16'] ?? ''),
      readFile(recording),
    ]);
    expect(recorded.subarray(44)).toEqual(source.subarray(source.length - 4 * 32000));
  });

  it('records an MP3 programme frame for frame, with the gap between repeats as silence', async () => {
    const outcome = await (await air(request('twice-mp3', 'mp3-24k', [0, 1]))).done;
    const single = await probe(renditions['mp3-24k'] ?? '');
    const recording = join(dir, 'recordings', 'twice-mp3.mp3');
    const probed = await probe(recording);
    expect(probed.codec).toBe('mp3');
    expect(Math.abs(probed.durationSec - (2 * single.durationSec + 1))).toBeLessThanOrEqual(0.048);
    expect(Math.abs(outcome.secondsAired - probed.durationSec)).toBeLessThanOrEqual(0.048);
    // The audio is there: the two passes and a silent second are about as loud as the single pass over 9 s.
    const expected =
      (await rmsDb(renditions['mp3-24k'] ?? '')) +
      10 * Math.log10((2 * single.durationSec) / probed.durationSec);
    expect(Math.abs((await rmsDb(recording)) - expected)).toBeLessThan(1);
  });

  it('a stop halfway leaves the first half in the file, and done says how much aired', async () => {
    const airing = await air(request('stopped', 'wav-l16'));
    const recording = join(dir, 'recordings', 'stopped.wav');
    await fileReaches(recording, 44 + 2 * 32000);
    airing.stop({ code: 'preempted', message: 'emergency' });
    const outcome = await airing.done;
    expect(outcome.error).toEqual({ code: 'preempted', message: 'emergency' });
    expect(outcome.secondsAired).toBeGreaterThanOrEqual(2);
    expect(outcome.secondsAired).toBeLessThan(2.5);
    const probed = await probe(recording);
    expect(probed.durationSec).toBeCloseTo(outcome.secondsAired, 2);
  });

  it('an abandoned airing leaves no file', async () => {
    const prepared = await driver.prepare(request('abandoned', 'wav-l16'), new AbortController().signal);
    await prepared.abandon({ code: 'cancelled', message: 'slot cancelled' });
    await expect(readFile(join(dir, 'recordings', 'abandoned.wav'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a rendition other than its profile', async () => {
    const req = { ...request('wrong', 'wav-l16'), profile: findProfile('mp3-24k') };
    await expect(driver.prepare(req, new AbortController().signal)).rejects.toThrow(/wav-l16/);
  });
});
