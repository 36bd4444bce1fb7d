// WAV PCM s16le (the wav-l16 rendition): walk the RIFF chunks to `fmt ` and `data`, then 20 ms chunks.
import { chunkPcm, FrameFormatError, type FrameTrack, PACKET_MS, track } from './frame.ts';

export interface WavLayout {
  sampleRate: number;
  channels: number;
  /** Byte range of the samples in the file. */
  dataStart: number;
  dataEnd: number;
}

export function readWavLayout(data: Buffer): WavLayout {
  if (
    data.length < 12 ||
    data.toString('latin1', 0, 4) !== 'RIFF' ||
    data.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new FrameFormatError('not a RIFF/WAVE file');
  }
  let format: { sampleRate: number; channels: number } | undefined;
  for (let at = 12; at + 8 <= data.length; ) {
    const id = data.toString('latin1', at, at + 4);
    const size = data.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      const tag = data.readUInt16LE(body);
      const bits = data.readUInt16LE(body + 14);
      // 0xFFFE (extensible) carries PCM too; anything else is not L16.
      if ((tag !== 1 && tag !== 0xfffe) || bits !== 16)
        throw new FrameFormatError(`WAV is not 16-bit PCM (format ${tag}, ${bits} bits)`);
      format = { channels: data.readUInt16LE(body + 2), sampleRate: data.readUInt32LE(body + 4) };
    } else if (id === 'data') {
      if (!format) throw new FrameFormatError('WAV data chunk before its fmt chunk');
      // A streamed WAV may say 0 or 0xFFFFFFFF: the samples then run to the end of the file.
      const end = size === 0 || size === 0xffffffff ? data.length : Math.min(body + size, data.length);
      return { ...format, dataStart: body, dataEnd: end };
    }
    at = body + size + (size % 2); // chunks are word-aligned
  }
  throw new FrameFormatError('WAV has no data chunk');
}

export function readWavFrames(data: Buffer): FrameTrack {
  const layout = readWavLayout(data);
  const bytesPerSample = 2 * layout.channels;
  const frameSamples = (layout.sampleRate * PACKET_MS) / 1000;
  const samples = data.subarray(layout.dataStart, layout.dataEnd);
  return track(
    'l16',
    layout.sampleRate,
    layout.sampleRate,
    layout.channels,
    chunkPcm(samples, bytesPerSample, frameSamples),
  );
}
