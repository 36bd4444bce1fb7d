/** Loudness (ITU-R BS.1770 via ffmpeg ebur128) and silence measurements, parsed from ffmpeg's log. */
import {
  defaultSpeechBand,
  type InputSpec,
  type LoudnessTarget,
  type MeasuredFile,
  type MeasuredLoudness,
  measureFilesArgs,
  measurementTag,
  measureSpeechLoudnessArgs,
  type SpeechBand,
  silenceDetectArgs,
} from './commands.ts';
import { runFfmpeg } from './ffmpeg-runner.ts';
import { MediaError, probeMedia } from './probe.ts';

export type LoudnessMeasurement = MeasuredLoudness;

export interface MeasureOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  durationSec?: number;
  timeoutMs?: number;
  stallMs?: number;
  nice?: number;
}

export class LoudnessParseError extends Error {
  override readonly name = 'LoudnessParseError';
}

/**
 * Loudness of a file as it is, e.g. a finished rendition. Without `sampleRate` the file is probed
 * for it; `measureRate` may lower the rate for band-limited speech.
 */
export async function measureLoudness(
  input: InputSpec,
  options: MeasureOptions & { sampleRate?: number; measureRate?: number } = {},
): Promise<LoudnessMeasurement> {
  const sampleRate = options.sampleRate ?? (await probeSampleRate(input, options.signal));
  const [measured] = await measureFiles([{ input, sampleRate, measureRate: options.measureRate }], options);
  return measured as LoudnessMeasurement;
}

/** Loudness of several files in one ffmpeg run; `durationSec` (for progress) is the longest one. */
export async function measureFiles(
  files: readonly MeasuredFile[],
  options: MeasureOptions = {},
): Promise<LoudnessMeasurement[]> {
  const { stderr } = await runFfmpeg({ args: measureFilesArgs(files), ...runLimits(options) });
  return files.map((_, i) => parseLoudnessLog(stderr, measurementTag(i)));
}

async function probeSampleRate(input: InputSpec, signal?: AbortSignal): Promise<number> {
  const stream = (await probeMedia(input, { signal })).audioStreams[0];
  if (!stream) throw new MediaError('NO_AUDIO_STREAM', 'the file has no audio stream');
  return stream.sampleRate;
}

/** Loudness of a source after the speech chain (mono, band): what the normalising pass will see. */
export async function measureSpeechLoudness(
  input: InputSpec,
  band: SpeechBand = defaultSpeechBand,
  options: MeasureOptions = {},
): Promise<LoudnessMeasurement> {
  const { stderr } = await runFfmpeg({ args: measureSpeechLoudnessArgs(input, band), ...runLimits(options) });
  return parseLoudnessLog(stderr, measurementTag(0));
}

export type Normalisation = { mode: 'linear'; gainDb: number } | { mode: 'dynamic' };

/**
 * loudnorm's own rule for its linear mode: plain gain to the target, unless that gain would lift
 * the true peak above the ceiling or the source's loudness range exceeds the target's; then
 * loudnorm's dynamic mode is needed.
 */
export function planNormalisation(measured: MeasuredLoudness, target: LoudnessTarget): Normalisation {
  const gainDb = target.integratedLufs - measured.integratedLufs;
  const fits =
    measured.truePeakDbtp + gainDb <= target.truePeakDbtp &&
    measured.loudnessRangeLu <= target.loudnessRangeLu;
  return fits ? { mode: 'linear', gainDb: Math.round(gainDb * 1000) / 1000 } : { mode: 'dynamic' };
}

function runLimits(options: MeasureOptions) {
  return {
    signal: options.signal,
    onProgress: options.onProgress,
    durationSec: options.durationSec,
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
    stallMs: options.stallMs ?? 30_000,
    nice: options.nice,
  };
}

/**
 * ebur128's summary for loudness and LRA, astats on the oversampled signal for the true peak. With
 * a tag, only the lines of the filter instances so named (`ebur128@<tag>`, `astats@<tag>`) count,
 * so several measurements can share one run.
 */
export function parseLoudnessLog(log: string, tag?: string): LoudnessMeasurement {
  const { truePeakDbtp: _, ...loudness } = parseEbur128Summary(tag ? summaryOf(log, tag) : log);
  const peakLines = tag ? log.split('\n').filter((line) => line.startsWith(`[astats@${tag} @`)) : [log];
  const peaks = [...peakLines.join('\n').matchAll(/Peak level dB: (\S+)/g)];
  const peak = peaks.at(-1)?.[1];
  if (peak === undefined) throw new LoudnessParseError('no oversampled peak (astats) in the ffmpeg log');
  return { ...loudness, truePeakDbtp: round1(parseLevel(peak)) };
}

/**
 * ebur128 prefixes only the first line of its summary; the block ends at the next prefixed line.
 * The last one counts: ffmpeg builds a complex graph twice, and the first, unused instance logs an
 * empty summary when it is freed.
 */
function summaryOf(log: string, tag: string): string {
  const lines = log.split('\n');
  const start = lines.findLastIndex(
    (line) => line.startsWith(`[ebur128@${tag} @`) && line.includes('Summary:'),
  );
  if (start < 0) return '';
  const end = lines.findIndex((line, i) => i > start && line.startsWith('['));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * Parses the summary ebur128 logs at the end of a run (the true peak is there only with peak=true):
 *   Integrated loudness:  I: -20.5 LUFS  Threshold: -30.7 LUFS
 *   Loudness range:       LRA: 6.1 LU ...
 *   True peak:            Peak: -5.8 dBFS
 */
export function parseEbur128Summary(
  log: string,
): Omit<LoudnessMeasurement, 'truePeakDbtp'> & { truePeakDbtp?: number } {
  const at = log.lastIndexOf('Summary:');
  if (at < 0) throw new LoudnessParseError('no ebur128 summary in the ffmpeg log');
  const summary = log.slice(at);
  const value = (pattern: RegExp, what: string): number => {
    const match = pattern.exec(summary);
    if (!match?.[1]) throw new LoudnessParseError(`ebur128 summary without ${what}`);
    return parseLevel(match[1]);
  };
  return {
    integratedLufs: value(/I:\s+(\S+) LUFS/, 'integrated loudness'),
    thresholdLufs: value(/I:\s+\S+ LUFS\s+Threshold:\s+(\S+) LUFS/, 'integrated threshold'),
    loudnessRangeLu: value(/LRA:\s+(\S+) LU/, 'loudness range'),
    ...(/Peak:\s+\S+ dBFS/.test(summary) && { truePeakDbtp: value(/Peak:\s+(\S+) dBFS/, 'true peak') }),
  };
}

function parseLevel(text: string): number {
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new LoudnessParseError(`not a level: ${text}`);
  return value;
}

export type LoudnormMode = 'linear' | 'dynamic';

/** loudnorm (print_format=json) says whether it applied plain gain or fell back to dynamic mode. */
export function parseLoudnormMode(log: string): LoudnormMode {
  const match = /"normalization_type"\s*:\s*"(linear|dynamic)"/.exec(log);
  if (!match?.[1]) throw new LoudnessParseError('no loudnorm JSON in the ffmpeg log');
  return match[1] as LoudnormMode;
}

export interface Silence {
  startSec: number;
  endSec: number;
}

export async function detectSilences(
  input: InputSpec,
  options: MeasureOptions & { noiseDb?: number; minSilenceSec?: number } = {},
): Promise<Silence[]> {
  const args = silenceDetectArgs(input, options.noiseDb, options.minSilenceSec);
  const { stderr, outTimeSec } = await runFfmpeg({ args, ...runLimits(options) });
  return parseSilences(stderr, outTimeSec);
}

/** silencedetect logs `silence_start: x` and `silence_end: y`; a trailing silence has no end. */
export function parseSilences(log: string, endOfStreamSec: number): Silence[] {
  const silences: Silence[] = [];
  let start: number | undefined;
  for (const match of log.matchAll(/silence_(start|end): (-?[\d.]+)/g)) {
    const seconds = Number(match[2]);
    if (match[1] === 'start') start = Math.max(0, seconds);
    else if (start !== undefined) {
      silences.push({ startSec: start, endSec: seconds });
      start = undefined;
    }
  }
  if (start !== undefined) silences.push({ startSec: start, endSec: endOfStreamSec });
  return silences;
}
