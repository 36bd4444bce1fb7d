import { describe, expect, it } from 'vitest';
import type { FrameTrack } from '../../../media/frames/frame.ts';
import { MULAW_TO_ALAW, mulawToAlaw } from '../../../media/rtp/g711.ts';
import { rtpPacket } from '../../../media/rtp/header.ts';
import { PayloadMismatchError, packetise } from '../../../media/rtp/payload.ts';
import { bye, senderReport } from '../../../media/rtp/rtcp.ts';
import { writeSdp } from '../../../media/rtp/sdp.ts';
import { buildPackets } from '../../../media/rtp/session.ts';

const track = (
  kind: FrameTrack['kind'],
  clockRate: number,
  frames: [number[], number, number][],
): FrameTrack => ({
  kind,
  clockRate,
  sampleRate: kind === 'opus' ? 16000 : clockRate,
  channels: 1,
  frames: frames.map(([bytes, offset, duration]) => ({ data: Buffer.from(bytes), offset, duration })),
  durationSec: frames.reduce((end, [, o, d]) => Math.max(end, o + d), 0) / clockRate,
});

describe('RTP header (RFC 3550 §5.1)', () => {
  it('writes V=2, marker, payload type, sequence, timestamp and SSRC in network order', () => {
    const packet = rtpPacket(
      { payloadType: 14, marker: true, sequence: 0xfffe, timestamp: 0x89abcdef, ssrc: 0x01020304 },
      Buffer.from([0xaa]),
    );
    expect([...packet]).toEqual([0x80, 0x8e, 0xff, 0xfe, 0x89, 0xab, 0xcd, 0xef, 1, 2, 3, 4, 0xaa]);
  });

  it('numbers a stream from random bases: marker on the first packet only, sequence and timestamp wrap', () => {
    const stream = packetise(
      track('mulaw', 8000, [
        [[1], 0, 160],
        [[2], 160, 160],
        [[3], 320, 160],
      ]),
      'PCMU',
    );
    const packets = buildPackets(stream, 0, {
      ssrc: 0xdeadbeef,
      firstSequence: 0xffff,
      firstTimestamp: 0xffffff60,
    });
    expect(packets.map((p) => p.packet.toString('hex'))).toEqual([
      '8080ffffffffff60deadbeef01',
      '8000000000000000deadbeef02',
      '80000001000000a0deadbeef03',
    ]);
    expect(packets.map((p) => p.atMs)).toEqual([0, 20, 40]);
  });
});

describe('payload formats', () => {
  it('PCMA: µ-law codes become A-law codes by the G.711 table', () => {
    expect(MULAW_TO_ALAW[0xff]).toBe(0xd5); // +0
    expect(MULAW_TO_ALAW[0x7f]).toBe(0x55); // −0
    expect(MULAW_TO_ALAW[0x80]).toBe(0xaa); // largest positive
    expect(MULAW_TO_ALAW[0x00]).toBe(0x2a); // largest negative
    expect(MULAW_TO_ALAW[0xef]).toBe(0xdd); // entry 16 of the table: 9 − 1 = 8
    expect(mulawToAlaw(Buffer.from([0xff, 0x00]))).toEqual(Buffer.from([0xd5, 0x2a]));
    // Monotonic: a louder µ-law code never gives a quieter A-law code.
    const magnitude = (a: number) => (a ^ 0x55) & 0x7f;
    for (let mu = 0x81; mu <= 0xff; mu++) {
      expect(magnitude(MULAW_TO_ALAW[mu] ?? 0)).toBeLessThanOrEqual(magnitude(MULAW_TO_ALAW[mu - 1] ?? 0));
    }
  });

  it('PCMU passes 160-byte frames through; PCMA converts them; both refuse 16 kHz µ-law', () => {
    const frames = track('mulaw', 8000, [[[0xff, 0x80], 0, 2]]);
    expect(packetise(frames, 'PCMU').units[0]?.payload).toEqual(Buffer.from([0xff, 0x80]));
    expect(packetise(frames, 'PCMA').units[0]?.payload).toEqual(Buffer.from([0xd5, 0xaa]));
    expect(() => packetise(track('mulaw', 16000, [[[1], 0, 1]]), 'PCMU')).toThrow(PayloadMismatchError);
  });

  it('L16: little-endian WAV samples go out big-endian, clock = sample rate', () => {
    const stream = packetise(
      track('l16', 16000, [
        [[0x01, 0x02, 0x03, 0x04], 0, 2],
        [[5, 6], 320, 1],
      ]),
      'L16',
    );
    expect(stream.units.map((u) => [...u.payload])).toEqual([
      [0x02, 0x01, 0x04, 0x03],
      [6, 5],
    ]);
    expect(stream.units.map((u) => u.timestamp)).toEqual([0, 320]);
    expect(stream.clockRate).toBe(16000);
  });

  it('MPA: a zero MBZ/offset header before each whole frame, timestamps at 90 kHz', () => {
    const stream = packetise(
      track('mp3', 24000, [
        [[0xff, 0xf3], 0, 576],
        [[0xff, 0xf3], 576, 576],
      ]),
      'MPA',
    );
    expect([...(stream.units[0]?.payload ?? [])]).toEqual([0, 0, 0, 0, 0xff, 0xf3]);
    expect(stream.units.map((u) => u.timestamp)).toEqual([0, 2160]); // 24 ms at 90 kHz
    expect(stream.units[1]?.atMs).toBe(24);
    expect(stream.clockRate).toBe(90000);
  });

  it('Opus: one Opus packet per RTP packet, 48 kHz timestamps, rtpmap channels 2', () => {
    const stream = packetise(
      track('opus', 48000, [
        [[0x0b, 1], 0, 960],
        [[0x0b, 2], 960, 960],
      ]),
      'OPUS',
    );
    expect(stream.units.map((u) => [...u.payload])).toEqual([
      [0x0b, 1],
      [0x0b, 2],
    ]);
    expect(stream.units.map((u) => u.timestamp)).toEqual([0, 960]);
    expect(stream.channels).toBe(2);
  });
});

describe('SDP', () => {
  it('describes a multicast PCMA stream with its TTL', () => {
    expect(
      writeSdp({
        address: '239.255.1.2',
        port: 5004,
        payloadType: 8,
        encoding: 'PCMA',
        clockRate: 8000,
        channels: 1,
        multicastTtl: 1,
        packetTimeMs: 20,
        sessionId: 42,
      }),
    ).toBe(
      'v=0\r\no=- 42 0 IN IP4 127.0.0.1\r\ns=Loa\r\nc=IN IP4 239.255.1.2/1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=ptime:20\r\na=recvonly\r\n',
    );
  });

  it('names L16 and Opus on their dynamic payload types', () => {
    const l16 = writeSdp({
      address: '10.0.0.5',
      port: 5006,
      payloadType: 96,
      encoding: 'L16',
      clockRate: 16000,
      channels: 1,
    });
    expect(l16).toContain('c=IN IP4 10.0.0.5\r\n');
    expect(l16).toContain('m=audio 5006 RTP/AVP 96\r\na=rtpmap:96 L16/16000\r\n');
    const opus = writeSdp({
      address: 'ff15::1',
      port: 5008,
      payloadType: 111,
      encoding: 'OPUS',
      clockRate: 48000,
      channels: 2,
      sampleRate: 16000,
    });
    expect(opus).toContain('c=IN IP6 ff15::1\r\n');
    expect(opus).toContain(
      'a=rtpmap:111 opus/48000/2\r\na=fmtp:111 sprop-stereo=0; stereo=0; maxplaybackrate=16000; sprop-maxcapturerate=16000\r\n',
    );
  });
});

describe('RTCP', () => {
  it('writes a sender report with NTP time and a BYE', () => {
    const sr = senderReport({
      ssrc: 0x01020304,
      wallMs: 1_000_500,
      rtpTimestamp: 7,
      packets: 3,
      octets: 480,
    });
    expect(sr.toString('hex')).toBe(
      '80c80006' +
        '01020304' +
        (1000 + 2208988800).toString(16).padStart(8, '0') +
        '80000000' +
        '00000007' +
        '00000003' +
        '000001e0',
    );
    expect(bye(0x01020304).toString('hex')).toBe('81cb000101020304');
  });
});
