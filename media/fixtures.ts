/**
 * Generated test audio (ffmpeg lavfi), for tests and the benchmark: nothing binary is committed.
 * "Speech-like" = a voiced tone with a few harmonics and slight vibrato, amplitude-modulated at a
 * syllable rate, with optional phrase pauses; each language gets its own pitch.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputArgs, num } from './commands.ts';
import { runFfmpeg } from './ffmpeg-runner.ts';

export type FixtureContainer = 'wav' | 'mp3' | 'm4a' | 'ogg' | 'webm' | 'flac';

export interface SpeechLikeOptions {
  durationSec: number;
  /** Fundamental frequency; pick a different one per language. */
  pitchHz?: number;
  syllableRateHz?: number;
  sampleRate?: number;
  channels?: 1 | 2;
  amplitude?: number;
  /** Adds ~1.3 s pauses every ~5 s, like sentences. Off by default so silence detection sees only gaps. */
  phrasePauses?: boolean;
  container?: FixtureContainer;
  signal?: AbortSignal;
}

const CELL_SEC = 8;

export function speechLikeExpression(options: SpeechLikeOptions): string {
  const f0 = num(options.pitchHz ?? 180);
  const syllable = num(options.syllableRateHz ?? 2.2);
  const amplitude = num(options.amplitude ?? 0.2);
  const voice = `sin(2*PI*${f0}*(1+0.03*sin(2*PI*5*t))*t)+0.5*sin(4*PI*${f0}*t)+0.3*sin(6*PI*${f0}*t)+0.1*(random(0)-0.5)`;
  const envelope = `pow(max(0,sin(2*PI*${syllable}*t)),0.7)`;
  const pauses = options.phrasePauses ? '*gt(sin(2*PI*0.19*t)+0.7,0)' : '';
  return `${amplitude}*(${voice})*${envelope}${pauses}`;
}

/** Writes speech-like audio of the given duration to `path` in the chosen container. */
export async function generateSpeechLike(path: string, options: SpeechLikeOptions): Promise<void> {
  const sampleRate = options.sampleRate ?? 48000;
  const source = (seconds: number) =>
    `aevalsrc='${speechLikeExpression(options)}':s=${sampleRate}:d=${num(seconds)}`;
  if (options.durationSec <= CELL_SEC * 1.5) {
    await renderFixture(['-f', 'lavfi', '-i', source(options.durationSec)], path, options);
    return;
  }
  // aevalsrc evaluates an expression per sample (~30× realtime): loop a short cell for long fixtures.
  const dir = await mkdtemp(join(tmpdir(), 'loa-fixture-'));
  try {
    const cell = join(dir, 'cell.wav');
    await renderFixture(['-f', 'lavfi', '-i', source(CELL_SEC)], cell, {
      ...options,
      container: 'wav',
      channels: 1,
    });
    const looped = ['-stream_loop', '-1', ...inputArgs({ path: cell }), '-t', num(options.durationSec)];
    await renderFixture(looped, path, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A two-tone bell, the intro chime of a bulletin. */
export async function generateChime(path: string, durationSec = 1.2, signal?: AbortSignal): Promise<void> {
  const d = num(durationSec);
  const expression = `0.35*sin(2*PI*880*t)*exp(-3*t)+0.3*sin(2*PI*1318.5*t)*exp(-3*(t-0.3))*gte(t,0.3)`;
  await renderFixture(['-f', 'lavfi', '-i', `aevalsrc='${expression}':s=48000:d=${d}`], path, {
    container: 'wav',
    signal,
  });
}

/** A short MP4 with a picture and no sound: an upload that has no audio stream. */
export async function generateSilentVideo(path: string, signal?: AbortSignal): Promise<void> {
  await runFixture(
    ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=2', '-c:v', 'mpeg4', '-f', 'mp4', path],
    signal,
  );
}

export async function generatePng(path: string, signal?: AbortSignal): Promise<void> {
  await runFixture(
    ['-f', 'lavfi', '-i', 'color=c=red:size=32x32', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', path],
    signal,
  );
}

/**
 * A phone-style AMR-NB recording (RFC 4867 storage format, 12.2 kbit/s, 20 ms frames). Debian's
 * ffmpeg decodes AMR but has no encoder, so the frames carry deterministic pseudo-random speech
 * parameters: every bit pattern decodes to audible, non-silent sound. `container: '3gp'` wraps the
 * same frames in 3GP, as phones save them.
 */
export async function generateAmr(
  path: string,
  options: { durationSec: number; container?: 'amr' | '3gp'; signal?: AbortSignal },
): Promise<void> {
  const FRAME_BYTES = 32; // table-of-contents byte + 244 bits of mode 7 (12.2 kbit/s)
  const TOC_MODE_7 = (7 << 3) | (1 << 2); // frame type 7, quality bit set
  const frames = Math.round(options.durationSec / 0.02);
  const bytes = Buffer.alloc(6 + frames * FRAME_BYTES);
  bytes.write('#!AMR\n', 0, 'latin1');
  let seed = 0x2f6b;
  for (let f = 0; f < frames; f++) {
    const at = 6 + f * FRAME_BYTES;
    bytes[at] = TOC_MODE_7;
    for (let i = 1; i < FRAME_BYTES; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bytes[at + i] = seed >>> 24;
    }
  }
  if ((options.container ?? 'amr') === 'amr') {
    await writeFile(path, bytes);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'loa-fixture-'));
  try {
    const raw = join(dir, 'raw.amr');
    await writeFile(raw, bytes);
    await runFixture([...inputArgs({ path: raw }), '-c', 'copy', '-f', '3gp', path], options.signal);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A VBR MP3 without the Xing header that would declare its length: ffprobe can only estimate it. */
export async function generateVbrMp3WithoutHeader(path: string, durationSec: number): Promise<void> {
  const source = `aevalsrc='${speechLikeExpression({ durationSec, phrasePauses: true })}':s=24000:d=${num(durationSec)}`;
  await runFixture([
    '-f',
    'lavfi',
    '-i',
    source,
    '-c:a',
    'libmp3lame',
    '-q:a',
    '6',
    '-write_xing',
    '0',
    '-f',
    'mp3',
    path,
  ]);
}

export async function writeTextFile(path: string): Promise<void> {
  await writeFile(path, 'Đây là một tệp văn bản, không phải âm thanh.\n', 'utf8');
}

const containerArgs: Record<FixtureContainer, string[]> = {
  wav: ['-c:a', 'pcm_s16le', '-f', 'wav'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'],
  m4a: ['-c:a', 'aac', '-b:a', '64k', '-f', 'ipod'],
  ogg: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg'],
  webm: ['-c:a', 'libopus', '-b:a', '32k', '-f', 'webm'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
};

async function renderFixture(
  input: string[],
  path: string,
  options: Pick<SpeechLikeOptions, 'container' | 'channels' | 'signal'>,
): Promise<void> {
  const channels = ['-ac', String(options.channels ?? 1)];
  await runFixture(
    [...input, ...channels, ...containerArgs[options.container ?? 'wav'], path],
    options.signal,
  );
}

async function runFixture(args: string[], signal?: AbortSignal): Promise<void> {
  await runFfmpeg({
    args: ['-v', 'error', '-y', ...args],
    allowGeneratedInputs: true,
    signal,
    timeoutMs: 120_000,
    stallMs: 30_000,
    nice: 0,
  });
}
