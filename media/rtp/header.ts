// The RTP fixed header (RFC 3550 §5.1): V=2, no padding, no extension, no CSRC.
export const RTP_HEADER_BYTES = 12;

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  /** 16-bit, wraps. */
  sequence: number;
  /** 32-bit, wraps. */
  timestamp: number;
  ssrc: number;
}

export function writeRtpHeader(into: Buffer, header: RtpHeader, at = 0): void {
  into.writeUInt8(0x80, at); // version 2
  into.writeUInt8((header.marker ? 0x80 : 0) | (header.payloadType & 0x7f), at + 1);
  into.writeUInt16BE(header.sequence & 0xffff, at + 2);
  into.writeUInt32BE(header.timestamp >>> 0, at + 4);
  into.writeUInt32BE(header.ssrc >>> 0, at + 8);
}

export function rtpPacket(header: RtpHeader, payload: Buffer): Buffer {
  const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  writeRtpHeader(packet, header);
  payload.copy(packet, RTP_HEADER_BYTES);
  return packet;
}
