/**
 * One source connection to one Icecast mount, and what it carries: silent MP3 frames from the
 * moment it opens (Icecast drops a source that sends nothing for its `source-timeout`, 10 s by
 * default, and a receiver can only connect to a mount that is up), a bulletin's frames when an
 * airing starts, and silence again after it while the mount is held.
 *
 * One media timeline: every frame written advances the stream's position, and filler frames go
 * out when the wall clock reaches that position. A bulletin starts at once (its first frame
 * written at `start()`, not on the filler's 24 ms grid), so the stream gets ahead by less than a
 * frame; the filler after it resumes at the stream's position, which pays that back. Receivers
 * therefore see exactly real time on average, and their buffers do not grow bulletin after
 * bulletin over weeks of connection.
 */
import type { Socket } from 'node:net';
import type { FrameTrack } from '../../../media/frames/index.ts';
import { silentMp3Frame } from '../../../media/frames/programme.ts';
import { pace, wallTimeOf } from '../../dispatch/pacer.ts';
import type { Airing, AiringOutcome } from '../driver.ts';
import { secondsOf } from '../programme.ts';

type Reason = { code: string; message: string };

const PREEMPTED: Reason = {
  code: 'preempted',
  message: 'bị ngắt bởi bản tin ưu tiên cao hơn / preempted by a higher-priority broadcast',
};

/**
 * Icecast 2.4 passes an MP3 source on to listeners in blocks of 1,400 bytes (format_mp3.c), about
 * 230 ms at 48 kbit/s: a bulletin's first frame would wait up to that long in a half-filled
 * block. The frames filling one block are written at the instant, so the block that holds the
 * start goes out at once; the stream is ahead by that much for a moment, which the filler after
 * the bulletin gives back.
 */
const SERVER_BLOCK_BYTES = 1400;
/** Behind the timeline by more than this (a stalled event loop), the filler restarts from now rather than bursting. */
const MAX_BEHIND_MS = 200;
/** Written but not yet taken by the kernel for this long: the server stopped reading (a dead link). */
const STALL_SEC = 5;

export interface FeederOptions {
  /** Where the connection goes, for messages (never the credentials). */
  where: string;
  /** Called once the feeder has closed (dropped, or ended): the driver forgets it. */
  onClosed(): void;
}

export class MountFeeder {
  /** Monotonic ms at which the stream's position 0 was due. */
  private origin = performance.now();
  /** Ms of audio written so far. */
  private positionMs = 0;
  private filler: Buffer | undefined;
  private fillerMs = 0;
  private fillerTimer: NodeJS.Timeout | undefined;
  private current: { stop(reason: Reason): void; dropped(reason: Reason): void } | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private closedReason: Reason | undefined;
  /** Airings prepared for this mount and not yet ended, by broadcast id, with their priority rank. */
  private readonly reservations = new Map<string, number>();

  constructor(
    private readonly socket: Socket,
    private readonly options: FeederOptions,
  ) {
    const dropped = (why: string) =>
      this.close({
        code: 'connection-dropped',
        message: `mất kết nối tới máy chủ Icecast / the connection to the Icecast server dropped (${why}): ${options.where}`,
      });
    socket.on('error', (err: NodeJS.ErrnoException) => dropped(err.code ?? err.message));
    socket.on('end', () => dropped('closed by the server'));
    socket.on('close', () => dropped('closed'));
    socket.on('data', () => {}); // Icecast says nothing more; read so the socket never stalls on it
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  get airing(): boolean {
    return this.current !== undefined;
  }

  /**
   * Takes the mount for an airing. One at a time, but a higher priority may take it from a
   * lower one (an emergency preempts: its start stops the running airing); false when busy.
   */
  reserve(broadcastId: string, rank: number): boolean {
    for (const [id, held] of this.reservations) if (id !== broadcastId && held >= rank) return false;
    this.reservations.set(broadcastId, rank);
    this.clearHold();
    return true;
  }

  /**
   * Gives the mount back. The last airing out either ends the stream (`close`) or keeps the
   * mount up with silence for `holdMs`, for the next bulletin's receivers.
   */
  release(broadcastId: string, after: 'close' | 'hold', holdMs: number): void {
    if (!this.reservations.delete(broadcastId) || this.reservations.size > 0) return;
    if (this.current || this.closed) return;
    if (after === 'close') this.flushAndClose();
    else this.holdFor(holdMs);
  }

  get reserved(): boolean {
    return this.reservations.size > 0;
  }

  /** Starts (or keeps) sending silence shaped like `like`'s frames: the mount is up from now. */
  fill(like: FrameTrack): void {
    const template = like.frames[0];
    if (!template || this.closed) return;
    if (!this.filler) {
      this.filler = silentMp3Frame(template.data);
      this.fillerMs = (template.duration * 1000) / like.clockRate;
    }
    if (!this.current) this.scheduleFiller();
  }

  /** Airs `track` now, after stopping what airs (a preemption): its first frame is written before this returns. */
  air(track: FrameTrack): Airing {
    if (this.closed) throw new Error('the mount feeder is closed');
    this.current?.stop(PREEMPTED);
    this.clearFiller();
    this.clearHold();
    const startPosition = this.positionMs;
    let ended: Reason | undefined;
    let stallChecked = 0;
    const bytesPerSec = averageBytesPerSec(track);
    const ahead = framesFilling(track, SERVER_BLOCK_BYTES);
    const pacing = pace({
      count: track.frames.length,
      dueMs: (i) => (i < ahead ? 0 : ((track.frames[i]?.offset ?? 0) * 1000) / track.clockRate),
      send: (i) => {
        const frame = track.frames[i];
        if (!frame || this.closed) return;
        this.socket.write(frame.data);
        this.positionMs = startPosition + ((frame.offset + frame.duration) * 1000) / track.clockRate;
        if (++stallChecked % 40 === 0) this.checkStall(bytesPerSec);
      },
    });
    const firstAudioAt = Promise.resolve(wallTimeOf(pacing.startedAt));
    const mine = {
      stop: (reason: Reason) => {
        if (pacing.sent >= track.frames.length) return;
        ended ??= reason;
        pacing.stop();
      },
      dropped: (reason: Reason) => {
        ended ??= reason;
        pacing.stop();
      },
    };
    this.current = mine;
    const done = pacing.done.then((report): AiringOutcome => {
      // A preempting airing may have taken over already: the filler is its business then.
      if (this.current === mine) {
        this.current = undefined;
        if (!this.closed) this.scheduleFiller();
      }
      const whole = report.sent >= track.frames.length;
      return {
        secondsAired: secondsOf(track, report.sent),
        ...(ended && !whole ? { error: ended } : {}),
        receipt: { frames: report.sent, lateness: report.lateness },
      };
    });
    return { firstAudioAt, done, stop: (reason) => mine.stop(reason) };
  }

  /** Keeps the mount up with silence for `ms`, then closes it (unless an airing comes first). */
  private holdFor(ms: number): void {
    this.clearHold();
    if (this.closed || this.current) return;
    this.holdTimer = setTimeout(() => {
      if (!this.current && !this.reserved) this.close();
    }, ms);
    this.holdTimer.unref();
  }

  /** Ends the source connection (listeners see the end of the stream). */
  close(reason?: Reason): void {
    if (this.closedReason) return;
    this.closedReason = reason ?? { code: 'closed', message: 'closed' };
    this.clearFiller();
    this.clearHold();
    this.current?.dropped(this.closedReason);
    if (reason) this.socket.destroy();
    else this.socket.end();
    this.options.onClosed();
  }

  /**
   * Ends the stream after its last frame. Icecast drops a half-filled block when its source
   * leaves, which would cut up to 230 ms off the end of the bulletin: one block of silence
   * pushes the last frames out first.
   */
  private flushAndClose(): void {
    const filler = this.filler;
    for (let bytes = 0; filler && bytes < SERVER_BLOCK_BYTES; bytes += filler.length) {
      this.socket.write(filler);
    }
    this.close();
  }

  private scheduleFiller(): void {
    if (this.fillerTimer || !this.filler || this.closed) return;
    const now = performance.now();
    if (this.origin + this.positionMs < now - MAX_BEHIND_MS) this.origin = now - this.positionMs;
    // Sent when the stream's position comes due: at most one frame ahead of the wall clock.
    const wait = Math.max(0, this.origin + this.positionMs - now);
    this.fillerTimer = setTimeout(() => {
      this.fillerTimer = undefined;
      this.writeDueFiller();
      this.scheduleFiller();
    }, wait);
  }

  private writeDueFiller(): void {
    const filler = this.filler;
    if (!filler || this.closed || this.current) return;
    const now = performance.now();
    while (this.origin + this.positionMs <= now) {
      this.socket.write(filler);
      this.positionMs += this.fillerMs;
    }
    this.checkStall((filler.length * 1000) / this.fillerMs);
  }

  /** The kernel takes what a live server reads; a backlog of seconds means it stopped reading (a dead link). */
  private checkStall(bytesPerSec: number): void {
    if (this.socket.writableLength <= STALL_SEC * bytesPerSec) return;
    this.close({
      code: 'connection-stalled',
      message: `máy chủ Icecast ngừng nhận / the Icecast server stopped reading: ${this.options.where}`,
    });
  }

  private clearFiller(): void {
    if (this.fillerTimer) clearTimeout(this.fillerTimer);
    this.fillerTimer = undefined;
  }

  private clearHold(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }
}

function averageBytesPerSec(track: FrameTrack): number {
  let bytes = 0;
  for (const frame of track.frames) bytes += frame.data.length;
  return track.durationSec > 0 ? bytes / track.durationSec : 6000;
}

/** How many of the first frames it takes to fill `bytes`. */
function framesFilling(track: FrameTrack, bytes: number): number {
  let sum = 0;
  let count = 0;
  while (count < track.frames.length && sum < bytes) sum += track.frames[count++]?.data.length ?? 0;
  return count;
}
