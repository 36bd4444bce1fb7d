// What an airing sends: the request's items read from their rendition files and joined into one
// timed track, checked against what the driver was asked to air.
import {
  type FrameTrack,
  joinProgramme,
  type ProgrammePart,
  readFramesFromFile,
} from '../../media/frames/index.ts';
import type { DeviceProfile } from '../../media/profiles.ts';
import type { AiringRequest } from './driver.ts';

export async function readProgramme(
  request: Pick<AiringRequest, 'items' | 'profile'>,
  signal: AbortSignal,
): Promise<FrameTrack> {
  const parts: ProgrammePart[] = [];
  for (const item of request.items) {
    signal.throwIfAborted();
    parts.push({
      track: await readFramesFromFile(item.path, request.profile),
      gapBeforeSec: item.gapBeforeSec ?? 0,
    });
  }
  return joinProgramme(parts);
}

export function assertProfile(request: Pick<AiringRequest, 'profile'>, profileId: string): DeviceProfile {
  if (request.profile.id !== profileId) {
    throw new Error(`the cluster needs the ${profileId} rendition, the airing brings ${request.profile.id}`);
  }
  return request.profile;
}

/** Seconds of programme in the first `sent` frames. */
export function secondsOf(track: FrameTrack, sent: number): number {
  const last = track.frames[sent - 1];
  return last ? (last.offset + last.duration) / track.clockRate : 0;
}
