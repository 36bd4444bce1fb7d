// The store-and-forward protocol between Loa and 4G smart receivers over MQTT (v5). One cluster,
// one receiver identity: it logs in as its cluster id and the broker's ACL lets it read and write
// only under `loa/<its cluster>/…`.
//
//   loa/<c>/cmd/<broadcastId>  Loa → receiver, retained, QoS 1, with a message expiry: a play or
//                              withdraw command. One retained message per broadcast, so a receiver
//                              that (re)connects gets every command still current at once, and a
//                              withdraw replaces the play it cancels.
//   loa/<c>/receipt            receiver → Loa, QoS 1: scheduled · started · finished · failed.
//                              Kept on the receiver's disk and re-sent until acknowledged.
//   loa/<c>/ack                Loa → receiver, QoS 1: the receipt ids Loa has recorded.
//   loa/<c>/status             receiver → Loa: heartbeats (clock offset, what plays) and
//                              time requests (NTP-style: t0 → t1, t2 → t3).
//   loa/<c>/time               Loa → receiver: the time answers.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

export const topics = {
  command: (clusterId: string, broadcastId: string) => `loa/${clusterId}/cmd/${broadcastId}`,
  commands: (clusterId: string) => `loa/${clusterId}/cmd/+`,
  receipt: (clusterId: string) => `loa/${clusterId}/receipt`,
  ack: (clusterId: string) => `loa/${clusterId}/ack`,
  status: (clusterId: string) => `loa/${clusterId}/status`,
  time: (clusterId: string) => `loa/${clusterId}/time`,
} as const;

/** The cluster a topic belongs to and its kind, or null for a topic outside the protocol. */
export function parseTopic(topic: string): { clusterId: string; kind: string; rest: string[] } | null {
  const [root, clusterId, kind, ...rest] = topic.split('/');
  if (root !== 'loa' || !clusterId || !kind) return null;
  return { clusterId, kind, rest };
}

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
// Within what a Date holds: a receipt past it would fail half-way through its recording.
const Instant = z.number().finite().nonnegative().max(8.64e15);

export const CommandItem = z.object({
  /** Signed and expiring: the receiver needs nothing else to fetch it (HTTP Range resumes). */
  url: z.url({ protocol: /^https?$/ }),
  sha256: Sha256,
  bytes: z.number().int().positive(),
  durationSec: z.number().positive(),
  gapBeforeSec: z.number().min(0).max(60).default(0),
});
export type CommandItem = z.infer<typeof CommandItem>;

export const PlayCommand = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('play'),
  broadcastId: Id,
  /** The instant to start, UTC ms since the epoch (true time: the receiver corrects its clock). */
  startAt: Instant,
  priority: z.enum(['NORMAL', 'PRIORITY', 'EMERGENCY']),
  /** An emergency starts as soon as its audio is here, preempting whatever plays. */
  now: z.boolean().default(false),
  /** Not worth starting after this instant (the lateness limit). */
  notAfter: Instant,
  items: z.array(CommandItem).min(1).max(50),
});
export type PlayCommand = z.infer<typeof PlayCommand>;

export const WithdrawCommand = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('withdraw'),
  broadcastId: Id,
  reason: z.object({ code: z.string().max(64), message: z.string().max(500) }),
});
export type WithdrawCommand = z.infer<typeof WithdrawCommand>;

export const Command = z.discriminatedUnion('type', [PlayCommand, WithdrawCommand]);
export type Command = z.infer<typeof Command>;

export const RECEIPT_KINDS = ['scheduled', 'started', 'finished', 'failed'] as const;
export type ReceiptKind = (typeof RECEIPT_KINDS)[number];

export const Receipt = z.object({
  v: z.literal(PROTOCOL_VERSION),
  /** `<broadcastId>:<kind>`: the same receipt sent twice has the same id. */
  id: z.string().max(100),
  broadcastId: Id,
  kind: z.enum(RECEIPT_KINDS),
  /** When the receiver wrote it, by its corrected clock. */
  at: Instant,
  /** First audio out, by the receiver's corrected clock (started, finished, failed after a start). */
  startedAt: Instant.optional(),
  secondsPlayed: z.number().min(0).optional(),
  /** The receiver's clock offset (its clock − Loa's) when it started, and how sure it was (rtt). */
  offsetMs: z.number().optional(),
  rttMs: z.number().min(0).optional(),
  sha256: z.array(Sha256).max(50).optional(),
  /** failed, or finished early: why (hash-mismatch, download-failed, withdrawn, preempted…). */
  error: z.object({ code: z.string().max(64), message: z.string().max(500) }).optional(),
});
export type Receipt = z.infer<typeof Receipt>;

export const receiptId = (broadcastId: string, kind: ReceiptKind) => `${broadcastId}:${kind}`;

export const Ack = z.object({ v: z.literal(PROTOCOL_VERSION), ids: z.array(z.string().max(100)).max(1000) });
export type Ack = z.infer<typeof Ack>;

export const StatusMessage = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('heartbeat'),
    at: Instant,
    offsetMs: z.number().nullable(),
    rttMs: z.number().min(0).nullable(),
    /** The broadcast playing now and how far it is, so Loa can follow a long bulletin. */
    playing: z.object({ broadcastId: Id, secondsPlayed: z.number().min(0) }).nullable(),
    pendingReceipts: z.number().int().min(0),
  }),
  z.object({
    v: z.literal(PROTOCOL_VERSION),
    type: z.literal('time-request'),
    id: z.string().max(64),
    t0: Instant,
  }),
]);
export type StatusMessage = z.infer<typeof StatusMessage>;

export const TimeAnswer = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().max(64),
  t0: Instant,
  /** Loa's clock when the request arrived and when the answer left. */
  t1: Instant,
  t2: Instant,
});
export type TimeAnswer = z.infer<typeof TimeAnswer>;

/**
 * One NTP-style sample: offset = the receiver's clock − Loa's, assuming the link is as slow
 * both ways; the error is at most half the round trip, so the sample with the smallest round
 * trip wins.
 */
export function clockSample(a: { t0: number; t1: number; t2: number; t3: number }): {
  offsetMs: number;
  rttMs: number;
} {
  return {
    offsetMs: (a.t0 - a.t1 + (a.t3 - a.t2)) / 2,
    rttMs: a.t3 - a.t0 - (a.t2 - a.t1),
  };
}

/** An emergency is still worth playing this long after it was asked for. */
export const EMERGENCY_WINDOW_MS = 3600_000;
/** After a programme's planned end, how long its last receipt is waited for (a link that is down). */
export const RECEIPT_GRACE_MS = 300_000;

/**
 * When a store-and-forward airing without a final receipt is given up: the latest start the
 * receiver accepts (the lateness limit, or an emergency's window), plus the programme, plus the
 * grace for receipts held on a receiver whose link is down. Until then only receipts settle it,
 * whether or not the worker that sent the command is still there.
 */
export function receiptDeadline(
  airing: { startAt: number; priority: 'NORMAL' | 'PRIORITY' | 'EMERGENCY'; durationSec: number },
  limits: { maxLateMs: number; graceMs?: number },
): number {
  const window = airing.priority === 'EMERGENCY' ? EMERGENCY_WINDOW_MS : limits.maxLateMs;
  return airing.startAt + window + airing.durationSec * 1000 + (limits.graceMs ?? RECEIPT_GRACE_MS);
}
