/** ffprobe → typed MediaInfo, and the checks that tell a usable upload from a bad one. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { decodeCheckArgs, type InputSpec, probeArgs } from './commands.ts';
import { FfmpegError, runFfmpeg, runFfprobe } from './ffmpeg-runner.ts';
import { ChildInterruptedError } from './interrupted.ts';

export type MediaErrorCode =
  | 'EMPTY_FILE'
  | 'NOT_MEDIA'
  | 'UNSUPPORTED_FORMAT'
  | 'NO_AUDIO_STREAM'
  | 'UNKNOWN_DURATION'
  | 'TOO_LONG'
  | 'TRUNCATED'
  | 'DURATION_MISMATCH'
  | 'UNDECODABLE'
  | 'SILENT'
  | 'RENDITION_INVALID';

/** A problem with the media itself (not with ffmpeg), named by a stable code for the API to map. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const numeric = z
  .union([z.string(), z.number()])
  .transform((value) => Number(value))
  .pipe(z.number().finite());

const ffprobeOutputSchema = z.object({
  format: z.object({
    format_name: z.string(),
    duration: numeric.optional(),
    bit_rate: numeric.optional(),
  }),
  streams: z
    .array(
      z.object({
        index: z.number().int(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        sample_rate: numeric.optional(),
        channels: z.number().int().optional(),
        bit_rate: numeric.optional(),
        duration: numeric.optional(),
      }),
    )
    .default([]),
});

export const audioStreamSchema = z.object({
  index: z.number().int(),
  codec: z.string(),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
  bitRate: z.number().nullable(),
  durationSec: z.number().nullable(),
});
export type AudioStreamInfo = z.infer<typeof audioStreamSchema>;

export const mediaInfoSchema = z.object({
  formatName: z.string(),
  durationSec: z.number().nullable(),
  /**
   * The demuxer guessed the duration from size and bitrate (raw AMR, VBR MP3 without a Xing header):
   * an estimate, not something the file declares, so it is neither trusted nor held against the file.
   */
  durationEstimated: z.boolean(),
  bitRate: z.number().nullable(),
  audioStreams: z.array(audioStreamSchema),
  videoStreamCount: z.number().int().nonnegative(),
});
export type MediaInfo = z.infer<typeof mediaInfoSchema>;

export interface ProbeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Reads container and stream facts; throws MediaError for empty files and for what is not media. */
export async function probeMedia(input: InputSpec | string, options: ProbeOptions = {}): Promise<MediaInfo> {
  const spec = typeof input === 'string' ? { path: input } : input;
  await assertNotEmpty(spec.path);
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await runFfprobe({
      args: probeArgs(spec),
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 30_000,
    }));
  } catch (error) {
    throw classifyProbeFailure(error);
  }
  return toMediaInfo(ffprobeOutputSchema.parse(JSON.parse(stdout)), stderr);
}

async function assertNotEmpty(path: string): Promise<void> {
  const { size } = await stat(path);
  if (size === 0) throw new MediaError('EMPTY_FILE', 'the file is empty');
}

/**
 * A child that failed because a signal from outside stopped it (the terminal's Ctrl-C reaches the
 * whole process group): killed by it, or ffmpeg's own "received signal N" exit. Signals Loa sends
 * itself (timeout, stall, abort) carry their own codes and are not this.
 */
function interruption(error: FfmpegError): ChildInterruptedError | null {
  if (error.code !== 'FFMPEG_FAILED') return null;
  const command = basename(error.commandLine.split(' ')[0] ?? 'ffmpeg');
  if (error.exitSignal) return new ChildInterruptedError(command, error.exitSignal);
  const received = /received signal (\d+)/.exec(error.stderrTail)?.[1];
  return received ? new ChildInterruptedError(command, `signal ${received}`) : null;
}

function classifyProbeFailure(error: unknown): unknown {
  if (!(error instanceof FfmpegError) || error.code !== 'FFMPEG_FAILED') return error;
  const interrupted = interruption(error);
  if (interrupted) return interrupted;
  // A recognised container that Loa does not accept (an image, a playlist…) versus no container at all.
  if (/Format not on whitelist/i.test(error.stderrTail)) {
    const format = /\[(\w+) @/.exec(error.stderrTail)?.[1];
    return new MediaError('UNSUPPORTED_FORMAT', `format not accepted${format ? `: ${format}` : ''}`, {
      format,
    });
  }
  return new MediaError('NOT_MEDIA', 'not an audio or video file ffmpeg can read', {
    stderr: error.stderrTail,
  });
}

function toMediaInfo(raw: z.infer<typeof ffprobeOutputSchema>, log: string): MediaInfo {
  const audioStreams = raw.streams
    .filter((s) => s.codec_type === 'audio' && s.codec_name && s.sample_rate && s.channels)
    .map((s) => ({
      index: s.index,
      codec: s.codec_name as string,
      sampleRate: s.sample_rate as number,
      channels: s.channels as number,
      bitRate: s.bit_rate ?? null,
      durationSec: s.duration ?? null,
    }));
  return mediaInfoSchema.parse({
    formatName: raw.format.format_name,
    durationSec: raw.format.duration ?? audioStreams[0]?.durationSec ?? null,
    durationEstimated: /Estimating duration from bitrate/.test(log),
    bitRate: raw.format.bit_rate ?? null,
    audioStreams,
    videoStreamCount: raw.streams.filter((s) => s.codec_type === 'video').length,
  });
}

export interface SniffOptions extends ProbeOptions {
  /** Longest programme audio accepted, default 30 minutes. */
  maxDurationSec?: number;
}

export interface SniffResult {
  info: MediaInfo;
  /** Seconds actually decoded: the only duration that cannot lie. */
  decodedDurationSec: number;
  /** Decoder complaints that did not stop decoding (kept for the upload record). */
  decodeWarnings: string[];
}

/**
 * Full check of an upload: probe, then decode the first audio stream to the end. Each kind of bad
 * input gets its own MediaError code.
 */
export async function sniffAudio(
  input: InputSpec | string,
  options: SniffOptions = {},
): Promise<SniffResult> {
  const spec = typeof input === 'string' ? { path: input } : input;
  const maxDurationSec = options.maxDurationSec ?? 30 * 60;
  const info = await probeMedia(spec, options);
  if (info.audioStreams.length === 0) {
    throw new MediaError('NO_AUDIO_STREAM', 'the file has no audio stream', { formatName: info.formatName });
  }
  const declared = info.durationEstimated ? null : info.durationSec;
  if (declared !== null && declared > maxDurationSec) {
    throw new MediaError('TOO_LONG', `audio is ${Math.round(declared)} s, the limit is ${maxDurationSec} s`, {
      durationSec: declared,
      maxDurationSec,
    });
  }
  const decoded = await decodeToEnd(spec, maxDurationSec + 1, options);
  return { info, ...judgeDecode(declared, decoded, maxDurationSec) };
}

async function decodeToEnd(spec: InputSpec, limitSec: number, options: ProbeOptions) {
  try {
    const { stderr, outTimeSec } = await runFfmpeg({
      args: decodeCheckArgs(spec, limitSec),
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      stallMs: 30_000,
    });
    return { outTimeSec, warnings: stderr.split('\n').filter((line) => line.trim() !== '') };
  } catch (error) {
    if (error instanceof FfmpegError && error.code === 'FFMPEG_FAILED') {
      throw (
        interruption(error) ??
        new MediaError('UNDECODABLE', 'the audio cannot be decoded', { stderr: error.stderrTail })
      );
    }
    throw error;
  }
}

function judgeDecode(
  declared: number | null,
  decoded: { outTimeSec: number; warnings: string[] },
  maxDurationSec: number,
): Omit<SniffResult, 'info'> {
  const seconds = decoded.outTimeSec;
  if (seconds <= 0)
    throw new MediaError('UNDECODABLE', 'no audio could be decoded', { warnings: decoded.warnings });
  if (seconds > maxDurationSec) {
    throw new MediaError('TOO_LONG', `audio is longer than the limit of ${maxDurationSec} s`, {
      maxDurationSec,
    });
  }
  if (declared === null) return { decodedDurationSec: seconds, decodeWarnings: decoded.warnings };
  const tolerance = Math.max(0.5, declared * 0.02);
  if (seconds < declared - tolerance) {
    throw new MediaError(
      'TRUNCATED',
      `only ${seconds.toFixed(1)} s of the declared ${declared.toFixed(1)} s decode`,
      {
        declaredSec: declared,
        decodedSec: seconds,
      },
    );
  }
  if (seconds > declared + tolerance) {
    throw new MediaError(
      'DURATION_MISMATCH',
      `declares ${declared.toFixed(1)} s but decodes ${seconds.toFixed(1)} s`,
      {
        declaredSec: declared,
        decodedSec: seconds,
      },
    );
  }
  return { decodedDurationSec: seconds, decodeWarnings: decoded.warnings };
}
