/**
 * Payload formats: how a rendition's frames become RTP payloads and timestamps.
 * - PCMU (PT 0) / PCMA (PT 8), RFC 3551: 8 kHz G.711, 20 ms = 160 bytes per packet; PCMA is
 *   converted from the µ-law rendition byte by byte.
 * - L16, RFC 3551 §4.5.11: 16-bit samples in network byte order (the WAV is little-endian),
 *   dynamic PT, clock = sample rate.
 * - MPA (PT 14), RFC 2250 §3.5: a 4-byte header (16 bits MBZ, 16 bits fragment offset) before
 *   whole MP3 frames; clock 90 kHz whatever the sample rate.
 * - Opus, RFC 7587: one Opus packet per RTP packet, dynamic PT, clock 48 kHz.
 */
import type { FrameTrack } from '../frames/frame.ts';
import { mulawToAlaw } from './g711.ts';

export const RTP_ENCODINGS = ['PCMU', 'PCMA', 'L16', 'MPA', 'OPUS'] as const;
export type RtpEncoding = (typeof RTP_ENCODINGS)[number];

/** The static payload types; L16 and Opus take a dynamic one (96–127) from the cluster's config. */
export const STATIC_PAYLOAD_TYPES: Partial<Record<RtpEncoding, number>> = { PCMU: 0, PCMA: 8, MPA: 14 };

/** The encoding an RTP payload type carries: static types name theirs, dynamic ones (96–127) say it. */
export function encodingOf(config: {
  payloadType: number;
  encoding?: 'L16' | 'OPUS' | undefined;
}): RtpEncoding {
  if (config.encoding) return config.encoding;
  return config.payloadType === 8 ? 'PCMA' : config.payloadType === 14 ? 'MPA' : 'PCMU';
}

/** Which rendition each encoding is cut from (media/profiles.ts). */
export const PROFILE_FOR_ENCODING: Record<RtpEncoding, string> = {
  PCMU: 'pcmu-8k',
  PCMA: 'pcmu-8k',
  L16: 'wav-l16',
  MPA: 'mp3-24k',
  OPUS: 'opus-24k',
};

export interface RtpPayloadUnit {
  payload: Buffer;
  /** RTP timestamp from the start of the stream, in ticks of the RTP clock. */
  timestamp: number;
  /** Media time at which it must leave, in ms from the start of the stream. */
  atMs: number;
  durationMs: number;
}

export interface RtpStream {
  encoding: RtpEncoding;
  clockRate: number;
  /** What the SDP's rtpmap names as channels (Opus is always "2", RFC 7587 §7). */
  channels: number;
  /** The rate of the audio itself (for SDP hints such as Opus's maxplaybackrate). */
  sampleRate: number;
  units: RtpPayloadUnit[];
  durationMs: number;
}

export class PayloadMismatchError extends Error {
  override readonly name = 'PayloadMismatchError';
}

const MPA_CLOCK = 90000;

export function packetise(track: FrameTrack, encoding: RtpEncoding): RtpStream {
  const expected = { PCMU: 'mulaw', PCMA: 'mulaw', L16: 'l16', MPA: 'mp3', OPUS: 'opus' }[encoding];
  if (track.kind !== expected)
    throw new PayloadMismatchError(`${encoding} needs a ${expected} rendition, not ${track.kind}`);
  if ((encoding === 'PCMU' || encoding === 'PCMA') && track.clockRate !== 8000) {
    throw new PayloadMismatchError(`${encoding} is 8 kHz; the rendition is ${track.clockRate} Hz`);
  }
  if (track.channels !== 1) throw new PayloadMismatchError('RTP clusters get mono audio');
  const clockRate = encoding === 'MPA' ? MPA_CLOCK : track.clockRate;
  const payloadOf = payloadMaker(encoding);
  // Timestamps are computed from the frame's own offset, never summed, so 90 kHz rounding
  // (e.g. MP3 at 22.05 kHz) cannot drift.
  const units = track.frames.map((frame) => ({
    payload: payloadOf(frame.data),
    timestamp: Math.round((frame.offset * clockRate) / track.clockRate),
    atMs: (frame.offset * 1000) / track.clockRate,
    durationMs: (frame.duration * 1000) / track.clockRate,
  }));
  return {
    encoding,
    clockRate,
    channels: encoding === 'OPUS' ? 2 : track.channels,
    sampleRate: track.sampleRate,
    units,
    durationMs: track.durationSec * 1000,
  };
}

function payloadMaker(encoding: RtpEncoding): (data: Buffer) => Buffer {
  switch (encoding) {
    case 'PCMU':
    case 'OPUS':
      return (data) => data;
    case 'PCMA':
      return mulawToAlaw;
    case 'L16':
      return (data) => Buffer.from(data).swap16();
    case 'MPA':
      // MBZ = 0 and fragment offset = 0: every packet carries whole frames.
      return (data) => Buffer.concat([Buffer.alloc(4), data]);
  }
}
