/**
 * A programme of several renditions (a slot's playlist, its repeats) as one track: each item's
 * frames follow the previous item on the same clock, after the item's gap. A gap is filled with
 * silent frames where the format has a cheap exact one (µ-law 0xFF, L16 zeros, an MP3 frame with
 * no main data), so receivers and recordings hear the pause as it is; an Opus gap sends nothing
 * (the timestamps jump, as with Opus DTX).
 */
import { FrameFormatError, type FrameTrack, type MediaFrame, PACKET_MS, track } from './frame.ts';
import { parseMp3Header } from './mp3.ts';

export interface ProgrammePart {
  track: FrameTrack;
  gapBeforeSec?: number;
}

export function joinProgramme(parts: readonly ProgrammePart[]): FrameTrack {
  const first = parts[0]?.track;
  if (!first) throw new FrameFormatError('a programme needs at least one item');
  const frames: MediaFrame[] = [];
  let at = 0;
  for (const part of parts) {
    const next = part.track;
    if (next.kind !== first.kind || next.clockRate !== first.clockRate || next.channels !== first.channels) {
      throw new FrameFormatError(
        `programme items differ: ${first.kind}/${first.clockRate} and ${next.kind}/${next.clockRate}`,
      );
    }
    const gapTicks = Math.round((part.gapBeforeSec ?? 0) * first.clockRate);
    if (gapTicks > 0) {
      frames.push(...silence(first, at, gapTicks));
      at += gapTicks;
    }
    for (const frame of next.frames) frames.push({ ...frame, offset: frame.offset + at });
    at += next.durationSec * next.clockRate;
  }
  return track(first.kind, first.clockRate, first.sampleRate, first.channels, frames);
}

export function concatTracks(tracks: readonly FrameTrack[]): FrameTrack {
  return joinProgramme(tracks.map((t) => ({ track: t })));
}

/** Silent frames covering `ticks` from `from`; an MP3 gap is rounded to whole frames. */
export function silence(like: FrameTrack, from: number, ticks: number): MediaFrame[] {
  const frames: MediaFrame[] = [];
  const push = (data: Buffer, size: number) => {
    for (let done = 0; done < ticks; done += size) {
      const duration = Math.min(size, ticks - done);
      frames.push({ data: data.subarray(0, (data.length * duration) / size), offset: from + done, duration });
    }
  };
  const packetTicks = (like.clockRate * PACKET_MS) / 1000;
  switch (like.kind) {
    case 'mulaw':
      push(Buffer.alloc(packetTicks * like.channels, 0xff), packetTicks);
      break;
    case 'l16':
      push(Buffer.alloc(packetTicks * like.channels * 2), packetTicks);
      break;
    case 'mp3': {
      const template = like.frames[0]?.data;
      if (!template) break;
      const frame = silentMp3Frame(template);
      const samples = like.frames[0]?.duration ?? 1152;
      const count = Math.round(ticks / samples);
      for (let i = 0; i < count; i++)
        frames.push({ data: frame, offset: from + i * samples, duration: samples });
      break;
    }
    case 'opus':
      break;
  }
  return frames;
}

/** A frame with the same header (no CRC, no padding) whose side info and main data are all zero: it decodes to silence. */
export function silentMp3Frame(template: Buffer): Buffer {
  const header = Buffer.from(template.subarray(0, 4));
  header.writeUInt8(header.readUInt8(1) | 0x01, 1); // protection bit set = no CRC
  header.writeUInt8(header.readUInt8(2) & ~0x02, 2); // no padding
  const parsed = parseMp3Header(header, 0);
  if (!parsed) throw new FrameFormatError('not an MP3 frame header');
  const frame = Buffer.alloc(parsed.length);
  header.copy(frame, 0);
  return frame;
}
