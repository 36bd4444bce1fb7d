import { describe, expect, it } from 'vitest';
import {
  decodedSampleRate,
  defaultProfiles,
  deviceProfileListSchema,
  deviceProfileSchema,
  findProfile,
} from '../../../media/profiles.ts';

describe('device profiles', () => {
  it('lists the five default profiles with their device facts', () => {
    expect(
      defaultProfiles.map((p) => [
        p.id,
        p.codec,
        p.sampleRate,
        p.channels,
        p.bitrate,
        p.extension,
        p.mimeType,
      ]),
    ).toEqual([
      ['mp3-24k', 'mp3', 24000, 1, 48000, 'mp3', 'audio/mpeg'],
      ['pcmu-8k', 'pcm_mulaw', 8000, 1, null, 'ul', 'audio/basic'],
      ['pcmu-16k', 'pcm_mulaw', 16000, 1, null, 'ul', 'audio/axis-mulaw-128'],
      ['opus-24k', 'opus', 16000, 1, 24000, 'opus', 'audio/ogg; codecs=opus'],
      ['wav-l16', 'pcm_s16le', 16000, 1, null, 'wav', 'audio/wav'],
    ]);
    expect(findProfile('opus-24k').opusApplication).toBe('voip');
  });

  it('knows Opus always decodes at 48 kHz', () => {
    expect(decodedSampleRate(findProfile('opus-24k'))).toBe(48000);
    expect(decodedSampleRate(findProfile('pcmu-16k'))).toBe(16000);
  });

  const valid = findProfile('mp3-24k');
  it.each([
    ['a lossy codec without bitrate', { ...valid, bitrate: null }],
    ['PCM with a bitrate', { ...findProfile('wav-l16'), bitrate: 256000 }],
    ['Opus at 44.1 kHz', { ...findProfile('opus-24k'), sampleRate: 44100 }],
    ['an Opus option on MP3', { ...valid, opusApplication: 'voip' }],
    ['a headerless MP3', { ...valid, headerless: true }],
    ['stereo', { ...valid, channels: 2 }],
    ['an id that could escape a directory', { ...valid, id: '../x' }],
    ['an unknown container', { ...valid, container: 'hls' }],
  ])('rejects %s', (_name, profile) => {
    expect(deviceProfileSchema.safeParse(profile).success).toBe(false);
  });

  it('rejects duplicate ids and unknown lookups', () => {
    expect(deviceProfileListSchema.safeParse([valid, valid]).success).toBe(false);
    expect(() => findProfile('aac-64k')).toThrow(/unknown device profile/);
  });
});
