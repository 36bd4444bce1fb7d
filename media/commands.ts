/**
 * Pure ffmpeg/ffprobe command builders: values in, argument arrays out. Nothing here runs a
 * process, so every command can be checked by its exact arguments.
 */
import type { DeviceProfile } from './profiles.ts';

/**
 * Demuxers accepted as input. Names follow libavformat; the check is by list membership, so
 * `mov` admits the mov/mp4/m4a/3gp demuxer and `matroska` the Matroska/WebM one. `mulaw` can only
 * be used when forced (raw µ-law has no signature), which only happens for Loa's own renditions.
 */
export const INPUT_FORMAT_WHITELIST = 'mp3,wav,mov,ogg,matroska,amr,aac,flac,mulaw';
const acceptedFormats = new Set(INPUT_FORMAT_WHITELIST.split(','));

export function isWhitelistedInputFormat(name: string): boolean {
  return acceptedFormats.has(name);
}

export interface InputSpec {
  path: string;
  /** Forced demuxer, only for headerless files. */
  format?: string;
  sampleRate?: number;
  channels?: number;
}

export interface SpeechBand {
  highpassHz: number;
  lowpassHz: number;
}

export interface LoudnessTarget {
  integratedLufs: number;
  truePeakDbtp: number;
  loudnessRangeLu: number;
}

/** What a first pass measured; names follow loudnorm's measured_* options. */
export interface MeasuredLoudness {
  integratedLufs: number;
  truePeakDbtp: number;
  loudnessRangeLu: number;
  thresholdLufs: number;
}

export const defaultSpeechBand: SpeechBand = { highpassHz: 180, lowpassHz: 7000 };
/** LRA 11 keeps ordinary speech on the cheap linear path; wilder recordings get compressed. */
export const defaultLoudnessTarget: LoudnessTarget = {
  integratedLufs: -18,
  truePeakDbtp: -1.5,
  loudnessRangeLu: 11,
};
/** Rate of the normalised intermediates: the speech band ends at 7 kHz, no profile needs more. */
export const INTERMEDIATE_SAMPLE_RATE = 24000;

export function inputArgs(input: InputSpec): string[] {
  assertAbsolute(input.path);
  const forced = input.format ? ['-f', input.format] : [];
  const rate = input.sampleRate ? ['-ar', String(input.sampleRate)] : [];
  const channels = input.channels ? ['-ac', String(input.channels)] : [];
  return [
    '-protocol_whitelist',
    'file,pipe',
    '-format_whitelist',
    INPUT_FORMAT_WHITELIST,
    ...forced,
    ...rate,
    ...channels,
    '-i',
    input.path,
  ];
}

/** How to read back a rendition; raw µ-law carries no header, so its shape is stated. */
export function renditionInput(path: string, profile: DeviceProfile): InputSpec {
  return profile.headerless
    ? { path, format: profile.container, sampleRate: profile.sampleRate, channels: profile.channels }
    : { path };
}

/** At warning level ffprobe also says when a duration is only estimated from the bitrate. */
export function probeArgs(input: InputSpec): string[] {
  return ['-v', 'warning', '-show_format', '-show_streams', '-of', 'json', ...inputArgs(input)];
}

/** Decodes the first audio stream completely: errors and a short decode reveal damaged uploads. */
export function decodeCheckArgs(input: InputSpec, limitSec?: number): string[] {
  // The limit stops a file whose header lies about its length from being decoded for hours.
  const limit = limitSec !== undefined ? ['-t', num(limitSec)] : [];
  return ['-v', 'error', ...inputArgs(input), '-map', '0:a:0', ...limit, '-f', 'null', '-'];
}

/** Mono, intermediate rate, speech band: the same chain in the measuring and the normalising pass. */
export function speechChain(band: SpeechBand, sampleRate: number = INTERMEDIATE_SAMPLE_RATE): string {
  return [
    'aformat=channel_layouts=mono',
    `aresample=${sampleRate}`,
    `highpass=f=${num(band.highpassHz)}`,
    `lowpass=f=${num(band.lowpassHz)}`,
  ].join(',');
}

/** A file to measure (loudness and true peak), and the rates it is stored and measured at. */
export interface MeasuredFile {
  input: InputSpec;
  sampleRate: number;
  /** Band-limited speech may be measured below its stored rate (48 kHz Opus holds ≤ 8 kHz audio). */
  measureRate?: number;
}

/**
 * The first pass over a source: loudness, LRA (ebur128) and true peak after the speech chain, and,
 * in the same run, that chain's output kept as the float WAV intermediate. Normalising is then a
 * plain gain applied while encoding, so no second decode of the upload is needed.
 */
export function analyseSourceArgs(
  input: InputSpec,
  intermediatePath: string,
  band: SpeechBand = defaultSpeechBand,
): string[] {
  assertAbsolute(intermediatePath);
  return [
    '-v',
    'info',
    '-y',
    ...inputArgs(input),
    ...measureGraphArgs([speechBranch(band)], {
      label: 'kept',
      args: [...intermediateArgs(), intermediatePath],
    }),
  ];
}

/** Loudness and true peak of a source after the speech chain, without keeping anything. */
export function measureSpeechLoudnessArgs(input: InputSpec, band: SpeechBand = defaultSpeechBand): string[] {
  return ['-v', 'info', ...inputArgs(input), ...measureGraphArgs([speechBranch(band)])];
}

/** The upload's audio after the speech chain, measured at the intermediate rate. */
function speechBranch(band: SpeechBand) {
  return { inputIndex: 0, chain: `${speechChain(band)},`, rate: INTERMEDIATE_SAMPLE_RATE };
}

/** Loudness and true peak of finished files, all in one ffmpeg run (one decode each, one process). */
export function measureFilesArgs(files: readonly MeasuredFile[]): string[] {
  if (files.length === 0) throw new Error('nothing to measure');
  const branches = files.map((file, inputIndex) => {
    const rate = Math.min(file.sampleRate, file.measureRate ?? file.sampleRate);
    return { inputIndex, chain: rate === file.sampleRate ? '' : `aresample=${rate},`, rate };
  });
  return ['-v', 'info', ...files.flatMap((f) => inputArgs(f.input)), ...measureGraphArgs(branches)];
}

/** Filter instances of measurement i are named `ebur128@m<i>` and `astats@m<i>`: see parseLoudnessLog. */
export const measurementTag = (index: number) => `m${index}`;

/**
 * ebur128 for loudness and LRA; true peak = peak of the signal oversampled 4× (ITU-R BS.1770-4
 * Annex 2) beside it, rather than ebur128's peak=true, which resamples to 192 kHz whatever the input
 * rate. The interpolator has 12 taps per phase and exactly the 4 phases a 4:1 ratio needs, as the
 * Recommendation's example filter: a third of the cost of libswresample's default.
 */
function measureGraphArgs(
  branches: readonly { inputIndex: number; chain: string; rate: number }[],
  keep?: { label: string; args: string[] },
): string[] {
  const graph: string[] = [];
  const maps: string[] = [];
  branches.forEach(({ inputIndex, chain, rate }, i) => {
    const tag = measurementTag(i);
    const kept = keep && i === 0 ? `[${keep.label}]` : '';
    graph.push(
      `[${inputIndex}:a:0]${chain}asplit=${kept ? 3 : 2}[loudness_${tag}][peak_${tag}]${kept}`,
      `[loudness_${tag}]ebur128@${tag}=framelog=verbose[measured_${tag}]`,
      `[peak_${tag}]aresample=${rate * 4}:filter_size=12:phase_shift=2,` +
        `astats@${tag}=measure_perchannel=none:measure_overall=Peak_level[oversampled_${tag}]`,
    );
    maps.push(
      '-map',
      `[measured_${tag}]`,
      '-f',
      'null',
      '-',
      '-map',
      `[oversampled_${tag}]`,
      '-f',
      'null',
      '-',
    );
  });
  const kept = keep ? ['-map', `[${keep.label}]`, ...keep.args] : [];
  return ['-filter_complex', graph.join(';'), ...maps, ...kept];
}

/** Mono float WAV at the intermediate rate: nothing clips before encoding. */
function intermediateArgs(): string[] {
  return [
    '-c:a',
    'pcm_f32le',
    '-ar',
    String(INTERMEDIATE_SAMPLE_RATE),
    '-ac',
    '1',
    ...DETERMINISTIC,
    '-f',
    'wav',
  ];
}

/**
 * loudnorm's linear mode refuses a measured LRA of exactly 0 (it means "not measured" there), which
 * ebur128 reports for clips shorter than its 3 s short-term window; a hundredth of an LU keeps the
 * honest measurement and the linear path.
 */
const MIN_MEASURED_LRA = 0.01;

export function loudnormFilter(measured: MeasuredLoudness, target: LoudnessTarget): string {
  return [
    `loudnorm=I=${num(target.integratedLufs)}`,
    `TP=${num(target.truePeakDbtp)}`,
    `LRA=${num(target.loudnessRangeLu)}`,
    `measured_I=${num(measured.integratedLufs)}`,
    `measured_TP=${num(measured.truePeakDbtp)}`,
    `measured_LRA=${num(Math.max(MIN_MEASURED_LRA, measured.loudnessRangeLu))}`,
    `measured_thresh=${num(measured.thresholdLufs)}`,
    'offset=0',
    'linear=true',
    'print_format=json',
  ].join(':');
}

/**
 * Second pass, only for sources that plain gain cannot bring to target (their true peak or LRA
 * would break it): loudnorm with the first pass's values over the speech-chain intermediate. It
 * works at 192 kHz in that mode, hence the closing resample.
 */
export function dynamicNormaliseArgs(
  intermediatePath: string,
  outputPath: string,
  measured: MeasuredLoudness,
  target: LoudnessTarget = defaultLoudnessTarget,
): string[] {
  assertAbsolute(outputPath);
  return [
    '-v',
    'info',
    '-y',
    ...inputArgs({ path: intermediatePath }),
    '-map',
    '0:a:0',
    '-af',
    `${loudnormFilter(measured, target)},aresample=${INTERMEDIATE_SAMPLE_RATE}`,
    ...intermediateArgs(),
    outputPath,
  ];
}

/** Strip metadata and encoder tags so the same audio always gives the same bytes (and sha256). */
const DETERMINISTIC = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact'];

export function encoderArgs(profile: DeviceProfile): string[] {
  const level =
    profile.compressionLevel !== undefined ? ['-compression_level', String(profile.compressionLevel)] : [];
  const shape = ['-ar', String(profile.sampleRate), '-ac', String(profile.channels)];
  switch (profile.codec) {
    case 'mp3':
      return ['-c:a', 'libmp3lame', '-b:a', String(profile.bitrate), ...level, ...shape];
    case 'opus': {
      const application = profile.opusApplication ? ['-application', profile.opusApplication] : [];
      return ['-c:a', 'libopus', '-b:a', String(profile.bitrate), ...application, ...level, ...shape];
    }
    case 'pcm_mulaw':
      return ['-c:a', 'pcm_mulaw', ...shape];
    case 'pcm_s16le':
      return ['-c:a', 'pcm_s16le', ...shape];
  }
}

export interface ProgrammeSegment {
  /** Speech-chain intermediate (mono, INTERMEDIATE_SAMPLE_RATE). */
  path: string;
  /** The normalising gain, applied as the segment is read. */
  gainDb: number;
  /** Silence after this segment: the language gap, or the gap between repeats. */
  padAfterSec: number;
}

export type RenditionSource = { kind: 'programme' } | { kind: 'file'; path: string; gainDb: number };

export interface RenditionOutput {
  source: RenditionSource;
  profile: DeviceProfile;
  path: string;
  /** Extra gain for this rendition alone, when its encoding lifted the true peak over the ceiling. */
  trimDb?: number;
}

/**
 * One ffmpeg run that assembles the programme (segments in order, each followed by its silence,
 * via apad + concat) and encodes every requested rendition from it through asplit, plus
 * renditions of single files (per-language). Each segment is its own input, even when repeats
 * reuse a file, so concat never makes ffmpeg hold a whole track in memory.
 */
export function encodeRenditionsArgs(
  segments: readonly ProgrammeSegment[],
  outputs: readonly RenditionOutput[],
): string[] {
  if (outputs.length === 0) throw new Error('nothing to encode');
  const programmeOutputs = outputs.filter((o) => o.source.kind === 'programme');
  if (programmeOutputs.length > 0 && segments.length === 0) throw new Error('a programme needs segments');
  const usedSegments = programmeOutputs.length > 0 ? segments : [];
  const inputs: string[] = usedSegments.flatMap((s) => inputArgs({ path: s.path }));
  const graph: string[] = [];
  const labels = new Map<RenditionOutput, string>();

  if (programmeOutputs.length > 0) {
    graph.push(...concatGraph(usedSegments));
    const branches = programmeOutputs.map((_, i) => `[p${i}]`);
    if (programmeOutputs.length > 1)
      graph.push(`[programme]asplit=${programmeOutputs.length}${branches.join('')}`);
    programmeOutputs.forEach((output, i) => {
      const from = programmeOutputs.length > 1 ? `[p${i}]` : '[programme]';
      graph.push(
        `${from}${gain(output.trimDb ?? 0)}aresample=${output.profile.sampleRate}[o${outputs.indexOf(output)}]`,
      );
      labels.set(output, `[o${outputs.indexOf(output)}]`);
    });
  }
  let nextInput = usedSegments.length;
  for (const output of outputs) {
    if (output.source.kind !== 'file') continue;
    inputs.push(...inputArgs({ path: output.source.path }));
    const label = `[o${outputs.indexOf(output)}]`;
    graph.push(
      `[${nextInput++}:a]${gain(output.source.gainDb + (output.trimDb ?? 0))}aresample=${output.profile.sampleRate}${label}`,
    );
    labels.set(output, label);
  }

  const outputArgs = outputs.flatMap((output) => {
    assertAbsolute(output.path);
    return [
      '-map',
      labels.get(output) as string,
      ...encoderArgs(output.profile),
      ...DETERMINISTIC,
      '-f',
      output.profile.container,
      output.path,
    ];
  });
  return ['-v', 'error', '-y', ...inputs, '-filter_complex', graph.join(';'), ...outputArgs];
}

function concatGraph(segments: readonly ProgrammeSegment[]): string[] {
  const parts: string[] = [];
  const concatInputs = segments.map((segment, i) => {
    const pad = segment.padAfterSec > 0 ? `apad=pad_dur=${num(segment.padAfterSec)}` : '';
    const filters = `${gain(segment.gainDb)}${pad}`.replace(/,$/, '');
    if (!filters) return `[${i}:a]`;
    parts.push(`[${i}:a]${filters}[s${i}]`);
    return `[s${i}]`;
  });
  parts.push(`${concatInputs.join('')}concat=n=${segments.length}:v=0:a=1[programme]`);
  return parts;
}

/** A gain as the start of a filter chain; none for 0 dB. */
function gain(gainDb: number): string {
  return gainDb === 0 ? '' : `volume=${num(gainDb)}dB,`;
}

/** Silences longer than `minSilenceSec` below `noiseDb`, reported by silencedetect on stderr. */
export function silenceDetectArgs(input: InputSpec, noiseDb = -50, minSilenceSec = 0.5): string[] {
  return [
    '-v',
    'info',
    ...inputArgs(input),
    '-map',
    '0:a:0',
    '-af',
    `silencedetect=noise=${num(noiseDb)}dB:d=${num(minSilenceSec)}`,
    '-f',
    'null',
    '-',
  ];
}

/** Decoded mono s16le PCM on stdout, for waveform peaks. */
export function waveformPcmArgs(input: InputSpec, sampleRate: number): string[] {
  return [
    '-v',
    'error',
    ...inputArgs(input),
    '-map',
    '0:a:0',
    '-ac',
    '1',
    '-ar',
    String(sampleRate),
    '-c:a',
    'pcm_s16le',
    '-f',
    's16le',
    'pipe:1',
  ];
}

/** Numbers as ffmpeg option text: at most 3 decimals, no trailing zeros. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(Number(value.toFixed(3)));
}

function assertAbsolute(path: string): void {
  // A relative name could start with "-" or contain "proto:", which ffmpeg would read as an option or protocol.
  if (!path.startsWith('/')) throw new Error(`ffmpeg paths must be absolute: ${path}`);
}
