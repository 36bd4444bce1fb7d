// What each rendition costs to encode and to read back, and how outputs are split over ffmpeg runs.
import { INTERMEDIATE_SAMPLE_RATE } from './commands.ts';
import type { DeviceProfile } from './profiles.ts';

/** Nothing above the encoded rate's Nyquist (nor above the 24 kHz intermediate's) is in the file. */
export function measureRate(profile: DeviceProfile): number {
  return Math.min(profile.sampleRate, INTERMEDIATE_SAMPLE_RATE);
}

/**
 * CPU milliseconds per second of audio, from the benchmark (ffmpeg 5.1, one core): encoding, and
 * reading a rendition back (decode, then about 0.1 ms per kHz of measuring rate for loudness and
 * true peak), plus a fixed share per output for ffprobe and process start.
 */
const ENCODE_MS_PER_SEC: Record<DeviceProfile['codec'], number> = {
  opus: 10.5,
  mp3: 4.4,
  pcm_mulaw: 0.5,
  pcm_s16le: 0.5,
};
const DECODE_MS_PER_SEC: Record<DeviceProfile['codec'], number> = {
  opus: 1.85,
  mp3: 0.7,
  pcm_mulaw: 0,
  pcm_s16le: 0.2,
};
const MEASURE_MS_PER_SEC_PER_KHZ = 0.1;
const READ_BACK_MS = 100;

export function balanceByCost<T extends { profile: DeviceProfile; expectedDurationSec: number }>(
  outputs: T[],
  groupCount: number,
): { outputs: T[]; encodeCost: number; verifyCost: number }[] {
  const encodeCost = (o: T) => ENCODE_MS_PER_SEC[o.profile.codec] * o.expectedDurationSec;
  const verifyCost = (o: T) =>
    READ_BACK_MS +
    (DECODE_MS_PER_SEC[o.profile.codec] + (MEASURE_MS_PER_SEC_PER_KHZ * measureRate(o.profile)) / 1000) *
      o.expectedDurationSec;
  const cost = (o: T) => encodeCost(o) + verifyCost(o);
  const groups = Array.from({ length: Math.min(groupCount, outputs.length) }, () => ({
    outputs: [] as T[],
    encodeCost: 0,
    verifyCost: 0,
  }));
  const total = (g: (typeof groups)[number]) => g.encodeCost + g.verifyCost;
  for (const output of [...outputs].sort((a, b) => cost(b) - cost(a))) {
    const lightest = groups.reduce((a, b) => (total(b) < total(a) ? b : a));
    lightest.outputs.push(output);
    lightest.encodeCost += encodeCost(output);
    lightest.verifyCost += verifyCost(output);
  }
  return groups;
}
