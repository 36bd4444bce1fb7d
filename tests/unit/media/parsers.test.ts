import { describe, expect, it } from 'vitest';
import {
  parseEbur128Summary,
  parseLoudnessLog,
  parseLoudnormMode,
  parseSilences,
  planNormalisation,
} from '../../../media/loudness.ts';
import { BlockExtremes, foldPeaks } from '../../../media/waveform.ts';

const summary = `[Parsed_ebur128_4 @ 0x561c6e9d0000] Summary:

  Integrated loudness:
    I:         -20.5 LUFS
    Threshold: -30.7 LUFS

  Loudness range:
    LRA:         6.1 LU
    Threshold: -41.5 LUFS
    LRA low:   -24.6 LUFS
    LRA high:  -18.4 LUFS

  True peak:
    Peak:       -5.8 dBFS
`;

describe('ebur128 summary', () => {
  it('reads integrated loudness, its threshold, LRA and true peak', () => {
    expect(parseEbur128Summary(`noise before\n${summary}`)).toEqual({
      integratedLufs: -20.5,
      thresholdLufs: -30.7,
      loudnessRangeLu: 6.1,
      truePeakDbtp: -5.8,
    });
  });

  it('takes the true peak from astats on the oversampled signal when ebur128 has none', () => {
    const withoutPeak = summary.slice(0, summary.indexOf('  True peak:'));
    const log = `${withoutPeak}\n[Parsed_astats_3 @ 0x1] Overall\n[Parsed_astats_3 @ 0x1] Peak level dB: -3.449512\n`;
    expect(parseLoudnessLog(log)).toEqual({
      integratedLufs: -20.5,
      thresholdLufs: -30.7,
      loudnessRangeLu: 6.1,
      truePeakDbtp: -3.4,
    });
    expect(parseEbur128Summary(withoutPeak).truePeakDbtp).toBeUndefined();
    expect(() => parseLoudnessLog(withoutPeak)).toThrow(/oversampled peak/);
  });

  it('reads silence as -inf and refuses a log without summary', () => {
    expect(parseEbur128Summary(summary.replace('-5.8 dBFS', '-inf dBFS')).truePeakDbtp).toBe(
      Number.NEGATIVE_INFINITY,
    );
    expect(() => parseEbur128Summary('Integrated loudness: I: -20 LUFS')).toThrow(/no ebur128 summary/);
  });
});

describe('several measurements in one run', () => {
  const tagged = (tag: string, lufs: number, peak: number) =>
    `[astats@${tag} @ 0x1] Overall\n[astats@${tag} @ 0x1] Peak level dB: ${peak}\n` +
    summary
      .replace('[Parsed_ebur128_4 @ 0x561c6e9d0000]', `[ebur128@${tag} @ 0x2]`)
      .replace('-20.5', String(lufs));
  // ffmpeg builds a complex graph twice; the unused first instance logs an empty summary.
  const unused =
    '[ebur128@m0 @ 0x9] Summary:\n\n  Integrated loudness:\n    I:         -70.0 LUFS\n    Threshold:   0.0 LUFS\n\n  Loudness range:\n    LRA:         0.0 LU\n';
  const log = `${unused}Output #0\n${tagged('m1', -23.2, -9.23)}${tagged('m0', -18.1, -3.41)}`;

  it('reads each measurement from the filter instances named by its tag, the last summary of each', () => {
    expect(parseLoudnessLog(log, 'm0')).toMatchObject({ integratedLufs: -18.1, truePeakDbtp: -3.4 });
    expect(parseLoudnessLog(log, 'm1')).toMatchObject({ integratedLufs: -23.2, truePeakDbtp: -9.2 });
    expect(() => parseLoudnessLog(log, 'm2')).toThrow(/no ebur128 summary/);
  });
});

describe('normalisation plan', () => {
  const target = { integratedLufs: -18, truePeakDbtp: -1.5, loudnessRangeLu: 11 };
  const measured = { integratedLufs: -24.3, thresholdLufs: -34.3, loudnessRangeLu: 6, truePeakDbtp: -9.5 };

  it('is plain gain to the target when the peak stays under the ceiling and the range fits', () => {
    expect(planNormalisation(measured, target)).toEqual({ mode: 'linear', gainDb: 6.3 });
    expect(planNormalisation({ ...measured, truePeakDbtp: -7.9 }, target)).toEqual({
      mode: 'linear',
      gainDb: 6.3,
    });
  });

  it('needs loudnorm dynamic mode when gain would lift the peak above the ceiling or the range is too wide', () => {
    expect(planNormalisation({ ...measured, truePeakDbtp: -7.7 }, target)).toEqual({ mode: 'dynamic' });
    expect(planNormalisation({ ...measured, loudnessRangeLu: 11.1 }, target)).toEqual({ mode: 'dynamic' });
  });
});

describe('loudnorm and silencedetect logs', () => {
  it('tells linear from dynamic normalisation', () => {
    expect(parseLoudnormMode('{\n\t"normalization_type" : "linear",\n')).toBe('linear');
    expect(parseLoudnormMode('"normalization_type" : "dynamic"')).toBe('dynamic');
    expect(() => parseLoudnormMode('')).toThrow();
  });

  it('pairs silence starts and ends and closes a trailing silence at the end of stream', () => {
    const log = [
      '[silencedetect @ 0x1] silence_start: 1.2',
      '[silencedetect @ 0x1] silence_end: 2.25 | silence_duration: 1.05',
      '[silencedetect @ 0x1] silence_start: 5.5',
    ].join('\n');
    expect(parseSilences(log, 6)).toEqual([
      { startSec: 1.2, endSec: 2.25 },
      { startSec: 5.5, endSec: 6 },
    ]);
  });
});

describe('waveform peaks', () => {
  const pcm = (values: number[]) => {
    const buffer = Buffer.alloc(values.length * 2);
    for (const [i, v] of values.entries()) buffer.writeInt16LE(v, i * 2);
    return buffer;
  };

  it('keeps min/max per block even when a chunk splits a sample', () => {
    const blocks = new BlockExtremes(2);
    const bytes = pcm([16384, -32768, 0, 8192, -16384]);
    blocks.push(bytes.subarray(0, 3));
    blocks.push(bytes.subarray(3));
    expect(blocks.finish()).toEqual({ min: [-1, 0, -0.5], max: [0.5, 0.25, 0] });
    expect(blocks.sampleCount).toBe(5);
  });

  it('folds blocks into interleaved min/max pairs', () => {
    const extremes = { min: [-0.1, -0.5, -0.2, 0], max: [0.3, 0.1, 0.9, 0.2] };
    expect(foldPeaks(extremes, 2)).toEqual({ length: 2, peaks: [-0.5, 0.3, -0.2, 0.9] });
    expect(foldPeaks(extremes, 10).length).toBe(4);
  });
});
