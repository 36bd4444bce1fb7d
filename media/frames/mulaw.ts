// Raw G.711 µ-law (the pcmu-8k and pcmu-16k renditions): one byte per sample, no header.
import { chunkPcm, type FrameTrack, PACKET_MS, track } from './frame.ts';

export function readMulawFrames(data: Buffer, sampleRate: number): FrameTrack {
  const frameSamples = (sampleRate * PACKET_MS) / 1000;
  return track('mulaw', sampleRate, sampleRate, 1, chunkPcm(data, 1, frameSamples));
}
