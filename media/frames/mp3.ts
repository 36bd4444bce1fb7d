/**
 * MP3 (the mp3-24k rendition) split at its frame headers, without decoding: ID3v2 tags and the
 * Xing/Info (or VBRI) frame that LAME and ffmpeg put first are skipped — the latter is a silent
 * frame of metadata, not programme — and so are ID3v1/APE tags at the end. Layer III only, as the
 * renditions are; MPEG-1, MPEG-2 and MPEG-2.5 (the 24 kHz rendition is MPEG-2).
 */
import { FrameFormatError, type FrameTrack, type MediaFrame, track } from './frame.ts';

export interface Mp3FrameHeader {
  version: 1 | 2 | 2.5;
  sampleRate: number;
  bitrateKbps: number;
  channels: 1 | 2;
  /** Whole frame, header included. */
  length: number;
  samples: 576 | 1152;
  crc: boolean;
}

const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, number[]> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
};

/** The Layer III header at `at`, or undefined when these 4 bytes are not one. */
export function parseMp3Header(data: Buffer, at: number): Mp3FrameHeader | undefined {
  if (at + 4 > data.length) return undefined;
  const b1 = data.readUInt8(at + 1);
  const b2 = data.readUInt8(at + 2);
  if (data.readUInt8(at) !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3;
  if (versionBits === 1 || ((b1 >> 1) & 3) !== 1) return undefined; // reserved version; not Layer III
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined; // free format unsupported
  const bitrateKbps = (version === 1 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex] ?? 0;
  const sampleRate = RATES[version]?.[rateIndex] ?? 0;
  const padding = (b2 >> 1) & 1;
  const samples = version === 1 ? 1152 : 576;
  const length = Math.floor(((samples / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  const channels = data.readUInt8(at + 3) >> 6 === 3 ? 1 : 2;
  return { version, sampleRate, bitrateKbps, channels, length, samples, crc: (b1 & 1) === 0 };
}

/** Size of an ID3v2 tag at `at` (header, syncsafe size, optional footer), 0 if none. */
export function id3v2Size(data: Buffer, at: number): number {
  if (at + 10 > data.length || data.toString('latin1', at, at + 3) !== 'ID3') return 0;
  const size =
    ((data.readUInt8(at + 6) & 0x7f) << 21) |
    ((data.readUInt8(at + 7) & 0x7f) << 14) |
    ((data.readUInt8(at + 8) & 0x7f) << 7) |
    (data.readUInt8(at + 9) & 0x7f);
  const footer = data.readUInt8(at + 5) & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** Whether the frame carries a Xing/Info or VBRI header instead of audio. */
export function isVbrInfoFrame(data: Buffer, at: number, header: Mp3FrameHeader): boolean {
  const sideInfo = header.version === 1 ? (header.channels === 1 ? 17 : 32) : header.channels === 1 ? 9 : 17;
  const xing = at + 4 + (header.crc ? 2 : 0) + sideInfo;
  const tag = data.toString('latin1', xing, xing + 4);
  return tag === 'Xing' || tag === 'Info' || data.toString('latin1', at + 36, at + 40) === 'VBRI';
}

function audioEnd(data: Buffer): number {
  let end = data.length;
  if (end >= 128 && data.toString('latin1', end - 128, end - 125) === 'TAG') end -= 128;
  if (end >= 32 && data.toString('latin1', end - 32, end - 24) === 'APETAGEX') {
    const size = data.readUInt32LE(end - 20); // tag size, footer included, header excluded
    end -= size + (data.readUInt32LE(end - 12) & 0x80000000 ? 32 : 0);
  }
  return Math.max(end, 0);
}

export function readMp3Frames(data: Buffer): FrameTrack {
  const end = audioEnd(data);
  const frames: MediaFrame[] = [];
  let first: Mp3FrameHeader | undefined;
  let offset = 0;
  let at = 0;
  for (let tag = id3v2Size(data, at); tag > 0; tag = id3v2Size(data, at)) at += tag;
  while (at + 4 <= end) {
    const header = parseMp3Header(data, at);
    // A header whose frame overruns the audio, or a byte that is no header: resync one byte on.
    if (!header || at + header.length > end) {
      at++;
      continue;
    }
    if (!first) {
      first = header;
      if (isVbrInfoFrame(data, at, header)) {
        at += header.length;
        continue;
      }
    } else if (header.sampleRate !== first.sampleRate) {
      at++; // a false sync inside frame data: a real stream keeps one rate
      continue;
    }
    frames.push({ data: data.subarray(at, at + header.length), offset, duration: header.samples });
    offset += header.samples;
    at += header.length;
  }
  if (!first) throw new FrameFormatError('no MPEG Layer III frame found');
  return track('mp3', first.sampleRate, first.sampleRate, first.channels, frames);
}
