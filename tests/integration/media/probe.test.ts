import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureContainer,
  generateAmr,
  generatePng,
  generateSilentVideo,
  generateSpeechLike,
  generateVbrMp3WithoutHeader,
  writeTextFile,
} from '../../../media/fixtures.ts';
import { MediaError, probeMedia, sniffAudio } from '../../../media/probe.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-probe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('probe accepts what officers really send', () => {
  it.each<[FixtureContainer, string, string]>([
    ['mp3', 'mp3', 'mp3'],
    ['wav', 'wav', 'pcm_s16le'],
    ['m4a', 'mov,mp4,m4a,3gp,3g2,mj2', 'aac'],
    ['ogg', 'ogg', 'opus'],
    ['webm', 'matroska,webm', 'opus'],
    ['flac', 'flac', 'flac'],
  ])('%s', async (container, formatName, codec) => {
    const path = join(dir, `Bản tin tiếng Việt.${container}`);
    await generateSpeechLike(path, { durationSec: 2, container, channels: 2, sampleRate: 48000 });
    const { info, decodedDurationSec } = await sniffAudio(path);
    expect(info.formatName).toBe(formatName);
    expect(info.audioStreams).toHaveLength(1);
    expect(info.audioStreams[0]).toMatchObject({ codec, channels: 2, sampleRate: 48000 });
    expect(decodedDurationSec).toBeGreaterThan(1.9);
    expect(decodedDurationSec).toBeLessThan(2.1);
  });
});

describe('phone recordings whose length is only estimated are judged by their decode', () => {
  // 20 s: long enough for the bitrate estimates to miss by more than the 0.5 s the check allows.
  it.each<[string, string, (path: string) => Promise<void>, string, string, boolean]>([
    ['AMR-NB', 'ghi âm.amr', (p) => generateAmr(p, { durationSec: 20 }), 'amr', 'amr_nb', true],
    [
      'AMR-NB in 3GP',
      'ghi âm.3gp',
      (p) => generateAmr(p, { durationSec: 20, container: '3gp' }),
      'mov,mp4,m4a,3gp,3g2,mj2',
      'amr_nb',
      false,
    ],
    [
      'VBR MP3 without a Xing header',
      'ghi âm.mp3',
      (p) => generateVbrMp3WithoutHeader(p, 20),
      'mp3',
      'mp3',
      true,
    ],
  ])('%s', async (_name, fileName, make, formatName, codec, estimated) => {
    const path = join(dir, fileName);
    await make(path);
    const { info, decodedDurationSec } = await sniffAudio(path);
    expect(info).toMatchObject({ formatName, durationEstimated: estimated });
    expect(info.audioStreams[0]?.codec).toBe(codec);
    expect(Math.abs(decodedDurationSec - 20)).toBeLessThan(0.1);
    if (estimated) expect(Math.abs((info.durationSec ?? 0) - 20)).toBeGreaterThan(0.5);
  });
});

describe('probe classifies bad uploads, each with its own code', () => {
  // The TOO_LONG case alone lowers the limit, so every other case is judged by the default 30 minutes.
  const cases: [string, string, (path: string) => Promise<void>, number?][] = [
    ['an empty file', 'EMPTY_FILE', (path) => writeFile(path, '')],
    ['a text file renamed .mp3', 'NOT_MEDIA', writeTextFile],
    ['a PNG renamed .mp3', 'UNSUPPORTED_FORMAT', (path) => generatePng(path)],
    ['a video without audio', 'NO_AUDIO_STREAM', (path) => generateSilentVideo(path)],
    [
      'a truncated MP3',
      'TRUNCATED',
      async (path) => {
        await generateSpeechLike(`${path}.full`, { durationSec: 4, container: 'mp3' });
        const bytes = await readFile(`${path}.full`);
        await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 3)));
      },
    ],
    [
      'audio longer than the limit',
      'TOO_LONG',
      (path) => generateSpeechLike(path, { durationSec: 3, container: 'mp3' }),
      2,
    ],
  ];

  it.each(cases)('%s → %s', async (name, code, make, maxDurationSec) => {
    const path = join(dir, `${name.replaceAll(' ', '-')}.mp3`);
    await make(path);
    const error = await sniffAudio(path, { maxDurationSec }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe(code);
  });

  it('gives distinct codes to the distinct cases', () => {
    expect(new Set(cases.map(([, code]) => code)).size).toBe(cases.length);
  });

  it('probes a valid file into typed facts', async () => {
    const path = join(dir, 'mono.mp3');
    await generateSpeechLike(path, { durationSec: 3, container: 'mp3', sampleRate: 44100 });
    const info = await probeMedia(path);
    expect(info).toMatchObject({ formatName: 'mp3', videoStreamCount: 0 });
    expect(info.audioStreams[0]).toMatchObject({
      codec: 'mp3',
      sampleRate: 44100,
      channels: 1,
      bitRate: 64000,
    });
    expect(info.durationSec).toBeCloseTo(3, 1);
  });
});
