/**
 * The transcode pipeline of a bilingual bulletin, from language tracks to verified renditions:
 * probe → measure (ebur128) → normalise + band + mono per source into float WAV intermediates →
 * assemble the programme and encode every rendition (one ffmpeg run per core, several outputs each)
 * → verify each output with ffprobe and measure its loudness → sha256 → rename into place.
 *
 * Everything is written to a temp dir inside the output dir (same file system, so the final rename
 * is atomic) and that temp dir is removed whatever happens.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  analyseSourceArgs,
  defaultLoudnessTarget,
  defaultSpeechBand,
  dynamicNormaliseArgs,
  encodeRenditionsArgs,
  type InputSpec,
  measurementTag,
  type ProgrammeSegment,
  type RenditionOutput,
  renditionInput,
} from './commands.ts';
import { balanceByCost, measureRate } from './cost.ts';
import { runFfmpeg } from './ffmpeg-runner.ts';
import {
  type LoudnessMeasurement,
  type LoudnormMode,
  measureFiles,
  parseLoudnessLog,
  parseLoudnormMode,
  planNormalisation,
} from './loudness.ts';
import { MediaError, type MediaInfo, probeMedia } from './probe.ts';
import { decodedSampleRate, defaultProfiles, deviceProfileListSchema } from './profiles.ts';
import { PhaseClock, PhasedProgress, Slots } from './scheduling.ts';

export const languageTrackSchema = z.object({
  /** ISO 639-3 code; also part of file names, hence the strict shape. */
  language: z.string().regex(/^[a-z]{3}$/),
  path: z.string().min(1),
});
export type LanguageTrack = z.infer<typeof languageTrackSchema>;

export const pipelineSettingsSchema = z
  .object({
    chimePath: z.string().min(1).optional(),
    outroChimePath: z.string().min(1).optional(),
    gapSec: z.number().min(0).max(30).default(1.5),
    repeat: z.number().int().min(1).max(10).default(1),
    repeatGapSec: z.number().min(0).max(300).default(5),
    loudness: z
      .object({
        integratedLufs: z.number().min(-40).max(-5),
        truePeakDbtp: z.number().min(-9).max(0),
        loudnessRangeLu: z.number().min(1).max(20),
      })
      .default(defaultLoudnessTarget),
    band: z
      .object({ highpassHz: z.number().min(20).max(1000), lowpassHz: z.number().min(2000).max(11000) })
      .default(defaultSpeechBand),
    profiles: deviceProfileListSchema.default([...defaultProfiles]),
    /**
     * Profiles for the per-language renditions (players per language, seconds aired per language);
     * by default mp3-24k when the profile list has it.
     */
    languageProfileIds: z.array(z.string()).optional(),
    /** ffmpeg processes at a time; each is single-threaded for audio. Defaults to the cores, at most 4. */
    concurrency: z.number().int().min(1).max(16).optional(),
    nice: z.number().int().min(0).max(19).optional(),
    stepTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(15 * 60_000),
    stallMs: z.number().int().positive().default(60_000),
  })
  .refine((s) => (s.languageProfileIds ?? []).every((id) => s.profiles.some((p) => p.id === id)), {
    message: 'languageProfileIds must name profiles in the list',
  });
export type PipelineSettings = z.input<typeof pipelineSettingsSchema>;
type Settings = z.output<typeof pipelineSettingsSchema>;

const DEFAULT_LANGUAGE_PROFILE_ID = 'mp3-24k';

export interface PipelineRequest {
  tracks: LanguageTrack[];
  settings?: PipelineSettings;
  outputDir: string;
  /**
   * Where the temp work dir is made; by default inside `outputDir`. Must be on the same file system
   * as `outputDir` (the renditions are renamed into place). The worker uses the media tmp dir, so
   * what a hard kill leaves behind is swept by cleanup-tmp.
   */
  workParentDir?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Rendition {
  profileId: string;
  path: string;
  fileName: string;
  mimeType: string;
  codec: string;
  sampleRate: number;
  channels: number;
  bytes: number;
  sha256: string;
  durationSec: number;
  integratedLufs: number;
  truePeakDbtp: number;
  /** Gain this rendition alone was given so its true peak stays under the ceiling (0 for most). */
  peakTrimDb: number;
}

export interface LanguageResult {
  index: number;
  language: string;
  sourcePath: string;
  source: MediaInfo;
  sourceLoudness: LoudnessMeasurement;
  /** loudnorm applies plain gain (linear) unless that would break the true-peak or LRA target. */
  normalisation: LoudnormMode;
  durationSec: number;
  renditions: Rendition[];
}

export interface SegmentPlacement {
  kind: 'chime' | 'language' | 'outro-chime';
  language?: string;
  languageIndex?: number;
  repetition: number;
  startSec: number;
  durationSec: number;
}

export interface PipelineResult {
  programme: { durationSec: number; segments: SegmentPlacement[]; renditions: Rendition[] };
  languages: LanguageResult[];
  wallMs: number;
  /** Wall time of each phase, for the benchmark and the job log. */
  timings: { prepareMs: number; encodeMs: number; verifyMs: number };
}

type SourceKind = SegmentPlacement['kind'];

interface Source {
  kind: SourceKind;
  path: string;
  language?: string;
  languageIndex?: number;
}

interface PreparedSource extends Source {
  info: MediaInfo;
  loudness: LoudnessMeasurement;
  mode: LoudnormMode;
  intermediatePath: string;
  /** Gain still to apply to the intermediate: the linear normalisation, or 0 after loudnorm's dynamic pass. */
  gainDb: number;
  durationSec: number;
}

interface PlannedOutput extends RenditionOutput {
  fileName: string;
  expectedDurationSec: number;
  languageIndex?: number;
}

export async function runBulletinPipeline(request: PipelineRequest): Promise<PipelineResult> {
  const startedAt = performance.now();
  const settings = pipelineSettingsSchema.parse(request.settings ?? {});
  const tracks = z.array(languageTrackSchema).min(1).max(10).parse(request.tracks);
  const outputDir = resolve(request.outputDir);
  const workParentDir = resolve(request.workParentDir ?? outputDir);
  await Promise.all([mkdir(outputDir, { recursive: true }), mkdir(workParentDir, { recursive: true })]);
  const workDir = await mkdtemp(join(workParentDir, '.loa-tmp-'));
  const progress = new PhasedProgress(request.onProgress);
  // A failure in one ffmpeg run stops its siblings before the temp dir goes.
  const failed = new AbortController();
  const signal = AbortSignal.any([failed.signal, ...(request.signal ? [request.signal] : [])]);
  const limit = settings.concurrency ?? defaultConcurrency();
  const run: Run = { settings, signal, workDir, limit, slots: new Slots(limit), failed };
  try {
    const sourceList = listSources(tracks, settings);
    const prepareProgress = sourceList.map((_, i) => progress.task('prepare', i));
    const clock = new PhaseClock();
    const sources = await mapLimit(run, sourceList, (source, i) =>
      prepareSource(source, i, run, prepareProgress[i] as (f: number) => void),
    );
    const prepareMs = clock.lap();
    const { segments, placements, durationSec } = assemble(sources, settings);
    const outputs = planOutputs(sources, settings, workDir, durationSec);
    const { renditions, encodeMs } = await encodeAndVerify(segments, outputs, run, progress);
    const placed = await moveIntoPlace(renditions, outputDir);
    const verifyMs = clock.lap() - encodeMs;
    request.onProgress?.(1);
    const isProgramme = (_: Rendition, i: number) => outputs[i]?.languageIndex === undefined;
    return {
      programme: { durationSec, segments: placements, renditions: placed.filter(isProgramme) },
      languages: languageResults(sources, outputs, placed),
      wallMs: performance.now() - startedAt,
      timings: { prepareMs, encodeMs, verifyMs },
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

interface Run {
  settings: Settings;
  signal: AbortSignal;
  workDir: string;
  limit: number;
  slots: Slots;
  failed: AbortController;
  firstFailure?: { error: unknown };
}

function defaultConcurrency(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

function listSources(tracks: LanguageTrack[], settings: Settings): Source[] {
  const languages = tracks.map((t, i) => ({
    kind: 'language' as const,
    path: resolve(t.path),
    language: t.language,
    languageIndex: i,
  }));
  return [
    ...(settings.chimePath ? [{ kind: 'chime' as const, path: resolve(settings.chimePath) }] : []),
    ...languages,
    ...(settings.outroChimePath
      ? [{ kind: 'outro-chime' as const, path: resolve(settings.outroChimePath) }]
      : []),
  ];
}

/**
 * Probe; measure loudness after the speech chain while writing that chain's output as the float
 * WAV intermediate; normalise by gain at encoding, or by loudnorm's dynamic pass when gain cannot.
 */
async function prepareSource(
  source: Source,
  i: number,
  run: Run,
  onProgress: (f: number) => void,
): Promise<PreparedSource> {
  const { settings, signal } = run;
  const info = await withSource(source, () => probeMedia(source.path, { signal }));
  if (info.audioStreams.length === 0)
    throw sourceError(source, new MediaError('NO_AUDIO_STREAM', 'no audio stream'));
  const limits = stepLimits(run);
  const analysedPath = join(run.workDir, `source-${i}.wav`);
  const analysis = await runFfmpeg({
    args: analyseSourceArgs({ path: source.path }, analysedPath, settings.band),
    ...limits,
    durationSec: info.durationSec ?? undefined,
    onProgress,
  });
  const loudness = parseLoudnessLog(analysis.stderr, measurementTag(0));
  if (!Number.isFinite(loudness.integratedLufs) || loudness.integratedLufs <= -70) {
    throw sourceError(source, new MediaError('SILENT', 'the track is silent'));
  }
  const prepared = { ...source, info, loudness, durationSec: analysis.outTimeSec };
  const plan = planNormalisation(loudness, settings.loudness);
  if (plan.mode === 'linear') {
    return { ...prepared, mode: 'linear', intermediatePath: analysedPath, gainDb: plan.gainDb };
  }
  const normalisedPath = join(run.workDir, `source-${i}.normalised.wav`);
  const normalised = await runFfmpeg({
    args: dynamicNormaliseArgs(analysedPath, normalisedPath, loudness, settings.loudness),
    ...limits,
  });
  return {
    ...prepared,
    mode: parseLoudnormMode(normalised.stderr),
    intermediatePath: normalisedPath,
    gainDb: 0,
    durationSec: normalised.outTimeSec,
  };
}

async function withSource<T>(source: Source, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw error instanceof MediaError ? sourceError(source, error) : error;
  }
}

function sourceError(source: Source, error: MediaError): MediaError {
  const which =
    source.kind === 'language'
      ? `track ${(source.languageIndex ?? 0) + 1} (${source.language})`
      : source.kind;
  return new MediaError(error.code, `${which}: ${error.message}`, { ...error.details, source: which });
}

/** Orders the segments (chime, languages, outro) per repeat and places each on the programme timeline. */
function assemble(sources: PreparedSource[], settings: Settings) {
  const segments: ProgrammeSegment[] = [];
  const placements: SegmentPlacement[] = [];
  let clock = 0;
  for (let repetition = 0; repetition < settings.repeat; repetition++) {
    sources.forEach((source, i) => {
      const lastOfRepeat = i === sources.length - 1;
      const lastOfAll = lastOfRepeat && repetition === settings.repeat - 1;
      const padAfterSec = lastOfAll ? 0 : lastOfRepeat ? settings.repeatGapSec : settings.gapSec;
      segments.push({ path: source.intermediatePath, gainDb: source.gainDb, padAfterSec });
      placements.push({
        kind: source.kind,
        ...(source.language !== undefined && {
          language: source.language,
          languageIndex: source.languageIndex,
        }),
        repetition,
        startSec: round3(clock),
        durationSec: round3(source.durationSec),
      });
      clock += source.durationSec + padAfterSec;
    });
  }
  return { segments, placements, durationSec: round3(clock) };
}

function planOutputs(
  sources: PreparedSource[],
  settings: Settings,
  workDir: string,
  programmeSec: number,
): PlannedOutput[] {
  const programme = settings.profiles.map((profile) => {
    const fileName = `programme.${profile.id}.${profile.extension}`;
    return {
      source: { kind: 'programme' as const },
      profile,
      fileName,
      path: join(workDir, fileName),
      expectedDurationSec: programmeSec,
    };
  });
  const languageProfileIds = settings.languageProfileIds ?? [DEFAULT_LANGUAGE_PROFILE_ID];
  const languageProfiles = settings.profiles.filter((p) => languageProfileIds.includes(p.id));
  const perLanguage = sources
    .filter((s) => s.kind === 'language')
    .flatMap((source) =>
      languageProfiles.map((profile) => {
        const index = source.languageIndex as number;
        const fileName = `${String(index + 1).padStart(2, '0')}-${source.language}.${profile.id}.${profile.extension}`;
        return {
          source: { kind: 'file' as const, path: source.intermediatePath, gainDb: source.gainDb },
          profile,
          fileName,
          path: join(workDir, fileName),
          expectedDurationSec: source.durationSec,
          languageIndex: index,
        };
      }),
    );
  return [...programme, ...perLanguage];
}

/**
 * ffmpeg 5.1 runs a whole filter graph and its encoders on one thread, so the outputs are split into
 * as many groups as there are slots, balanced by estimated cost. A group is one ffmpeg run that
 * encodes its outputs, then one that reads them all back and measures them, while the other groups
 * still work.
 */
async function encodeAndVerify(
  segments: ProgrammeSegment[],
  outputs: PlannedOutput[],
  run: Run,
  progress: PhasedProgress,
): Promise<{ renditions: Rendition[]; encodeMs: number }> {
  const startedAt = performance.now();
  let encodeMs = 0;
  const groups = balanceByCost(outputs, run.limit);
  const renditions: Rendition[] = new Array(outputs.length);
  const processGroup = async (group: (typeof groups)[number], g: number) => {
    const encodeProgress = progress.task('encode', g, group.encodeCost);
    const verifyProgress = progress.task('verify', g, group.verifyCost);
    const encode = (list: PlannedOutput[], onProgress?: (f: number) => void) =>
      runFfmpeg({
        args: encodeRenditionsArgs(segments, list),
        ...stepLimits(run),
        durationSec: longest(list),
        onProgress,
      });
    await run.slots.use(async () => {
      await encode(group.outputs, encodeProgress);
      encodeMs = Math.max(encodeMs, performance.now() - startedAt);
      const verified = await verifyRenditions(group.outputs, run, verifyProgress);
      const final = await trimPeaksOverCeiling(group.outputs, verified, run, encode);
      group.outputs.forEach((output, k) => {
        renditions[outputs.indexOf(output)] = final[k] as Rendition;
      });
    });
  };
  await settleAll(run, groups.map(processGroup));
  return { renditions, encodeMs };
}

function stepLimits(run: Run) {
  const { settings, signal } = run;
  return { signal, timeoutMs: settings.stepTimeoutMs, stallMs: settings.stallMs, nice: settings.nice };
}

const longest = (outputs: readonly PlannedOutput[]) => Math.max(...outputs.map((o) => o.expectedDurationSec));

/**
 * Resampling and lossy coding can lift a rendition's true peak over the ceiling its source met
 * (µ-law at 8 kHz, Opus). Such renditions are encoded once more, trimmed by the excess and a tenth
 * of a dB to spare: a few tenths quieter, well within the loudness tolerance, under the ceiling.
 */
async function trimPeaksOverCeiling(
  outputs: readonly PlannedOutput[],
  verified: readonly Rendition[],
  run: Run,
  encode: (list: PlannedOutput[]) => Promise<unknown>,
): Promise<Rendition[]> {
  const ceiling = run.settings.loudness.truePeakDbtp;
  const over = outputs.flatMap((output, k) => {
    const peak = (verified[k] as Rendition).truePeakDbtp;
    return peak > ceiling ? [{ ...output, trimDb: floor1(ceiling - peak - 0.1) }] : [];
  });
  if (over.length === 0) return [...verified];
  await encode(over);
  const again = await verifyRenditions(over, run, () => {});
  return outputs.map((output, k) => {
    const i = over.findIndex((o) => o.path === output.path);
    return i < 0
      ? (verified[k] as Rendition)
      : { ...(again[i] as Rendition), peakTrimDb: over[i]?.trimDb ?? 0 };
  });
}

/**
 * Reads the outputs back: codec, rate, channels and duration as planned (ffprobe), then their
 * loudness and true peak from a full decode of each, all in one ffmpeg run, and their hashes.
 */
async function verifyRenditions(
  outputs: readonly PlannedOutput[],
  run: Run,
  onProgress: (f: number) => void,
): Promise<Rendition[]> {
  const inputs = outputs.map((o) => renditionInput(o.path, o.profile));
  const durations = await Promise.all(
    outputs.map(async (output, k) =>
      checkShape(output, await probeMedia(inputs[k] as InputSpec, { signal: run.signal })),
    ),
  );
  const files = outputs.map((o, k) => ({
    input: inputs[k] as InputSpec,
    sampleRate: decodedSampleRate(o.profile),
    // Opus decodes at 48 kHz but is measured at the rate it was fed, at a third of the cost.
    measureRate: measureRate(o.profile),
  }));
  const [loudness, hashes] = await Promise.all([
    measureFiles(files, { ...stepLimits(run), durationSec: longest(outputs), onProgress }),
    Promise.all(outputs.map((o) => hashFile(o.path))),
  ]);
  return outputs.map((output, k) => {
    const { profile } = output;
    const measured = loudness[k] as LoudnessMeasurement;
    const hashed = hashes[k] as { sha256: string; bytes: number };
    return {
      profileId: profile.id,
      path: output.path,
      fileName: output.fileName,
      mimeType: profile.mimeType,
      codec: profile.codec,
      sampleRate: profile.sampleRate,
      channels: profile.channels,
      bytes: hashed.bytes,
      sha256: hashed.sha256,
      durationSec: round3(durations[k] as number),
      integratedLufs: measured.integratedLufs,
      truePeakDbtp: measured.truePeakDbtp,
      peakTrimDb: 0,
    };
  });
}

/** The probed duration, once codec, rate, channels and duration are as planned. */
function checkShape(output: PlannedOutput, info: MediaInfo): number {
  const { profile } = output;
  const stream = info.audioStreams[0];
  const durationSec = info.durationSec ?? stream?.durationSec ?? Number.NaN;
  const tolerance = 0.1 + output.expectedDurationSec * 0.005;
  const problems = [
    stream?.codec !== profile.codec && `codec ${stream?.codec}`,
    stream?.sampleRate !== decodedSampleRate(profile) && `sample rate ${stream?.sampleRate}`,
    stream?.channels !== profile.channels && `channels ${stream?.channels}`,
    !(Math.abs(durationSec - output.expectedDurationSec) <= tolerance) &&
      `duration ${durationSec} s instead of ${output.expectedDurationSec} s`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new MediaError('RENDITION_INVALID', `${output.fileName}: ${problems.join(', ')}`, {
      fileName: output.fileName,
    });
  }
  return durationSec;
}

async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(path)).size };
}

async function moveIntoPlace(renditions: Rendition[], outputDir: string): Promise<Rendition[]> {
  const placed: Rendition[] = [];
  for (const rendition of renditions) {
    const target = join(outputDir, basename(rendition.path));
    await rename(rendition.path, target);
    placed.push({ ...rendition, path: target });
  }
  return placed;
}

function languageResults(
  sources: PreparedSource[],
  outputs: PlannedOutput[],
  renditions: Rendition[],
): LanguageResult[] {
  return sources
    .filter((s) => s.kind === 'language')
    .map((source) => ({
      index: source.languageIndex as number,
      language: source.language as string,
      sourcePath: source.path,
      source: source.info,
      sourceLoudness: source.loudness,
      normalisation: source.mode,
      durationSec: round3(source.durationSec),
      renditions: renditions.filter((_, i) => outputs[i]?.languageIndex === source.languageIndex),
    }));
}

/** Runs `fn` over items, as many at a time as there are slots. */
function mapLimit<T, R>(
  run: Run,
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  return settleAll(
    run,
    items.map((item, i) => run.slots.use(() => fn(item, i))),
  );
}

/** Waits for every task; the first failure aborts the others (they stop their ffmpeg) and is thrown. */
async function settleAll<T>(run: Run, tasks: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(
    tasks.map((task) =>
      task.catch((error: unknown) => {
        // The first failure of the whole run is the cause; later ones are usually the aborts it triggered.
        run.firstFailure ??= { error };
        run.failed.abort();
        throw error;
      }),
    ),
  );
  if (outcomes.some((o) => o.status === 'rejected')) throw run.firstFailure?.error;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
/** Down to the tenth of a dB below, so a trim is never smaller than the excess. */
const floor1 = (value: number) => Math.floor(value * 10) / 10;
