// Reads any rendition of the default profiles into timed frames, by its device profile.
import { readFile } from 'node:fs/promises';
import type { DeviceProfile } from '../profiles.ts';
import type { FrameTrack } from './frame.ts';
import { readMp3Frames } from './mp3.ts';
import { readMulawFrames } from './mulaw.ts';
import { readOpusFrames } from './opus.ts';
import { readWavFrames } from './wav.ts';

export type { FrameTrack, MediaFrame } from './frame.ts';
export { FrameFormatError } from './frame.ts';
export { concatTracks, joinProgramme, type ProgrammePart } from './programme.ts';

export function readFrames(
  data: Buffer,
  profile: Pick<DeviceProfile, 'container' | 'sampleRate'>,
): FrameTrack {
  switch (profile.container) {
    case 'mulaw':
      return readMulawFrames(data, profile.sampleRate);
    case 'wav':
      return readWavFrames(data);
    case 'mp3':
      return readMp3Frames(data);
    case 'ogg':
      return readOpusFrames(data);
  }
}

export async function readFramesFromFile(
  path: string,
  profile: Pick<DeviceProfile, 'container' | 'sampleRate'>,
): Promise<FrameTrack> {
  return readFrames(await readFile(path), profile);
}
