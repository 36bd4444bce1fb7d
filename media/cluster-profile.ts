// Which rendition a cluster needs, from its driver kind and config: what the device decodes. The
// materialiser plans with it and each driver checks it, so the two cannot disagree.
import { encodingOf, PROFILE_FOR_ENCODING } from './rtp/payload.ts';

export function clusterProfileId(driverKind: string, config: unknown): string {
  const c = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  if (typeof c.profile === 'string') return c.profile;
  switch (driverKind) {
    case 'RTP': {
      const payloadType = typeof c.payloadType === 'number' ? c.payloadType : 0;
      const encoding = c.encoding === 'L16' || c.encoding === 'OPUS' ? c.encoding : undefined;
      return PROFILE_FOR_ENCODING[encodingOf({ payloadType, encoding })];
    }
    case 'HTTP_PUSH':
      return c.format === 'audio/axis-mulaw-128' ? 'pcmu-16k' : 'pcmu-8k';
    case 'SIP':
      return 'pcmu-8k';
    case 'ICECAST':
    case 'MQTT':
      return 'mp3-24k';
    default:
      return 'wav-l16';
  }
}
