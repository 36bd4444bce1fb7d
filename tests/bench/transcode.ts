/**
 * Transcode benchmark (issue 4): a bilingual bulletin, 2 × 3 minutes of speech-like audio plus a
 * chime, through the whole pipeline into every device profile, against the floor measured in the
 * same run: one hand-written ffmpeg command producing the same renditions from the same sources.
 * The floor is given the loudness values the pipeline measured (a single command cannot run two
 * passes), so it is the cheapest possible way to those files; the pipeline also measures, probes,
 * verifies, measures every output and hashes it.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultLoudnessTarget,
  defaultSpeechBand,
  encodeRenditionsArgs,
  encoderArgs,
  inputArgs,
  loudnormFilter,
  speechChain,
} from '../../media/commands.ts';
import { runFfmpeg } from '../../media/ffmpeg-runner.ts';
import { generateChime, generateSpeechLike } from '../../media/fixtures.ts';
import { type LoudnessMeasurement, measureSpeechLoudness, planNormalisation } from '../../media/loudness.ts';
import { type PipelineResult, runBulletinPipeline } from '../../media/pipeline.ts';
import { defaultProfiles } from '../../media/profiles.ts';

const TRACK_SEC = 180;
const GAP_SEC = 1.5;
/** Interleaved runs per variant; the median is reported (the machine is shared and noisy). */
const RUNS = 5;

interface Sources {
  chime: string;
  vie: string;
  hmn: string;
}

export async function benchTranscode(): Promise<{ title: string; rows: Record<string, string | number>[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-transcode-'));
  try {
    const sources = await makeSources(dir);
    // The pipeline does not report the chime's loudness; the floor gets it measured beforehand.
    const chime = await measureSpeechLoudness({ path: sources.chime }, defaultSpeechBand);
    const pipelineRuns: { result: PipelineResult; cpuSec: number }[] = [];
    const floorRuns: { wallMs: number; cpuSec: number }[] = [];
    // Interleaved so that noise from other work on the machine hits both variants alike.
    for (let run = 0; run < RUNS; run++) {
      pipelineRuns.push(await withChildCpu(() => runPipeline(sources, join(dir, `pipeline-${run}`))));
      const measuredBy = (pipelineRuns[0] as (typeof pipelineRuns)[number]).result;
      const floorRun = await withChildCpu(() =>
        runFloor(sources, chime, measuredBy, join(dir, `floor-${run}`)),
      );
      floorRuns.push({ wallMs: floorRun.result, cpuSec: floorRun.cpuSec });
      if (run > 0) await rm(join(dir, `pipeline-${run}`), { recursive: true });
      await rm(join(dir, `floor-${run}`), { recursive: true });
    }
    const programmeSec = (pipelineRuns[0] as (typeof pipelineRuns)[number]).result.programme.durationSec;
    const floor = median(floorRuns.map((r) => r.wallMs));
    const row = (variant: string, wallMs: number, cpuSec: number | string, extra = {}) => ({
      variant,
      'programme s': programmeSec,
      'wall s': round(wallMs / 1000, 2),
      '× realtime': round(programmeSec / (wallMs / 1000), 1),
      'ratio to floor': round(wallMs / floor, 2),
      'ffmpeg CPU s': cpuSec,
      ...extra,
    });
    const timings = pipelineRuns.map((r) => r.result.timings);
    const cores = availableParallelism();
    const pipelineCpu = median(pipelineRuns.map((r) => r.cpuSec));
    return {
      title: `Transcode: bilingual bulletin 2 × ${TRACK_SEC} s + chime → ${defaultProfiles.length} profiles + per-language MP3 (${cores} cores, goal: ratio ≤ 1.3, ≥ 100× realtime)`,
      rows: [
        row(
          `floor: one hand-written ffmpeg command (median of ${RUNS})`,
          floor,
          round(median(floorRuns.map((r) => r.cpuSec)), 2),
        ),
        row(
          `pipeline, ${Math.min(cores, 4)} ffmpeg at a time (median of ${RUNS})`,
          median(pipelineRuns.map((r) => r.result.wallMs)),
          round(pipelineCpu, 2),
          {
            'prepare s': round(median(timings.map((x) => x.prepareMs)) / 1000, 2),
            'encode s': round(median(timings.map((x) => x.encodeMs)) / 1000, 2),
            'verify s': round(median(timings.map((x) => x.verifyMs)) / 1000, 2),
          },
        ),
        // The best the pipeline's work could do: its CPU time split perfectly over every core.
        row(`ceiling: the pipeline's ffmpeg CPU time ÷ ${cores} cores`, (pipelineCpu * 1000) / cores, ''),
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeSources(dir: string): Promise<Sources> {
  const sources = { chime: join(dir, 'chime.wav'), vie: join(dir, 'vie.wav'), hmn: join(dir, 'hmn.mp3') };
  await Promise.all([
    generateChime(sources.chime),
    // A studio WAV and a phone-style stereo MP3, with sentence pauses.
    generateSpeechLike(sources.vie, { durationSec: TRACK_SEC, pitchHz: 170, phrasePauses: true }),
    generateSpeechLike(sources.hmn, {
      durationSec: TRACK_SEC,
      pitchHz: 230,
      syllableRateHz: 2.7,
      phrasePauses: true,
      container: 'mp3',
      channels: 2,
      sampleRate: 44100,
    }),
  ]);
  return sources;
}

function runPipeline(sources: Sources, outputDir: string, concurrency?: number): Promise<PipelineResult> {
  return runBulletinPipeline({
    tracks: [
      { language: 'vie', path: sources.vie },
      { language: 'hmn', path: sources.hmn },
    ],
    settings: { chimePath: sources.chime, gapSec: GAP_SEC, repeat: 1, concurrency },
    outputDir,
  });
}

/**
 * The same renditions in one ffmpeg command: normalise with known values (plain gain where the
 * pipeline found it enough, loudnorm otherwise), concat, asplit, encode.
 */
async function runFloor(
  sources: Sources,
  chime: LoudnessMeasurement,
  measuredBy: PipelineResult,
  outputDir: string,
): Promise<number> {
  const [vie, hmn] = measuredBy.languages;
  if (!vie || !hmn) throw new Error('the pipeline result lacks a language');
  const chain = speechChain(defaultSpeechBand);
  const normalise = (measured: LoudnessMeasurement) => {
    const plan = planNormalisation(measured, defaultLoudnessTarget);
    return plan.mode === 'linear'
      ? `${chain},volume=${plan.gainDb}dB`
      : `${chain},${loudnormFilter(measured, defaultLoudnessTarget)},aresample=24000`;
  };
  const programme = defaultProfiles;
  const graph = [
    `[0:a]${normalise(chime)},apad=pad_dur=${GAP_SEC}[c]`,
    `[1:a]${normalise(vie.sourceLoudness)},asplit=2[v][vl]`,
    `[2:a]${normalise(hmn.sourceLoudness)},asplit=2[h][hl]`,
    `[v]apad=pad_dur=${GAP_SEC}[vp]`,
    `[c][vp][h]concat=n=3:v=0:a=1,asplit=${programme.length}${programme.map((_, i) => `[p${i}]`).join('')}`,
    ...programme.map((p, i) => `[p${i}]aresample=${p.sampleRate}[o${i}]`),
    '[vl]aresample=24000[lv]',
    '[hl]aresample=24000[lh]',
  ].join(';');
  const mp3 = defaultProfiles.find((p) => p.id === 'mp3-24k');
  if (!mp3) throw new Error('no mp3-24k profile');
  const outputs = [
    ...programme.flatMap((p, i) => [
      '-map',
      `[o${i}]`,
      ...encoderArgs(p),
      '-f',
      p.container,
      join(outputDir, `programme.${p.id}.${p.extension}`),
    ]),
    ...['lv', 'lh'].flatMap((l) => [
      '-map',
      `[${l}]`,
      ...encoderArgs(mp3),
      '-f',
      'mp3',
      join(outputDir, `${l}.mp3`),
    ]),
  ];
  await mkdir(outputDir, { recursive: true });
  const started = performance.now();
  await runFfmpeg({
    args: [
      '-v',
      'error',
      '-y',
      ...inputArgs({ path: sources.chime }),
      ...inputArgs({ path: sources.vie }),
      ...inputArgs({ path: sources.hmn }),
      '-filter_complex',
      graph,
      ...outputs,
    ],
    timeoutMs: 10 * 60_000,
    stallMs: 60_000,
  });
  return performance.now() - started;
}

/**
 * Where the floor's time goes: each profile encoded alone from an assembled 2 × 180 s programme
 * (24 kHz float WAV), one ffmpeg run each, so the realtime goal can be judged per encoder.
 */
export async function benchEncoderCost(): Promise<{
  title: string;
  rows: Record<string, string | number>[];
}> {
  const dir = await mkdtemp(join(tmpdir(), 'loa-bench-encoders-'));
  try {
    const sources = await makeSources(dir);
    const programme = join(dir, 'programme.wav');
    await runFfmpeg({
      args: [
        '-v',
        'error',
        ...inputArgs({ path: sources.vie }),
        ...inputArgs({ path: sources.hmn }),
        '-filter_complex',
        `[0:a]${speechChain(defaultSpeechBand)}[a];[1:a]${speechChain(defaultSpeechBand)}[b];[a][b]concat=n=2:v=0:a=1`,
        '-c:a',
        'pcm_f32le',
        '-f',
        'wav',
        programme,
      ],
      timeoutMs: 120_000,
      stallMs: 30_000,
    });
    const seconds = 2 * TRACK_SEC;
    const encodeColumn = `encode s (median of ${RUNS})`;
    const rows: Record<string, string | number>[] = [];
    for (const profile of defaultProfiles) {
      const walls: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const output = join(dir, `out-${run}.${profile.extension}`);
        const started = performance.now();
        await runFfmpeg({
          args: encodeRenditionsArgs(
            [{ path: programme, gainDb: 0, padAfterSec: 0 }],
            [{ source: { kind: 'programme' }, profile, path: output }],
          ),
          timeoutMs: 120_000,
          stallMs: 30_000,
        });
        walls.push(performance.now() - started);
      }
      const wall = median(walls) / 1000;
      rows.push({
        profile: profile.id,
        [encodeColumn]: round(wall, 2),
        '× realtime': round(seconds / wall, 1),
      });
    }
    // The pipeline also encodes each language alone in MP3: as much audio again through LAME.
    const mp3 = rows.find((r) => r.profile === 'mp3-24k')?.[encodeColumn] as number;
    const sum = rows.reduce((total, r) => total + (r[encodeColumn] as number), 0) + mp3;
    const cores = availableParallelism();
    rows.push(
      {
        profile: 'all of them + per-language MP3 (sum)',
        [encodeColumn]: round(sum, 2),
        '× realtime': round(seconds / sum, 1),
      },
      {
        profile: `ceiling on ${cores} cores: encoding alone, perfectly split`,
        [encodeColumn]: round(sum / cores, 2),
        '× realtime': round(seconds / (sum / cores), 1),
      },
    );
    return {
      title: `Encoder cost: each profile alone, ${seconds} s programme, one ffmpeg run (one core)`,
      rows,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * CPU seconds (user + system) that the child processes finished during `task` used, from the
 * cutime and cstime fields of /proc/self/stat (Linux; clock ticks of 1/100 s). Less disturbed than
 * wall time by other work on a shared machine.
 */
async function withChildCpu<T>(task: () => Promise<T>): Promise<{ result: T; cpuSec: number }> {
  const before = await childCpuSec();
  const result = await task();
  return { result, cpuSec: (await childCpuSec()) - before };
}

async function childCpuSec(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const CUTIME = 13; // field 16 of proc(5), counted from field 3
  return (Number(fields[CUTIME]) + Number(fields[CUTIME + 1])) / 100;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
