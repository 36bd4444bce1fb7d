import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrames } from '../../../media/frames/index.ts';
import { id3v2Size, parseMp3Header, readMp3Frames } from '../../../media/frames/mp3.ts';
import { oggPackets, opusPacketSamples } from '../../../media/frames/opus.ts';
import { joinProgramme } from '../../../media/frames/programme.ts';
import { readWavFrames } from '../../../media/frames/wav.ts';
import { findProfile } from '../../../media/profiles.ts';
import { makeRendition, probe } from '../../integration/drivers/renditions.ts';

// Rendition fixtures made by ffmpeg exactly as the pipeline encodes each profile.
let dir: string;
const files: Record<string, string> = {};
const SECONDS = 3;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loa-frames-'));
  for (const id of ['pcmu-8k', 'pcmu-16k', 'wav-l16', 'mp3-24k', 'opus-24k']) {
    files[id] = await makeRendition(dir, id, SECONDS);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function framesOf(id: string) {
  const profile = findProfile(id);
  const path = files[id] ?? '';
  return {
    track: readFrames(await readFile(path), profile),
    probed: await probe(path, profile),
    bytes: await readFile(path),
  };
}

describe('rendition frames (ffmpeg-made fixtures)', () => {
  it('cuts raw µ-law into 20 ms frames of 160 bytes at 8 kHz and 320 at 16 kHz', async () => {
    for (const [id, size] of [
      ['pcmu-8k', 160],
      ['pcmu-16k', 320],
    ] as const) {
      const { track, bytes } = await framesOf(id);
      expect(bytes.length).toBe(SECONDS * size * 50);
      expect(track.frames).toHaveLength(SECONDS * 50);
      expect(track.frames.every((f) => f.data.length === size && f.duration === size)).toBe(true);
      expect(track.frames[7]?.offset).toBe(7 * size);
      expect(track.durationSec).toBe(SECONDS);
    }
  });

  it('skips the WAV header and cuts L16 into 20 ms frames of 640 bytes', async () => {
    const { track, bytes, probed } = await framesOf('wav-l16');
    expect(track.frames).toHaveLength(150);
    expect(track.frames.every((f) => f.data.length === 640)).toBe(true);
    expect(Buffer.concat(track.frames.map((f) => f.data))).toEqual(bytes.subarray(bytes.length - 96000));
    expect(track.durationSec).toBe(probed.durationSec);
  });

  it('splits the MPEG-2 Layer III rendition at its headers, without the Xing/Info frame', async () => {
    const { track, probed, bytes } = await framesOf('mp3-24k');
    // 48 kbit/s at 24 kHz: 576 samples (24 ms) in 72 × 48000 / 24000 = 144 bytes, never padded.
    expect(track.clockRate).toBe(24000);
    expect(track.frames.every((f) => f.data.length === 144 && f.duration === 576)).toBe(true);
    expect(track.frames).toHaveLength(probed.packets);
    expect(Math.abs(track.durationSec - probed.durationSec)).toBeLessThanOrEqual(0.024);
    // The bytes left out are the ID3 tag and the Info frame (LAME writes it at its own bitrate).
    const tag = id3v2Size(bytes, 0);
    const info = parseMp3Header(bytes, tag);
    expect(bytes.toString('latin1', tag + 4 + 9, tag + 4 + 9 + 4)).toBe('Info');
    expect(bytes.length - track.frames.length * 144 - tag).toBe(info?.length);
  });

  it('reads Ogg Opus packets with their TOC durations, without OpusHead and OpusTags', async () => {
    const { track, probed } = await framesOf('opus-24k');
    expect(track.clockRate).toBe(48000);
    expect(track.sampleRate).toBe(16000);
    expect(track.frames).toHaveLength(probed.packets);
    expect(track.frames.every((f) => f.duration === 960)).toBe(true);
    expect(Math.abs(track.durationSec - probed.durationSec)).toBeLessThanOrEqual(0.02);
  });
});

describe('MP3 headers', () => {
  it('sizes MPEG-1, MPEG-2 and MPEG-2.5 Layer III frames', () => {
    const header = (b1: number, b2: number, b3 = 0xc4) => Buffer.from([0xff, b1, b2, b3]);
    // MPEG-1, 128 kbit/s, 44.1 kHz, padded: 144 × 128000 / 44100 + 1 = 418.
    expect(parseMp3Header(header(0xfb, 0x92), 0)).toMatchObject({
      version: 1,
      length: 418,
      samples: 1152,
      channels: 1,
    });
    // MPEG-2, 48 kbit/s (index 6), 24 kHz: 144 bytes, 576 samples.
    expect(parseMp3Header(header(0xf3, 0x64), 0)).toMatchObject({
      version: 2,
      sampleRate: 24000,
      length: 144,
      samples: 576,
    });
    // MPEG-2.5, 8 kbit/s, 8 kHz: 72 bytes.
    expect(parseMp3Header(header(0xe3, 0x18), 0)).toMatchObject({
      version: 2.5,
      sampleRate: 8000,
      length: 72,
    });
    expect(parseMp3Header(header(0xfd, 0x92), 0)).toBeUndefined(); // Layer II
  });

  it('skips an ID3v2 tag (syncsafe size) and stops at an ID3v1 tag', () => {
    const frame = Buffer.alloc(144);
    Buffer.from([0xff, 0xf3, 0x64, 0xc4]).copy(frame);
    const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0x01, 0x00, ...new Array(128).fill(0)]);
    const v1 = Buffer.concat([Buffer.from('TAG'), Buffer.alloc(125)]);
    const file = Buffer.concat([id3, frame, frame, frame, v1]);
    expect(id3v2Size(file, 0)).toBe(138);
    const track = readMp3Frames(file);
    expect(track.frames.map((f) => f.offset)).toEqual([0, 576, 1152]);
  });
});

describe('Opus packets', () => {
  it('reads the duration from the TOC byte', () => {
    expect(opusPacketSamples(Buffer.from([(1 << 3) | 0]))).toBe(960); // SILK NB 20 ms
    expect(opusPacketSamples(Buffer.from([(13 << 3) | 1]))).toBe(1920); // hybrid 20 ms, two frames
    expect(opusPacketSamples(Buffer.from([(16 << 3) | 0]))).toBe(120); // CELT 2.5 ms
    expect(opusPacketSamples(Buffer.from([(3 << 3) | 3, 3]))).toBe(3 * 2880); // three 60 ms frames
  });

  it('joins a packet laced across two Ogg pages', () => {
    const page = (lacing: number[], body: Buffer, serial = 7) => {
      const head = Buffer.alloc(27 + lacing.length);
      head.write('OggS', 0, 'latin1');
      head.writeUInt32LE(serial, 14);
      head.writeUInt8(lacing.length, 26);
      for (const [i, l] of lacing.entries()) head.writeUInt8(l, 27 + i);
      return Buffer.concat([head, body]);
    };
    const big = Buffer.alloc(300, 0x42);
    const stream = Buffer.concat([
      page([255], big.subarray(0, 255)),
      page([45, 3], Buffer.concat([big.subarray(255), Buffer.from([1, 2, 3])])),
    ]);
    const packets = oggPackets(stream);
    expect(packets.map((p) => p.length)).toEqual([300, 3]);
    expect(packets[0]).toEqual(big);
  });
});

describe('programmes', () => {
  it('puts items one after the other and fills a gap with silent frames', async () => {
    const track = readWavFrames(await readFile(files['wav-l16'] ?? ''));
    const joined = joinProgramme([{ track }, { track, gapBeforeSec: 1 }]);
    expect(joined.frames).toHaveLength(150 + 50 + 150);
    expect(joined.durationSec).toBe(7);
    expect(joined.frames[150]?.data.every((b) => b === 0)).toBe(true);
    expect(joined.frames[200]?.offset).toBe(4 * 16000);
    expect(joined.frames[200]?.data).toBe(track.frames[0]?.data);
  });

  it('fills an MP3 gap with whole silent frames of the same header', async () => {
    const track = readMp3Frames(await readFile(files['mp3-24k'] ?? ''));
    const joined = joinProgramme([{ track }, { track, gapBeforeSec: 0.48 }]);
    const silent = joined.frames[track.frames.length];
    expect(silent?.data.length).toBe(144);
    expect(silent?.data.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xf3, 0x64]));
    expect(joined.frames).toHaveLength(2 * track.frames.length + 20);
  });
});
