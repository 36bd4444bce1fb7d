/**
 * The SDP (RFC 8866) a receiver needs to play one RTP stream: where it arrives (unicast, or a
 * multicast group with its TTL), which payload type means which encoding, clock and channels.
 */
import { isIPv6 } from 'node:net';
import type { RtpEncoding } from './payload.ts';

export interface SdpDescription {
  /** Address the receiver listens on: the multicast group, or its own unicast address. */
  address: string;
  port: number;
  payloadType: number;
  encoding: RtpEncoding;
  clockRate: number;
  channels: number;
  /** Opus: the rate the rendition was fed at, so the receiver may decode at that rate. */
  sampleRate?: number;
  multicastTtl?: number;
  /** The sender's address (origin line). */
  origin?: string;
  sessionName?: string;
  /** A number that identifies the session (o= line). */
  sessionId?: number;
  packetTimeMs?: number;
}

export function isMulticast(address: string): boolean {
  if (isIPv6(address)) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.')[0]);
  return first >= 224 && first <= 239;
}

export function writeSdp(d: SdpDescription): string {
  const family = isIPv6(d.address) ? 'IP6' : 'IP4';
  const origin = d.origin ?? (family === 'IP6' ? '::1' : '127.0.0.1');
  // RFC 8866 §5.7: an IPv4 multicast connection address carries its TTL; IPv6 does not.
  const ttl = isMulticast(d.address) && family === 'IP4' ? `/${d.multicastTtl ?? 1}` : '';
  const name = d.encoding === 'OPUS' ? 'opus' : d.encoding;
  const lines = [
    'v=0',
    `o=- ${d.sessionId ?? 0} 0 IN ${isIPv6(origin) ? 'IP6' : 'IP4'} ${origin}`,
    `s=${d.sessionName ?? 'Loa'}`,
    `c=IN ${family} ${d.address}${ttl}`,
    't=0 0',
    `m=audio ${d.port} RTP/AVP ${d.payloadType}`,
    `a=rtpmap:${d.payloadType} ${name}/${d.clockRate}${d.channels !== 1 || d.encoding === 'OPUS' ? `/${d.channels}` : ''}`,
  ];
  if (d.encoding === 'OPUS') {
    const rate = d.sampleRate
      ? `; maxplaybackrate=${d.sampleRate}; sprop-maxcapturerate=${d.sampleRate}`
      : '';
    lines.push(`a=fmtp:${d.payloadType} sprop-stereo=0; stereo=0${rate}`);
  }
  if (d.packetTimeMs) lines.push(`a=ptime:${d.packetTimeMs}`);
  lines.push('a=recvonly');
  return `${lines.join('\r\n')}\r\n`;
}
