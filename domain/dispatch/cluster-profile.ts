// Which rendition a cluster needs, from its driver kind and config: what the device decodes.
// Unknown or missing settings fall back to the driver's usual profile.
const BY_RTP_PAYLOAD: Record<string, string> = {
  '0': 'pcmu-8k',
  '8': 'pcmu-8k',
  '14': 'mp3-24k',
  L16: 'wav-l16',
  opus: 'opus-24k',
};

export function clusterProfileId(driverKind: string, config: unknown): string {
  const c = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  if (typeof c.profile === 'string') return c.profile;
  switch (driverKind) {
    case 'RTP':
      return BY_RTP_PAYLOAD[String(c.codec ?? c.payloadType ?? 0)] ?? 'pcmu-8k';
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
