// How a receiver plays. Pluggable, so the same receiver drives a sound card (ffmpeg), a file
// (tests: what it played, to check), or nothing at all (the simulator only timestamps, so a
// thousand fit in one process).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg } from '../../media/ffmpeg-runner.ts';
import { joinProgramme, readFramesFromFile } from '../../media/frames/index.ts';
import { findProfile } from '../../media/profiles.ts';

export interface PlayItem {
  path: string;
  durationSec: number;
  gapBeforeSec: number;
}

export interface Playback {
  /** Ends with the seconds played, however it ends (stopped early, or the whole programme). */
  done: Promise<number>;
  stop(): void;
}

export interface Player {
  /** Starts now; must return at once (the first audio is what the receipt timestamps). */
  play(broadcastId: string, items: PlayItem[]): Playback;
}

const totalSec = (items: PlayItem[]) => items.reduce((s, i) => s + i.gapBeforeSec + i.durationSec, 0);

/** Plays nothing: lasts as long as the programme would (the simulator). */
export class SilentPlayer implements Player {
  play(_broadcastId: string, items: PlayItem[]): Playback {
    return timedPlayback(totalSec(items), () => {});
  }
}

function timedPlayback(seconds: number, onEnd: (played: number) => Promise<void> | void): Playback {
  const t0 = performance.now();
  let stop: () => void = () => {};
  const done = new Promise<number>((resolve) => {
    const finish = async () => {
      clearTimeout(timer);
      const played = Math.min(seconds, (performance.now() - t0) / 1000);
      await onEnd(played);
      resolve(played);
    };
    const timer = setTimeout(finish, seconds * 1000);
    stop = () => void finish();
  });
  return { done, stop: () => stop() };
}

/**
 * Writes what was played to `<dir>/<broadcastId>.mp3`: the programme's MP3 frames up to where
 * playing stopped, so a preempted or withdrawn airing leaves a shorter file.
 */
export class FilePlayer implements Player {
  constructor(private readonly dir: string) {}

  play(broadcastId: string, items: PlayItem[]): Playback {
    const profile = findProfile('mp3-24k');
    const track = Promise.all(items.map((i) => readFramesFromFile(i.path, profile))).then((tracks) =>
      joinProgramme(tracks.map((t, n) => ({ track: t, gapBeforeSec: items[n]?.gapBeforeSec ?? 0 }))),
    );
    track.catch(() => {});
    return timedPlayback(totalSec(items), async (played) => {
      const t = await track;
      const upTo = played * t.clockRate;
      const frames = t.frames.filter((f) => f.offset + f.duration <= upTo + 1);
      await mkdir(this.dir, { recursive: true });
      await writeFile(join(this.dir, `${broadcastId}.mp3`), Buffer.concat(frames.map((f) => f.data)));
    });
  }
}

/** Plays to a sound device through ffmpeg (`alsa:default`, `pulse:default`), item after item. */
export class DevicePlayer implements Player {
  constructor(
    private readonly format: 'alsa' | 'pulse',
    private readonly device: string,
  ) {}

  play(_broadcastId: string, items: PlayItem[]): Playback {
    const abort = new AbortController();
    const t0 = performance.now();
    const done = (async () => {
      for (const item of items) {
        if (abort.signal.aborted) break;
        if (item.gapBeforeSec > 0) await new Promise((r) => setTimeout(r, item.gapBeforeSec * 1000));
        await runFfmpeg({
          args: ['-i', item.path, '-f', this.format, this.device],
          signal: abort.signal,
          timeoutMs: (item.durationSec + 30) * 1000,
          stallMs: 10_000,
          nice: 0,
        }).catch(() => {});
      }
      return Math.min(totalSec(items), (performance.now() - t0) / 1000);
    })();
    return { done, stop: () => abort.abort() };
  }
}
