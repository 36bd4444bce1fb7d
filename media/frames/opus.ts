/**
 * Ogg Opus (the opus-24k rendition) split into Opus packets, without decoding: Ogg pages are
 * walked, packets re-assembled from their lacing values (a packet may span pages), the OpusHead
 * and OpusTags headers set aside, and each packet's length read from its TOC byte (RFC 6716 §3.1).
 * Times are at 48 kHz, the rate Opus always runs its clock at (RFC 7587).
 */
import { FrameFormatError, type FrameTrack, type MediaFrame, track } from './frame.ts';

export const OPUS_CLOCK = 48000;

/** Samples at 48 kHz of one Opus packet, from its TOC byte and (code 3) frame count byte. */
export function opusPacketSamples(packet: Buffer): number {
  if (packet.length === 0) throw new FrameFormatError('empty Opus packet');
  const toc = packet.readUInt8(0);
  const config = toc >> 3;
  // Frame sizes at 48 kHz by configuration (RFC 6716 table 2): SILK 10/20/40/60 ms, hybrid
  // 10/20 ms, CELT 2.5/5/10/20 ms.
  const size = config & 3;
  const frame =
    config < 12 ? (size === 3 ? 2880 : 480 << size) : config < 16 ? 480 << (config & 1) : 120 << size;
  const code = toc & 3;
  if (code === 0) return frame;
  if (code !== 3) return 2 * frame;
  if (packet.length < 2) throw new FrameFormatError('Opus code 3 packet without its frame count');
  return (packet.readUInt8(1) & 0x3f) * frame;
}

export interface OpusHead {
  channels: number;
  preSkip: number;
  inputSampleRate: number;
}

/** Every packet of the first logical stream, in order, re-assembled across pages. */
export function oggPackets(data: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let serial: number | undefined;
  for (let at = 0; at + 27 <= data.length; ) {
    if (data.toString('latin1', at, at + 4) !== 'OggS')
      throw new FrameFormatError(`no Ogg page at byte ${at}`);
    const segments = data.readUInt8(at + 26);
    const pageSerial = data.readUInt32LE(at + 14);
    let body = at + 27 + segments;
    const mine = serial === undefined || serial === pageSerial;
    serial ??= pageSerial;
    for (let s = 0; s < segments; s++) {
      const lace = data.readUInt8(at + 27 + s);
      if (mine) pending.push(data.subarray(body, body + lace));
      body += lace;
      // A lacing value under 255 ends a packet; 255 continues it (also onto the next page).
      if (mine && lace < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    if (body > data.length) throw new FrameFormatError('truncated Ogg page');
    at = body;
  }
  return packets;
}

export function parseOpusHead(packet: Buffer): OpusHead {
  if (packet.length < 19 || packet.toString('latin1', 0, 8) !== 'OpusHead')
    throw new FrameFormatError('no OpusHead');
  return {
    channels: packet.readUInt8(9),
    preSkip: packet.readUInt16LE(10),
    inputSampleRate: packet.readUInt32LE(12),
  };
}

export function readOpusFrames(data: Buffer): FrameTrack & { head: OpusHead } {
  const [headPacket, tags, ...audio] = oggPackets(data);
  if (!headPacket) throw new FrameFormatError('empty Ogg stream');
  const head = parseOpusHead(headPacket);
  if (!tags || tags.toString('latin1', 0, 8) !== 'OpusTags') throw new FrameFormatError('no OpusTags');
  const frames: MediaFrame[] = [];
  let offset = 0;
  for (const packet of audio) {
    const duration = opusPacketSamples(packet);
    frames.push({ data: packet, offset, duration });
    offset += duration;
  }
  return { ...track('opus', OPUS_CLOCK, head.inputSampleRate, head.channels, frames), head };
}
