// Test renditions made as the pipeline makes them (same encoder arguments per device profile),
// from a speech-like signal, and the measurements the driver tests compare captures with.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encoderArgs, inputArgs, num, renditionInput } from '../../../media/commands.ts';
import { runFfmpeg } from '../../../media/ffmpeg-runner.ts';
import { speechLikeExpression } from '../../../media/fixtures.ts';
import { type DeviceProfile, findProfile } from '../../../media/profiles.ts';

const run = promisify(execFile);

export async function makeRendition(
  dir: string,
  profileId: string,
  durationSec: number,
  pitchHz = 180,
): Promise<string> {
  const profile = findProfile(profileId);
  const path = join(dir, `${profileId}-${num(durationSec)}s.${profile.extension}`);
  const source = `aevalsrc='${speechLikeExpression({ durationSec, pitchHz })}':s=48000:d=${num(durationSec)}`;
  await runFfmpeg({
    args: [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      source,
      '-map_metadata',
      '-1',
      '-fflags',
      '+bitexact',
      '-flags:a',
      '+bitexact',
      ...encoderArgs(profile),
      '-f',
      profile.container,
      path,
    ],
    allowGeneratedInputs: true,
    timeoutMs: 60_000,
    stallMs: 30_000,
    nice: 0,
  });
  return path;
}

export interface Probed {
  formatName: string;
  codec: string;
  sampleRate: number;
  durationSec: number;
  packets: number;
}

/** ffprobe with packets counted; `profile` for headerless µ-law. */
export async function probe(path: string, profile?: DeviceProfile): Promise<Probed> {
  const input = profile ? inputArgs(renditionInput(path, profile)).slice(4) : ['-i', path];
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_packets',
    '-show_entries',
    'format=format_name,duration:stream=codec_name,sample_rate,nb_read_packets',
    '-of',
    'json',
    ...input,
  ]);
  const json = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: { codec_name: string; sample_rate: string; nb_read_packets: string }[];
  };
  const stream = json.streams[0];
  return {
    formatName: json.format.format_name,
    codec: stream?.codec_name ?? '',
    sampleRate: Number(stream?.sample_rate),
    durationSec: Number(json.format.duration),
    packets: Number(stream?.nb_read_packets),
  };
}

/** RMS (dBFS) of the decoded first channel at 16 kHz (an RTP Opus capture decodes as stereo); `profile` for headerless µ-law. */
export async function rmsDb(path: string, profile?: DeviceProfile): Promise<number> {
  const input = profile ? inputArgs(renditionInput(path, profile)).slice(4) : ['-i', path];
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', ...input, '-af', 'pan=mono|c0=c0', '-ar', '16000', '-f', 'f32le', '-'],
    { encoding: 'buffer', maxBuffer: 64 << 20 },
  );
  const samples = new Float32Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 4));
  let sum = 0;
  for (const s of samples) sum += s * s;
  return 10 * Math.log10(sum / Math.max(1, samples.length));
}
