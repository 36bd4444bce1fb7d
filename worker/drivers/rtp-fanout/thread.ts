/**
 * The RTP fan-out thread: owns the driver's UDP sockets and paces every group, so the worker's
 * main event loop (database queries — PGlite runs in it — HTTP, BullMQ) cannot hold a packet
 * back. One pacer per group: each 20 ms tick sends the group's one prebuilt packet to every
 * member. Started by ./sender.ts; speaks ./messages.ts.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parentPort } from 'node:worker_threads';
import { senderReportAndBye } from '../../../media/rtp/rtcp.ts';
import { type LatenessSummary, type Pacing, pace, wallTimeOf } from '../../dispatch/pacer.ts';
import type { FromThread, GroupPackets, LaunchMember, Reason, SocketSpec, ToThread } from './messages.ts';

/** Packets between two checked sends (about one a second). */
const CHECK_EVERY = 50;
/** Consecutive failed checked sends (about 3 s) after which a cluster's airing ends. */
const MAX_SEND_ERRORS = 3;
/** The last ms before an armed instant are spun: short, as other groups' packets wait meanwhile. */
const SPIN_MS = 2;

const port = parentPort;
if (!port) throw new Error('rtp-fanout/thread.ts runs as a worker thread');
const post = (message: FromThread) => port.postMessage(message);

interface Member {
  id: number;
  socket: Socket;
  address: string;
  port: number;
  errors: number;
  /** Made once per member: no allocation per packet. */
  onSent: (err: Error | null) => void;
}

const sockets = new Map<string, Promise<Socket>>();
/** The sockets once open, for the launch to find without awaiting. */
const open = new Map<string, Socket>();
const groups = new Map<number, Group>();
const memberGroup = new Map<number, Group>();

class Group {
  private readonly members = new Map<number, Member>();
  private readonly packets: Buffer[];
  private pacing: Pacing | undefined;
  /** The timer of a group armed for its instant. */
  private armed: NodeJS.Timeout | undefined;
  private octets = 0;

  constructor(private readonly data: GroupPackets) {
    const bytes = Buffer.from(data.bytes);
    this.packets = Array.from(data.atMs, (_, i) => bytes.subarray(data.offsets[i], data.offsets[i + 1]));
  }

  get launched(): boolean {
    return this.pacing !== undefined || this.armed !== undefined;
  }

  /** Takes its members and sends the first packet at `at` (wall-clock ms), or at once. */
  launch(wanted: LaunchMember[], at?: number): void {
    const missing: number[] = [];
    for (const m of wanted) {
      // Opened in `prepare`, before the instant: looked up, not awaited.
      const socket = open.get(m.socket);
      if (!socket) {
        missing.push(m.id);
        continue;
      }
      const member: Member = { ...m, socket, errors: 0, onSent: () => {} };
      member.onSent = (err) => this.sent(member, err);
      this.members.set(m.id, member);
      memberGroup.set(m.id, this);
    }
    if (missing.length > 0) this.endMembers(missing, { code: 'no-socket', message: 'socket not opened' });
    if (this.members.size === 0) {
      groups.delete(this.data.group);
      return;
    }
    if (at === undefined) this.begin();
    else this.armFor(at);
  }

  /**
   * Sleeps until just before the instant (re-reading the wall clock at least once a second, so a
   * step is followed), then spins the last SPIN_MS: a timer alone fires a millisecond or more late.
   */
  private armFor(at: number): void {
    const left = at - wallTimeOf(performance.now());
    if (left > SPIN_MS) {
      this.armed = setTimeout(() => this.armFor(at), Math.min(left - SPIN_MS, 1000));
      return;
    }
    this.armed = undefined;
    while (wallTimeOf(performance.now()) < at) {
      // spin: at most SPIN_MS
    }
    this.begin();
  }

  private begin(): void {
    const atMs = this.data.atMs;
    this.pacing = pace({ count: atMs.length, dueMs: (i) => atMs[i] ?? 0, send: (i) => this.send(i) });
    void this.pacing.done.then((report) => {
      groups.delete(this.data.group);
      if (this.members.size > 0) this.endMembers([...this.members.keys()], undefined, report.lateness);
    });
  }

  leave(id: number, reason: Reason): void {
    if (!this.members.has(id)) return;
    this.endMembers([id], reason);
    if (this.members.size > 0) return;
    this.pacing?.stop();
    if (this.armed) {
      clearTimeout(this.armed);
      this.armed = undefined;
      groups.delete(this.data.group);
    }
  }

  private send(index: number): void {
    const packet = this.packets[index];
    if (!packet) return;
    this.octets += packet.length - 12;
    // A send callback costs a tick per packet per cluster; sampling one a second still finds an
    // unreachable cluster.
    const checked = index % CHECK_EVERY === 0;
    if (index === 0) {
      this.sendFirst(packet);
      return;
    }
    for (const m of this.members.values()) {
      if (checked) m.socket.send(packet, m.port, m.address, m.onSent);
      else m.socket.send(packet, m.port, m.address);
    }
  }

  /**
   * Packet 0, and each member's first audio: when its own send returned (sends are synchronous).
   * Unchecked: a send callback costs a tick per cluster, which slowed this loop ~2× (1,000 sends:
   * 37–52 ms against 13–27 here); the checked sends after it find an unreachable cluster.
   */
  private sendFirst(packet: Buffer): void {
    const ids = new Int32Array(this.members.size);
    const wallMs = new Float64Array(ids.length);
    let k = 0;
    for (const m of this.members.values()) {
      m.socket.send(packet, m.port, m.address);
      ids[k] = m.id;
      wallMs[k++] = performance.now();
    }
    for (let i = 0; i < k; i++) wallMs[i] = wallTimeOf(wallMs[i] ?? 0);
    post({ t: 'first', members: ids, wallMs });
  }

  private sent(member: Member, err: Error | null): void {
    if (!err) {
      member.errors = 0;
      return;
    }
    if (++member.errors >= MAX_SEND_ERRORS) {
      this.leave(member.id, {
        code: 'send-failed',
        message: `${member.address}:${member.port}: ${err.message}`,
      });
    }
  }

  private endMembers(ids: number[], reason?: Reason, lateness?: LatenessSummary): void {
    const sent = this.pacing?.sent ?? 0;
    const report =
      sent > 0
        ? senderReportAndBye({
            ssrc: this.data.ssrc,
            wallMs: Date.now(),
            rtpTimestamp: this.data.timestamps[sent - 1] ?? 0,
            packets: sent,
            octets: this.octets,
          })
        : undefined;
    for (const id of ids) {
      const m = this.members.get(id);
      this.members.delete(id);
      memberGroup.delete(id);
      if (m && report) m.socket.send(report, m.port + 1, m.address);
    }
    post({
      t: 'ended',
      members: ids,
      sent,
      octets: this.octets,
      ...(reason ? { reason } : {}),
      ...(lateness ? { lateness } : {}),
    });
  }
}

async function openSocket(spec: SocketSpec): Promise<Socket> {
  const family = spec.type === 'udp6' ? 6 : 4;
  const socket = createSocket({
    type: spec.type,
    sendBufferSize: spec.sendBufferBytes,
    // Destinations are addresses already (resolved in `prepare`): answering at once spares each
    // send dns.lookup's process.nextTick and the closures around it.
    lookup: (
      address: string,
      _options: unknown,
      callback: (err: null, address: string, family: number) => void,
    ) => callback(null, address, family),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Send errors reach each member's callback; this only keeps a stray one from ending the thread.
  socket.on('error', () => {});
  if (spec.multicast) {
    socket.setMulticastTTL(spec.multicast.ttl);
    socket.setMulticastLoopback(true);
    if (spec.multicast.interface) socket.setMulticastInterface(spec.multicast.interface);
  }
  return socket;
}

port.on('message', (message: ToThread) => {
  switch (message.t) {
    case 'socket': {
      let socket = sockets.get(message.spec.key);
      if (!socket) {
        const key = message.spec.key;
        socket = openSocket(message.spec);
        sockets.set(key, socket);
        socket.then(
          (opened) => open.set(key, opened),
          () => sockets.delete(key),
        );
      }
      socket.then(
        () => post({ t: 'socket', request: message.request }),
        (err: Error) => post({ t: 'socket', request: message.request, error: err.message }),
      );
      return;
    }
    case 'group':
      groups.set(message.group, new Group(message));
      return;
    case 'launch': {
      const group = groups.get(message.group);
      if (!group || group.launched) {
        const ids = message.members.map((m) => m.id);
        return post({
          t: 'ended',
          members: ids,
          sent: 0,
          octets: 0,
          reason: { code: 'no-group', message: 'not prepared' },
        });
      }
      group.launch(message.members, message.at);
      return;
    }
    case 'leave':
      memberGroup.get(message.member)?.leave(message.member, message.reason);
      return;
    case 'drop':
      if (!groups.get(message.group)?.launched) groups.delete(message.group);
      return;
  }
});
