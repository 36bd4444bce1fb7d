import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renditionInput } from '../../../media/commands.ts';
import { FfmpegError, runFfmpeg } from '../../../media/ffmpeg-runner.ts';
import {
  generateChime,
  generateSpeechLike,
  speechLikeExpression,
  writeTextFile,
} from '../../../media/fixtures.ts';
import { detectSilences, measureLoudness, measureSpeechLoudness } from '../../../media/loudness.ts';
import { type PipelineResult, runBulletinPipeline } from '../../../media/pipeline.ts';
import { MediaError, probeMedia } from '../../../media/probe.ts';
import { decodedSampleRate, defaultProfiles, findProfile } from '../../../media/profiles.ts';
import { computeWaveform } from '../../../media/waveform.ts';

let dir: string;
const paths = { chime: '', vie: '', hmn: '', text: '' };
let result: PipelineResult;
const progress: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-pipeline-'));
  paths.chime = join(dir, 'chuông.wav');
  paths.vie = join(dir, 'tiếng Việt.mp3');
  paths.hmn = join(dir, 'tiếng Mông.m4a');
  paths.text = join(dir, 'ghi chú.mp3');
  await Promise.all([
    generateChime(paths.chime, 1.2),
    generateSpeechLike(paths.vie, { durationSec: 3, container: 'mp3', pitchHz: 170 }),
    generateSpeechLike(paths.hmn, {
      durationSec: 2,
      container: 'm4a',
      pitchHz: 230,
      channels: 2,
      sampleRate: 44100,
    }),
    writeTextFile(paths.text),
  ]);
  result = await runBulletinPipeline({
    tracks: [
      { language: 'vie', path: paths.vie },
      { language: 'hmn', path: paths.hmn },
    ],
    settings: { chimePath: paths.chime, gapSec: 1, repeat: 2, repeatGapSec: 2 },
    outputDir: join(dir, 'out'),
    onProgress: (f) => progress.push(f),
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('bulletin pipeline', () => {
  it('encodes the programme into every profile with the profile codec, rate, channels and duration', async () => {
    // chime 1.2 + 1 + vie 3 + 1 + hmn ~2 + 2 (repeat gap) + the same again without the final gap
    expect(result.programme.durationSec).toBeGreaterThan(18.3);
    expect(result.programme.durationSec).toBeLessThan(18.6);
    expect(result.programme.renditions.map((r) => r.profileId)).toEqual(defaultProfiles.map((p) => p.id));
    for (const rendition of result.programme.renditions) {
      const profile = findProfile(rendition.profileId);
      const info = await probeMedia(renditionInput(rendition.path, profile));
      expect(info.audioStreams[0], rendition.fileName).toMatchObject({
        codec: profile.codec,
        sampleRate: decodedSampleRate(profile),
        channels: 1,
      });
      expect(
        Math.abs((info.durationSec ?? 0) - result.programme.durationSec),
        rendition.fileName,
      ).toBeLessThan(0.15);
      expect(rendition.sha256).toBe(await sha256(rendition.path));
    }
  });

  it('plays chime and languages in order, separated by the gaps', async () => {
    const wav = result.programme.renditions.find((r) => r.profileId === 'wav-l16');
    const silences = await detectSilences(
      { path: wav?.path as string },
      { noiseDb: -50, minSilenceSec: 0.6 },
    );
    const sounds: { startSec: number; durationSec: number }[] = [];
    let cursor = 0;
    for (const silence of [...silences, { startSec: result.programme.durationSec, endSec: Infinity }]) {
      if (silence.startSec > cursor)
        sounds.push({ startSec: cursor, durationSec: silence.startSec - cursor });
      cursor = silence.endSec;
    }
    const expected = [1.2, 3, 2, 1.2, 3, 2];
    expect(sounds.map((s) => Math.round(s.durationSec))).toEqual(expected.map(Math.round));
    sounds.forEach((sound, i) => {
      expect(Math.abs(sound.durationSec - (expected[i] as number))).toBeLessThan(0.2);
    });
    expect(result.programme.segments.map((s) => [s.kind, s.language, s.repetition])).toEqual([
      ['chime', undefined, 0],
      ['language', 'vie', 0],
      ['language', 'hmn', 0],
      ['chime', undefined, 1],
      ['language', 'vie', 1],
      ['language', 'hmn', 1],
    ]);
    result.programme.segments.forEach((segment, i) => {
      expect(Math.abs(segment.startSec - (sounds[i]?.startSec ?? -1)), `segment ${i}`).toBeLessThan(0.1);
    });
  });

  it('brings every rendition to −18 LUFS ±1 LU with true peak under the ceiling', async () => {
    for (const rendition of [
      ...result.programme.renditions,
      ...result.languages.flatMap((l) => l.renditions),
    ]) {
      expect(Math.abs(rendition.integratedLufs + 18), rendition.fileName).toBeLessThanOrEqual(1);
      expect(rendition.truePeakDbtp, rendition.fileName).toBeLessThanOrEqual(-1.5);
      expect(rendition.peakTrimDb, rendition.fileName).toBeLessThanOrEqual(0);
    }
    const mp3 = result.programme.renditions.find((r) => r.profileId === 'mp3-24k');
    const independent = await measureLoudness({ path: mp3?.path as string });
    expect(Math.abs(independent.integratedLufs + 18)).toBeLessThanOrEqual(1);
  });

  it('keeps a normalised rendition per language, with the measured source loudness', async () => {
    expect(result.languages.map((l) => [l.index, l.language, l.renditions.map((r) => r.fileName)])).toEqual([
      [0, 'vie', ['01-vie.mp3-24k.mp3']],
      [1, 'hmn', ['02-hmn.mp3-24k.mp3']],
    ]);
    const [vie, hmn] = result.languages;
    expect(vie?.durationSec).toBeCloseTo(3, 1);
    expect(hmn?.durationSec).toBeCloseTo(2, 1);
    expect(vie?.source.audioStreams[0]?.codec).toBe('mp3');
    expect(hmn?.source.audioStreams[0]).toMatchObject({ codec: 'aac', channels: 2 });
    expect(vie?.sourceLoudness.integratedLufs).toBeLessThan(-20);
    for (const language of result.languages) {
      const info = await probeMedia(language.renditions[0]?.path as string);
      expect(Math.abs((info.durationSec ?? 0) - language.durationSec)).toBeLessThan(0.15);
    }
  });

  it('leaves only the renditions in the output dir and reports progress up to 1', async () => {
    const names = await readdir(join(dir, 'out'));
    expect(names.sort()).toEqual(
      [...result.programme.renditions, ...result.languages.flatMap((l) => l.renditions)]
        .map((r) => r.fileName)
        .sort(),
    );
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > (progress[i - 1] as number)))).toBe(
      true,
    );
  });

  it('computes waveform peaks: speech where the languages play, silence in the gaps', async () => {
    const wav = result.programme.renditions.find((r) => r.profileId === 'wav-l16');
    const waveform = await computeWaveform({ path: wav?.path as string }, { length: 200 });
    expect(waveform.length).toBe(200);
    expect(waveform.durationSec).toBeCloseTo(result.programme.durationSec, 1);
    expect(waveform.peaks.every((p) => p >= -1 && p <= 1)).toBe(true);
    const peakAt = (sec: number) => {
      const i = Math.floor((sec / waveform.durationSec) * waveform.length);
      return Math.max(
        Math.abs(waveform.peaks[2 * i] as number),
        Math.abs(waveform.peaks[2 * i + 1] as number),
      );
    };
    const [, vie] = result.programme.segments;
    expect(peakAt((vie?.startSec ?? 0) + 1.5)).toBeGreaterThan(0.1);
    expect(peakAt((vie?.startSec ?? 0) - 0.5)).toBeLessThan(0.01);
  });
});

describe('bulletin pipeline settings and failures', () => {
  it('normalises to another target (−23 LUFS, EBU R128) and encodes only the profiles asked for', async () => {
    const out = join(dir, 'r128');
    // Steady speech long enough for a meaningful loudness range: brought to target by plain gain.
    const steady = join(dir, 'đều.wav');
    await generateSpeechLike(steady, { durationSec: 12, pitchHz: 170 });
    const r128 = await runBulletinPipeline({
      tracks: [{ language: 'vie', path: steady }],
      settings: {
        loudness: { integratedLufs: -23, truePeakDbtp: -2, loudnessRangeLu: 11 },
        profiles: [findProfile('wav-l16')],
        outroChimePath: paths.chime,
        gapSec: 0.5,
      },
      outputDir: out,
      workParentDir: join(dir, 'work'),
    });
    expect(r128.programme.segments.map((s) => s.kind)).toEqual(['language', 'outro-chime']);
    expect(r128.programme.segments[1]?.startSec).toBeCloseTo(
      (r128.languages[0]?.durationSec ?? Number.NaN) + 0.5,
      3,
    );
    expect(r128.programme.renditions).toHaveLength(1);
    expect(r128.languages[0]?.normalisation).toBe('linear');
    const measured = await measureLoudness({ path: r128.programme.renditions[0]?.path as string });
    expect(Math.abs(measured.integratedLufs + 23)).toBeLessThanOrEqual(1);
    expect(await readdir(out)).toEqual(['programme.wav-l16.wav']);
    expect(await readdir(join(dir, 'work'))).toEqual([]);
  });

  it('falls back to loudnorm dynamic mode when plain gain would lift a peak above the ceiling', async () => {
    // Quiet speech (about −37 LUFS) with one full-scale click: +19 dB of gain would clip the click.
    const peaky = join(dir, 'tiếng lách cách.wav');
    const expression = `${speechLikeExpression({ durationSec: 20, amplitude: 0.03 })}+0.9*between(t,2,2.002)`;
    await runFfmpeg({
      args: ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${expression}':s=48000:d=20`, peaky],
      allowGeneratedInputs: true,
      timeoutMs: 60_000,
      stallMs: 30_000,
    });
    const dynamic = await runBulletinPipeline({
      tracks: [{ language: 'hni', path: peaky }],
      settings: { profiles: [findProfile('wav-l16')] },
      outputDir: join(dir, 'dynamic'),
    });
    const [language] = dynamic.languages;
    expect(language?.sourceLoudness.truePeakDbtp).toBeGreaterThan(-3);
    expect(language?.normalisation).toBe('dynamic');
    expect(language?.durationSec).toBeCloseTo(20, 1);
    const [wav] = dynamic.programme.renditions;
    expect(wav?.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    expect(Math.abs((wav?.integratedLufs ?? 0) + 18)).toBeLessThanOrEqual(1);
  });

  it('trims a rendition whose encoding lifts the true peak over the ceiling, and only that one', async () => {
    // A square-ish 1 kHz buzz: Opus at 24 kbit/s rebuilds its peaks higher than they were (deterministic).
    const bright = join(dir, 'tiếng rè.wav');
    const expression =
      '0.4*(sin(2*PI*1000*t)+sin(2*PI*3000*t)/3+sin(2*PI*5000*t)/5)*pow(max(0,sin(2*PI*2.2*t)),0.7)';
    await runFfmpeg({
      args: ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${expression}':s=48000:d=8`, bright],
      allowGeneratedInputs: true,
      timeoutMs: 60_000,
      stallMs: 30_000,
    });
    // A target that brings the speech-chain peak to a tenth of a dB under the −1.5 dBTP ceiling.
    const source = await measureSpeechLoudness({ path: bright });
    const integratedLufs = Math.round((-1.6 - (source.truePeakDbtp - source.integratedLufs)) * 10) / 10;
    const trimmed = await runBulletinPipeline({
      tracks: [{ language: 'vie', path: bright }],
      settings: {
        loudness: { integratedLufs, truePeakDbtp: -1.5, loudnessRangeLu: 11 },
        profiles: [findProfile('opus-24k'), findProfile('wav-l16')],
      },
      outputDir: join(dir, 'trimmed'),
    });
    expect(trimmed.languages[0]?.normalisation).toBe('linear');
    const [opus, wav] = trimmed.programme.renditions;
    expect(opus?.peakTrimDb).toBeLessThan(0);
    expect(opus?.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    expect(Math.abs((opus?.integratedLufs ?? 0) - integratedLufs)).toBeLessThanOrEqual(1);
    expect(wav?.peakTrimDb).toBe(0);
    expect(wav?.truePeakDbtp).toBeLessThanOrEqual(-1.5);
  });

  it('gives the same bytes for the same input, so renditions can be stored by hash', async () => {
    const again = await runBulletinPipeline({
      tracks: [
        { language: 'vie', path: paths.vie },
        { language: 'hmn', path: paths.hmn },
      ],
      settings: { chimePath: paths.chime, gapSec: 1, repeat: 2, repeatGapSec: 2 },
      outputDir: join(dir, 'again'),
    });
    const hashes = (r: PipelineResult) =>
      [...r.programme.renditions, ...r.languages.flatMap((l) => l.renditions)].map((x) => [
        x.fileName,
        x.sha256,
      ]);
    expect(hashes(again)).toEqual(hashes(result));
  });

  it('names the bad track and leaves nothing behind', async () => {
    const out = join(dir, 'bad');
    const error = await runBulletinPipeline({
      tracks: [
        { language: 'vie', path: paths.vie },
        { language: 'hmn', path: paths.text },
      ],
      outputDir: out,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('NOT_MEDIA');
    expect((error as MediaError).message).toMatch(/^track 2 \(hmn\)/);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a silent track', async () => {
    const silent = join(dir, 'im lặng.wav');
    await generateSpeechLike(silent, { durationSec: 2, amplitude: 0 });
    const error = await runBulletinPipeline({
      tracks: [{ language: 'tyz', path: silent }],
      outputDir: join(dir, 'silent'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('SILENT');
    expect(await readdir(join(dir, 'silent'))).toEqual([]);
  });

  it.each([
    ['while preparing the sources', 0],
    ['while encoding or verifying', 0.5],
  ])('stops on abort %s and removes its temp dir', async (_when, atFraction) => {
    const out = join(dir, `aborted-${atFraction}`);
    const controller = new AbortController();
    const error = await runBulletinPipeline({
      tracks: [
        { language: 'vie', path: paths.vie },
        { language: 'hmn', path: paths.hmn },
      ],
      outputDir: out,
      signal: controller.signal,
      onProgress: (f) => {
        if (f > atFraction) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).code).toBe('FFMPEG_ABORTED');
    expect(await readdir(out)).toEqual([]);
  });

  it('rejects settings out of range and language codes that are not ISO 639-3', async () => {
    const tracks = [{ language: 'vie', path: paths.vie }];
    const out = join(dir, 'invalid');
    await expect(runBulletinPipeline({ tracks, settings: { repeat: 11 }, outputDir: out })).rejects.toThrow();
    await expect(
      runBulletinPipeline({ tracks: [{ language: '../x', path: paths.vie }], outputDir: out }),
    ).rejects.toThrow();
    await expect(
      runBulletinPipeline({ tracks, settings: { languageProfileIds: ['aac'] }, outputDir: out }),
    ).rejects.toThrow(/languageProfileIds/);
  });
});
