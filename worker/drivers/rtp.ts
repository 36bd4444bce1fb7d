/**
 * RTP to loudspeaker clusters, unicast or multicast, packetised by Loa from the stored rendition
 * (no ffmpeg per cluster).
 *
 * Fan-out: airings of the same programme, encoding and payload type due at the same instant
 * share one group. The programme is read and packetised once per group, in `prepare`; the
 * `start()` calls of the instant join the group in the same event-loop turn, and a microtask
 * after the engine's start loop sends each packet to every member from one pacer, so the first
 * packets of all clusters leave in one loop. A cluster started after its group has begun gets a
 * group of its own (from the first packet, its own SSRC), never the middle of someone else's.
 * At the end (or on stop) each receiver gets an RTCP sender report and BYE on port + 1.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { z } from 'zod';
import { DriverConfigByKind } from '../../domain/driver-config.ts';
import { clusterProfileId } from '../../media/cluster-profile.ts';
import { findProfile } from '../../media/profiles.ts';
import { encodingOf, packetise, type RtpEncoding, type RtpStream } from '../../media/rtp/payload.ts';
import { senderReportAndBye } from '../../media/rtp/rtcp.ts';
import { isMulticast, writeSdp } from '../../media/rtp/sdp.ts';
import { buildPackets, type RtpPacketPlan, randomNumbering } from '../../media/rtp/session.ts';
import { type LatenessSummary, type Pacing, pace, wallTimeOf } from '../dispatch/pacer.ts';
import type { Airing, AiringOutcome, AiringRequest, ClusterProbe, Driver, PreparedAiring } from './driver.ts';
import { ClusterOfflineError, tcpProbe } from './probe.ts';
import { assertProfile, readProgramme } from './programme.ts';

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
  socket: Socket;
  address: string;
  port: number;
  /** One callback per destination, made once: no allocation per packet. */
  onSent: (err: Error | null) => void;
  errors: number;
  firstAudio: (wallMs: number) => void;
  /** Ended before the first packet: there is no first audio. */
  noAudio: (reason: Reason) => void;
  end: (outcome: AiringOutcome) => void;
  ended: boolean;
}

/** Packets between two checked sends (about one a second). */
const CHECK_EVERY = 50;
/** Consecutive failed checked sends (about 3 s) after which a cluster's airing ends. */
const MAX_SEND_ERRORS = 3;

class FanOutGroup {
  private readonly members = new Set<Destination>();
  private pacing: Pacing | undefined;
  private launchQueued = false;
  private readonly numbering = randomNumbering();
  /** Built when the group is made (in `prepare`), not at the instant. */
  private readonly packets: RtpPacketPlan[];
  private octets = 0;
  /** Airings prepared for this group and neither started nor abandoned. */
  pending = 0;

  constructor(
    readonly stream: RtpStream,
    payloadType: number,
    private readonly onLaunch: () => void,
  ) {
    this.packets = buildPackets(stream, payloadType, this.numbering);
  }

  /** A start() has come: the group sends its first packet at the end of this turn and takes no new preparations. */
  get starting(): boolean {
    return this.launchQueued;
  }

  /** The first packet has gone: a newcomer can no longer start with it. */
  get begun(): boolean {
    return this.pacing !== undefined;
  }

  join(destination: Destination): void {
    this.members.add(destination);
    if (this.launchQueued) return;
    this.launchQueued = true;
    this.onLaunch();
    // After the engine's synchronous start loop, before any timer or I/O.
    queueMicrotask(() => this.launch());
  }

  leave(destination: Destination, reason: Reason): void {
    if (!this.members.delete(destination)) return;
    this.finish(destination, reason);
    if (this.members.size === 0) this.pacing?.stop();
  }

  private launch(): void {
    if (this.members.size === 0) return; // every member stopped before the first packet
    const packets = this.packets;
    this.pacing = pace({
      count: packets.length,
      dueMs: (i) => packets[i]?.atMs ?? 0,
      send: (i) => this.send(i),
    });
    void this.pacing.done.then((report) => {
      for (const member of [...this.members]) {
        this.members.delete(member);
        this.finish(member, undefined, report.lateness);
      }
    });
  }

  private send(index: number): void {
    const plan = this.packets[index];
    if (!plan) return;
    this.octets += plan.packet.length - 12;
    // A send callback costs a tick per packet per cluster; sampling one a second still finds an
    // unreachable cluster, and a fan-out to 1,000 clusters keeps its 20 ms budget.
    const checked = index % CHECK_EVERY === 0;
    for (const d of this.members) {
      if (checked) d.socket.send(plan.packet, d.port, d.address, d.onSent);
      else d.socket.send(plan.packet, d.port, d.address);
      if (index === 0) d.firstAudio(wallTimeOf(performance.now()));
    }
  }

  private secondsSent(): number {
    const sent = this.pacing?.sent ?? 0;
    const last = this.packets[sent - 1];
    return last ? (last.atMs + last.durationMs) / 1000 : 0;
  }

  private finish(d: Destination, reason?: Reason, lateness?: LatenessSummary): void {
    if (d.ended) return;
    d.ended = true;
    const sent = this.pacing?.sent ?? 0;
    if (sent === 0) d.noAudio(reason ?? { code: 'no-audio', message: 'ended before the first packet' });
    const last = this.packets[sent - 1];
    if (last) {
      const report = senderReportAndBye({
        ssrc: this.numbering.ssrc,
        wallMs: Date.now(),
        rtpTimestamp: last.timestamp,
        packets: sent,
        octets: this.octets,
      });
      d.socket.send(report, d.port + 1, d.address);
    }
    const whole = sent >= this.packets.length && this.packets.length > 0;
    d.end({
      secondsAired: this.secondsSent(),
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

export interface RtpDriverOptions {
  /** Socket send buffer, bytes: a 20 ms burst to 1,000 clusters is ~200 kB. */
  sendBufferBytes?: number;
}

export class RtpDriver implements Driver<RtpConfig> {
  readonly kind = 'RTP';
  readonly leadMs = 2000;
  private readonly groups = new Map<string, FanOutGroup>();
  private readonly streams = new Map<string, Promise<RtpStream>>();
  private readonly sockets = new Map<string, Promise<Socket>>();

  constructor(private readonly options: RtpDriverOptions = {}) {}

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
      const created = new FanOutGroup(stream, config.payloadType, () => {
        if (this.groups.get(key) === created) this.groups.delete(key);
      });
      this.groups.set(key, created);
      group = created;
    }
    group.pending++;
    const joined = group;
    let settled = false;
    const release = () => {
      if (settled) return;
      settled = true;
      joined.pending--;
      if (joined.pending === 0 && !joined.starting) {
        if (this.groups.get(key) === joined) this.groups.delete(key);
        this.streams.delete(`${programme}|${encoding}`);
      }
    };
    return {
      start: () => {
        release();
        // A group that has begun cannot take a newcomer from the first packet: give it its own.
        const target = joined.begun ? new FanOutGroup(stream, config.payloadType, () => {}) : joined;
        return startDestination(target, socket, address, config.port);
      },
      abandon: async () => release(),
    };
  }

  /** Closes the sockets (worker shutdown). */
  async close(): Promise<void> {
    const sockets = await Promise.all(this.sockets.values());
    this.sockets.clear();
    for (const socket of sockets) socket.close();
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

  private socket(type: 'udp4' | 'udp6', config: RtpConfig, multicast: boolean): Promise<Socket> {
    const key = `${type}|${multicast ? `${config.ttl}|${config.interface ?? ''}` : 'unicast'}`;
    let socket = this.sockets.get(key);
    if (!socket) {
      socket = openSocket(type, multicast ? config : undefined, this.options.sendBufferBytes ?? 4 << 20);
      this.sockets.set(key, socket);
      socket.catch(() => this.sockets.delete(key));
    }
    return socket;
  }
}

async function openSocket(
  type: 'udp4' | 'udp6',
  multicast: Pick<RtpConfig, 'ttl' | 'interface'> | undefined,
  sendBufferBytes: number,
): Promise<Socket> {
  const socket = createSocket({ type, sendBufferSize: sendBufferBytes });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Send errors reach each destination's callback; this only keeps a stray one from crashing the worker.
  socket.on('error', () => {});
  socket.unref();
  if (multicast) {
    socket.setMulticastTTL(multicast.ttl);
    socket.setMulticastLoopback(true);
    if (multicast.interface) socket.setMulticastInterface(multicast.interface);
  }
  return socket;
}

function startDestination(group: FanOutGroup, socket: Socket, address: string, port: number): Airing {
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
    socket,
    address,
    port,
    errors: 0,
    ended: false,
    onSent: (err) => {
      if (!err) {
        destination.errors = 0;
        return;
      }
      if (++destination.errors >= MAX_SEND_ERRORS) {
        group.leave(destination, { code: 'send-failed', message: `${address}:${port}: ${err.message}` });
      }
    },
    firstAudio: resolveFirst,
    noAudio: (reason) => rejectFirst(reason),
    end: (outcome) => resolveDone(outcome),
  };
  group.join(destination);
  return { firstAudioAt, done, stop: (reason) => group.leave(destination, reason) };
}
