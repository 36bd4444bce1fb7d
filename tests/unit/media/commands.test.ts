import { describe, expect, it } from 'vitest';
import {
  analyseSourceArgs,
  decodeCheckArgs,
  dynamicNormaliseArgs,
  encodeRenditionsArgs,
  encoderArgs,
  INPUT_FORMAT_WHITELIST,
  inputArgs,
  measureFilesArgs,
  measureSpeechLoudnessArgs,
  num,
  probeArgs,
  renditionInput,
  silenceDetectArgs,
  waveformPcmArgs,
} from '../../../media/commands.ts';
import { checkInputs } from '../../../media/ffmpeg-runner.ts';
import { findProfile } from '../../../media/profiles.ts';

const guard = ['-protocol_whitelist', 'file,pipe', '-format_whitelist', INPUT_FORMAT_WHITELIST];
const deterministic = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact'];
const measured = { integratedLufs: -23.04, truePeakDbtp: -8.9, loudnessRangeLu: 3.6, thresholdLufs: -33.1 };

describe('input arguments', () => {
  it('restricts every input to files and pipes and to the accepted demuxers', () => {
    expect(inputArgs({ path: '/data/tiếng việt.m4a' })).toEqual([...guard, '-i', '/data/tiếng việt.m4a']);
  });

  it('states format, rate and channels for headerless µ-law renditions', () => {
    expect(inputArgs(renditionInput('/out/a.ul', findProfile('pcmu-8k')))).toEqual([
      ...guard,
      '-f',
      'mulaw',
      '-ar',
      '8000',
      '-ac',
      '1',
      '-i',
      '/out/a.ul',
    ]);
    expect(renditionInput('/out/a.mp3', findProfile('mp3-24k'))).toEqual({ path: '/out/a.mp3' });
  });

  it('refuses relative paths, which ffmpeg could read as options or protocols', () => {
    expect(() => inputArgs({ path: '-i' })).toThrow(/absolute/);
    expect(() => inputArgs({ path: 'http://x/a.mp3' })).toThrow(/absolute/);
  });

  it('is accepted by the runner, while unguarded or lavfi inputs are not', () => {
    expect(checkInputs(probeArgs({ path: '/a.mp3' }), false)).toBeUndefined();
    expect(checkInputs(['-i', '/a.mp3'], false)).toMatch(/protocol_whitelist/);
    expect(checkInputs(['-protocol_whitelist', 'file,pipe', '-i', '/a.mp3'], false)).toMatch(
      /format_whitelist/,
    );
    expect(checkInputs([...guard.slice(0, 2), '-format_whitelist', 'mp3,hls', '-i', '/a'], false)).toMatch(
      /format/,
    );
    expect(checkInputs([...guard, '-f', 's16le', '-i', '/a'], false)).toMatch(/not accepted: s16le/);
    expect(checkInputs(['-f', 'lavfi', '-i', 'sine'], false)).toMatch(/lavfi/);
    expect(checkInputs(['-f', 'lavfi', '-i', 'sine'], true)).toBeUndefined();
    expect(checkInputs([...guard, '-i', '/a.wav', '-i', '/b.wav'], false)).toMatch(/\/b\.wav/);
  });
});

describe('analysis commands', () => {
  it('probes as JSON, with the warning that says a duration is only estimated', () => {
    expect(probeArgs({ path: '/in.mp3' })).toEqual([
      '-v',
      'warning',
      '-show_format',
      '-show_streams',
      '-of',
      'json',
      ...guard,
      '-i',
      '/in.mp3',
    ]);
  });

  it('decodes the first audio stream to the end, optionally capped', () => {
    expect(decodeCheckArgs({ path: '/in.mp3' }, 1801)).toEqual([
      '-v',
      'error',
      ...guard,
      '-i',
      '/in.mp3',
      '-map',
      '0:a:0',
      '-t',
      '1801',
      '-f',
      'null',
      '-',
    ]);
  });

  const truePeak = (rate: number, tag: string) =>
    `aresample=${rate}:filter_size=12:phase_shift=2,astats@${tag}=measure_perchannel=none:measure_overall=Peak_level`;
  const nullOutputs = (tag: string) => [
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
  ];

  it('measures a source after the speech chain and keeps that chain output as the intermediate', () => {
    expect(
      analyseSourceArgs({ path: '/in.mp3' }, '/w/source-1.wav', { highpassHz: 150, lowpassHz: 6500 }),
    ).toEqual([
      '-v',
      'info',
      '-y',
      ...guard,
      '-i',
      '/in.mp3',
      '-filter_complex',
      '[0:a:0]aformat=channel_layouts=mono,aresample=24000,highpass=f=150,lowpass=f=6500,' +
        'asplit=3[loudness_m0][peak_m0][kept];' +
        '[loudness_m0]ebur128@m0=framelog=verbose[measured_m0];' +
        `[peak_m0]${truePeak(96000, 'm0')}[oversampled_m0]`,
      ...nullOutputs('m0'),
      '-map',
      '[kept]',
      '-c:a',
      'pcm_f32le',
      '-ar',
      '24000',
      '-ac',
      '1',
      ...deterministic,
      '-f',
      'wav',
      '/w/source-1.wav',
    ]);
    expect(() => analyseSourceArgs({ path: '/in.mp3' }, 'relative.wav')).toThrow(/absolute/);
  });

  it('measures speech loudness without keeping anything', () => {
    const args = measureSpeechLoudnessArgs({ path: '/in.wav' });
    expect(args[args.indexOf('-filter_complex') + 1]).toMatch(
      /lowpass=f=7000,asplit=2\[loudness_m0\]\[peak_m0\];/,
    );
    expect(args.slice(args.indexOf('-filter_complex') + 2)).toEqual(nullOutputs('m0'));
  });

  it('measures several renditions in one run, each at its own rate or a lower one for band-limited speech', () => {
    const args = measureFilesArgs([
      { input: { path: '/r.ul', format: 'mulaw', sampleRate: 8000, channels: 1 }, sampleRate: 8000 },
      { input: { path: '/r.opus' }, sampleRate: 48000, measureRate: 16000 },
      { input: { path: '/r.wav' }, sampleRate: 16000, measureRate: 24000 },
    ]);
    expect(args.filter((a) => a === '-i')).toHaveLength(3);
    expect(args[args.indexOf('-filter_complex') + 1]?.split(';')).toEqual([
      '[0:a:0]asplit=2[loudness_m0][peak_m0]',
      '[loudness_m0]ebur128@m0=framelog=verbose[measured_m0]',
      `[peak_m0]${truePeak(32000, 'm0')}[oversampled_m0]`,
      '[1:a:0]aresample=16000,asplit=2[loudness_m1][peak_m1]',
      '[loudness_m1]ebur128@m1=framelog=verbose[measured_m1]',
      `[peak_m1]${truePeak(64000, 'm1')}[oversampled_m1]`,
      '[2:a:0]asplit=2[loudness_m2][peak_m2]',
      '[loudness_m2]ebur128@m2=framelog=verbose[measured_m2]',
      `[peak_m2]${truePeak(64000, 'm2')}[oversampled_m2]`,
    ]);
    expect(args.slice(args.indexOf('-filter_complex') + 2)).toEqual([
      ...nullOutputs('m0'),
      ...nullOutputs('m1'),
      ...nullOutputs('m2'),
    ]);
    expect(() => measureFilesArgs([])).toThrow(/nothing/);
  });

  it('detects silences and decodes PCM for waveforms', () => {
    expect(silenceDetectArgs({ path: '/p.wav' }, -45, 0.6)).toEqual([
      '-v',
      'info',
      ...guard,
      '-i',
      '/p.wav',
      '-map',
      '0:a:0',
      '-af',
      'silencedetect=noise=-45dB:d=0.6',
      '-f',
      'null',
      '-',
    ]);
    expect(waveformPcmArgs({ path: '/p.wav' }, 8000)).toEqual([
      '-v',
      'error',
      ...guard,
      '-i',
      '/p.wav',
      '-map',
      '0:a:0',
      '-ac',
      '1',
      '-ar',
      '8000',
      '-c:a',
      'pcm_s16le',
      '-f',
      's16le',
      'pipe:1',
    ]);
  });
});

describe('normalise', () => {
  it('runs loudnorm over the intermediate with the measured values, linear if it can, into a float WAV', () => {
    const target = { integratedLufs: -23, truePeakDbtp: -2, loudnessRangeLu: 9 };
    expect(dynamicNormaliseArgs('/w/source-1.wav', '/w/source-1.normalised.wav', measured, target)).toEqual([
      '-v',
      'info',
      '-y',
      ...guard,
      '-i',
      '/w/source-1.wav',
      '-map',
      '0:a:0',
      '-af',
      'loudnorm=I=-23:TP=-2:LRA=9:measured_I=-23.04:measured_TP=-8.9:measured_LRA=3.6:measured_thresh=-33.1:' +
        'offset=0:linear=true:print_format=json,aresample=24000',
      '-c:a',
      'pcm_f32le',
      '-ar',
      '24000',
      '-ac',
      '1',
      ...deterministic,
      '-f',
      'wav',
      '/w/source-1.normalised.wav',
    ]);
  });

  it('defaults to −18 LUFS, −1.5 dBTP, LRA 11 and keeps linear mode possible for clips with LRA 0', () => {
    const args = dynamicNormaliseArgs('/i.wav', '/o.wav', { ...measured, loudnessRangeLu: 0 });
    expect(args[args.indexOf('-af') + 1]).toContain('loudnorm=I=-18:TP=-1.5:LRA=11:measured_I=-23.04');
    expect(args[args.indexOf('-af') + 1]).toContain('measured_LRA=0.01:');
  });
});

describe('encoders per profile', () => {
  it('leaves the encoder default when a profile sets no level', () => {
    const { compressionLevel: _, ...opus } = findProfile('opus-24k');
    expect(encoderArgs(opus)).not.toContain('-compression_level');
  });

  it.each([
    [
      'mp3-24k',
      ['-c:a', 'libmp3lame', '-b:a', '48000', '-compression_level', '7', '-ar', '24000', '-ac', '1'],
    ],
    [
      'opus-24k',
      [
        '-c:a',
        'libopus',
        '-b:a',
        '24000',
        '-application',
        'voip',
        '-compression_level',
        '5',
        '-ar',
        '16000',
        '-ac',
        '1',
      ],
    ],
    ['pcmu-8k', ['-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1']],
    ['pcmu-16k', ['-c:a', 'pcm_mulaw', '-ar', '16000', '-ac', '1']],
    ['wav-l16', ['-c:a', 'pcm_s16le', '-ar', '16000', '-ac', '1']],
  ])('%s', (id, expected) => {
    expect(encoderArgs(findProfile(id))).toEqual(expected);
  });
});

describe('programme assembly and encoding', () => {
  const mp3 = findProfile('mp3-24k');
  const pcmu = findProfile('pcmu-8k');
  const segments = [
    { path: '/w/chime.wav', gainDb: 0, padAfterSec: 1 },
    { path: '/w/vie.wav', gainDb: 4.25, padAfterSec: 1.5 },
    { path: '/w/hmn.wav', gainDb: -2, padAfterSec: 3 },
    { path: '/w/chime.wav', gainDb: 0, padAfterSec: 1 },
    { path: '/w/vie.wav', gainDb: 4.25, padAfterSec: 1.5 },
    { path: '/w/hmn.wav', gainDb: -2, padAfterSec: 0 },
  ];

  it('concatenates padded segments at their gain and encodes every rendition from one asplit', () => {
    const args = encodeRenditionsArgs(segments, [
      { source: { kind: 'programme' }, profile: mp3, path: '/w/out/programme.mp3' },
      { source: { kind: 'programme' }, profile: pcmu, path: '/w/out/programme.ul' },
      { source: { kind: 'file', path: '/w/vie.wav', gainDb: 4.25 }, profile: mp3, path: '/w/out/vie.mp3' },
    ]);
    expect(args).toEqual([
      '-v',
      'error',
      '-y',
      ...segments.flatMap((s) => [...guard, '-i', s.path]),
      ...guard,
      '-i',
      '/w/vie.wav',
      '-filter_complex',
      [
        '[0:a]apad=pad_dur=1[s0]',
        '[1:a]volume=4.25dB,apad=pad_dur=1.5[s1]',
        '[2:a]volume=-2dB,apad=pad_dur=3[s2]',
        '[3:a]apad=pad_dur=1[s3]',
        '[4:a]volume=4.25dB,apad=pad_dur=1.5[s4]',
        '[5:a]volume=-2dB[s5]',
        '[s0][s1][s2][s3][s4][s5]concat=n=6:v=0:a=1[programme]',
        '[programme]asplit=2[p0][p1]',
        '[p0]aresample=24000[o0]',
        '[p1]aresample=8000[o1]',
        '[6:a]volume=4.25dB,aresample=24000[o2]',
      ].join(';'),
      '-map',
      '[o0]',
      ...encoderArgs(mp3),
      ...deterministic,
      '-f',
      'mp3',
      '/w/out/programme.mp3',
      '-map',
      '[o1]',
      ...encoderArgs(pcmu),
      ...deterministic,
      '-f',
      'mulaw',
      '/w/out/programme.ul',
      '-map',
      '[o2]',
      ...encoderArgs(mp3),
      ...deterministic,
      '-f',
      'mp3',
      '/w/out/vie.mp3',
    ]);
  });

  it('needs no asplit for a single output and no segments for per-language renditions only', () => {
    const single = encodeRenditionsArgs(segments.slice(0, 1), [
      { source: { kind: 'programme' }, profile: pcmu, path: '/o.ul' },
    ]);
    expect(single[single.indexOf('-filter_complex') + 1]).toBe(
      '[0:a]apad=pad_dur=1[s0];[s0]concat=n=1:v=0:a=1[programme];[programme]aresample=8000[o0]',
    );
    const languageOnly = encodeRenditionsArgs(segments, [
      { source: { kind: 'file', path: '/w/hmn.wav', gainDb: 0 }, profile: mp3, path: '/o.mp3' },
    ]);
    expect(languageOnly.filter((a) => a === '-i')).toHaveLength(1);
    expect(languageOnly[languageOnly.indexOf('-filter_complex') + 1]).toBe('[0:a]aresample=24000[o0]');
  });

  it('trims a single rendition on its own branch, on top of its source gain', () => {
    const args = encodeRenditionsArgs(segments.slice(0, 2), [
      { source: { kind: 'programme' }, profile: pcmu, path: '/o.ul', trimDb: -0.6 },
      {
        source: { kind: 'file', path: '/w/vie.wav', gainDb: 4.25 },
        profile: mp3,
        path: '/o.mp3',
        trimDb: -0.3,
      },
    ]);
    expect(args[args.indexOf('-filter_complex') + 1]?.split(';')).toEqual([
      '[0:a]apad=pad_dur=1[s0]',
      '[1:a]volume=4.25dB,apad=pad_dur=1.5[s1]',
      '[s0][s1]concat=n=2:v=0:a=1[programme]',
      '[programme]volume=-0.6dB,aresample=8000[o0]',
      '[2:a]volume=3.95dB,aresample=24000[o1]',
    ]);
  });

  it('refuses empty plans', () => {
    expect(() => encodeRenditionsArgs(segments, [])).toThrow(/nothing/);
    expect(() =>
      encodeRenditionsArgs([], [{ source: { kind: 'programme' }, profile: mp3, path: '/o.mp3' }]),
    ).toThrow(/segments/);
  });
});

describe('num', () => {
  it('prints at most 3 decimals and rejects non-finite values', () => {
    expect(num(-18)).toBe('-18');
    expect(num(1.23456)).toBe('1.235');
    expect(() => num(Number.NaN)).toThrow();
  });
});
