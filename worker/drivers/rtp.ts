/**
 * RTP to loudspeaker clusters, unicast or multicast, packetised by Loa from the stored rendition
 * (no ffmpeg per cluster).
 *
 * Fan-out: airings of the same programme, encoding and payload type due at the same instant
 * share one group. The programme is read and packetised once per group, in `prepare`, and the
 * packets handed to the fan-out thread (./rtp-fanout/): it owns the sockets and paces every
 * group, each 20 ms tick sending the group's one packet to all its members, out of reach of the
 * main event loop's database and HTTP work. The `start()` calls of the instant join the group in
 * the same event-loop turn, and a microtask after the engine's start loop launches it, so the
 * first packets of all clusters leave in one loop. Better still, `arm()` (the engine calls it
 * once the leases are last checked, a few hundred ms ahead) hands the thread the instant and the
 * members: the thread then starts them on its own timer, not when the main thread gets round to
 * it. A cluster started after its group has begun gets a group of its own (from the first
 * packet, its own SSRC), never the middle of someone else's. At the end (or on stop) each
 * receiver gets an RTCP sender report and BYE on port + 1.
 */
import { lookup } from 'node:dns/promises';
import type { z } from 'zod';
import { DriverConfigByKind } from '../../domain/driver-config.ts';
import { clusterProfileId } from '../../media/cluster-profile.ts';
import { findProfile } from '../../media/profiles.ts';
import { encodingOf, packetise, type RtpEncoding, type RtpStream } from '../../media/rtp/payload.ts';
import { isMulticast, writeSdp } from '../../media/rtp/sdp.ts';
import { buildPackets, type RtpPacketPlan, randomNumbering } from '../../media/rtp/session.ts';
import type { LatenessSummary } from '../dispatch/pacer.ts';
import type { Airing, AiringOutcome, AiringRequest, ClusterProbe, Driver, PreparedAiring } from './driver.ts';
import { ClusterOfflineError, tcpProbe } from './probe.ts';
import { assertProfile, readProgramme } from './programme.ts';
import { FanOutSender } from './rtp-fanout/sender.ts';

export type RtpConfig = z.infer<(typeof DriverConfigByKind)['RTP']>;

type Reason = { code: string; message: string };

/** The SDP a cluster's receiver (or a test's ffmpeg) needs for this config. */
export function clusterSdp(config: RtpConfig, address = config.host): string {
  const encoding = encodingOf(config);
  const profile = findProfile(clusterProfileId('RTP', config));
  const clock = { PCMU: 8000, PCMA: 8000, L16: profile.sampleRate, MPA: 90000, OPUS: 48000 }[encoding];
  return writeSdp({
    address,
    port: config.port,
    payloadType: config.payloadType,
    encoding,
    clockRate: clock,
    channels: encoding === 'OPUS' ? 2 : 1,
    sampleRate: profile.sampleRate,
    multicastTtl: config.ttl,
    packetTimeMs: encoding === 'MPA' ? undefined : 20,
  });
}

interface Destination {
  id: number;
  socket: string;
  address: string;
  port: number;
  firstAudio: (wallMs: number) => void;
  /** Ended before the first packet: there is no first audio. */
  noAudio: (reason: Reason) => void;
  end: (outcome: AiringOutcome) => void;
  ended: boolean;
  /** Wall-clock ms of its first packet, once the thread has said. */
  firstAt?: number;
}

/**
 * One packetisation aired from one instant to many clusters. The packets are built here when the
 * group is made (in `prepare`) and handed to the fan-out thread, which paces them.
 */
class FanOutGroup {
  readonly id: number;
  private readonly members = new Map<number, Destination>();
  private launched = false;
  private launchQueued = false;
  private readonly numbering = randomNumbering();
  private readonly atMs: Float64Array;
  private readonly durationMs: Float64Array;
  /** Airings prepared for this group and neither started nor abandoned. */
  pending = 0;

  constructor(
    private readonly sender: FanOutSender,
    readonly stream: RtpStream,
    payloadType: number,
    private readonly onLaunch: () => void,
  ) {
    this.id = sender.id();
    const packets = buildPackets(stream, payloadType, this.numbering);
    this.atMs = Float64Array.from(packets, (p) => p.atMs);
    this.durationMs = Float64Array.from(packets, (p) => p.durationMs);
    sender.group({
      group: this.id,
      ssrc: this.numbering.ssrc,
      ...packBytes(packets),
      atMs: Float64Array.from(this.atMs),
    });
  }

  /** A start() has come: the group sends its first packet at the end of this turn and takes no new preparations. */
  get starting(): boolean {
    return this.launchQueued;
  }

  /** The first packet has been asked for: a newcomer can no longer start with it. */
  get begun(): boolean {
    return this.launched;
  }

  /**
   * Adds a member; the first of a turn queues the launch. `at` arms the group for that instant
   * (the engine's arm loop), none starts it at once (its start loop): one or the other per turn.
   */
  join(destination: Destination, at?: number): void {
    this.members.set(destination.id, destination);
    if (this.launchQueued) return;
    this.launchQueued = true;
    this.onLaunch();
    // After the engine's synchronous loop, before any timer or I/O.
    queueMicrotask(() => this.launch(at));
  }

  leave(destination: Destination, reason: Reason): void {
    if (!this.members.has(destination.id)) return;
    if (this.launched) this.sender.leave(destination.id, reason);
    else this.finish(destination, 0, reason);
  }

  /** Never started: the thread can let the packets go. */
  drop(): void {
    if (!this.launchQueued) this.sender.drop(this.id);
  }

  private launch(at?: number): void {
    this.launched = true;
    if (this.members.size === 0) {
      this.sender.drop(this.id); // every member stopped before the first packet
      return;
    }
    this.sender.launch(
      this.id,
      [...this.members.values()].map((d) => ({
        id: d.id,
        socket: d.socket,
        address: d.address,
        port: d.port,
        first: (wallMs) => {
          d.firstAt = wallMs;
          d.firstAudio(wallMs);
        },
        ended: (report) =>
          this.finish(d, report.sent || this.sentSince(d.firstAt), report.reason, report.lateness),
      })),
      at,
    );
  }

  /** Packets due since a first audio (a thread that died cannot say how many it sent: they went in real time). */
  private sentSince(firstAt: number | undefined): number {
    if (firstAt === undefined) return 0;
    const elapsed = Date.now() - firstAt;
    let sent = 0;
    while (sent < this.atMs.length && (this.atMs[sent] ?? 0) <= elapsed) sent++;
    return sent;
  }

  private secondsSent(sent: number): number {
    if (sent === 0) return 0;
    return ((this.atMs[sent - 1] ?? 0) + (this.durationMs[sent - 1] ?? 0)) / 1000;
  }

  private finish(d: Destination, sent: number, reason?: Reason, lateness?: LatenessSummary): void {
    if (d.ended) return;
    d.ended = true;
    this.members.delete(d.id);
    if (sent === 0) d.noAudio(reason ?? { code: 'no-audio', message: 'ended before the first packet' });
    const whole = sent >= this.atMs.length && this.atMs.length > 0;
    d.end({
      secondsAired: this.secondsSent(sent),
      ...(reason && !whole ? { error: reason } : {}),
      receipt: {
        ssrc: this.numbering.ssrc,
        packets: sent,
        encoding: this.stream.encoding,
        ...(lateness ? { lateness } : {}),
      },
    });
  }
}

/** Every packet of a stream back to back in one buffer the fan-out threads share. */
function packBytes(packets: RtpPacketPlan[]): {
  bytes: SharedArrayBuffer;
  offsets: Int32Array;
  timestamps: Uint32Array;
} {
  const offsets = new Int32Array(packets.length + 1);
  packets.forEach((p, i) => {
    offsets[i + 1] = (offsets[i] ?? 0) + p.packet.length;
  });
  const bytes = new Uint8Array(new SharedArrayBuffer(offsets[packets.length] ?? 0));
  packets.forEach((p, i) => {
    bytes.set(p.packet, offsets[i]);
  });
  return {
    bytes: bytes.buffer as SharedArrayBuffer,
    offsets,
    timestamps: Uint32Array.from(packets, (p) => p.timestamp),
  };
}

export interface RtpDriverOptions {
  /** Socket send buffer, bytes: a 20 ms burst to 1,000 clusters is ~200 kB. */
  sendBufferBytes?: number;
  /** Fan-out threads (default: one per core, at most 4). */
  threads?: number;
}

export class RtpDriver implements Driver<RtpConfig> {
  readonly kind = 'RTP';
  readonly leadMs = 2000;
  private readonly groups = new Map<string, FanOutGroup>();
  private readonly streams = new Map<string, Promise<RtpStream>>();
  /** Socket keys opened (or being opened) in the fan-out threads. */
  private readonly sockets = new Map<string, Promise<void>>();
  private readonly sender: FanOutSender;

  constructor(private readonly options: RtpDriverOptions = {}) {
    this.sender = new FanOutSender(options.threads);
  }

  parseConfig(config: unknown): RtpConfig {
    return DriverConfigByKind.RTP.parse(config);
  }

  profileId(config: RtpConfig): string {
    return clusterProfileId('RTP', config);
  }

  async probe(config: RtpConfig, signal: AbortSignal): Promise<ClusterProbe | null> {
    return config.probe ? tcpProbe(config.probe.host ?? config.host, config.probe.port, signal) : null;
  }

  async prepare(request: AiringRequest, signal: AbortSignal): Promise<PreparedAiring> {
    const config = this.parseConfig(request.config);
    const probe = await this.probe(config, signal);
    if (probe && !probe.online) throw new ClusterOfflineError(probe.detail);
    assertProfile(request, this.profileId(config));
    const encoding = encodingOf(config);
    const { address, family } = await lookup(config.host);
    const socket = await this.socket(family === 6 ? 'udp6' : 'udp4', config, isMulticast(address));
    const programme = request.items.map((i) => `${i.sha256}+${i.gapBeforeSec ?? 0}`).join(',');
    const key = `${request.startAt}|${programme}|${encoding}|${config.payloadType}`;
    const stream = await this.stream(`${programme}|${encoding}`, request, encoding, signal);
    let group = this.groups.get(key);
    if (!group || group.starting) {
      const created = new FanOutGroup(this.sender, stream, config.payloadType, () => {
        if (this.groups.get(key) === created) this.groups.delete(key);
      });
      this.groups.set(key, created);
      group = created;
    }
    group.pending++;
    const joined = group;
    let settled = false;
    const release = (abandoned: boolean) => {
      if (settled) return;
      settled = true;
      joined.pending--;
      if (joined.pending === 0 && !joined.starting) {
        if (this.groups.get(key) === joined) this.groups.delete(key);
        this.streams.delete(`${programme}|${encoding}`);
        if (abandoned) joined.drop();
      }
    };
    let airing: Airing | undefined;
    const begin = (at?: number) => {
      release(false);
      // A group that has begun cannot take a newcomer from the first packet: give it its own.
      const target = joined.begun
        ? new FanOutGroup(this.sender, stream, config.payloadType, () => {})
        : joined;
      return startDestination(target, this.sender.id(), socket, address, config.port, at);
    };
    return {
      arm: (at) => {
        airing ??= begin(at);
      },
      start: () => {
        airing ??= begin();
        return airing;
      },
      abandon: async (reason) => {
        if (airing) airing.stop(reason);
        else release(true);
      },
    };
  }

  /** Ends the fan-out thread and its sockets (worker shutdown). */
  async close(): Promise<void> {
    this.sockets.clear();
    await this.sender.close();
  }

  private stream(
    key: string,
    request: AiringRequest,
    encoding: RtpEncoding,
    signal: AbortSignal,
  ): Promise<RtpStream> {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = readProgramme(request, signal).then((track) => packetise(track, encoding));
      this.streams.set(key, stream);
      // Kept only while airings of it are being prepared; a failed read is not cached.
      stream.catch(() => this.streams.delete(key));
      setTimeout(() => this.streams.delete(key), this.leadMs * 2).unref();
    }
    return stream;
  }

  /** The key of the thread's socket for this config, opened there once. */
  private async socket(type: 'udp4' | 'udp6', config: RtpConfig, multicast: boolean): Promise<string> {
    const key = `${type}|${multicast ? `${config.ttl}|${config.interface ?? ''}` : 'unicast'}`;
    let opened = this.sockets.get(key);
    if (!opened) {
      opened = this.sender.socket({
        key,
        type,
        sendBufferBytes: this.options.sendBufferBytes ?? 4 << 20,
        ...(multicast ? { multicast: { ttl: config.ttl, interface: config.interface } } : {}),
      });
      this.sockets.set(key, opened);
      opened.catch(() => this.sockets.delete(key));
    }
    await opened;
    return key;
  }
}

function startDestination(
  group: FanOutGroup,
  id: number,
  socket: string,
  address: string,
  port: number,
  at?: number,
): Airing {
  let resolveFirst: (at: number) => void = () => {};
  let rejectFirst: (reason: Reason) => void = () => {};
  let resolveDone: (outcome: AiringOutcome) => void = () => {};
  const firstAudioAt = new Promise<number>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  firstAudioAt.catch(() => {}); // a caller that only awaits `done` must not see an unhandled rejection
  const done = new Promise<AiringOutcome>((resolve) => {
    resolveDone = resolve;
  });
  const destination: Destination = {
    id,
    socket,
    address,
    port,
    ended: false,
    firstAudio: resolveFirst,
    noAudio: (reason) => rejectFirst(reason),
    end: (outcome) => resolveDone(outcome),
  };
  group.join(destination, at);
  return { firstAudioAt, done, stop: (reason) => group.leave(destination, reason) };
}
