/**
 * The test tone a cluster plays when a scheduler checks it ("Phát thử"): a short 1 kHz sine at
 * the loudness target, with 20 ms fades so the horns do not click. Made once per device profile
 * into `<mediaDir>/tones/<profileId>.<ext>` (written to tmp/, checked with ffprobe, renamed into
 * place) and reused after that.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encoderArgs, num, renditionInput } from './commands.ts';
import { runFfmpeg } from './ffmpeg-runner.ts';
import { probeMedia } from './probe.ts';
import type { DeviceProfile } from './profiles.ts';
import type { MediaStore } from './store.ts';

export interface ToneSpec {
  durationSec: number;
  frequencyHz: number;
  /** Integrated loudness of the tone (BS.1770), e.g. -18 LUFS. */
  loudnessLufs: number;
}

export const DEFAULT_TONE: ToneSpec = { durationSec: 3, frequencyHz: 1000, loudnessLufs: -18 };

const FADE_SEC = 0.02;

/**
 * Peak amplitude of a sine measuring `lufs`: a full-scale 1 kHz sine in one channel reads
 * −3.01 LUFS (BS.1770's calibration), and the K-weighting is flat enough near 1 kHz.
 */
export function sineAmplitude(lufs: number): number {
  return 10 ** ((lufs + 3.01) / 20);
}

/** The ffmpeg arguments that write the tone in `profile` to `output` (absolute). Pure. */
export function toneArgs(profile: DeviceProfile, tone: ToneSpec, output: string): string[] {
  const amplitude = sineAmplitude(tone.loudnessLufs).toFixed(5);
  const source = `aevalsrc='${amplitude}*sin(2*PI*${num(tone.frequencyHz)}*t)':s=48000:d=${num(tone.durationSec)}`;
  const fades = `afade=t=in:d=${FADE_SEC},afade=t=out:st=${num(tone.durationSec - FADE_SEC)}:d=${FADE_SEC}`;
  return [
    '-f',
    'lavfi',
    '-i',
    source,
    '-af',
    fades,
    ...encoderArgs(profile),
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-f',
    profile.container,
    '-y',
    output,
  ];
}

export interface StoredTone {
  /** Relative to the media directory, as broadcast plans name files. */
  path: string;
  sha256: string;
  bytes: number;
  durationSec: number;
}

export function tonePath(profile: DeviceProfile): string {
  return join('tones', `${profile.id}.${profile.extension}`);
}

const made = new Map<string, Promise<StoredTone>>();

/** The tone of `profile`, made on first use (once per process even when asked for at once). */
export function ensureTone(
  store: MediaStore,
  profile: DeviceProfile,
  tone: ToneSpec = DEFAULT_TONE,
): Promise<StoredTone> {
  const relative = tonePath(profile);
  const full = store.resolveRelative(relative);
  const key = `${full}|${tone.durationSec}|${tone.frequencyHz}|${tone.loudnessLufs}`;
  const cached = made.get(key);
  if (cached && existsSync(full)) return cached;
  const making = describeTone(store, profile, tone, relative).catch((err) => {
    made.delete(key);
    throw err;
  });
  made.set(key, making);
  return making;
}

async function describeTone(
  store: MediaStore,
  profile: DeviceProfile,
  tone: ToneSpec,
  relative: string,
): Promise<StoredTone> {
  const full = store.resolveRelative(relative);
  if (!existsSync(full)) {
    const tmp = `${await store.newTmpPath('tone')}.${profile.extension}`;
    try {
      await runFfmpeg({
        args: toneArgs(profile, tone, tmp),
        timeoutMs: 60_000,
        stallMs: 30_000,
        allowGeneratedInputs: true,
      });
      const info = await probeMedia(renditionInput(tmp, profile));
      const codec = info.audioStreams[0]?.codec;
      if (codec !== profile.codec)
        throw new Error(`tone for ${profile.id} came out as ${codec ?? 'no audio'}`);
      await mkdir(dirname(full), { recursive: true });
      await rename(tmp, full);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  const info = await probeMedia(renditionInput(full, profile));
  const { sha256, bytes } = await store.fingerprint(full);
  return { path: relative, sha256, bytes, durationSec: info.durationSec ?? tone.durationSec };
}
