import { describe, expect, it } from 'vitest';
import { DriverConfigByKind } from '../../../domain/driver-config.ts';
import { encodingOf } from '../../../media/rtp/payload.ts';
import { clusterSdp } from '../../../worker/drivers/rtp.ts';

const rtp = DriverConfigByKind.RTP;

describe('RTP cluster config', () => {
  it('defaults to PCMU with TTL 1 and names each payload type its encoding', () => {
    const config = rtp.parse({ host: '239.1.2.3', port: 5004 });
    expect(config).toMatchObject({ payloadType: 0, ttl: 1 });
    expect(encodingOf(config)).toBe('PCMU');
    expect(encodingOf(rtp.parse({ host: 'h', port: 5004, payloadType: 8 }))).toBe('PCMA');
    expect(encodingOf(rtp.parse({ host: 'h', port: 5004, payloadType: 14 }))).toBe('MPA');
    expect(encodingOf(rtp.parse({ host: 'h', port: 5004, payloadType: 111, encoding: 'OPUS' }))).toBe('OPUS');
  });

  it('refuses a dynamic payload type without its encoding, G.722, and odd ports', () => {
    expect(rtp.safeParse({ host: 'h', port: 5004, payloadType: 96 }).success).toBe(false);
    expect(rtp.safeParse({ host: 'h', port: 5004, payloadType: 0, encoding: 'L16' }).success).toBe(false);
    expect(rtp.safeParse({ host: 'h', port: 5004, payloadType: 9 }).success).toBe(false);
    expect(rtp.safeParse({ host: 'h', port: 5005 }).success).toBe(false);
  });

  it('writes the SDP a receiver of the cluster needs', () => {
    const sdp = clusterSdp(
      rtp.parse({ host: '239.1.2.3', port: 5004, payloadType: 96, encoding: 'L16', ttl: 2 }),
    );
    expect(sdp).toContain('c=IN IP4 239.1.2.3/2\r\n');
    expect(sdp).toContain('m=audio 5004 RTP/AVP 96\r\na=rtpmap:96 L16/16000\r\na=ptime:20\r\n');
  });
});

describe('recorder config', () => {
  it('records WAV L16 unless told MP3', () => {
    expect(DriverConfigByKind.RECORDER.parse({})).toEqual({ profile: 'wav-l16' });
    expect(DriverConfigByKind.RECORDER.safeParse({ profile: 'pcmu-8k' }).success).toBe(false);
  });
});
