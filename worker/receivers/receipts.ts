// Receipts become broadcast states. Every move is a compare-and-set, so the same receipt twice
// (re-sent after a link drop, or handled by two workers) changes nothing, and the order they
// arrive in does not matter: a `finished` that comes before its `started` moves the row through
// AIRING with the start it carries. Receipts settle rows whoever sent the command, even a worker
// that has since restarted.
import { isTerminal } from '../../domain/dispatch/broadcast-status.ts';
import { settleAiring } from '../../domain/dispatch/outcome.ts';
import type { Receipt, StatusMessage } from '../../domain/receiver-protocol.ts';
import { moveBroadcast } from '../../prisma/repositories/broadcasts.ts';
import { markClusterSeen } from '../../prisma/repositories/cluster-health.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import {
  type ReceiverBroadcast,
  receiverBroadcast,
  recordReceiverProgress,
} from '../../prisma/repositories/receivers.ts';

/** Reasons Loa gave itself (it withdrew the command): the state is already the withdrawer's to set. */
const OWN_REASONS = new Set(['withdrawn']);

export async function recordReceipt(db: DbClient, clusterId: string, r: Receipt, now: number): Promise<void> {
  const row = await receiverBroadcast(db, r.broadcastId);
  // Another cluster's broadcast (the ACL already stops that on the broker) or gone: nothing to do.
  if (!row || row.clusterId !== clusterId || row.driverKind !== 'MQTT') return;
  await markClusterSeen(db, clusterId, true);
  if (r.kind === 'scheduled' || isTerminal(row.status as never)) return;
  if (r.error && OWN_REASONS.has(r.error.code)) return;
  if (r.startedAt !== undefined) await toAiring(db, row, r.startedAt, now);
  if (r.kind === 'started') return;

  const preempted = r.error?.code === 'preempted' ? r.error : undefined;
  // No more than the programme was played, whatever a receiver claims (the claim stays in the receipt).
  const played = Math.min(r.secondsPlayed ?? 0, row.durationSec);
  const { status, reason } = settleAiring({
    durationSec: row.durationSec,
    secondsAired: played,
    ...(r.error && !preempted ? { error: r.error } : {}),
    ...(preempted ? { preempted } : {}),
  });
  // A failure before any audio (wrong hash, download failed, too late) may come while the row is
  // still planned: it goes through STARTING, the only way to FAILED.
  if (row.status === 'PLANNED') await moveBroadcast(db, row.id, 'STARTING', { startedAt: new Date(now) });
  await moveBroadcast(db, row.id, status, {
    secondsAired: played,
    endedAt: new Date(now),
    reasonCode: reason?.code ?? null,
    reason: reason?.message ?? null,
    receipt: r,
  });
}

async function toAiring(db: DbClient, row: ReceiverBroadcast, startedAt: number, now: number) {
  if (row.status === 'PLANNED') await moveBroadcast(db, row.id, 'STARTING', { startedAt: new Date(now) });
  await moveBroadcast(db, row.id, 'AIRING', {
    firstAudioAt: new Date(startedAt),
    skewMs: startedAt - row.scheduledAt.getTime(),
  });
}

/** Last time each cluster's heartbeat was written, so 1,000 receivers do not each write every beat. */
const seen = new Map<string, number>();
const HEALTH_EVERY_MS = 15_000;

export async function recordHeartbeat(
  db: DbClient,
  clusterId: string,
  beat: Extract<StatusMessage, { type: 'heartbeat' }>,
  now: number,
): Promise<void> {
  // The progress of a playing broadcast: a long bulletin is seen alive even if its worker is gone.
  if (beat.playing)
    await recordReceiverProgress(db, clusterId, beat.playing.broadcastId, beat.playing.secondsPlayed);
  if ((seen.get(clusterId) ?? 0) > now - HEALTH_EVERY_MS) return;
  seen.set(clusterId, now);
  const offset = beat.offsetMs === null ? 'unknown' : `${Math.round(beat.offsetMs)} ms`;
  await markClusterSeen(
    db,
    clusterId,
    true,
    `4G: clock offset ${offset}, ${beat.pendingReceipts} receipts pending`,
  );
}
