/**
 * One RTP stream's numbering (RFC 3550 §5.1): SSRC, first sequence number and first timestamp
 * random, marker on the first packet (the start of a talkspurt, RFC 3551 §4.1). The packets are
 * built once and sent as they are to every destination of a fan-out.
 */
import { randomBytes } from 'node:crypto';
import { RTP_HEADER_BYTES, writeRtpHeader } from './header.ts';
import type { RtpStream } from './payload.ts';

export interface RtpNumbering {
  ssrc: number;
  firstSequence: number;
  firstTimestamp: number;
}

export function randomNumbering(): RtpNumbering {
  const bytes = randomBytes(10);
  return {
    ssrc: bytes.readUInt32BE(0),
    firstSequence: bytes.readUInt16BE(4),
    firstTimestamp: bytes.readUInt32BE(6),
  };
}

export interface RtpPacketPlan {
  packet: Buffer;
  atMs: number;
  durationMs: number;
  timestamp: number;
}

export function buildPackets(
  stream: RtpStream,
  payloadType: number,
  numbering: RtpNumbering,
): RtpPacketPlan[] {
  return stream.units.map((unit, i) => {
    const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + unit.payload.length);
    const timestamp = (numbering.firstTimestamp + unit.timestamp) >>> 0;
    writeRtpHeader(packet, {
      payloadType,
      marker: i === 0,
      sequence: (numbering.firstSequence + i) & 0xffff,
      timestamp,
      ssrc: numbering.ssrc,
    });
    unit.payload.copy(packet, RTP_HEADER_BYTES);
    return { packet, atMs: unit.atMs, durationMs: unit.durationMs, timestamp };
  });
}
