/**
 * Waveform peaks for display. Decodes to mono 8 kHz s16le through a pipe and keeps min/max per
 * 10 ms block while streaming (memory stays small for a 30-minute track), then folds the blocks
 * into the requested number of peaks.
 */
import { type InputSpec, waveformPcmArgs } from './commands.ts';
import { runFfmpeg } from './ffmpeg-runner.ts';

export interface Waveform {
  durationSec: number;
  /** Number of min/max pairs. */
  length: number;
  /**
   * Interleaved [min0, max0, min1, max1, …] in -1..1, rounded to 4 decimals: the audiowaveform
   * layout, usable as wavesurfer.js `peaks: [waveform.peaks]` with `duration: waveform.durationSec`.
   */
  peaks: number[];
}

export interface WaveformOptions {
  length?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const WAVEFORM_SAMPLE_RATE = 8000;
const BLOCK_SAMPLES = 80;

export async function computeWaveform(input: InputSpec, options: WaveformOptions = {}): Promise<Waveform> {
  const blocks = new BlockExtremes(BLOCK_SAMPLES);
  await runFfmpeg({
    args: waveformPcmArgs(input, WAVEFORM_SAMPLE_RATE),
    onStdout: (chunk) => blocks.push(chunk),
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 5 * 60_000,
    stallMs: 30_000,
  });
  return {
    durationSec: blocks.sampleCount / WAVEFORM_SAMPLE_RATE,
    ...foldPeaks(blocks.finish(), options.length ?? 800),
  };
}

/** Folds per-block extremes into `length` min/max pairs (fewer if the audio is shorter). */
export function foldPeaks(
  extremes: { min: number[]; max: number[] },
  length: number,
): { length: number; peaks: number[] } {
  const blockCount = extremes.min.length;
  const pairs = Math.min(length, blockCount);
  const peaks: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const from = Math.floor((i * blockCount) / pairs);
    const to = Math.max(from + 1, Math.floor(((i + 1) * blockCount) / pairs));
    let min = 0;
    let max = 0;
    for (let b = from; b < to; b++) {
      min = Math.min(min, extremes.min[b] as number);
      max = Math.max(max, extremes.max[b] as number);
    }
    peaks.push(round4(min), round4(max));
  }
  return { length: pairs, peaks };
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000 || 0;

/** Streaming min/max over fixed-size blocks of s16le samples; chunks may split a sample. */
export class BlockExtremes {
  private readonly min: number[] = [];
  private readonly max: number[] = [];
  private carry: Buffer = Buffer.alloc(0);
  private inBlock = 0;
  private blockMin = 0;
  private blockMax = 0;
  sampleCount = 0;

  constructor(private readonly blockSamples: number) {}

  push(chunk: Buffer): void {
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = data.length - (data.length % 2);
    for (let offset = 0; offset < whole; offset += 2) this.addSample(data.readInt16LE(offset) / 32768);
    this.carry = Buffer.from(data.subarray(whole));
  }

  finish(): { min: number[]; max: number[] } {
    if (this.inBlock > 0) this.closeBlock();
    return { min: this.min, max: this.max };
  }

  private addSample(value: number): void {
    this.sampleCount++;
    if (value < this.blockMin) this.blockMin = value;
    if (value > this.blockMax) this.blockMax = value;
    if (++this.inBlock === this.blockSamples) this.closeBlock();
  }

  private closeBlock(): void {
    this.min.push(this.blockMin);
    this.max.push(this.blockMax);
    this.inBlock = 0;
    this.blockMin = 0;
    this.blockMax = 0;
  }
}
