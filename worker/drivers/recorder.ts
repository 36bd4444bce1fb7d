/**
 * The recorder: writes exactly what would air to one file per broadcast, paced at the media
 * clock like a live driver, so a preemption cuts the file where the audio stopped. It is the demo
 * default and the tests' oracle. WAV L16 recordings are the rendition's samples under a fresh
 * header; MP3 recordings are the rendition's frames as they are (no Xing frame: CBR, so players
 * read the length from the size). Both play in a browser's `<audio>`.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { DriverConfigByKind } from '../../domain/driver-config.ts';
import { clusterProfileId } from '../../media/cluster-profile.ts';
import type { FrameTrack } from '../../media/frames/index.ts';
import { pace, wallTimeOf } from '../dispatch/pacer.ts';
import type { Airing, AiringOutcome, AiringRequest, Driver, PreparedAiring } from './driver.ts';
import { assertProfile, readProgramme, secondsOf } from './programme.ts';

export type RecorderConfig = z.infer<(typeof DriverConfigByKind)['RECORDER']>;

export interface RecorderOptions {
  /** Where recordings go, e.g. `<LOA_DATA_DIR>/media/recordings`. */
  dir: string;
}

const WAV_HEADER_BYTES = 44;
/** Until the airing ends, the sizes say "to the end of the file" (readers accept it; a crash leaves a playable file). */
const UNKNOWN_SIZE = 0xffffffff;

export function recordingPath(dir: string, broadcastId: string, extension: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(broadcastId)) throw new Error(`not a broadcast id: ${broadcastId}`);
  return join(dir, `${broadcastId}.${extension}`);
}

export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(dataBytes === UNKNOWN_SIZE ? UNKNOWN_SIZE : 36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export class RecorderDriver implements Driver<RecorderConfig> {
  readonly kind = 'RECORDER';
  readonly leadMs = 2000;
  constructor(private readonly options: RecorderOptions) {}

  parseConfig(config: unknown): RecorderConfig {
    return DriverConfigByKind.RECORDER.parse(config ?? {});
  }

  profileId(config: RecorderConfig): string {
    return clusterProfileId('RECORDER', config);
  }

  async prepare(request: AiringRequest, signal: AbortSignal): Promise<PreparedAiring> {
    const config = this.parseConfig(request.config);
    const profile = assertProfile(request, config.profile);
    const track = await readProgramme(request, signal);
    await mkdir(this.options.dir, { recursive: true });
    const path = recordingPath(this.options.dir, request.broadcastId, profile.extension);
    const file = createWriteStream(path);
    await once(file, 'open');
    if (track.kind === 'l16') file.write(wavHeader(track.sampleRate, track.channels, UNKNOWN_SIZE));
    return {
      start: () => airToFile(track, file, path),
      abandon: async () => {
        file.end();
        await once(file, 'close').catch(() => undefined);
        await rm(path, { force: true });
      },
    };
  }
}

function airToFile(track: FrameTrack, file: WriteStream, path: string): Airing {
  let ended: { code: string; message: string } | undefined;
  let writeFailed = false;
  let dataBytes = 0;
  file.on('error', (err) => {
    writeFailed = true;
    ended ??= { code: 'recording-failed', message: err.message };
    pacing.stop();
  });
  const pacing = pace({
    count: track.frames.length,
    dueMs: (i) => ((track.frames[i]?.offset ?? 0) * 1000) / track.clockRate,
    send: (i) => {
      const data = track.frames[i]?.data ?? Buffer.alloc(0);
      dataBytes += data.length;
      file.write(data);
    },
  });
  const firstAudioAt = Promise.resolve(wallTimeOf(pacing.startedAt));
  const done = pacing.done
    .then(async (report): Promise<AiringOutcome> => {
      file.end();
      await once(file, 'close').catch(() => undefined);
      if (track.kind === 'l16' && !writeFailed) await patchWavSizes(path, track, dataBytes);
      const bytes = dataBytes + (track.kind === 'l16' ? WAV_HEADER_BYTES : 0);
      return {
        secondsAired: secondsOf(track, report.sent),
        ...(ended ? { error: ended } : {}),
        receipt: { path, bytes, lateness: report.lateness },
      };
    })
    .catch(
      (err: Error): AiringOutcome => ({
        secondsAired: secondsOf(track, pacing.sent),
        error: { code: 'recording-failed', message: err.message },
      }),
    );
  return {
    firstAudioAt,
    done,
    stop(reason) {
      if (pacing.sent >= track.frames.length) return; // already whole: nothing was cut
      ended ??= reason;
      pacing.stop();
    },
  };
}

async function patchWavSizes(path: string, track: FrameTrack, dataBytes: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(wavHeader(track.sampleRate, track.channels, dataBytes), 0, WAV_HEADER_BYTES, 0);
  } finally {
    await handle.close();
  }
}
