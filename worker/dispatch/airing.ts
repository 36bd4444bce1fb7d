// Watches one airing from its first audio to its end: records the start and its skew, keeps the
// cluster lease while the audio goes out (through the process's LeaseKeeper; a failed renewal
// means someone with a higher priority took the cluster: stop at once), and records the outcome
// with the seconds aired.
import type { EndReason } from '../../domain/dispatch/broadcast-status.ts';
import { settleAiring } from '../../domain/dispatch/outcome.ts';
import { type DueBroadcast, moveBroadcast } from '../../prisma/repositories/broadcasts.ts';
import { markClusterSeen } from '../../prisma/repositories/cluster-health.ts';
import { type Lease, leaseHolder, releaseLease } from '../../prisma/repositories/cluster-lease.ts';
import { whenReachable } from '../../prisma/unreachable.ts';
import type { Airing } from '../drivers/driver.ts';
import type { AiringHandle, DispatchDeps } from './deps.ts';
import { reairPreempted } from './reair.ts';

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

  // Renewals begin with the audio: the lease was taken to last through the instant, and a renewal
  // of 10,000 leases (~0.3 s of database work) at the instant slowed the first packets' loop 2×.
  let ended = false;
  let letGo = () => {};
  // From the driver's word, not once the start is recorded: 10,000 start records take seconds.
  void airing.firstAudioAt.then(
    (startedAt) => {
      if (ended) return;
      letGo = deps.leases.hold({
        lease,
        progress: () => (deps.clock.now() - startedAt) / 1000,
        lost: () => handle.stop(PREEMPTED),
      });
    },
    () => {},
  );

  const done = (async () => {
    const outcome = await airing.done;
    ended = true;
    letGo();
    deps.running.delete(b.id);
    await firstAudioAt;
    const { status, reason } = settleAiring({
      durationSec: b.durationSec,
      secondsAired: outcome.secondsAired,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(preempted ? { preempted } : {}),
    });
    const preemptedById = preempted ? await leaseHolder(deps.db, b.clusterId) : null;
    const endedAt = new Date(deps.clock.now());
    // The outcome must land: through a database outage it is written once the server is back.
    await whenReachable(() =>
      moveBroadcast(deps.db, b.id, status, {
        secondsAired: outcome.secondsAired,
        endedAt,
        reasonCode: reason?.code ?? null,
        reason: reason?.message ?? null,
        preemptedById,
        ...(outcome.receipt === undefined ? {} : { receipt: outcome.receipt as object }),
      }),
    );
    await releaseLease(deps.db, lease);
    // Only an airing that took its cluster from another can owe it a re-air: no query for the rest.
    if (lease.preempted) {
      await reairPreempted(deps, b.id).catch((err: Error) =>
        deps.logger.warn({ module: 'dispatch', broadcastId: b.id, err: err.message }, 'no re-air planned'),
      );
    }
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
