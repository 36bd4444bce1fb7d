import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError, type FfmpegRunOptions, runFfmpeg, toolVersion } from '../../../media/ffmpeg-runner.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-runner-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const generated = (source: string, realtime = false): string[] => [
  ...(realtime ? ['-re'] : []),
  '-f',
  'lavfi',
  '-i',
  source,
  '-f',
  'null',
  '-',
];

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function expectFailure(options: FfmpegRunOptions): Promise<FfmpegError> {
  const error = await runFfmpeg(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FfmpegError);
  return error as FfmpegError;
}

describe('ffmpeg runner', () => {
  it('reports progress from out_time as fractions that rise to 1', async () => {
    const fractions: number[] = [];
    const result = await runFfmpeg({
      args: generated('sine=f=440:d=4'),
      allowGeneratedInputs: true,
      durationSec: 4,
      onProgress: (f) => fractions.push(f),
      timeoutMs: 30_000,
      stallMs: 10_000,
    });
    expect(result.outTimeSec).toBeCloseTo(4, 1);
    expect(fractions.at(-1)).toBe(1);
    expect(
      fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= (fractions[i - 1] as number))),
    ).toBe(true);
  });

  it('runs the child under nice', async () => {
    let niceness: number | undefined;
    let pid = 0;
    await runFfmpeg({
      args: generated('sine=d=1.5', true),
      allowGeneratedInputs: true,
      nice: 7,
      durationSec: 3,
      onSpawn: (p) => {
        pid = p;
      },
      onProgress: () => {
        if (niceness !== undefined) return;
        // /proc/<pid>/stat: field 19 is the nice value; the command name in field 2 has no spaces here.
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ');
        niceness = Number(fields[18]);
      },
      timeoutMs: 30_000,
      stallMs: 10_000,
    });
    expect(niceness).toBe(7);
  });

  it('kills a job that runs past its timeout', async () => {
    let pid = 0;
    const error = await expectFailure({
      args: generated('sine=d=60', true),
      allowGeneratedInputs: true,
      onSpawn: (p) => {
        pid = p;
      },
      timeoutMs: 1500,
      stallMs: 30_000,
    });
    expect(error.code).toBe('FFMPEG_TIMEOUT');
    expect(error.commandLine).toContain('sine=d=60');
    expect(processIsGone(pid)).toBe(true);
  });

  it('kills a stalled job with SIGKILL when SIGTERM is not enough', async () => {
    const fifo = join(dir, 'never-written.fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    let pid = 0;
    const error = await expectFailure({
      args: [
        '-protocol_whitelist',
        'file,pipe',
        '-format_whitelist',
        'wav',
        '-f',
        'wav',
        '-i',
        fifo,
        '-f',
        'null',
        '-',
      ],
      onSpawn: (p) => {
        pid = p;
      },
      timeoutMs: 60_000,
      stallMs: 800,
      killGraceMs: 400,
    });
    expect(error.code).toBe('FFMPEG_STALLED');
    expect(error.exitSignal).toBe('SIGKILL');
    expect(processIsGone(pid)).toBe(true);
  });

  it('stops when the abort signal fires', async () => {
    const controller = new AbortController();
    let pid = 0;
    const error = await expectFailure({
      args: generated('sine=d=60', true),
      allowGeneratedInputs: true,
      durationSec: 60,
      signal: controller.signal,
      onSpawn: (p) => {
        pid = p;
      },
      onProgress: () => controller.abort(),
      timeoutMs: 60_000,
      stallMs: 30_000,
    });
    expect(error.code).toBe('FFMPEG_ABORTED');
    expect(processIsGone(pid)).toBe(true);
    const early = await expectFailure({
      args: generated('sine=d=1'),
      allowGeneratedInputs: true,
      signal: controller.signal,
      timeoutMs: 1000,
      stallMs: 1000,
    });
    expect(early.code).toBe('FFMPEG_ABORTED');
  });

  it('puts the command line and the stderr tail into the error of a failed run', async () => {
    const missing = join(dir, 'không-có.mp3');
    const error = await expectFailure({
      args: [
        '-protocol_whitelist',
        'file,pipe',
        '-format_whitelist',
        'mp3',
        '-i',
        missing,
        '-f',
        'null',
        '-',
      ],
      timeoutMs: 30_000,
      stallMs: 30_000,
    });
    expect(error.code).toBe('FFMPEG_FAILED');
    expect(error.exitCode).not.toBe(0);
    expect(error.commandLine).toContain(missing);
    expect(error.stderrTail).toMatch(/No such file or directory/);
  });

  it('reports the ffmpeg and ffprobe versions', async () => {
    expect(await toolVersion('ffmpeg')).toMatch(/^ffmpeg version \S+/);
    expect(await toolVersion('ffprobe')).toMatch(/^ffprobe version \S+/);
  });

  it('refuses unguarded and generated inputs before starting anything', async () => {
    const unguarded = await expectFailure({
      args: ['-i', '/etc/passwd', '-f', 'null', '-'],
      timeoutMs: 1000,
      stallMs: 1000,
    });
    expect(unguarded.code).toBe('FFMPEG_INPUT_REJECTED');
    const generatedInput = await expectFailure({ args: generated('sine'), timeoutMs: 1000, stallMs: 1000 });
    expect(generatedInput.code).toBe('FFMPEG_INPUT_REJECTED');
  });
});
