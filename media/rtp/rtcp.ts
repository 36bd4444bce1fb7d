/**
 * RTCP (RFC 3550 §6): a sender report that ties the RTP clock to wall-clock time, and the BYE
 * that tells receivers the stream has ended (ffmpeg, for one, ends its input on it), sent
 * together as one compound packet as §6.1 requires.
 */
const NTP_EPOCH_OFFSET_SEC = 2208988800;

export interface SenderReport {
  ssrc: number;
  /** Wall-clock ms since the Unix epoch. */
  wallMs: number;
  rtpTimestamp: number;
  packets: number;
  octets: number;
}

export function senderReport(sr: SenderReport): Buffer {
  const packet = Buffer.alloc(28);
  packet.writeUInt8(0x80, 0); // V=2, no reception report blocks
  packet.writeUInt8(200, 1);
  packet.writeUInt16BE(6, 2); // length in 32-bit words minus one
  packet.writeUInt32BE(sr.ssrc >>> 0, 4);
  const seconds = Math.floor(sr.wallMs / 1000);
  packet.writeUInt32BE((seconds + NTP_EPOCH_OFFSET_SEC) >>> 0, 8);
  packet.writeUInt32BE(Math.floor(((sr.wallMs - seconds * 1000) / 1000) * 2 ** 32) >>> 0, 12);
  packet.writeUInt32BE(sr.rtpTimestamp >>> 0, 16);
  packet.writeUInt32BE(sr.packets >>> 0, 20);
  packet.writeUInt32BE(sr.octets >>> 0, 24);
  return packet;
}

export function bye(ssrc: number): Buffer {
  const packet = Buffer.alloc(8);
  packet.writeUInt8(0x81, 0); // V=2, one SSRC
  packet.writeUInt8(203, 1);
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

export function senderReportAndBye(sr: SenderReport): Buffer {
  return Buffer.concat([senderReport(sr), bye(sr.ssrc)]);
}
