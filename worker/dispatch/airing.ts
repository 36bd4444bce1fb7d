// Watches one airing from its first audio to its end: records the start and its skew, keeps the
// cluster lease while the audio goes out (a failed renewal means someone with a higher priority
// took the cluster: stop at once), and records the outcome with the seconds aired.
import type { EndReason } from '../../domain/dispatch/broadcast-status.ts';
import { settleAiring } from '../../domain/dispatch/outcome.ts';
import { type DueBroadcast, moveBroadcast, recordProgress } from '../../prisma/repositories/broadcasts.ts';
import { markClusterSeen } from '../../prisma/repositories/cluster-health.ts';
import {
  type Lease,
  leaseHolder,
  releaseLease,
  renewLease,
} from '../../prisma/repositories/cluster-lease.ts';
import type { Airing } from '../drivers/driver.ts';
import type { AiringHandle, DispatchDeps } from './deps.ts';

export interface Supervised {
  /** Wall-clock ms of the first audio, or null if none left. */
  firstAudioAt: Promise<number | null>;
  done: Promise<{ id: string; status: string }>;
}

export const PREEMPTED: EndReason = {
  code: 'preempted',
  message: 'bị ngắt bởi bản tin ưu tiên cao hơn / preempted by a higher-priority broadcast',
};

export function superviseAiring(
  deps: DispatchDeps,
  b: DueBroadcast,
  airing: Airing,
  lease: Lease,
): Supervised {
  let preempted: EndReason | undefined;
  const handle: AiringHandle = {
    stop(reason) {
      if (reason.code === 'preempted') preempted = reason;
      airing.stop(reason);
    },
  };
  deps.running.set(b.id, handle);

  const firstAudioAt = airing.firstAudioAt.then(
    async (at) => {
      await moveBroadcast(deps.db, b.id, 'AIRING', {
        firstAudioAt: new Date(at),
        skewMs: at - b.scheduledAt.getTime(),
        leaseToken: lease.token,
      });
      return at;
    },
    () => null,
  );

  const renewal = setInterval(async () => {
    try {
      if (await renewLease(deps.db, lease, deps.lease.ttlMs)) {
        const started = await firstAudioAt;
        if (started !== null) await recordProgress(deps.db, b.id, (deps.clock.now() - started) / 1000);
        return;
      }
      handle.stop(PREEMPTED);
    } catch (err) {
      // The database being away is no reason to cut a running bulletin; the lease says who may air.
      deps.logger.warn(
        { module: 'dispatch', broadcastId: b.id, err: (err as Error).message },
        'lease renewal failed',
      );
    }
  }, deps.lease.renewMs);

  const done = (async () => {
    const outcome = await airing.done;
    clearInterval(renewal);
    deps.running.delete(b.id);
    await firstAudioAt;
    const { status, reason } = settleAiring({
      durationSec: b.durationSec,
      secondsAired: outcome.secondsAired,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(preempted ? { preempted } : {}),
    });
    const preemptedById = preempted ? await leaseHolder(deps.db, b.clusterId) : null;
    await moveBroadcast(deps.db, b.id, status, {
      secondsAired: outcome.secondsAired,
      endedAt: new Date(deps.clock.now()),
      reasonCode: reason?.code ?? null,
      reason: reason?.message ?? null,
      preemptedById,
      ...(outcome.receipt === undefined ? {} : { receipt: outcome.receipt as object }),
    });
    await releaseLease(deps.db, lease);
    await markClusterSeen(
      deps.db,
      b.clusterId,
      outcome.secondsAired > 0 || !outcome.error,
      outcome.error?.message,
    );
    return { id: b.id, status };
  })();

  return { firstAudioAt, done };
}
