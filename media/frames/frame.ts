/**
 * A rendition split into the units a transport sends, without decoding: raw PCM in 20 ms chunks,
 * an MP3 frame, an Opus packet. Times are integer ticks of the track's own clock (the sample
 * rate; 48 kHz for Opus), so RTP timestamps and pacing follow the media without rounding drift.
 */
export interface MediaFrame {
  data: Buffer;
  /** Start, in ticks of the track's clock, from the start of the track. */
  offset: number;
  /** Length in ticks. */
  duration: number;
}

export interface FrameTrack {
  kind: 'mulaw' | 'l16' | 'mp3' | 'opus';
  /** Ticks per second of `offset` and `duration`. */
  clockRate: number;
  /** Audio sample rate (for Opus, the rate the encoder was fed, from OpusHead). */
  sampleRate: number;
  channels: number;
  frames: MediaFrame[];
  /** Sum of the frame durations, in seconds. */
  durationSec: number;
}

export class FrameFormatError extends Error {
  override readonly name = 'FrameFormatError';
}

export function track(
  kind: FrameTrack['kind'],
  clockRate: number,
  sampleRate: number,
  channels: number,
  frames: MediaFrame[],
): FrameTrack {
  const last = frames.at(-1);
  const ticks = last ? last.offset + last.duration : 0;
  return { kind, clockRate, sampleRate, channels, frames, durationSec: ticks / clockRate };
}

/** Cuts raw PCM into fixed chunks of `frameSamples`; the last chunk may be shorter. */
export function chunkPcm(data: Buffer, bytesPerSample: number, frameSamples: number): MediaFrame[] {
  const frameBytes = frameSamples * bytesPerSample;
  const whole = data.length - (data.length % bytesPerSample);
  const frames: MediaFrame[] = [];
  for (let at = 0; at < whole; at += frameBytes) {
    const chunk = data.subarray(at, Math.min(at + frameBytes, whole));
    frames.push({ data: chunk, offset: at / bytesPerSample, duration: chunk.length / bytesPerSample });
  }
  return frames;
}

/** 20 ms: the packet time RTP clusters expect (RFC 3551 default for G.711 and L16). */
export const PACKET_MS = 20;
