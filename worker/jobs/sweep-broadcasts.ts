// sweep-broadcasts: what a crash leaves behind gets an outcome. A planned broadcast past its
// lateness limit that nobody dispatched is missed; one claimed or airing whose worker is gone (no
// live lease, no renewal since) ends with what it is known to have aired.
import { type LatenessPolicy, tooLate } from '../../domain/dispatch/lateness.ts';
import { abandonedAirings, moveBroadcast, overduePlanned } from '../../prisma/repositories/broadcasts.ts';
import type { DbClient } from '../../prisma/repositories/db.ts';
import { endSilentReceiverAirings } from '../receivers/overdue.ts';

export async function sweepBroadcasts(
  db: DbClient,
  options: {
    now: number;
    lateness: LatenessPolicy;
    leaseTtlMs: number;
    leadMs: number;
    /** Tests: a shorter wait for a 4G receiver's last receipt. */
    receiptGraceMs?: number;
  },
): Promise<{ missed: number; ended: number }> {
  let missed = 0;
  for (const b of await overduePlanned(db, new Date(options.now - options.lateness.maxLateMs))) {
    const late = tooLate(b.priority, b.scheduledAt.getTime(), options.now, options.lateness);
    if (!late) continue;
    const reason = `${late.message}; không được phát (máy chủ dừng?) / never dispatched (was the worker down?)`;
    if (
      await moveBroadcast(db, b.id, 'MISSED', {
        reasonCode: 'not-dispatched',
        reason,
        endedAt: new Date(options.now),
      })
    )
      missed++;
  }
  let ended = 0;
  const limits = {
    airingSilentSince: new Date(options.now - 3 * options.leaseTtlMs),
    claimedBefore: new Date(
      options.now - options.leadMs - options.lateness.maxLateMs - 3 * options.leaseTtlMs,
    ),
  };
  for (const b of await abandonedAirings(db, limits)) {
    const aired = b.secondsAired ?? 0;
    const to =
      b.status === 'STARTING' ? (aired > 0 ? 'PARTIAL' : 'MISSED') : aired > 0 ? 'PARTIAL' : 'FAILED';
    const ok = await moveBroadcast(db, b.id, to, {
      reasonCode: 'worker-lost',
      reason: 'máy phát dừng giữa chừng / the dispatching worker stopped mid-airing',
      endedAt: new Date(options.now),
    });
    if (ok) ended++;
  }
  ended += await endSilentReceiverAirings(db, {
    now: options.now,
    maxLateMs: options.lateness.maxLateMs,
    ...(options.receiptGraceMs === undefined ? {} : { graceMs: options.receiptGraceMs }),
  });
  return { missed, ended };
}
