// The one interface every way of reaching a cluster implements. The dispatch engine does the
// slow work (`prepare`) ahead of the start instant, then calls `start` for every airing due at
// that instant in one tight loop, so the clusters of a market square start together.
//
// Two shapes of driver share it:
// - live drivers (recorder, RTP, HTTP push, Icecast) send the audio themselves, paced at the
//   media clock; `start` sends the first audio at once;
// - store-and-forward drivers (MQTT 4G receivers) send the command well ahead (in `prepare`,
//   with `leadMs` to say how far ahead); the device plays at the instant by its own clock and its
//   receipts settle the outcome, so `start` only waits for them.
import type { PlanItem } from '../../domain/dispatch/materialise.ts';
import type { DeviceProfile } from '../../media/profiles.ts';

/** One rendition to air, in programme order (a slot's playlist may hold several bulletins). */
export interface AiringItem extends Omit<PlanItem, 'path'> {
  /** Absolute path of the rendition file. */
  path: string;
}

export interface AiringRequest {
  broadcastId: string;
  clusterId: string;
  /** The scheduled instant (UTC ms since the epoch). */
  startAt: number;
  priority: 'NORMAL' | 'PRIORITY' | 'EMERGENCY';
  profile: DeviceProfile;
  items: AiringItem[];
  /** The cluster's driver config, already validated by the driver's own zod schema. */
  config: unknown;
}

export interface AiringOutcome {
  /** Seconds of audio actually sent (live) or confirmed played (store-and-forward). */
  secondsAired: number;
  /** Ended before the end of the programme: why (refused login, connection dropped, preempted…). */
  error?: { code: string; message: string };
  /** What the device or receiver said, kept as evidence (store-and-forward, HTTP status…). */
  receipt?: unknown;
}

export interface Airing {
  /** Wall-clock instant (ms since the epoch, sub-ms) at which the first audio left, or was confirmed. */
  readonly firstAudioAt: Promise<number>;
  /** Settles when the airing ends, however it ends; never rejects. */
  readonly done: Promise<AiringOutcome>;
  /** Stops sending (preemption, cancellation, shutdown); `done` then settles with what aired. */
  stop(reason: { code: string; message: string }): void;
}

export interface PreparedAiring {
  /**
   * Optional, for drivers that keep time themselves: commits to start at `at` (the request's
   * instant, in ms since the epoch by this host's wall clock) on the driver's own timer; called a
   * few hundred ms ahead, once the cluster is surely this airing's. `start()` still follows and
   * returns the airing; `abandon` still stops it.
   */
  arm?(at: number): void;
  /**
   * Starts airing now (once armed: returns the armed airing). Must return quickly: the engine
   * calls it for every cluster of the instant.
   */
  start(): Airing;
  /** Gives up before start (cancelled, too late): releases sockets, files, commands sent ahead. */
  abandon(reason: { code: string; message: string }): Promise<void>;
}

export interface ClusterProbe {
  online: boolean;
  detail?: string;
}

export interface Driver<Config = unknown> {
  readonly kind: string;
  /** Validates and defaults a cluster's driver config (zod); throws a ZodError naming the field. */
  parseConfig(config: unknown): Config;
  /** The device profile (rendition) this cluster needs. */
  profileId(config: Config): string;
  /** How long before the instant `prepare` should run (connect, send the command ahead). */
  readonly leadMs: number;
  /** Everything slow happens here: open files, resolve hosts, connect, send commands ahead. */
  prepare(request: AiringRequest, signal: AbortSignal): Promise<PreparedAiring>;
  /** Whether the cluster answers; null when the driver cannot tell (nothing to ask). */
  probe?(config: Config, signal: AbortSignal): Promise<ClusterProbe | null>;
  /** Ends what the driver holds between airings (sockets, held Icecast mounts) when the worker stops. */
  close?(): Promise<void>;
}
