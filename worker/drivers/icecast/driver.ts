/**
 * Icecast: Loa is the source of a mount the cluster's receivers pull (`http://host:8000/<mount>`).
 *
 * A pulled stream can only start on time for a receiver that is already connected, and a
 * receiver can only connect to a mount that is up. So the source connection opens in `prepare`
 * (the dispatch lead, 15 s by default, before the instant) and carries silent MP3 frames until the
 * instant; `start` writes the bulletin's first frame at once and paces the rest at real time.
 * After it, with `filler: 'silence'` (the default) the mount stays up with silence for `holdSec`,
 * so the next bulletin of a market morning finds its receivers still connected (no end of stream,
 * so no reconnection back-off on the receiver); with `filler: 'none'` the stream ends with the
 * bulletin. One connection per mount per process, shared by the airings of that mount; a
 * higher priority takes it from a running airing (an emergency preempts).
 *
 * Start: the first frame is written at `start` (the engine's skew); a connected listener gets it
 * within milliseconds, because the first Icecast block is written at once (feeder.ts). What the
 * loudspeaker plays is later by the receiver's own buffer, which Loa cannot see.
 *
 * Outcomes: a refused login ends the broadcast failed with the reason (retrying a wrong password
 * cannot help); a server that does not answer is offline (the engine retries until its lateness
 * limit); a connection that drops while airing ends it partial with the seconds written. The
 * receipt says how many listeners the server had at the start.
 */
import type { z } from 'zod';
import { DriverConfigByKind } from '../../../domain/driver-config.ts';
import { clusterProfileId } from '../../../media/cluster-profile.ts';
import type { FrameTrack } from '../../../media/frames/index.ts';
import type {
  Airing,
  AiringOutcome,
  AiringRequest,
  ClusterProbe,
  Driver,
  PreparedAiring,
} from '../driver.ts';
import { assertProfile, readProgramme } from '../programme.ts';
import { MountFeeder } from './feeder.ts';
import { openSource, SourceRefusedError, targetOf } from './source.ts';
import { fetchStatus, listenersOn } from './status.ts';

export type IcecastConfig = z.infer<(typeof DriverConfigByKind)['ICECAST']>;

type Reason = { code: string; message: string };

/** Thông tư 39 levels: a higher one may take a mount from a lower one. */
const RANK = { NORMAL: 0, PRIORITY: 1, EMERGENCY: 2 } as const;

const MOUNT_BUSY: Reason = {
  code: 'mount-busy',
  message: 'điểm phát đang phát bản tin khác / the mount is airing another broadcast',
};

export class IcecastDriver implements Driver<IcecastConfig> {
  readonly kind = 'ICECAST';
  readonly leadMs = 3000;
  private readonly feeders = new Map<string, { feeder: Promise<MountFeeder>; identity: string }>();

  parseConfig(config: unknown): IcecastConfig {
    return DriverConfigByKind.ICECAST.parse(config);
  }

  profileId(config: IcecastConfig): string {
    return clusterProfileId('ICECAST', config);
  }

  /** The server answers HTTP (any status: its status page may be switched off). */
  async probe(config: IcecastConfig, signal: AbortSignal): Promise<ClusterProbe> {
    try {
      const res = await fetchStatus(config.url, signal);
      await res.body?.cancel();
      return { online: true, detail: `HTTP ${res.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return { online: false, detail: `${new URL(config.url).host} ${cause?.code ?? (err as Error).name}` };
    }
  }

  async prepare(request: AiringRequest, signal: AbortSignal): Promise<PreparedAiring> {
    const config = this.parseConfig(request.config);
    assertProfile(request, this.profileId(config));
    const track = await readProgramme(request, signal);
    let feeder: MountFeeder;
    try {
      feeder = await this.feeder(config, signal);
    } catch (err) {
      // A refused login will not pass on a retry: the broadcast fails at its instant, with the reason.
      if (err instanceof SourceRefusedError && err.code === 'auth-refused') return refused(err);
      throw err;
    }
    if (!feeder.reserve(request.broadcastId, RANK[request.priority])) {
      throw Object.assign(new Error(MOUNT_BUSY.message), { code: MOUNT_BUSY.code });
    }
    feeder.fill(track);
    const release = () =>
      feeder.release(request.broadcastId, config.filler === 'none' ? 'close' : 'hold', config.holdSec * 1000);
    return {
      start: () => this.start(feeder, track, config, release),
      abandon: async () => release(),
    };
  }

  /** Ends every source connection (worker shutdown): listeners see the end of the streams. */
  async close(): Promise<void> {
    const feeders = await Promise.allSettled([...this.feeders.values()].map((f) => f.feeder));
    this.feeders.clear();
    for (const f of feeders) {
      if (f.status === 'fulfilled') f.value.close({ code: 'stopping', message: 'worker stopping' });
    }
  }

  private start(feeder: MountFeeder, track: FrameTrack, config: IcecastConfig, release: () => void): Airing {
    if (feeder.closed) {
      // The connection dropped between prepare and the instant: nothing can air.
      release();
      return failedAiring({
        code: 'connection-dropped',
        message: `mất kết nối tới máy chủ Icecast trước giờ phát / the Icecast connection dropped before the start: ${config.url}${config.mount}`,
      });
    }
    const airing = feeder.air(track);
    // How many receivers the server was serving at the start: evidence for the receipt. Asked a
    // moment after the first frame, so the start loop of the other clusters is not slowed.
    const listeners = new Promise<number | null>((resolve) => {
      setTimeout(() => resolve(listenersOn(config.url, config.mount, AbortSignal.timeout(3_000))), 100);
    });
    const done = airing.done.then(async (outcome) => {
      release();
      const receipt = { ...(outcome.receipt as object), listenersAtStart: await listeners };
      return { ...outcome, receipt };
    });
    return { firstAudioAt: airing.firstAudioAt, done, stop: (reason) => airing.stop(reason) };
  }

  /** The open feeder of this mount, or a new connection (credentials changed: a new one). */
  private async feeder(config: IcecastConfig, signal: AbortSignal): Promise<MountFeeder> {
    const key = `${config.url}|${config.mount}`;
    const identity = `${config.username}\u0000${config.password}`;
    const known = this.feeders.get(key);
    if (known) {
      const feeder = await known.feeder.catch(() => undefined);
      if (feeder && !feeder.closed && known.identity === identity) return feeder;
      if (feeder && !feeder.closed) {
        if (feeder.airing || feeder.reserved) {
          throw Object.assign(new Error(MOUNT_BUSY.message), { code: MOUNT_BUSY.code });
        }
        feeder.close();
      }
      if (this.feeders.get(key) === known) this.feeders.delete(key);
    }
    const target = targetOf(config);
    const opening = openSource(target, signal).then(
      (socket) =>
        new MountFeeder(socket, {
          where: `${config.url}${config.mount}`,
          onClosed: () => {
            if (this.feeders.get(key)?.feeder === opening) this.feeders.delete(key);
          },
        }),
    );
    this.feeders.set(key, { feeder: opening, identity });
    opening.catch(() => {
      if (this.feeders.get(key)?.feeder === opening) this.feeders.delete(key);
    });
    return opening;
  }
}

/** A prepared airing that can only fail (a refused login): no audio, the reason at the instant. */
function refused(err: SourceRefusedError): PreparedAiring {
  return {
    start: () => failedAiring({ code: err.code, message: err.message }),
    abandon: async () => {},
  };
}

function failedAiring(reason: Reason): Airing {
  const firstAudioAt = Promise.reject(reason);
  firstAudioAt.catch(() => {});
  const done = Promise.resolve<AiringOutcome>({ secondsAired: 0, error: reason });
  return { firstAudioAt, done, stop: () => {} };
}
