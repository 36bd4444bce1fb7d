/**
 * What the RTP driver (main thread) and its fan-out thread say to each other. Ids are numbers
 * the main side hands out: groups (one packetisation aired from one instant) and members (one
 * cluster's airing in a group).
 */
import type { LatenessSummary } from '../../dispatch/pacer.ts';

export interface Reason {
  code: string;
  message: string;
}

export interface SocketSpec {
  key: string;
  type: 'udp4' | 'udp6';
  /** Multicast sockets carry their TTL (1 unless routed) and outgoing interface. */
  multicast?: { ttl: number; interface?: string | undefined } | undefined;
  sendBufferBytes: number;
}

export interface GroupPackets {
  group: number;
  /** Every packet of the stream back to back (shared by the threads, not copied). */
  bytes: SharedArrayBuffer;
  /** Packet i is bytes[offsets[i], offsets[i + 1]). */
  offsets: Int32Array;
  /** Media time of packet i in ms from the first. */
  atMs: Float64Array;
  /** RTP timestamp of packet i (for the sender report). */
  timestamps: Uint32Array;
  ssrc: number;
}

export interface LaunchMember {
  id: number;
  socket: string;
  address: string;
  port: number;
}

export type ToThread =
  | { t: 'socket'; request: number; spec: SocketSpec }
  | ({ t: 'group' } & GroupPackets)
  /**
   * Starts a group: at once, or armed for `at` (wall-clock ms) on the thread's own timer, so the
   * first packets do not wait for the main thread at the instant. Members may `leave` until then.
   */
  | { t: 'launch'; group: number; members: LaunchMember[]; at?: number }
  | { t: 'leave'; member: number; reason: Reason }
  | { t: 'drop'; group: number };

export type FromThread =
  | { t: 'socket'; request: number; error?: string }
  /** Packet 0 has gone to these members, at these wall-clock ms. */
  | { t: 'first'; members: Int32Array; wallMs: Float64Array }
  /** These members are done: `sent` packets went to them (their group's pacer report when it finished). */
  | {
      t: 'ended';
      members: number[];
      sent: number;
      octets: number;
      reason?: Reason;
      lateness?: LatenessSummary;
    };
